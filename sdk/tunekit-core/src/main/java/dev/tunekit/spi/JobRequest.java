package dev.tunekit.spi;

import dev.tunekit.model.Hyperparameters;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a provider needs to create one fine-tuning job. Immutable; built with {@link #builder()}
 * so fields can be added later without breaking providers.
 */
public final class JobRequest {

  /** The metadata key under which providers that have metadata store the idempotency key. */
  public static final String IDEMPOTENCY_METADATA_KEY = "tunekit_idempotency_key";

  private final String runId;
  private final String idempotencyKey;
  private final String baseModel;
  private final TrainingMethod method;
  private final String trainingFileId;
  private final Optional<String> validationFileId;
  private final Hyperparameters hyperparameters;
  private final Optional<String> suffix;
  private final Map<String, String> metadata;
  private final Optional<String> fromCheckpoint;
  private final Optional<RewardGrader> grader;

  private JobRequest(Builder b) {
    this.runId = Objects.requireNonNull(b.runId, "JobRequest.runId is required");
    this.idempotencyKey = Objects.requireNonNull(b.idempotencyKey, "JobRequest.idempotencyKey is required");
    this.baseModel = Objects.requireNonNull(b.baseModel, "JobRequest.baseModel is required");
    this.method = Objects.requireNonNull(b.method, "JobRequest.method is required");
    this.trainingFileId = Objects.requireNonNull(b.trainingFileId, "JobRequest.trainingFileId is required");
    this.validationFileId = Optional.ofNullable(b.validationFileId);
    this.hyperparameters = b.hyperparameters != null ? b.hyperparameters : Hyperparameters.defaults();
    this.suffix = Optional.ofNullable(b.suffix);
    this.metadata = Map.copyOf(b.metadata);
    this.fromCheckpoint = Optional.ofNullable(b.fromCheckpoint);
    this.grader = Optional.ofNullable(b.grader);
  }

  /**
   * A builder; {@code runId}, {@code idempotencyKey}, {@code baseModel}, {@code method} and
   * {@code trainingFileId} are required; hyperparameters default to {@link Hyperparameters#defaults()}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this request's values. */
  public Builder toBuilder() {
    return new Builder().runId(runId).idempotencyKey(idempotencyKey).baseModel(baseModel).method(method)
        .trainingFileId(trainingFileId).validationFileId(validationFileId).hyperparameters(hyperparameters)
        .suffix(suffix).metadata(metadata).fromCheckpoint(fromCheckpoint.orElse(null))
        .grader(grader.orElse(null));
  }

  /** The Tunekit run this job belongs to. */
  public String runId() {
    return runId;
  }

  /**
   * Unique per run; the provider stores it with the job (in job metadata, a client
   * request token or a client-chosen job id) so {@link TuningProvider#findJob(String)} can find the job again.
   */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /** The model to tune. */
  public String baseModel() {
    return baseModel;
  }

  /** The training method. */
  public TrainingMethod method() {
    return method;
  }

  /** The uploaded training file. */
  public String trainingFileId() {
    return trainingFileId;
  }

  /** The uploaded validation file, if any. */
  public Optional<String> validationFileId() {
    return validationFileId;
  }

  /** Neutral hyperparameters and provider extras. */
  public Hyperparameters hyperparameters() {
    return hyperparameters;
  }

  /** A name suffix for the tuned model, if any. */
  public Optional<String> suffix() {
    return suffix;
  }

  /** User metadata, to which the provider adds the idempotency key. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The checkpoint of an earlier job to start from, if the run sets one; only sent to a provider with the
   * {@link StartFromCheckpoint} capability.
   */
  public Optional<String> fromCheckpoint() {
    return fromCheckpoint;
  }

  /** The grader of a {@link TrainingMethod#REINFORCEMENT} job (the core checks one is present for it). */
  public Optional<RewardGrader> grader() {
    return grader;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobRequest r && runId.equals(r.runId) && idempotencyKey.equals(r.idempotencyKey)
        && baseModel.equals(r.baseModel) && method == r.method && trainingFileId.equals(r.trainingFileId)
        && validationFileId.equals(r.validationFileId) && hyperparameters.equals(r.hyperparameters)
        && suffix.equals(r.suffix) && metadata.equals(r.metadata) && fromCheckpoint.equals(r.fromCheckpoint)
        && grader.equals(r.grader);
  }

  @Override
  public int hashCode() {
    return Objects.hash(runId, idempotencyKey, baseModel, method, trainingFileId, validationFileId, hyperparameters,
        suffix, metadata, fromCheckpoint, grader);
  }

  @Override
  public String toString() {
    return "JobRequest[runId=" + runId + ", idempotencyKey=" + idempotencyKey + ", baseModel=" + baseModel
        + ", method=" + method + ", trainingFileId=" + trainingFileId + ", validationFileId=" + validationFileId
        + ", hyperparameters=" + hyperparameters + ", suffix=" + suffix + ", metadata=" + metadata
        + fromCheckpoint.map(c -> ", fromCheckpoint=" + c).orElse("")
        + (grader.isPresent() ? ", grader=" + grader.get() : "") + "]";
  }

  /** Builds a {@link JobRequest}. */
  public static final class Builder {
    private String runId;
    private String idempotencyKey;
    private String baseModel;
    private TrainingMethod method;
    private String trainingFileId;
    private String validationFileId;
    private Hyperparameters hyperparameters;
    private String suffix;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String fromCheckpoint;
    private RewardGrader grader;

    private Builder() {}

    public Builder runId(String runId) {
      this.runId = runId;
      return this;
    }

    public Builder idempotencyKey(String idempotencyKey) {
      this.idempotencyKey = idempotencyKey;
      return this;
    }

    public Builder baseModel(String baseModel) {
      this.baseModel = baseModel;
      return this;
    }

    public Builder method(TrainingMethod method) {
      this.method = method;
      return this;
    }

    public Builder trainingFileId(String trainingFileId) {
      this.trainingFileId = trainingFileId;
      return this;
    }

    /** The validation file, or null for none. */
    public Builder validationFileId(String validationFileId) {
      this.validationFileId = validationFileId;
      return this;
    }

    public Builder validationFileId(Optional<String> validationFileId) {
      this.validationFileId = validationFileId.orElse(null);
      return this;
    }

    public Builder hyperparameters(Hyperparameters hyperparameters) {
      this.hyperparameters = hyperparameters;
      return this;
    }

    /** The model name suffix, or null for none. */
    public Builder suffix(String suffix) {
      this.suffix = suffix;
      return this;
    }

    public Builder suffix(Optional<String> suffix) {
      this.suffix = suffix.orElse(null);
      return this;
    }

    /** Replaces the metadata. */
    public Builder metadata(Map<String, String> metadata) {
      this.metadata.clear();
      this.metadata.putAll(metadata);
      return this;
    }

    /** Adds one metadata entry. */
    public Builder putMetadata(String key, String value) {
      this.metadata.put(key, value);
      return this;
    }

    /** The checkpoint to start from, or null for none. */
    public Builder fromCheckpoint(String checkpoint) {
      this.fromCheckpoint = checkpoint;
      return this;
    }

    /** The grader of a reinforcement job, or null for none. */
    public Builder grader(RewardGrader grader) {
      this.grader = grader;
      return this;
    }

    /** @throws NullPointerException naming the missing field */
    public JobRequest build() {
      return new JobRequest(this);
    }
  }
}
