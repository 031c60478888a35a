package dev.tunekit.spi;

import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One fine-tuning backend. Each method is a single remote operation (or a short fixed sequence, like
 * a multipart upload); the core decorates every call with retries, a circuit breaker and the run
 * ledger, so implementations must not retry by themselves and must configure their SDK's own retries
 * off. Failures are thrown as {@link dev.tunekit.error.TunekitException} subclasses; a
 * {@link dev.tunekit.error.ProviderException} says whether the call is retryable and whether its outcome is
 * unknown. Provider SDK types never appear here.
 */
public interface TuningProvider extends ChatModel, AutoCloseable {

  /** The provider name, as chosen in config. */
  String name();

  /**
   * This provider's {@code type} capability, if it has it. The default answers from the provider's own
   * class ({@code type.isInstance(this)}); a decorator answers with its delegate's capability, wrapped
   * so that calls through it are decorated too. The core asks this before relying on a capability.
   */
  default <C extends Capability> java.util.Optional<C> capability(Class<C> type) {
    return type.isInstance(this) ? java.util.Optional.of(type.cast(this)) : java.util.Optional.empty();
  }

  /** The file format this provider trains {@code baseModel} on, for a dataset of this kind. */
  DatasetFormat trainingFormat(String baseModel, DatasetKind kind);

  /**
   * Looks for a file uploaded earlier with the same name and size (after a crash that lost the
   * ledger entry). Providers that cannot list files return empty.
   */
  default Optional<RemoteFile> findFile(FileUpload upload) {
    return Optional.empty();
  }

  /** Uploads a file (in parts when it is large). */
  RemoteFile upload(FileUpload upload);

  /** Creates a job. Must store {@link JobRequest#idempotencyKey()} where {@link #findJob} can see it. */
  RemoteJob createJob(JobRequest request);

  /** Finds the job created with this idempotency key, if the provider has it. */
  Optional<RemoteJob> findJob(String idempotencyKey);

  /** The job's current state. */
  RemoteJob job(String jobId);

  /** All of the job's events so far, oldest first. */
  List<JobEvent> events(String jobId);

  /**
   * The job's events after {@code after} (from the beginning when empty), oldest first, and the cursor
   * to read on from. A poll reads only what is new; the core persists the cursor between polls.
   */
  default Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    return IndexCursors.page(events(jobId), after);
  }

  /** The job's training metrics so far, by step. */
  List<MetricPoint> metrics(String jobId);

  /** The job's metrics after {@code after} (from the first step when empty), by step, and the cursor to read on from. */
  default Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    return IndexCursors.page(metrics(jobId), after);
  }

  /** The job's checkpoints, if the provider keeps any. */
  default List<Checkpoint> checkpoints(String jobId) {
    return List.of();
  }

  /** Cancels the job. */
  RemoteJob cancel(String jobId);

  /** Pauses the job, where supported. */
  default RemoteJob pause(String jobId) {
    throw new dev.tunekit.error.TunekitException("Provider " + name() + " cannot pause jobs; cancel it instead.");
  }

  /** Resumes a paused job, where supported. */
  default RemoteJob resume(String jobId) {
    throw new dev.tunekit.error.TunekitException("Provider " + name() + " cannot resume paused jobs.");
  }

  /**
   * Makes a tuned model callable. The default is for providers that serve tuned models at once.
   *
   * @param modelId the tuned model
   * @param name a deployment name chosen by the core (stable per run, so a repeated call is idempotent)
   * @param options provider-specific deployment options from config or the run
   */
  default Deployment deploy(String modelId, String name, Map<String, Object> options) {
    return Deployment.immediate(modelId);
  }

  /** The current state of a deployment. */
  default Deployment deployment(String deploymentId) {
    return Deployment.immediate(deploymentId);
  }

  /** Removes a deployment (stops hourly hosting charges where there are any). */
  default void undeploy(String deploymentId) {}

  /** One chat completion, for evaluation and smoke tests. */
  @Override
  ChatResponse chat(ChatRequest request);

  /** Releases clients, threads and servers. */
  @Override
  void close();
}
