package dev.tunekit.spi;

import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.model.Hyperparameters;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A job as it is planned before anything is uploaded: what {@link TuningProvider#preflight(JobPlan)}
 * checks. It carries what a {@link JobRequest} will carry except the remote file ids and the run's
 * keys, plus the example counts of the prepared files. Immutable; built with {@link #builder()} so
 * fields can be added later without breaking providers.
 */
public final class JobPlan {
  private final String baseModel;
  private final TrainingMethod method;
  private final DatasetKind kind;
  private final Hyperparameters hyperparameters;
  private final Optional<String> suffix;
  private final long trainingExamples;
  private final long validationExamples;
  private final boolean deploysBeforeEvaluation;
  private final Instant plannedAt;
  private final Optional<String> fromCheckpoint;
  private final Optional<RewardGrader> grader;

  private JobPlan(Builder b) {
    this.baseModel = Objects.requireNonNull(b.baseModel, "JobPlan.baseModel is required");
    this.method = Objects.requireNonNull(b.method, "JobPlan.method is required");
    this.kind = b.kind != null ? b.kind
        : method == TrainingMethod.DPO ? DatasetKind.PREFERENCE
        : method == TrainingMethod.REINFORCEMENT ? DatasetKind.PROMPTS : DatasetKind.CHAT;
    this.hyperparameters = b.hyperparameters != null ? b.hyperparameters : Hyperparameters.defaults();
    this.suffix = Optional.ofNullable(b.suffix);
    this.trainingExamples = b.trainingExamples;
    this.validationExamples = b.validationExamples;
    this.deploysBeforeEvaluation = b.deploysBeforeEvaluation;
    this.plannedAt = b.plannedAt != null ? b.plannedAt : Instant.now();
    this.fromCheckpoint = Optional.ofNullable(b.fromCheckpoint);
    this.grader = Optional.ofNullable(b.grader);
  }

  /** A builder; {@code baseModel} and {@code method} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The model to tune, as the user wrote it. */
  public String baseModel() {
    return baseModel;
  }

  /** The training method. */
  public TrainingMethod method() {
    return method;
  }

  /** The dataset's kind (chat or preference pairs). */
  public DatasetKind kind() {
    return kind;
  }

  /** Neutral hyperparameters and provider extras. */
  public Hyperparameters hyperparameters() {
    return hyperparameters;
  }

  /** The tuned model's name suffix, if any. */
  public Optional<String> suffix() {
    return suffix;
  }

  /** Examples in the training file that will be uploaded (after any validation split), or -1 when not known. */
  public long trainingExamples() {
    return trainingExamples;
  }

  /** Examples in the validation file that will be uploaded, 0 for none, or -1 when not known. */
  public long validationExamples() {
    return validationExamples;
  }

  /**
   * Whether the run deploys the tuned model before it evaluates it ({@code FineTune.deployBeforeEvaluation}):
   * a provider checks here what a deployment will need (settings, credentials), so a missing one stops the run
   * before it pays for training.
   */
  public boolean deploysBeforeEvaluation() {
    return deploysBeforeEvaluation;
  }

  /**
   * When the plan was made, by the engine's clock (a test's fake clock included): for checks that depend
   * on the date, such as a provider that stops taking new jobs on a given day. Defaults to now.
   */
  public Instant plannedAt() {
    return plannedAt;
  }

  /** The checkpoint of an earlier job that this job starts from ({@code FineTune.fromCheckpoint}), if any. */
  public Optional<String> fromCheckpoint() {
    return fromCheckpoint;
  }

  /** The grader of a {@link TrainingMethod#REINFORCEMENT} job, if one was given. */
  public Optional<RewardGrader> grader() {
    return grader;
  }

  @Override
  public String toString() {
    return "JobPlan[baseModel=" + baseModel + ", method=" + method + ", kind=" + kind + ", hyperparameters="
        + hyperparameters + ", suffix=" + suffix + ", trainingExamples=" + trainingExamples
        + ", validationExamples=" + validationExamples + ", deploysBeforeEvaluation=" + deploysBeforeEvaluation
        + ", plannedAt=" + plannedAt + fromCheckpoint.map(c -> ", fromCheckpoint=" + c).orElse("")
        + (grader.isPresent() ? ", grader=" + grader.get() : "") + "]";
  }

  /** Builds a {@link JobPlan}. */
  public static final class Builder {
    private String baseModel;
    private TrainingMethod method = TrainingMethod.SUPERVISED;
    private DatasetKind kind;
    private Hyperparameters hyperparameters;
    private String suffix;
    private long trainingExamples = -1;
    private long validationExamples = -1;
    private boolean deploysBeforeEvaluation;
    private Instant plannedAt;
    private String fromCheckpoint;
    private RewardGrader grader;

    private Builder() {}

    public Builder baseModel(String baseModel) {
      this.baseModel = baseModel;
      return this;
    }

    /** The training method (default {@link TrainingMethod#SUPERVISED}). */
    public Builder method(TrainingMethod method) {
      this.method = method;
      return this;
    }

    /** The dataset's kind (default: from the method). */
    public Builder kind(DatasetKind kind) {
      this.kind = kind;
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

    /** Examples in the training file to upload (-1 when not known). */
    public Builder trainingExamples(long n) {
      this.trainingExamples = n;
      return this;
    }

    /** Examples in the validation file to upload (0 for none, -1 when not known). */
    public Builder validationExamples(long n) {
      this.validationExamples = n;
      return this;
    }

    /** Whether the run deploys the tuned model before evaluating it (default false). */
    public Builder deploysBeforeEvaluation(boolean deploys) {
      this.deploysBeforeEvaluation = deploys;
      return this;
    }

    /** When the plan is made, by the engine's clock (default: now). */
    public Builder plannedAt(Instant plannedAt) {
      this.plannedAt = plannedAt;
      return this;
    }

    /** The checkpoint the job starts from, or null for none. */
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
    public JobPlan build() {
      return new JobPlan(this);
    }
  }
}
