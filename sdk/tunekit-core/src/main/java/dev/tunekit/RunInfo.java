package dev.tunekit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One run as the ledger knows it; listed by {@link Tunekit#runs()}.
 *
 * @param id the run id ({@code run-…}), to pass to {@link Tunekit#resume(String)}
 * @param provider the provider name
 * @param baseModel the model being tuned
 * @param state Tunekit's state of the run
 * @param jobId the provider's job id, once submitted
 * @param jobStatus the provider's last reported status (raw spelling), if polled
 * @param fineTunedModel the tuned model id, once training succeeded
 * @param error why the run stopped short, if it did: the last error (a step that failed and can be
 *     resumed), the job's failure reason (FAILED), why its evaluation failed (EVALUATION_FAILED), the
 *     dataset's errors (REJECTED), or what it needs (a TRAINED run to resume with its eval suite)
 * @param createdAt when the run was started
 * @param updatedAt when the ledger entry last changed
 */
public record RunInfo(
    String id,
    String provider,
    String baseModel,
    RunState state,
    Optional<String> jobId,
    Optional<String> jobStatus,
    Optional<String> fineTunedModel,
    Optional<String> error,
    Instant createdAt,
    Instant updatedAt) {

  /** Canonical constructor. */
  public RunInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(baseModel, "baseModel");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(jobStatus, "jobStatus");
    Objects.requireNonNull(fineTunedModel, "fineTunedModel");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }
}
