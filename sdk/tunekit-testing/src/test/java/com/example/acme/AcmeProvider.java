package com.example.acme;

import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Checkpoint;
import dev.tunekit.spi.Checkpoints;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.WebhookVerification;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A third-party provider written only against Tunekit's public SPI ({@code dev.tunekit.spi},
 * {@code dev.tunekit.model}, {@code dev.tunekit.error}) from outside the {@code dev.tunekit} packages:
 * the proof that a provider can be added without touching core. It offers every capability, reads
 * events and metrics with native cursors, and maps its service's raw statuses itself.
 */
final class AcmeProvider implements TuningProvider, Chat, PauseResume, Checkpoints, Deployments, WebhookVerification {
  static final String TUNED_PREFIX = "acme-tuned:";
  private static final Pattern JOB_IN_BODY = Pattern.compile("\"job\"\\s*:\\s*\"([^\"]+)\"");
  private static final Duration WEBHOOK_TOLERANCE = Duration.ofMinutes(5);

  private final String name;
  private final AcmeServer server;

  AcmeProvider(String name, AcmeServer server) {
    this.name = name;
    this.server = server;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    return kind == DatasetKind.PREFERENCE ? DatasetFormat.PREFERENCE_JSONL : AcmeData.FORMAT;
  }

  // ------------------------------------------------------------ files and jobs

  @Override
  public Optional<RemoteFile> findFile(FileUpload upload) {
    return call("listing files", () -> server.files().stream()
        .filter(f -> f.name().equals(upload.fileName()) && f.size() == upload.sizeBytes())
        .findFirst().map(f -> new RemoteFile(f.id(), f.name(), f.size())));
  }

  @Override
  public RemoteFile upload(FileUpload upload) {
    return call("uploading " + upload.fileName(), () -> {
      AcmeServer.File f = server.upload(upload.fileName(), upload.sizeBytes());
      return new RemoteFile(f.id(), f.name(), f.size());
    });
  }

  @Override
  public RemoteJob createJob(JobRequest request) {
    return call("creating a job", () -> job(server.create(request.idempotencyKey(), request.baseModel(),
        request.trainingFileId())));
  }

  @Override
  public Optional<RemoteJob> findJob(String idempotencyKey) {
    return call("finding a job", () -> server.byKey(idempotencyKey).map(this::job));
  }

  @Override
  public RemoteJob job(String jobId) {
    return call("reading job " + jobId, () -> job(server.read(jobId)));
  }

  @Override
  public RemoteJob cancel(String jobId) {
    return call("cancelling job " + jobId, () -> job(server.cancel(jobId)));
  }

  @Override
  public RemoteJob pause(String jobId) {
    return call("halting job " + jobId, () -> job(server.pause(jobId)));
  }

  @Override
  public RemoteJob resume(String jobId) {
    return call("resuming job " + jobId, () -> job(server.resume(jobId)));
  }

  static JobStatus status(String raw, String jobId) {
    return switch (raw) {
      case "PENDING" -> new JobStatus.Queued(raw);
      case "TRAINING" -> new JobStatus.Running(raw);
      case "HALTED" -> new JobStatus.Paused(raw);
      case "DONE" -> new JobStatus.Succeeded(raw, Optional.of(TUNED_PREFIX + jobId));
      case "ERROR" -> new JobStatus.Failed(raw, "Acme reported the job failed; see its events.", Optional.of("acme_error"));
      case "CANCELED" -> new JobStatus.Cancelled(raw);
      default -> new JobStatus.Unknown(raw);
    };
  }

  private RemoteJob job(AcmeServer.Job j) {
    return new RemoteJob(j.id, status(j.status, j.id), j.baseModel, Optional.empty(), Optional.empty(),
        Optional.empty(), Map.of(JobRequest.IDEMPOTENCY_METADATA_KEY, j.key));
  }

  // ------------------------------------------------------------ events and metrics, with native cursors

  /** Everything so far (no {@code @Override}: SPI v1's list reads, which SPI v2 drops for the cursor reads). */
  public List<JobEvent> events(String jobId) {
    return events(jobId, Optional.empty()).items();
  }

