package dev.tunekit.local;

import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.testing.FaultProxy;
import dev.tunekit.testing.tck.ProviderFixture;
import dev.tunekit.testing.tck.TckValues;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The provider contract's fixture on the real local server (the reference implementation): jobs
 * really run, held and moved on by a {@link ScriptedTrainer}; pause and cancel go to the server's own
 * API; a lost reply is a {@link FaultProxy} between client and server. The provider is either
 * {@code openai-compatible} pointed at the server, or {@code local} (the same client wrapped with the
 * server it owns, as {@link LocalProviderFactory} builds it, but with the scripted trainer).
 */
final class LocalTckFixture implements ProviderFixture {
  static final String BASE_MODEL = "local-base";

  private final Path dir;
  private final boolean embedded;
  private final ScriptedTrainer trainer = new ScriptedTrainer();
  private final LocalServer server;
  private final FaultProxy proxy;
  private final TuningProvider provider;
  private final HttpClient http = HttpClient.newHttpClient();
  private int files;

  LocalTckFixture(Path dir, boolean embedded) {
    this.dir = dir;
    this.embedded = embedded;
    this.server = LocalServer.builder().dataDir(dir.resolve("server")).trainer(trainer).stepDelay(Duration.ZERO).start();
    this.proxy = FaultProxy.start(server.port());
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("baseUrl", proxy.baseUrl() + "/v1");
    values.put("apiKey", server.token());
    values.put("timeout", "10s");
    TuningProvider client = LocalProviderFactory.openAiCompatible()
        .create(ProviderSettings.of("openai-compatible", "LocalTckFixture", dir, values));
    this.provider = embedded ? new LocalTuningProvider("local", client, server) : client;
  }

  @Override
  public TuningProvider provider() {
    return provider;
  }

  @Override
  public String baseModel() {
    return BASE_MODEL;
  }

  @Override
  public void nextUploadCommitsThenDropsConnection(FileUpload upload) {
    proxy.dropReplyToNext("POST", "/v1/files");
  }

  @Override
  public void nextCreateCommitsThenDropsConnection(JobRequest request) {
    proxy.dropReplyToNext("POST", "/v1/fine_tuning/jobs");
  }

  @Override
  public Map<String, Class<? extends JobStatus>> rawStatuses() {
    Map<String, Class<? extends JobStatus>> m = new LinkedHashMap<>();
    m.put("running", JobStatus.Running.class);
    m.put("queued", JobStatus.Queued.class);
    m.put("paused", JobStatus.Paused.class);
    m.put("succeeded", JobStatus.Succeeded.class);
    m.put("failed", JobStatus.Failed.class);
    m.put("cancelled", JobStatus.Cancelled.class);
    return m;
  }

  @Override
  public String unknownRawStatus() {
    return "reticulating_splines";
  }

  // ------------------------------------------------------------ driving real jobs

  private String newJob() {
    FileUpload upload = TckValues.chatUpload(provider, BASE_MODEL, dir, "fixture-" + (++files));
    String file = provider.upload(upload).id();
    return provider.createJob(TckValues.jobRequest(BASE_MODEL, file)).id();
  }

  private String awaitStatus(String id, String raw) {
    Instant end = Instant.now().plusSeconds(20);
    String now = provider.job(id).status().raw();
    while (!now.equals(raw) && Instant.now().isBefore(end)) {
      sleep();
      now = provider.job(id).status().raw();
    }
    if (!now.equals(raw)) {
      throw new IllegalStateException("job " + id + " did not reach " + raw + " on the local server; it is " + now);
    }
    return id;
  }

  private void action(String id, String action) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/fine_tuning/jobs/" + id
              + "/" + action)).header("Authorization", "Bearer " + server.token().reveal())
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(action + " of " + id + " answered " + r.statusCode() + ": " + r.body());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Jobs holding (or waiting for) the server's one training slot. */
  private final java.util.List<String> holding = new java.util.ArrayList<>();

  /** Frees the training slot: the jobs made earlier have been read; cancel those still alive. */
  private void freeTrainingSlot() {
    for (String id : holding) {
      if (!provider.job(id).status().isTerminal()) {
        action(id, "cancel");
      }
    }
    holding.clear();
  }

  @Override
  public String jobReporting(String rawStatus) {
    switch (rawStatus) {
      case "running": {
        freeTrainingSlot();
        String id = awaitStatus(newJob(), "running");
        holding.add(id);
        return id;
      }
      case "queued": {
        runningJob(); // holds the server's one training slot
        String id = awaitStatus(newJob(), "queued");
        holding.add(id);
        return id;
      }
      case "paused": {
        String id = runningJob();
        action(id, "pause");
        return awaitStatus(id, "paused");
      }
      case "succeeded":
        return succeededJob();
      case "failed": {
        String id = runningJob();
        trainer.send(id, ScriptedTrainer.Command.FAIL);
        return awaitStatus(id, "failed");
      }
      case "cancelled": {
        String id = runningJob();
        action(id, "cancel");
        return awaitStatus(id, "cancelled");
      }
      default:
        return withStoredStatus(runningJob(), rawStatus);
    }
  }

  /**
   * The local server only reports statuses it knows, so a status from a future server version is
   * written into its store directly (through the private field: no test hook in the server).
   */
  private String withStoredStatus(String id, String rawStatus) {
    try {
      Field f = LocalServer.class.getDeclaredField("store");
      f.setAccessible(true);
      Store store = (Store) f.get(server);
      synchronized (store) {
        Store.JobRec j = store.job(id).orElseThrow();
        j.status = rawStatus;
        store.saveJob(j);
      }
      return id;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot reach the local server's store to script status " + rawStatus, e);
    }
  }

  @Override
  public String runningJob() {
    return jobReporting("running");
  }

  @Override
  public String succeededJob() {
    String id = runningJob();
    trainer.send(id, ScriptedTrainer.Command.SUCCEED);
    return awaitStatus(id, "succeeded");
  }

  @Override
  public String jobWithHistory() {
    String id = runningJob();
    trainer.send(id, ScriptedTrainer.Command.STEP);
    return id;
  }

  @Override
  public void appendHistory(String jobId) {
    trainer.send(jobId, ScriptedTrainer.Command.STEP);
  }

  @Override
  public String jobWithCheckpoints() {
    throw new UnsupportedOperationException("the scripted trainer saves no checkpoints; declare Checkpoints for local "
        + "with a fixture job trained by the exemplar trainer");
  }

  private static void sleep() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    proxy.close();
    if (!embedded) {
      server.close(); // the local provider closes the server it owns
    }
  }
}
