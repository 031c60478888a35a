package dev.tunekit.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small, distinct training sets cut from the shipped nl2query data, one per variant number. */
final class Datasets {
  static final Path TRAIN = Path.of("../../examples/data/nl2query/train.jsonl").toAbsolutePath().normalize();
  private static final List<String> LINES;

  static {
    try {
      LINES = Files.readAllLines(TRAIN);
    } catch (IOException e) {
      throw new UncheckedIOException("the shipped dataset " + TRAIN + " is missing", e);
    }
  }

  private Datasets() {}

  /**
   * Writes variant {@code n} ({@code examples} conversations starting at a variant-dependent offset,
   * every system prompt tagged with the variant so every variant has its own content hash) into
   * {@code dir} and returns the file. The same {@code n} always gives the same bytes.
   */
  static Path variant(Path dir, int n, int examples) {
    List<String> out = new ArrayList<>(examples);
    int start = (n * 37) % LINES.size();
    for (int i = 0; i < examples; i++) {
      out.add(LINES.get((start + i) % LINES.size()));
    }
    out.replaceAll(line -> line.replaceFirst("Answer with the query only\\.", "Answer with the query only. (variant " + n + ")"));
    Path file = dir.resolve("variant-" + n + ".jsonl");
    try {
      Files.createDirectories(dir);
      Files.write(file, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