  @Override
  public Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    long from = after.map(c -> parse(c, "seq:")).orElse(0L);
    List<AcmeServer.Event> news = call("reading events", () -> server.events(jobId, from));
    List<JobEvent> items = news.stream()
        .map(e -> new JobEvent("acme-ev-" + e.seq(), Instant.ofEpochSecond(e.at()), e.level(), e.text())).toList();
    Optional<Cursor> next = news.isEmpty() ? after : Optional.of(new Cursor("seq:" + news.get(news.size() - 1).seq()));
    return new Page<>(items, next);
  }

  /** Every metric so far (SPI v1's list read, see {@link #events(String)}). */
  public List<MetricPoint> metrics(String jobId) {
    return metrics(jobId, Optional.empty()).items();
  }

  @Override
  public Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    long from = after.map(c -> parse(c, "step:")).orElse(0L);
    List<AcmeServer.Metric> news = call("reading metrics", () -> server.metrics(jobId, from));
    List<MetricPoint> items = news.stream().map(m -> MetricPoint.trainLoss(m.step(), m.loss())).toList();
    Optional<Cursor> next = news.isEmpty() ? after : Optional.of(new Cursor("step:" + news.get(news.size() - 1).step()));
    return new Page<>(items, next);
  }

  private static long parse(Cursor c, String prefix) {
    if (!c.value().startsWith(prefix)) {
      throw new InvalidInputException("Cursor '" + c.value() + "' is not an Acme " + prefix + " cursor.");
    }
    return Long.parseLong(c.value().substring(prefix.length()));
  }

  @Override
  public List<Checkpoint> checkpoints(String jobId) {
    return call("listing checkpoints", () -> server.metrics(jobId, 0).stream()
        .map(m -> new Checkpoint("acme-ckpt-" + jobId + "-" + m.step(), TUNED_PREFIX + jobId + ":step-" + m.step(),
            MetricPoint.trainLoss(m.step(), m.loss())))
        .toList());
  }

  // ------------------------------------------------------------ deployments and chat

  @Override
  public Deployment deploy(String modelId, String deploymentName, Map<String, Object> options) {
    String id = call("deploying " + modelId, () -> server.deploy(deploymentName));
    return new Deployment(id, modelId, id, Deployment.State.ACTIVE, "LIVE");
  }

  @Override
  public Deployment deployment(String deploymentId) {
    return call("reading deployment " + deploymentId, () -> server.deployment(deploymentId)
        .map(id -> new Deployment(id, id, id, Deployment.State.ACTIVE, "LIVE"))
        .orElseThrow(() -> new AcmeServer.AcmeError(404, "no deployment " + deploymentId)));
  }

  @Override
  public void undeploy(String deploymentId) {
    call("removing deployment " + deploymentId, () -> {
      server.undeploy(deploymentId);
      return null;
    });
  }

  @Override
  public ChatResponse chat(ChatRequest request) {
    if (request.messages().isEmpty()) {
      throw new InvalidInputException("A chat request needs at least one message.");
    }
    String last = request.messages().get(request.messages().size() - 1).content();
    return new ChatResponse(request.model(), "acme(" + request.model() + "): " + last, "stop", -1, -1);
  }

  // ------------------------------------------------------------ webhooks

  @Override
  public VerifiedWebhook verify(Map<String, String> headers, byte[] body, Clock clock) {
    String id = header(headers, "acme-delivery");
    String ts = header(headers, "acme-timestamp");
    String sig = header(headers, "acme-signature");
    Instant sent;
    try {
      sent = Instant.ofEpochSecond(Long.parseLong(ts));
    } catch (NumberFormatException e) {
      throw new InvalidInputException("Acme webhook timestamp '" + ts + "' is not epoch seconds.");
    }
    if (Duration.between(sent, clock.instant()).abs().compareTo(WEBHOOK_TOLERANCE) > 0) {
      throw new InvalidInputException("Acme webhook " + id + " was signed at " + sent + ", outside the "
          + WEBHOOK_TOLERANCE.toMinutes() + " minute tolerance of now (" + clock.instant() + "); refusing a replay.");
    }
    byte[] expected = sign(server.webhookSecret, id, ts, body).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, sig.getBytes(StandardCharsets.US_ASCII))) {
      throw new InvalidInputException("Acme webhook " + id + " has a bad signature; check the webhook secret.");
    }
    Matcher m = JOB_IN_BODY.matcher(new String(body, StandardCharsets.UTF_8));
    return new VerifiedWebhook(id, "job.updated", m.find() ? Optional.of(m.group(1)) : Optional.empty());
  }

  static String sign(byte[] secret, String id, String ts, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }

  private static String header(Map<String, String> headers, String name) {
    return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
        .findFirst().orElseThrow(() -> new InvalidInputException("Acme webhook without header " + name + "."));
  }

  // ------------------------------------------------------------ plumbing

  /** Translates the service's failures into Tunekit's error model. */
  private <T> T call(String what, Supplier<T> op) {
    try {
      return op.get();
    } catch (AcmeServer.ConnectionLost e) {
      throw ProviderException.builder(name, "Connection to Acme lost while " + what + " (" + e.getMessage()
          + "); the call may have taken effect.").cause(e).retryable(true).outcomeUnknown(true).build();
    } catch (AcmeServer.AcmeError e) {
      ProviderException.Builder b = ProviderException.builder(name, "Acme refused " + what + ": " + e.getMessage())
          .statusCode(e.status);
      throw e.status == 404 ? b.buildNotFound() : b.retryable(false).build();
    }
  }

  @Override
  public void close() {}
}
