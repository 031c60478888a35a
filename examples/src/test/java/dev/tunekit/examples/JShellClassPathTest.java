package dev.tunekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class path the launcher gives JShell holds the SDK and its runtime dependencies only: no test
 * libraries, no test kit, no test-only providers. Runs the launcher's own dependency goal (read from
 * {@code jshell-scripts/tunekit}, so a regression there fails here) over this checkout's reactor.
 *
 * <p>The same single Maven run lists every SDK module's resolved runtime dependencies (the ones its
 * users inherit, transitive ones included) and shows that no library artifact forces a logging backend
 * on them: the only SLF4J binding is {@code tunekit-all}'s slf4j-simple for JShell, and it is optional.
 */
class JShellClassPathTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** Written by the goals into each module's target/ (a relative path resolves against each module). */
  private static final String OUT = "target/jshell-classpath-test.txt";
  private static final String LIST = "target/runtime-dependencies-test.txt";
  /** A line of {@code dependency:list} naming an SLF4J 1.x binding or 2.x provider: a logging backend. */
  private static final Pattern BINDING = Pattern.compile(
      "\\s*(org\\.slf4j:slf4j-(simple|nop|jdk14|reload4j|log4j12)|ch\\.qos\\.logback:logback-classic"
          + "|org\\.apache\\.logging\\.log4j:log4j-slf4j2?-impl):.*");
  /** Every library module of sdk/tunekit-bom (BomTest in tunekit-all keeps that list complete). */
  private static final List<String> MODULES = List.of("sdk/tunekit-core", "sdk/tunekit-openai",
      "sdk/tunekit-bedrock", "sdk/tunekit-vertex", "sdk/tunekit-http", "sdk/tunekit-together",
      "sdk/tunekit-fireworks", "sdk/tunekit-local", "sdk/tunekit-testing", "sdk/tunekit-all");
  /** Test libraries and test jars; only the test kit, a library for tests, may bring JUnit and AssertJ. */
  private static final Pattern TEST_LIBRARY = Pattern.compile(
      "\\s*(org\\.junit\\.|org\\.assertj:|org\\.wiremock:|com\\.tngtech\\.archunit:|org\\.mockito:|.*:test-jar:).*");

  @BeforeAll
  static void runTheLaunchersGoal(@TempDir Path tmp) throws IOException, InterruptedException {
    List<String> goal = LauncherFile.options("classpath_goal");
    assertThat(goal).contains("dependency:build-classpath");

    // `compile` rather than the launcher's `package`: the same scope filtering, but the reactor's
    // modules resolve to their (already built) classes and no jar under target/ is rewritten.
    List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "-pl", "sdk/tunekit-all", "-am", "compile"));
    command.addAll(goal);
    command.add("-Dmdep.outputFile=" + OUT);
    // and each module's runtime dependencies as its users inherit them, marked "(optional)" where they are not
    command.addAll(List.of("dependency:list", "-DoutputFile=" + LIST));
    Path log = tmp.resolve("mvn.log");
    Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("mvn did not finish in 3 minutes:\n" + Files.readString(log));
    }
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
  }

  /** The runtime class path the goal wrote for {@code module}. */
  private static List<String> classPath(String module) throws IOException {
    Path file = ROOT.resolve(module).resolve(OUT);
    assertThat(file).as("the goal ran for %s", module).exists();
    String text = Files.readString(file).trim();
    return text.isEmpty() ? List.of() : Arrays.asList(text.split(File.pathSeparator));
  }

  @Test
  void theLaunchersClassPathCarriesNoTestLibraries() throws IOException {
    List<String> entries = classPath("sdk/tunekit-all");
    assertThat(entries).as("the SDK's provider modules are on the class path")
        .anyMatch(e -> e.contains("tunekit-core"))
        .anyMatch(e -> e.contains("tunekit-openai"))
        .anyMatch(e -> e.contains("tunekit-bedrock"))
        .anyMatch(e -> e.contains("tunekit-local"));
    assertThat(entries).as("no test library or test kit reaches JShell")
        .noneMatch(e -> e.matches(".*(junit|assertj|archunit|opentest4j|wiremock|tunekit-testing|-tests\\.jar).*"));
    assertThat(entries).as("JShell has a logging backend (the launcher configures it quiet)")
        .anyMatch(e -> e.matches(".*/slf4j-simple-[0-9][^/]*\\.jar"));
  }

  @Test
  void noLibraryArtifactForcesALoggingBackendOnItsUsers() throws IOException {
    for (String module : MODULES) {
      Path file = ROOT.resolve(module).resolve(LIST);
      assertThat(file).as("dependency:list ran for %s", module).exists();
      List<String> lines = Files.readAllLines(file);
      assertThat(lines).as("%s logs through the SLF4J API", module).anyMatch(l -> l.contains("org.slf4j:slf4j-api:"));
      assertThat(lines).as("runtime dependencies of %s that its users inherit", module)
          .filteredOn(l -> BINDING.matcher(l).matches())
          .allMatch(l -> l.contains("(optional)"));
      if (!module.equals("sdk/tunekit-testing")) {
        assertThat(lines).as("test libraries among the runtime dependencies of %s", module)
            .noneMatch(l -> TEST_LIBRARY.matcher(l).matches() && !l.matches(".*:test(\\s.*)?") && !l.contains("(optional)"));
      }
    }
  }
}
