package dev.tunekit;

import dev.tunekit.dataset.Dataset;
import dev.tunekit.spi.TrainingMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Describes one fine-tuning run; {@link #start()} runs it. Obtained from {@link Tunekit#fineTune()}.
 *
 * <pre>{@code
 * Run run = tk.fineTune()
 *     .model("gpt-4o-mini-2024-07-18")
 *     .trainingData(Path.of("train.jsonl"))
 *     .validationSplit(0.1, 42)
 *     .hyperparameters(h -> h.epochs(3))
 *     .suffix("sql").metadata("team", "search")
 *     .start();
 * }</pre>
 */
public final class FineTune {
  /** Metadata pairs left for the user once Tunekit stores its own (OpenAI allows 16). */
  static final int MAX_METADATA = 14;
  private final Workflow workflow;
  private String model;
  private Path trainingData;
  private Path validationData;
  private double validationFraction;
  private long splitSeed;
  private Hyperparameters hyperparameters = Hyperparameters.defaults();
  private String suffix;
  private TrainingMethod method;
  private final Map<String, String> metadata = new LinkedHashMap<>();

  FineTune(Workflow workflow) {
    this.workflow = workflow;
  }

  /** The base model to tune, such as {@code gpt-4o-mini-2024-07-18}. Required. */
  public FineTune model(String model) {
    if (model == null || model.isBlank()) {
      throw new InvalidInputException("model must not be blank; pass the base model id, such as gpt-4o-mini-2024-07-18");
    }
    this.model = model.trim();
    return this;
  }

  /** The training data: a JSONL file of chat examples or preference pairs. Required (or {@link #dataset}). */
  public FineTune trainingData(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("training data file not found; check the path", file.toString());
    }
    this.trainingData = file.toAbsolutePath().normalize();
    return this;
  }

  /** The training data as a {@link Dataset}. */
  public FineTune dataset(Dataset dataset) {
    return trainingData(Objects.requireNonNull(dataset, "dataset").path());
  }

  /**
   * Holds out {@code fraction} of the training examples (chosen deterministically by {@code seed}) as
   * validation data. Replaces {@link #validationData(Path)}.
   */
  public FineTune validationSplit(double fraction, long seed) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new InvalidInputException("validationSplit fraction must be in [0, 1), such as 0.1; was " + fraction);
    }
    this.validationFraction = fraction;
    this.splitSeed = seed;
    this.validationData = null;
    return this;
  }

  /** A separate validation file. Replaces {@link #validationSplit(double, long)}. */
  public FineTune validationData(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("validation data file not found; check the path", file.toString());
    }
    this.validationData = file.toAbsolutePath().normalize();
    this.validationFraction = 0;
    return this;
  }

  /** The hyperparameters. */
  public FineTune hyperparameters(Hyperparameters hyperparameters) {
    this.hyperparameters = Objects.requireNonNull(hyperparameters, "hyperparameters");
    return this;
  }

  /** Sets hyperparameters on a builder: {@code .hyperparameters(h -> h.epochs(3).extra("warmup", 10))}. */
  public FineTune hyperparameters(Consumer<Hyperparameters.Builder> edit) {
    Hyperparameters.Builder b = hyperparameters.toBuilder();
    edit.accept(b);
    this.hyperparameters = b.build();
    return this;
  }

  /** A suffix for the tuned model's name. */
  public FineTune suffix(String suffix) {
    this.suffix = suffix == null || suffix.isBlank() ? null : suffix;
    return this;
  }

  /** A metadata pair stored with the job (at most 14; key up to 64 characters, value up to 512). */
  public FineTune metadata(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (key.isBlank() || key.length() > 64 || value.length() > 512) {
      throw new InvalidInputException("metadata key must be 1-64 characters and value at most 512; got key '" + key + "'");
    }
    if (key.startsWith("tunekit_")) {
      throw new InvalidInputException("metadata keys starting with 'tunekit_' are reserved; rename '" + key + "'");
    }
    if (!metadata.containsKey(key) && metadata.size() >= MAX_METADATA) {
      throw new InvalidInputException("at most " + MAX_METADATA + " metadata pairs (Tunekit keeps 2 for itself)");
    }
    metadata.put(key, value);
    return this;
  }

  /** The training method; by default it follows the dataset (chat → supervised, preference pairs → DPO). */
  public FineTune method(TrainingMethod method) {
    this.method = method;
    return this;
  }

  /**
   * Validates the dataset (an {@link InvalidDatasetException} stops the run before any upload),
   * converts it to the provider's format, uploads it and submits the job, recording each step in the
   * ledger. Returns once the job is submitted; wait for it with {@link Run#await(RunListener)}.
   */
  public Run start() {
    if (model == null) {
      throw new InvalidInputException("no base model: call .model(\"…\") before start()");
    }
    if (trainingData == null) {
      throw new InvalidInputException("no training data: call .trainingData(Path) or .dataset(Dataset) before start()");
    }
    RunSpec spec = new RunSpec(model, trainingData.toString(),
        validationData == null ? null : validationData.toString(), validationFraction, splitSeed, hyperparameters,
        suffix, metadata, method);
    return new Run(workflow, workflow.start(spec));
  }

  /** {@link #start()} on a Tunekit thread. */
  public CompletableFuture<Run> startAsync() {
    return CompletableFuture.supplyAsync(this::start, workflow.async());
  }
}
