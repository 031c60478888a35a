package dev.tunekit.local;

import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.spi.Checkpoint;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TuningProvider;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Provider {@code local}: the openai-compatible provider pointed at an embedded server it owns. */
final class LocalTuningProvider implements TuningProvider {
  private final String name;
  private final TuningProvider delegate;
  private final LocalServer server;

  LocalTuningProvider(String name, TuningProvider delegate, LocalServer server) {
    this.name = name;
    this.delegate = delegate;
    this.server = server;
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
  public List<JobEvent> events(String jobId) {
    return delegate.events(jobId);
  }

  @Override
  public List<MetricPoint> metrics(String jobId) {
    return delegate.metrics(jobId);
  }

  @Override
  public List<Checkpoint> checkpoints(String jobId) {
    return delegate.checkpoints(jobId);
  }

  @Override
  public RemoteJob cancel(String jobId) {
    return delegate.cancel(jobId);
  }

  @Override
  public RemoteJob pause(String jobId) {
    return delegate.pause(jobId);
  }

  @Override
  public RemoteJob resume(String jobId) {
    return delegate.resume(jobId);
  }

  @Override
  public Deployment deploy(String modelId, String deploymentName, Map<String, Object> options) {
    return delegate.deploy(modelId, deploymentName, options);
  }

  @Override
  public Deployment deployment(String deploymentId) {
    return delegate.deployment(deploymentId);
  }

  @Override
  public void undeploy(String deploymentId) {
    delegate.undeploy(deploymentId);
  }

  @Override
  public ChatResponse chat(ChatRequest request) {
    return delegate.chat(request);
  }

  /** Closes the openai-compatible client, then stops the embedded server. */
  @Override
  public void close() {
    try {
      delegate.close();
    } finally {
      server.close();
    }
  }
}
