package dev.tunekit.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.InvalidInputException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A fine-tuning dataset in a JSONL file: chat examples or preference pairs. Reading is streamed;
 * nothing is held in memory per example.
 *
 * <p>SKELETON: a minimal implementation so that the workflow compiles; the dataset pipeline replaces
 * the bodies (signatures stay).
 */
public final class Dataset {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path path;

  private Dataset(Path path) {
    this.path = Objects.requireNonNull(path, "path");
  }

  /** A dataset backed by a JSONL file. Nothing is read until a method needs it. */
  public static Dataset of(Path path) {
    return new Dataset(path);
  }

  /** The file. */
  public Path path() {
    return path;
  }

  /** Validates for an OpenAI model. */
  public DatasetReport validate(String model) {
    return validate(ValidationOptions.openai(model));
  }

  /** Validates for a provider and model. Never throws for bad content: problems become findings. */
  public DatasetReport validate(ValidationOptions options) {
    List<Finding> findings = new ArrayList<>();
    long examples = 0;
    DatasetKind kind = DatasetKind.CHAT;
    try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String line;
      long n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (IOException e) {
          findings.add(new Finding(Finding.Severity.ERROR, n, "invalid_json", "line is not valid JSON"));
          continue;
        }
        examples++;
        if (node.has("preferred_output")) {
          kind = DatasetKind.PREFERENCE;
        } else if (!node.has("messages")) {
          findings.add(new Finding(Finding.Severity.ERROR, n, "missing_messages_list", "add a messages list"));
        }
      }
    } catch (IOException e) {
      throw new InvalidInputException("cannot read dataset: " + e.getMessage(), path.toString(), e);
    }
    return new DatasetReport(path.toString(), kind, examples, findings);
  }

  /** Converts to {@code format} in {@code outDir} without a validation split. */
  public PreparedDataset prepare(DatasetFormat format, Path outDir) {
    return prepare(format, outDir, 0.0, 0L);
  }

  /**
   * Converts to {@code format} in {@code outDir}, holding out {@code validationFraction} of the
   * examples (chosen deterministically by {@code seed}) as validation data.
   */
  public PreparedDataset prepare(DatasetFormat format, Path outDir, double validationFraction, long seed) {
    try {
      Files.createDirectories(outDir);
      Path train = outDir.resolve("train.jsonl");
      Path valid = outDir.resolve("validation.jsonl");
      long nt = 0;
      long nv = 0;
      SplittableRandom random = new SplittableRandom(seed);
      try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8);
          BufferedWriter wt = Files.newBufferedWriter(train, StandardCharsets.UTF_8);
          BufferedWriter wv = Files.newBufferedWriter(valid, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          if (validationFraction > 0 && random.nextDouble() < validationFraction) {
            wv.write(line);
            wv.write('\n');
            nv++;
          } else {
            wt.write(line);
            wt.write('\n');
            nt++;
          }
        }
      }
      ConvertedFile t = new ConvertedFile(train, format, nt, Files.size(train), sha256(train));
      Optional<ConvertedFile> v = nv == 0 ? Optional.empty()
          : Optional.of(new ConvertedFile(valid, format, nv, Files.size(valid), sha256(valid)));
      if (nv == 0) {
        Files.deleteIfExists(valid);
      }
      return new PreparedDataset(t, v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(file)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          d.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
