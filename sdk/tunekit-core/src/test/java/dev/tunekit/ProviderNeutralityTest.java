package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core names no provider: its main sources and resources are scanned for provider names (the same
 * pattern as {@code grep -rniE 'openai|bedrock|azure|titan|nova|\blocal\b' src/main}); every hit must be
 * on the short, explicit allow-list in {@code src/test/resources/provider-names-allowlist.txt}, and every
 * allow-list entry must still match something, so the list only shrinks.
 */
class ProviderNeutralityTest {
  static final Pattern PROVIDER_NAMES = Pattern.compile("(?i)openai|bedrock|azure|titan|nova|\\blocal\\b");
  static final Path MAIN = Path.of("src", "main");

  record Entry(String path, String text, String why) {
    boolean allows(String file, String line) {
      return file.equals(path) && (text.equals("*") || line.contains(text));
    }
  }

  static List<Entry> allowList() throws IOException {
    List<Entry> out = new ArrayList<>();
    for (String raw : Files.readAllLines(Path.of("src", "test", "resources", "provider-names-allowlist.txt"))) {
      if (raw.isBlank() || raw.startsWith("#")) {
        continue;
      }
      String[] parts = raw.split(" \\| ", 3);
      assertThat(parts).as("allow-list entry '%s' is <path> | <text> | <why>", raw).hasSize(3);
      out.add(new Entry(parts[0].trim(), parts[1].startsWith("  ") ? parts[1] : parts[1].trim(), parts[2].trim()));
    }
    return out;
  }

  @Test
  void corePatternFindsTheNamesItIsMeantToFind() {
    assertThat(PROVIDER_NAMES.matcher("see tunekit-bedrock").find()).isTrue();
    assertThat(PROVIDER_NAMES.matcher("provider: local").find()).isTrue();
    assertThat(PROVIDER_NAMES.matcher("a localized message").find()).isFalse();
  }

  @Test
  void coreMainSourcesAndResourcesNameNoProviderOutsideTheAllowList() throws IOException {
    List<Entry> allow = allowList();
    assertThat(allow.size()).as("the allow-list must stay short").isLessThanOrEqualTo(16);
    Set<Entry> used = new LinkedHashSet<>();
    List<String> hits = new ArrayList<>();
    int files = 0;
    try (Stream<Path> all = Files.walk(MAIN)) {
      for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
        files++;
        String rel = MAIN.relativize(p).toString().replace('\\', '/');
        if (PROVIDER_NAMES.matcher(rel).find()) {
          hits.add(rel + " (the file name)");
        }
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          if (!PROVIDER_NAMES.matcher(line).find()) {
            continue;
          }
          Entry e = allow.stream().filter(a -> a.allows(rel, line)).findFirst().orElse(null);
          if (e == null) {
            hits.add(rel + ":" + (i + 1) + ": " + line.trim());
          } else {
            used.add(e);
          }
        }
      }
    }
    assertThat(files).as("files scanned under %s", MAIN.toAbsolutePath()).isGreaterThan(50);
    assertThat(hits).as("provider names in tunekit-core (move the code to the provider module, word it neutrally, "
        + "or, only if it must stay, add it to provider-names-allowlist.txt with the reason)").isEmpty();
    List<Entry> stale = new ArrayList<>(allow);
    stale.removeAll(used);
    assertThat(stale).as("allow-list entries that match nothing any more: remove them").isEmpty();
  }
}
