package dev.tunekit.spi;

import dev.tunekit.model.JobStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a remote fine-tuning job. Immutable; built with {@link #builder()} so fields can be
 * added later without breaking providers.
 */
public final class RemoteJob {
  private final String id;
  private final JobStatus status;
  private final String baseModel;
  private final Optional<Instant> createdAt;
  private final Optional<Instant> finishedAt;
  private final Optional<Long> trainedTokens;
  private final Map<String, String> metadata;

  private RemoteJob(Builder b) {
    this.id = Objects.requireNonNull(b.id, "RemoteJob.id is required");
    this.status = Objects.requireNonNull(b.status, "RemoteJob.status is required");
    this.baseModel = Objects.requireNonNull(b.baseModel, "RemoteJob.baseModel is required");
    this.createdAt = Optional.ofNullable(b.createdAt);
    this.finishedAt = Optional.ofNullable(b.finishedAt);
    this.trainedTokens = Optional.ofNullable(b.trainedTokens);
    this.metadata = Map.copyOf(b.metadata);
  }

  /** A builder; {@code id}, {@code status} and {@code baseModel} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this job's values. */
  public Builder toBuilder() {
    return new Builder().id(id).status(status).baseModel(baseModel).createdAt(createdAt).finishedAt(finishedAt)
        .trainedTokens(trainedTokens).metadata(metadata);
  }

  /** The provider's job id (a job id, a job ARN, ...). */
  public String id() {
    return id;
  }

  /** The neutral status (the tuned model id is in {@link JobStatus.Succeeded}). */
  public JobStatus status() {
    return status;
  }

  /** The base model. */
  public String baseModel() {
    return baseModel;
  }

  /** When the provider created it. */
  public Optional<Instant> createdAt() {
    return createdAt;
  }

  /** When it finished, if it has. */
  public Optional<Instant> finishedAt() {
    return finishedAt;
  }

  /** Tokens trained so far or in total, if reported. */
  public Optional<Long> trainedTokens() {
    return trainedTokens;
  }

  /** The job's metadata as stored by the provider. */
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RemoteJob j && id.equals(j.id) && status.equals(j.status) && baseModel.equals(j.baseModel)
        && createdAt.equals(j.createdAt) && finishedAt.equals(j.finishedAt) && trainedTokens.equals(j.trainedTokens)
        && metadata.equals(j.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, status, baseModel, createdAt, finishedAt, trainedTokens, metadata);
  }

  @Override
  public String toString() {
    return "RemoteJob[id=" + id + ", status=" + status + ", baseModel=" + baseModel + ", createdAt=" + createdAt
        + ", finishedAt=" + finishedAt + ", trainedTokens=" + trainedTokens + ", metadata=" + metadata + "]";
  }

  /** Builds a {@link RemoteJob}. */
  public static final class Builder {
    private String id;
    private JobStatus status;
    private String baseModel;
    private Instant createdAt;
    private Instant finishedAt;
    private Long trainedTokens;
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private Builder() {}

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder status(JobStatus status) {
      this.status = status;
      return this;
    }

    public Builder baseModel(String baseModel) {
      this.baseModel = baseModel;
      return this;
    }

    /** When the provider created it, or null if unknown. */
    public Builder createdAt(Instant createdAt) {
      this.createdAt = createdAt;
      return this;
    }

    public Builder createdAt(Optional<Instant> createdAt) {
      this.createdAt = createdAt.orElse(null);
      return this;
    }

    /** When it finished, or null if it has not (or it is unknown). */
    public Builder finishedAt(Instant finishedAt) {
      this.finishedAt = finishedAt;
      return this;
    }

    public Builder finishedAt(Optional<Instant> finishedAt) {
      this.finishedAt = finishedAt.orElse(null);
      return this;
    }

    /** Tokens trained, or null if not reported. */
    public Builder trainedTokens(Long trainedTokens) {
      this.trainedTokens = trainedTokens;
      return this;
    }

    public Builder trainedTokens(Optional<Long> trainedTokens) {
      this.trainedTokens = trainedTokens.orElse(null);
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

    /** @throws NullPointerException naming the missing field */
    public RemoteJob build() {
      return new RemoteJob(this);
    }
  }
}
