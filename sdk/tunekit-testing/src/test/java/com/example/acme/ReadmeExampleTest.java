package com.example.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The module README's adoption example compiles: every {@code java} block marked
 * {@code <!-- from <file> -->} is made of lines of that (compiled) test source, in order. A
 * {@code // …} line in the block stands for lines left out.
 */
class ReadmeExampleTest {
  private static final Pattern BLOCK = Pattern.compile("<!-- from (\\S+) -->\\s*```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyExampleBlockIsCodeFromACompiledSource() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Matcher m = BLOCK.matcher(readme);
    int blocks = 0;
    int lines = 0;
    while (m.find()) {
      blocks++;
      Path source = Path.of(m.group(1));
      assertThat(source).as("source named by the README").exists();
      List<String> code = Files.readAllLines(source).stream().map(String::strip).toList();
      int at = 0;
      for (String line : m.group(2).split("\n")) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("// …")) {
          continue;
        }
        int found = indexFrom(code, l, at);
        assertThat(found).as("README line '%s' appears in %s after line %d", l, source, at).isGreaterThanOrEqualTo(0);
        at = found + 1;
        lines++;
      }
    }
    assertThat(blocks).as("example blocks checked").isGreaterThanOrEqualTo(2);
    assertThat(lines).as("example lines checked").isGreaterThanOrEqualTo(15);
  }

  private static int indexFrom(List<String> code, String line, int from) {
    List<String> rest = new ArrayList<>(code.subList(from, code.size()));
    int i = rest.indexOf(line);
    return i < 0 ? -1 : from + i;
  }
}
