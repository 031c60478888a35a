package dev.tunekit.dataset;

import dev.tunekit.error.TunekitException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tunekit.error.InvalidInputException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Writes a validated dataset in a target format, split deterministically into training and
 * validation files, each with its SHA-256. The neutral formats are written as read; any other format
 * goes through the {@link DatasetConverter} its provider module contributes, which refuses (with the
 * reason; the line is added here) any example whose conversion would lose information. Files are
 * written to temporary names and moved into place only when the whole conversion succeeded.
 */
final class Converter {
  private final Path source;
  private final DatasetKind kind;
  private final DatasetFormat format;
  /** Null for the neutral formats. */
  private final DatasetConverter converter;

  Converter(Path source, DatasetKind kind, DatasetFormat format, DatasetConverter converter) {
    this.source = source;
    this.kind = kind;
    this.format = format;
    this.converter = converter;
  }

  PreparedDataset convert(long examples, Path outDir, double validationFraction, long seed) throws IOException {
    refuseKindMismatch();
    long k = validationCount(examples, validationFraction);
    Files.createDirectories(outDir);
    Path train = outDir.resolve("train.jsonl");
    Path valid = outDir.resolve("validation.jsonl");
    Path trainTmp = Files.createTempFile(outDir, ".train-", ".tmp");
    Path validTmp = Files.createTempFile(outDir, ".validation-", ".tmp");
    try {
      MessageDigest dt = sha256();
      MessageDigest dv = sha256();
      long nt = 0;
      long nv = 0;
      SplittableRandom random = new SplittableRandom(seed);
      long index = 0;
      try (InputStream in = Files.newInputStream(source);
          LineReader reader = new LineReader(in, Validator.DEFAULT_MAX_LINE_BYTES);
          OutputStream wt = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(trainTmp), 1 << 16), dt);
          OutputStream wv = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(validTmp), 1 << 16), dv)) {
        LineBatch b;
        while ((b = reader.next(Validator.BATCH_BYTES)) != null) {
          for (int i = 0; i < b.size; i++) {
            if (isBlank(b, i)) {
              continue;
            }
            byte[] out = convertLine(b, i);
            boolean toValidation = k > 0 && random.nextDouble() * (examples - index) < (k - nv);
            index++;
            OutputStream w = toValidation ? wv : wt;
            w.write(out);
            w.write('\n');
            if (toValidation) {
              nv++;
            } else {
              nt++;
            }
          }
        }
      }
      Files.move(trainTmp, train, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      ConvertedFile t = new ConvertedFile(train, format, nt, Files.size(train), hex(dt));
      Optional<ConvertedFile> v = Optional.empty();
      if (nv > 0) {
        Files.move(validTmp, valid, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        v = Optional.of(new ConvertedFile(valid, format, nv, Files.size(valid), hex(dv)));
      } else {
        Files.deleteIfExists(valid);
      }
      return new PreparedDataset(t, v);
    } finally {
      Files.deleteIfExists(trainTmp);
      Files.deleteIfExists(validTmp);
    }
  }

  static long validationCount(long examples, double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new InvalidInputException("validationFraction must be at least 0 and below 1, was " + fraction);
    }
    if (fraction == 0 || examples < 2) {
      return 0;
    }
    long k = Math.max(1, Math.round(examples * fraction));
    return Math.min(k, examples - 1);
  }

  private void refuseKindMismatch() {
    Optional<String> why;
    if (converter != null) {
      why = converter.refusal(kind);
    } else if (format.equals(DatasetFormat.PREFERENCE_JSONL)) {
      why = kind == DatasetKind.PREFERENCE ? Optional.empty()
          : Optional.of("chat examples have no preferred/non-preferred outputs to train preferences on");
    } else if (format.equals(DatasetFormat.PROMPT_JSONL)) {
      why = kind == DatasetKind.PROMPTS ? Optional.empty()
          : Optional.of("reinforcement fine-tuning trains on prompts that end with a user turn and carry the"
              + " reference fields its grader reads, not on " + kind.name().toLowerCase(Locale.ROOT) + " examples");
    } else {
      why = kind == DatasetKind.CHAT ? Optional.empty()
          : kind == DatasetKind.PROMPTS ? Optional.of("prompts have no assistant answer to imitate; train them with"
              + " TrainingMethod.REINFORCEMENT (" + DatasetFormat.PROMPT_JSONL + ")")
          : Optional.of("converting preference pairs to chat would drop every non_preferred_output; use "
              + DatasetFormat.PREFERENCE_JSONL);
    }
    if (why.isPresent()) {
      throw new InvalidInputException("cannot convert a " + kind.name().toLowerCase(Locale.ROOT) + " dataset to "
          + format + ": " + why.get(), source.toString());
    }
  }

  private byte[] convertLine(LineBatch b, int i) {
    if (converter == null) {
      byte[] out = new byte[b.length[i]];
      System.arraycopy(b.data, b.start[i], out, 0, out.length);
      return out;
    }
    BatchResult sink = new BatchResult();
    JsonNode root = ExampleChecker.parse(b.data, b.start[i], b.length[i], b.lineNo[i], sink);
    if (root == null) {
      throw refuse(b.lineNo[i], "the line is not valid JSON; validate the dataset first");
    }
    JsonNode converted;
    try {
      converted = converter.convert(root);
    } catch (ConversionRefusedException e) {
      throw refuse(b.lineNo[i], e.getMessage());
    }
    try {
      return ExampleChecker.MAPPER.writeValueAsBytes(converted);
    } catch (IOException e) {
      throw new TunekitException("cannot write converted line " + b.lineNo[i] + ": " + e.getMessage(), e);
    }
  }

  private InvalidInputException refuse(long line, String why) {
    return new InvalidInputException("cannot convert to " + format + " without losing information: " + why
        + ". Remove or rewrite such examples, or choose a provider and model that accept them",
        source + ":" + line);
  }

  private static boolean isBlank(LineBatch b, int i) {
    for (int j = b.start[i]; j < b.start[i] + b.length[i]; j++) {
      byte c = b.data[j];
      if (c != ' ' && c != '\t' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new TunekitException("SHA-256 is missing from this JVM", e);
    }
  }

  private static String hex(MessageDigest d) {
    return HexFormat.of().formatHex(d.digest());
  }
}
