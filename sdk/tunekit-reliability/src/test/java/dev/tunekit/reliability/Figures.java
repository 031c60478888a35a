package dev.tunekit.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Where the suites put their figures: one line per suite, printed to standard output (this module
 * does not redirect it, so CI logs show it) and appended to {@code target/reliability-figures.txt}
 * (the build deletes it before each test run; the suites run in two forks, so none truncates it).
 */
final class Figures {
  static final Path FILE = Path.of(System.getProperty("reliability.figures", "target/reliability-figures.txt"));

  private Figures() {}

  static synchronized void record(String suite, String figures) {
    String line = "[reliability] " + suite + ": " + figures;
    System.out.println(line);
    try {
      Files.createDirectories(FILE.toAbsolutePath().getParent());
      // One short append per line: whole lines, even with the other fork appending too.
      Files.writeString(FILE, Instant.now() + " " + line + System.lineSeparator(), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
