package dev.tunekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class path the launcher gives JShell holds the SDK and its runtime dependencies only: no test
 * libraries, no test kit, no test-only providers. Runs the launcher's own dependency goal (read from
 * {@code jshell-scripts/tunekit}, so a regression there fails here) over this checkout's reactor.
 */
class JShellClassPathTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern GOAL = Pattern.compile("(?m)^classpath_goal=\\(([^)]*)\\)");

  @TempDir Path tmp;

  @Test
  void theLaunchersClassPathCarriesNoTestLibraries() throws IOException, InterruptedException {
    String launcher = Files.readString(ROOT.resolve("jshell-scripts/tunekit"), StandardCharsets.UTF_8);
    Matcher m = GOAL.matcher(launcher);
    assertThat(m.find()).as("jshell-scripts/tunekit defines classpath_goal=(...)").isTrue();
    List<String> goal = Arrays.asList(m.group(1).trim().split("\\s+"));
    assertThat(goal).contains("dependency:build-classpath");

    Path out = tmp.resolve("deps.txt");
    // `compile` rather than the launcher's `package`: the same scope filtering, but the reactor's
    // modules resolve to their (already built) classes and no jar under target/ is rewritten.
    List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "-pl", "sdk/tunekit-all", "-am", "compile"));
    command.addAll(goal);
    command.add("-Dmdep.outputFile=" + out);
    Path log = tmp.resolve("mvn.log");
    Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("mvn did not finish in 3 minutes:\n" + Files.readString(log));
    }
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();

    List<String> entries = Arrays.asList(Files.readString(out).trim().split(File.pathSeparator));
    assertThat(entries).as("the SDK's provider modules are on the class path")
        .anyMatch(e -> e.contains("tunekit-core"))
        .anyMatch(e -> e.contains("tunekit-openai"))
        .anyMatch(e -> e.contains("tunekit-bedrock"))
        .anyMatch(e -> e.contains("tunekit-local"));
    assertThat(entries).as("no test library or test kit reaches JShell")
        .noneMatch(e -> e.matches(".*(junit|assertj|archunit|opentest4j|wiremock|tunekit-testing|-tests\\.jar).*"));
  }
}
