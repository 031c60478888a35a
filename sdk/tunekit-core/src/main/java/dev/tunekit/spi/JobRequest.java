package dev.tunekit.spi;

import dev.tunekit.model.Hyperparameters;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a provider needs to create one fine-tuning job.
 *
 * @param runId the Tunekit run this job belongs to
 * @param idempotencyKey unique per run; the provider stores it with the job (in job metadata or a
 *     client request token) so {@link TuningProvider#findJob(String)} can find the job again
 * @param baseModel the model to tune
 * @param method the training method
 * @param trainingFileId the uploaded training file
 * @param validationFileId the uploaded validation file, if any
 * @param hyperparameters neutral hyperparameters and provider extras
 * @param suffix a name suffix for the tuned model, if any
 * @param metadata user metadata, to which the provider adds the idempotency key
 */
public record JobRequest(
    String runId,
    String idempotencyKey,
    String baseModel,
    TrainingMethod method,
    String trainingFileId,
    Optional<String> validationFileId,
    Hyperparameters hyperparameters,
    Optional<String> suffix,
    Map<String, String> metadata) {

  /** The metadata key under which providers that have metadata store the idempotency key. */
  public static final String IDEMPOTENCY_METADATA_KEY = "tunekit_idempotency_key";

  /** Canonical constructor. */
  public JobRequest {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(baseModel, "baseModel");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(trainingFileId, "trainingFileId");
    Objects.requireNonNull(validationFileId, "validationFileId");
    Objects.requireNonNull(hyperparameters, "hyperparameters");
    Objects.requireNonNull(suffix, "suffix");
    metadata = Map.copyOf(metadata);
  }
}
