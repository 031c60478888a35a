package dev.tunekit.dataset;

import dev.tunekit.error.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A fine-tuning dataset in a JSONL file, Tunekit's neutral input: chat examples
 * ({@code {"messages": [...]}}) or preference pairs ({@code input}, {@code preferred_output},
 * {@code non_preferred_output}).
 *
 * <p>Everything is streamed: a file of any size validates and converts in constant memory.
 *
 * <pre>{@code
 * DatasetReport report = Dataset.of(Path.of("train.jsonl")).validate("gpt-4o-mini-2024-07-18");
 * report.print();                       // findings with line numbers, token statistics, cost
 * PreparedDataset files = Dataset.of(Path.of("train.jsonl"))
 *     .prepare(DatasetFormat.CHAT_JSONL, Path.of("out"), 0.1, 42);
 * }</pre>
 */
public final class Dataset {
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

  /** {@code Dataset[path]}, so that JShell and logs show which file it is. */
  @Override
  public String toString() {
    return "Dataset[" + path + "]";
  }

  /**
   * Validates for a model, with the limits and price of the first model catalog on the class path that
   * lists it (see {@link #validate(ValidationOptions)} and {@link ValidationOptions#forModel(String)}).
   */
  public DatasetReport validate(String model) {
    return validate(ValidationOptions.forModel(model));
  }

  /**
   * Validates for a provider and model: every line is checked (encoding, JSON, shape, the model's
   * per-example token limit), tokens are counted with the model's tiktoken encoding, and the training
   * cost is estimated from the provider's price data. The limits and prices come from the model catalog
   * that the provider type's module contributes ({@link DatasetContributor}); without one, the model is
   * reported unknown and only the structure is checked. Never throws for bad content: problems become
   * findings with their line. Throws {@link InvalidInputException} only when the file cannot be read.
   */
  public DatasetReport validate(ValidationOptions options) {
    ModelSpec spec = Contributors.discover().resolve(options.provider(), options.model());
    return new Validator(spec, options.maxFindingsPerCode(), options.epochs(), Validator.DEFAULT_MAX_LINE_BYTES,
        Validator.defaultThreads()).validate(path);
  }

  /** Converts to {@code format} in {@code outDir} without a validation split. */
  public PreparedDataset prepare(DatasetFormat format, Path outDir) {
    return prepare(format, outDir, 0.0, 0L);
  }

  /**
   * Converts to {@code format} in {@code outDir} ({@code train.jsonl}, and {@code validation.jsonl}
   * when a split is asked for), holding out {@code round(examples × validationFraction)} examples (at
   * least one when the fraction is above 0) chosen deterministically by {@code seed}: the same file and
   * seed always give the same split. Each file comes with its SHA-256.
   *
   * <p>The dataset is checked first (without model limits: validate for the model to check those); a
   * dataset with errors is refused. A conversion that would lose information is refused with the reason
   * and line, such as preference pairs to a chat format. The neutral formats ({@link DatasetFormat#CHAT_JSONL},
   * {@link DatasetFormat#PREFERENCE_JSONL}) are written as read; any other format is converted by the
   * {@link DatasetConverter} its provider module contributes, and a format nobody contributes is refused
   * with the list of contributors asked.
   *
   * @throws InvalidInputException if the dataset has errors, the conversion would lose information, no
   *     module converts to the format, the fraction is not in [0, 1), or the files cannot be written
   */
  public PreparedDataset prepare(DatasetFormat format, Path outDir, double validationFraction, long seed) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(outDir, "outDir");
    Converter.validationCount(0, validationFraction);
    DatasetConverter converter = format.isNeutral() ? null : Contributors.discover().converter(format, path.toString());
    DatasetReport report = new Validator(ModelSpec.structural(), 1, 0, Validator.DEFAULT_MAX_LINE_BYTES,
        Validator.defaultThreads()).validate(path);
    if (report.hasErrors()) {
      Finding first = report.findings().stream().filter(f -> f.severity() == Finding.Severity.ERROR)
          .findFirst().orElseThrow();
      throw new InvalidInputException("the dataset has " + report.errorCount() + " error(s) and cannot be "
          + "uploaded; first: " + first.code() + ": " + first.message()
          + ". Run Dataset.of(path).validate(options).print() to see them all",
          first.line() == 0 ? path.toString() : path + ":" + first.line());
    }
    try {
      return new Converter(path, report.kind(), format, converter).convert(report.examples(), outDir, validationFraction, seed);
    } catch (IOException e) {
      throw new InvalidInputException("cannot write the converted dataset: " + e.getMessage(), outDir.toString(), e);
    } catch (UncheckedIOException e) {
      throw new InvalidInputException("cannot write the converted dataset: " + e.getMessage(), outDir.toString(), e);
    }
  }

  /**
   * How many of {@code examples} a validation split of {@code fraction} holds out: what
   * {@link #prepare(DatasetFormat, Path, double, long)} does, without reading the file (0 for a fraction
   * of 0 or fewer than two examples, else {@code round(examples × fraction)}, at least one and at most
   * {@code examples - 1}).
   *
   * @throws dev.tunekit.error.InvalidInputException when the fraction is not in [0, 1)
   */
  public static long validationCount(long examples, double fraction) {
    return Converter.validationCount(examples, fraction);
  }
}
