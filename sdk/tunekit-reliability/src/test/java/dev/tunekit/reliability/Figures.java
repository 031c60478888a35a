package dev.tunekit.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Where the suites put their figures: one line per suite, printed to standard output (this module
 * does not redirect it, so CI logs show it) and written to {@code target/reliability-figures.txt}
 * (afresh for each test run).
 */
final class Figures {
  static final Path FILE = Path.of(System.getProperty("reliability.figures", "target/reliability-figures.txt"));

  private static boolean written;

  private Figures() {}

  static synchronized void record(String suite, String figures) {
    String line = "[reliability] " + suite + ": " + figures;
    System.out.println(line);
    try {
      Files.createDirectories(FILE.toAbsolutePath().getParent());
      // The first suite of a test run starts the file afresh; the others add to it.
      Files.writeString(FILE, Instant.now() + " " + line + System.lineSeparator(), StandardOpenOption.CREATE,
          written ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
      written = true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
