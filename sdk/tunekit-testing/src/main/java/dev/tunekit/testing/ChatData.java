package dev.tunekit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small valid chat datasets for provider tests: what a workflow test uploads when the content does not matter. */
public final class ChatData {
  private ChatData() {}

  /**
   * Writes {@code n} examples to {@code file}, one user question and one assistant answer each
   * ({@code question i} → {@code answer i}), and returns the file.
   */
  public static Path write(Path file, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("{\"messages\":[{\"role\":\"user\",\"content\":\"question ").append(i)
          .append("\"},{\"role\":\"assistant\",\"content\":\"answer ").append(i).append("\"}]}\n");
    }
    try {
      return Files.writeString(file, sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
