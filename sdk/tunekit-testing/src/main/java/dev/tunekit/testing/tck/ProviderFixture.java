package dev.tunekit.testing.tck;

import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.TuningProvider;
import java.util.Map;

/**
 * Scripts the server a provider under test talks to (a WireMock stub, a loopback fake, a real local
 * server), so the {@link TuningProviderContract} can put it in the situations its rules are about. One
 * fixture serves one test; {@link #close()} stops what it started.
 *
 * <p>Methods for capabilities default to throwing {@link UnsupportedOperationException}: a provider
 * that declares a capability must script it here, or its contract fails (it is never skipped).
 */
public interface ProviderFixture extends AutoCloseable {

  /** The provider under test, talking to this fixture's server. The contract closes it after the test. */
  TuningProvider provider();

  /** A base model this provider tunes. */
  String baseModel();

  // ------------------------------------------------------------ files

  /** Makes the server accept {@code upload} and list it afterwards (for {@code findFile}). */
  default void acceptUpload(FileUpload upload) {}

  /**
   * The next upload of {@code upload} is stored on the server, and then its reply is lost (the
   * connection drops, or the server answers 5xx after storing it): the outcome is unknown to the caller.
   */
  void nextUploadCommitsThenDropsConnection(FileUpload upload);

  // ------------------------------------------------------------ jobs

  /** Makes the server accept {@code request} and find the job by its idempotency key afterwards. */
  default void acceptJob(JobRequest request) {}

  /** The next create of {@code request} creates the job on the server, and then the connection drops. */
  void nextCreateCommitsThenDropsConnection(JobRequest request);

  /**
   * Every raw status this fixture can make a job report, with the neutral kind the provider must map it
   * to. It must cover at least {@link JobStatus.Running}, {@link JobStatus.Succeeded},
   * {@link JobStatus.Failed} and {@link JobStatus.Cancelled}.
   */
  Map<String, Class<? extends JobStatus>> rawStatuses();

  /** A raw status the provider does not know (it must come back as {@link JobStatus.Unknown} with it). */
  String unknownRawStatus();

  /** Makes a job exist whose next read reports {@code rawStatus}; returns its id. */
  String jobReporting(String rawStatus);

  /**
   * Makes a job exist that is running (or queued) and can be cancelled, paused and resumed, where the
   * provider supports that; after a cancel, its reads report it cancelled. Returns its id.
   */
  String runningJob();

  /** Makes a job exist that succeeded (a tuned model), so cancelling it has nothing to do. Returns its id. */
  String succeededJob();

  /**
   * Makes a job exist that has at least one event and one metric point, and that gains nothing new
   * until {@link #appendHistory(String)}. Returns its id.
   */
  String jobWithHistory();

  /** Makes at least one new event and one new metric point (a later step) appear on the job. */
  void appendHistory(String jobId);

  // ------------------------------------------------------------ capabilities

  /** For {@code Chat}: a model id that answers chat requests. */
  default String chatModel() {
    throw unsupported("chatModel()", "Chat");
  }

  /** For {@code Deployments}: a tuned model id that can be deployed. */
  default String deployableModel() {
    throw unsupported("deployableModel()", "Deployments");
  }

  /**
   * For {@code Resumable} without {@code PauseResume} (a provider that pauses jobs only by itself): makes a job
   * exist that reports paused until it is resumed, and running after that. Returns its id. A provider that can
   * pause has its running job paused by the contract instead.
   */
  default String pausedJob() {
    throw unsupported("pausedJob()", "Resumable");
  }

  /** For {@code Checkpoints}: makes a job exist that saved at least one checkpoint; returns its id. */
  default String jobWithCheckpoints() {
    throw unsupported("jobWithCheckpoints()", "Checkpoints");
  }

  /**
   * For {@code PriceQuotes}: makes the server answer a price quote for {@code request} (its file is uploaded), and
   * keep answering that no job exists for its key.
   */
  default void acceptQuote(JobRequest request) {
    throw unsupported("acceptQuote(request)", "PriceQuotes");
  }

  /** For {@code StartFromCheckpoint}: a checkpoint reference in the provider's form, which its check accepts. */
  default String checkpoint() {
    throw unsupported("checkpoint()", "StartFromCheckpoint");
  }

  /**
   * For {@code StartFromCheckpoint}: the start checkpoint the server received with the create of {@code request}
   * (read from what was sent, such as a request journal), or empty when the create carried none.
   */
  default java.util.Optional<String> checkpointSentWith(JobRequest request) {
    throw unsupported("checkpointSentWith(request)", "StartFromCheckpoint");
  }

  /** For {@code ModelDownloads}: makes a succeeded job exist whose adapter downloads completely. Returns its id. */
  default String downloadableJob() {
    throw unsupported("downloadableJob()", "ModelDownloads");
  }

  /**
   * For {@code ModelDownloads}: makes a succeeded job exist whose adapter download fails after some bytes arrived
   * (the connection drops, or a redirect target refuses). Returns its id.
   */
  default String jobWhoseDownloadFails() {
    throw unsupported("jobWhoseDownloadFails()", "ModelDownloads");
  }

  /**
   * For {@code WebhookVerification}: a correctly signed delivery saying that job {@code jobId} ended
   * (succeeded), valid at {@link SignedDelivery#now()}.
   */
  default SignedDelivery signedWebhook(String jobId) {
    throw unsupported("signedWebhook(jobId)", "WebhookVerification");
  }

  /**
   * A webhook delivery as it arrives: headers and raw body bytes, the time it is checked at, and the
   * signing secret to verify it with.
   *
   * @param headers the delivery's headers
   * @param body the raw body bytes
   * @param now when the receiver checks it
   * @param secret the secret to pass in {@link dev.tunekit.spi.WebhookVerification.Options}; empty when
   *     the provider under test has it in its settings (the contract then verifies with an empty secret)
   */
  record SignedDelivery(Map<String, String> headers, byte[] body, java.time.Instant now,
      java.util.Optional<dev.tunekit.model.Secret> secret) {
    /** Canonical constructor. */
    public SignedDelivery {
      headers = Map.copyOf(headers);
      body = body.clone();
      java.util.Objects.requireNonNull(now, "now");
      java.util.Objects.requireNonNull(secret, "secret");
    }

    /** A delivery for a provider that has the signing secret in its settings. */
    public SignedDelivery(Map<String, String> headers, byte[] body, java.time.Instant now) {
      this(headers, body, now, java.util.Optional.empty());
    }

    @Override
    public byte[] body() {
      return body.clone();
    }
  }

  /** Stops the fixture's server and frees what it holds. */
  @Override
  default void close() throws Exception {}

  private static UnsupportedOperationException unsupported(String method, String capability) {
    return new UnsupportedOperationException("The provider declares capability " + capability
        + ", so its ProviderFixture must implement " + method + " to script it; declared capabilities are never skipped.");
  }
}
