package dev.tunekit.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The SDK's own log (slf4j-simple, sent to a file by this module's surefire settings), read to count
 * what the one retry layer did: each retry logs {@code "retrying in"}, each create call found to have
 * taken effect after an unknown outcome logs {@code "had taken effect"}.
 */
final class SdkLog {
  static final String PROPERTY = "org.slf4j.simpleLogger.logFile";

  private SdkLog() {}

  /** The log file, or null when the SDK logs to the console (run outside Maven). */
  static Path file() {
    String f = System.getProperty(PROPERTY);
    return f == null || f.equals("System.err") || f.equals("System.out") ? null : Path.of(f);
  }

  /** The current end of the log: count from here. */
  static long mark() {
    org.slf4j.LoggerFactory.getLogger(SdkLog.class); // slf4j-simple truncates the file when it starts: start it first
    Path f = file();
    try {
      return f == null || !Files.exists(f) ? 0 : Files.size(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Lines written since {@code mark} that contain {@code text}; -1 if the log is not in a file. */
  static long count(long mark, String text) {
    Path f = file();
    if (f == null) {
      return -1;
    }
    try {
      byte[] all = Files.exists(f) ? Files.readAllBytes(f) : new byte[0];
      String since = new String(all, (int) Math.min(mark, all.length), (int) Math.max(0, all.length - mark),
          StandardCharsets.UTF_8);
      return since.lines().filter(l -> l.contains(text)).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
