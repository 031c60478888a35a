package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.eval.Grade;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link dev.tunekit.error.TunekitException} is the one root of every exception Tunekit's public
 * packages throw, so a caller can catch one type and read {@code file:line}-style advice from it.
 */
class ExceptionRootTest {
  private static final Path MAIN = Path.of("src/main/java/dev/tunekit");
  /** JDK exceptions that must not be thrown from the exported packages (internal may wrap them). */
  private static final Pattern FOREIGN = Pattern.compile(
      "new (IllegalArgumentException|IllegalStateException|UncheckedIOException|RuntimeException"
          + "|UnsupportedOperationException)\\(");

  @Test
  void exportedPackagesThrowOnlyTunekitExceptions() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !MAIN.relativize(p).startsWith("internal"))::iterator) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = FOREIGN.matcher(lines.get(i));
          if (m.find() && !lines.get(i).contains("// not a TunekitException:")) {
            found.add(MAIN.relativize(f) + ":" + (i + 1) + " throws " + m.group(1));
          }
        }
      }
    }
    assertThat(found).as("throw an InvalidInputException (bad input) or another TunekitException instead, or"
        + " justify it on the line with '// not a TunekitException: why'").isEmpty();
  }

  @Test
  void badInputToEvalValuesIsInvalidInput() {
    assertThatThrownBy(() -> EvalCase.of(" ", "q", "a"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("id must not be blank");
    assertThatThrownBy(() -> new Grade(1.5, true, "x")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> EvalTarget.of("t", r -> null, "m").withRateLimit(-1))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("requestsPerMinute");
  }
}
