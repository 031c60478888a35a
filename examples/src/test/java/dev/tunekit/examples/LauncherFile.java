package dev.tunekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tests read from {@code jshell-scripts/tunekit}, so that they start JVMs and JShell exactly as the
 * launcher does: its bash arrays of options and its {@code api_jars} pattern.
 */
final class LauncherFile {
  static final Path PATH = Path.of("..").toAbsolutePath().normalize().resolve("jshell-scripts/tunekit");

  private LauncherFile() {}

  /** The words of the launcher's bash array {@code name=(...)}, quotes removed (a value may hold parentheses). */
  static List<String> options(String name) throws IOException {
    Matcher m = Pattern.compile("(?m)^" + name + "=\\(([^)]*(?:\\)\"[^)]*)?)\\)$").matcher(text());
    assertThat(m.find()).as("jshell-scripts/tunekit defines %s=(...)", name).isTrue();
    return List.of(m.group(1).replace("\"", "").trim().split("\\s+"));
  }

  /** The launcher's {@code api_jars} pattern: the class path entries an interactive session compiles against. */
  static Pattern apiJars() throws IOException {
    Matcher m = Pattern.compile("(?m)^api_jars='([^']+)'$").matcher(text());
    assertThat(m.find()).as("jshell-scripts/tunekit defines api_jars='...'").isTrue();
    return Pattern.compile(m.group(1));
  }

  static String text() throws IOException {
    return Files.readString(PATH, StandardCharsets.UTF_8);
  }
}
