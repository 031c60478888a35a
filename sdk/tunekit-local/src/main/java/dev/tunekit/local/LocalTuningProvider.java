package dev.tunekit.local;

import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TuningProvider;
import java.util.List;
import java.util.Optional;

/** Provider {@code local}: the openai-compatible provider pointed at an embedded server it owns. */
final class LocalTuningProvider implements TuningProvider {
  private final String name;
  private final TuningProvider delegate;
  private final LocalServer server;
  private final Optional<LocalVllm> vllm;

  LocalTuningProvider(String name, TuningProvider delegate, LocalServer server) {
    this(name, delegate, server, Optional.empty());
  }

  LocalTuningProvider(String name, TuningProvider delegate, LocalServer server, Optional<LocalVllm> vllm) {
    this.name = name;
    this.delegate = delegate;
    this.server = server;
    this.vllm = vllm;
  }

  LocalServer server() {
    return server;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    return delegate.trainingFormat(baseModel, kind);
  }

  /** The local server's own rules ({@link LocalPreflight}); the openai-compatible client's are not asked. */
  @Override
  public java.util.List<dev.tunekit.spi.PreflightProblem> preflight(dev.tunekit.spi.JobPlan plan) {
    java.util.List<dev.tunekit.spi.PreflightProblem> out = new java.util.ArrayList<>(
        LocalPreflight.check(plan, !server.exemplarTrainer()));
    if (plan.deploysBeforeEvaluation() && vllm.isEmpty()) {
      out.add(new dev.tunekit.spi.PreflightProblem("providers." + name + ".vllm", "deployBeforeEvaluation needs a"
          + " server to deploy to, and none is configured", "add a vllm: block with the baseUrl of a vLLM server"
          + " started with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, or leave deployBeforeEvaluation off"));
    }
    return java.util.List.copyOf(out);
  }

  @Override
  public Optional<RemoteFile> findFile(FileUpload upload) {
    return delegate.findFile(upload);
  }

  @Override
  public RemoteFile upload(FileUpload upload) {
    return delegate.upload(upload);
  }

  @Override
  public RemoteJob createJob(JobRequest request) {
    return delegate.createJob(request);
  }

  @Override
  public Optional<RemoteJob> findJob(String idempotencyKey) {
    return delegate.findJob(idempotencyKey);
  }

  @Override
  public RemoteJob job(String jobId) {
    return delegate.job(jobId);
  }

  @Override
  public Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    return delegate.events(jobId, after);
  }

  @Override
  public Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    return delegate.metrics(jobId, after);
  }

  @Override
  public dev.tunekit.spi.JobProgress progress(String jobId, Optional<Cursor> eventsAfter, Optional<Cursor> metricsAfter) {
    return delegate.progress(jobId, eventsAfter, metricsAfter);
  }

  @Override
  public RemoteJob cancel(String jobId) {
    return delegate.cancel(jobId);
  }

  /**
   * The openai-compatible provider's capabilities, which the embedded server backs: chat, pause and
   * resume, checkpoints; no webhooks. Without a {@code vllm:} block, no deployments (the server serves a tuned
   * model at once). With one, {@link dev.tunekit.spi.Deployments} loads a command-trained adapter into vLLM and
   * {@link Chat} sends every model but {@code local-base} and the server's {@code ft:} models to vLLM, and
   * {@link dev.tunekit.spi.Endpoints} names the vLLM server (the embedded server needs no check).
   */
  @Override
  public <C extends Capability> Optional<C> capability(Class<C> type) {
    if (vllm.isPresent()) {
      if (type == dev.tunekit.spi.Deployments.class) {
        return Optional.of(type.cast(vllm.get()));
      }
      if (type == Chat.class) {
        return Optional.of(type.cast(vllm.get().chat(delegate.capability(Chat.class))));
      }
      if (type == dev.tunekit.spi.Endpoints.class) {
        // The embedded server is this process's own; the vLLM server is the user's.
        dev.tunekit.spi.Endpoints e = () -> List.of(vllm.get().endpoint());
        return Optional.of(type.cast(e));
      }
    }
    return delegate.capability(type);
  }

  /** Closes the openai-compatible client, then stops the embedded server. */
  @Override
  public void close() {
    try {
      vllm.ifPresent(LocalVllm::close);
      delegate.close();
    } finally {
      server.close();
    }
  }
}
