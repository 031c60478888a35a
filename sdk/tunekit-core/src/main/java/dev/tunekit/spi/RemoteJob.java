package dev.tunekit.spi;

import dev.tunekit.model.JobStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a remote fine-tuning job.
 *
 * @param id the provider's job id (a job id, a job ARN, ...)
 * @param status the neutral status (the tuned model id is in {@link JobStatus.Succeeded})
 * @param baseModel the base model
 * @param createdAt when the provider created it
 * @param finishedAt when it finished, if it has
 * @param trainedTokens tokens trained so far or in total, if reported
 * @param metadata the job's metadata as stored by the provider
 */
public record RemoteJob(
    String id,
    JobStatus status,
    String baseModel,
    Optional<Instant> createdAt,
    Optional<Instant> finishedAt,
    Optional<Long> trainedTokens,
    Map<String, String> metadata) {

  /** Canonical constructor. */
  public RemoteJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(baseModel, "baseModel");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    Objects.requireNonNull(trainedTokens, "trainedTokens");
    metadata = Map.copyOf(metadata);
  }
}
