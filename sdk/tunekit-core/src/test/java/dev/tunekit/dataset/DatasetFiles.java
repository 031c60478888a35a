package dev.tunekit.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small dataset files for tests. */
final class DatasetFiles {
  static final String OK = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
      + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello\"}]}";
  static final String PREF = "{\"input\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]},"
      + "\"preferred_output\":[{\"role\":\"assistant\",\"content\":\"Hello!\"}],"
      + "\"non_preferred_output\":[{\"role\":\"assistant\",\"content\":\"Go away\"}]}";

  private DatasetFiles() {}

  /** Writes lines joined by LF (and a final LF). */
  static Path lines(Path dir, String... lines) throws IOException {
    return Files.writeString(dir.resolve("data.jsonl"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  /** {@code count} copies of the valid example, then {@code extra} lines. */
  static Path okThen(Path dir, int count, String... extra) throws IOException {
    String[] all = new String[count + extra.length];
    for (int i = 0; i < count; i++) {
      all[i] = OK;
    }
    System.arraycopy(extra, 0, all, count, extra.length);
    return lines(dir, all);
  }

  static Path bytes(Path dir, byte[]... parts) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.write(p);
    }
    return Files.write(dir.resolve("data.jsonl"), b.toByteArray());
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
