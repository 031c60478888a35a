package dev.tunekit.spi;

import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.UnsupportedCapabilityException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import java.util.Optional;

/**
 * One fine-tuning backend: the base contract every provider has (files, jobs, events and metrics read
 * with a cursor). What only some providers can do is a {@link Capability} ({@link Chat},
 * {@link Deployments}, {@link PauseResume}, {@link Resumable}, {@link Checkpoints}, {@link WebhookVerification}) that the
 * core asks for with {@link #capability(Class)} before relying on it.
 *
 * <p>Each method is a single remote operation (or a short fixed sequence, like a multipart upload);
 * the core decorates every call (capability calls included) with retries, a circuit breaker and the
 * run ledger, so implementations must not retry by themselves and must configure their SDK's own
 * retries off. Failures are thrown as {@link dev.tunekit.error.TunekitException} subclasses; a
 * {@link dev.tunekit.error.ProviderException} says whether the call is retryable and whether its
 * outcome is unknown. Provider SDK types never appear here.
 */
public interface TuningProvider extends AutoCloseable {

  /** The provider name, as chosen in config. */
  String name();

  /**
   * This provider's {@code type} capability, if it has it. The default answers from the provider's own
   * class ({@code type.isInstance(this)}), so a provider declares a capability by implementing its
   * interface; a decorator answers with its delegate's capability, wrapped so that calls through it
   * are decorated too. The core asks this before relying on a capability.
   */
  default <C extends Capability> Optional<C> capability(Class<C> type) {
    return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
  }

  /**
   * This provider's {@code type} capability, or an {@link UnsupportedCapabilityException} naming the
   * provider, the capability and {@code action} (what the caller wanted to do).
   */
  default <C extends Capability> C require(Class<C> type, String action) {
    return capability(type).orElseThrow(() -> new UnsupportedCapabilityException(name(), type.getSimpleName(),
        action, "Choose a provider that supports " + type.getSimpleName() + ", or leave out the step that needs it."));
  }

  /** The file format this provider trains {@code baseModel} on, for a dataset of this kind. */
  DatasetFormat trainingFormat(String baseModel, DatasetKind kind);

  /**
   * Checks a planned job offline, before anything is uploaded, evaluated or paid for: the base model
   * (known to this provider, aliases resolved), the hyperparameters against this provider's ranges, the
   * settings the job will need (their presence and syntax) and this provider's dataset rules (such as
   * the fewest training examples). Returns every problem found, each with where it is and how to fix it;
   * empty when there is none. Makes no remote call and throws nothing for a bad plan. The engine calls
   * it before the baseline evaluation and the upload, and rejects the run with one
   * {@link PreflightException} listing every problem. The default finds none.
   */
  default java.util.List<PreflightProblem> preflight(JobPlan plan) {
    return java.util.List.of();
  }

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

  /**
   * The job's events after {@code after} (from the beginning when empty), oldest first, and the cursor
   * to read on from. A poll reads only what is new: an implementation fetches no more than the provider
   * needs to answer (a provider that can only list everything re-reads, but never re-delivers, and says
   * so in its documentation). The core keeps the cursor between polls.
   */
  Page<JobEvent> events(String jobId, Optional<Cursor> after);

  /** The job's metrics after {@code after} (from the first step when empty), by step, and the cursor to read on from. */
  Page<MetricPoint> metrics(String jobId, Optional<Cursor> after);

  /**
   * One poll of a job that the core waits for: its state, and its events and metrics after the cursors
   * (the same answers as {@link #job}, {@link #events} and {@link #metrics}). The core calls this once per
   * poll, as one call through the retry layer and the circuit breaker. The default makes the three reads;
   * a provider whose reads overlap (a job resource that also carries the events, metrics that come from
   * the events) overrides it to send each request once, and may skip a read that cannot have changed.
   */
  default JobProgress progress(String jobId, Optional<Cursor> eventsAfter, Optional<Cursor> metricsAfter) {
    RemoteJob job = job(jobId);
    Page<MetricPoint> metrics = metrics(jobId, metricsAfter);
    Page<JobEvent> events = events(jobId, eventsAfter);
    return new JobProgress(job, events, metrics);
  }

  /** Cancels the job. */
  RemoteJob cancel(String jobId);

  /** Releases clients, threads and servers. */
  @Override
  void close();
}
