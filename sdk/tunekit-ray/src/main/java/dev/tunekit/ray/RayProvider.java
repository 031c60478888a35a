package dev.tunekit.ray;

import dev.tunekit.http.TrainerLog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.http.JsonHttpApi;
import dev.tunekit.http.AdapterServing;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Endpoints;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.ExpiringFiles;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TuningProvider;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fine-tuning on a Ray cluster through its Jobs REST API ({@code /api/jobs/}, {@code /api/packages/} on the
 * dashboard), with {@link JsonHttpApi}: one attempt per call, the core retries.
 *
 * <p><b>Data.</b> Each dataset file becomes its own package in Ray's package store, named after its content's
 * SHA-256 ({@code gcs://_ray_pkg_<hash>.zip}, holding {@code tunekit_data_<hash>/data.jsonl}): {@link #findFile} is
 * one {@code GET /api/packages/gcs/<name>} and a second upload of the same bytes is harmless. The job lists those
 * packages in {@code runtime_env.py_modules}; its {@code working_dir} is a package of the shipped trainer and a
 * launcher that finds the data packages on the Python path ({@code @module/data.jsonl} arguments).
 *
 * <p><b>Jobs.</b> The {@code submission_id} is derived from the run's key ({@link Names#submissionId}):
 * {@link #findJob} is one {@code GET /api/jobs/{id}}, and a submit Ray refuses because the id exists (after a lost
 * answer) reads the job instead. The adapter goes to {@code <outputDir>/<submission id>}, which is the tuned model's
 * name. Events and metrics come from the job's log ({@code GET /api/jobs/{id}/logs}), whose cursor is the offset in
 * the log: Ray returns the whole log on every call, and only the part after the cursor is parsed.
 */
final class RayProvider implements TuningProvider, Chat, ExpiringFiles, Endpoints {
  /** Where the job's output directory is kept in its metadata. */
  static final String OUTPUT_METADATA_KEY = "tunekit_output";

  private final RayConfig config;
  private final JsonHttpApi api;
  private final AdapterServing serving;

  RayProvider(RayConfig config) {
    this.config = config;
    this.api = new JsonHttpApi(RayErrors.ERRORS, config::dashboard, config::tokenOrNone, config.callTimeout(),
        "tunekit-ray");
    this.serving = new AdapterServing(config.settings(), RayErrors.ERRORS, "this Ray engine", config.outputDir(),
        config.servingUrl(), config.servingApiKey(), config.vllm(), config.callTimeout());
  }

  @Override
  public String name() {
    return config.settings().name();
  }

  /**
   * Chat when {@code servingUrl} or a {@code vllm:} block names the server that serves the adapters; deployments
   * (loading the adapter into vLLM) only with a {@code vllm:} block.
   */
  @Override
  public <C extends Capability> Optional<C> capability(Class<C> type) {
    return serving.capability(type, TuningProvider.super::capability);
  }

  /** The dashboard, and the server that serves the adapters (the {@code vllm:} block's, or {@code servingUrl}). */
  @Override
  public List<Endpoint> endpoints() {
    List<Endpoint> out = new java.util.ArrayList<>();
    out.add(new Endpoint("the Ray dashboard", java.net.URI.create(config.dashboard()),
        "providers." + name() + ".dashboardUrl"));
    serving.endpoint().ifPresent(out::add);
    return out;
  }

  @Override
  public List<PreflightProblem> preflight(JobPlan plan) {
    return RayPreflight.check(config, plan, serving);
  }

  /** The trainer reads Tunekit's neutral JSONL as it is. */
  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    return DatasetFormat.neutral(kind);
  }

  // ---------------------------------------------------------------- packages

  private boolean packageExists(String name) {
    try {
      api.get("/api/packages/gcs/" + name);
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /** The file's package, when Ray holds it. */
  @Override
  public Optional<RemoteFile> findFile(FileUpload upload) {
    String name = Names.dataPackage(upload.sha256());
    return packageExists(name) ? Optional.of(file(name, upload)) : Optional.empty();
  }

  /** {@code PUT /api/packages/gcs/<name>} with the zip of the file (built in memory). */
  @Override
  public RemoteFile upload(FileUpload upload) {
    String name = Names.dataPackage(upload.sha256());
    api.put("/api/packages/gcs/" + name, Packages.data(Names.dataModule(name), upload.path()), "application/zip");
    return file(name, upload);
  }

  private static RemoteFile file(String name, FileUpload upload) {
    return RemoteFile.builder().id("gcs://" + name).fileName(upload.fileName()).sizeBytes(upload.sizeBytes()).build();
  }

  private String packageOf(String fileId) {
    if (!fileId.matches("gcs://_ray_pkg_[0-9a-f]{32}\\.zip")) {
      throw new InvalidInputException("'" + fileId + "' is not a dataset package Tunekit uploaded to Ray"
          + " (gcs://_ray_pkg_<32 hex>.zip)");
    }
    return fileId.substring("gcs://".length());
  }

  // ---------------------------------------------------------------- jobs

  /**
   * Puts the code package if Ray lacks it, checks the data packages are still there, then {@code POST /api/jobs/}.
   * A refusal saying the submission id already exists means an earlier attempt submitted it: the job is read.
   */
  @Override
  public RemoteJob createJob(JobRequest req) {
    byte[] code = Packages.code();
    String codeName = Packages.codeName(code);
    if (!packageExists(codeName)) {
      api.put("/api/packages/gcs/" + codeName, code, "application/zip");
    }
    String train = packageOf(req.trainingFileId());
    Optional<String> validation = req.validationFileId().map(this::packageOf);
    for (String p : validation.map(v -> List.of(train, v)).orElse(List.of(train))) {
      if (!packageExists(p)) {
        // Ray deletes a package no job refers to once its temporary reference expires (about 10 minutes). The
        // engine checks a resumed run's packages before the submit and puts them again (ExpiringFiles); this is the
        // rare package that expired between that check and this submit. Nothing was submitted.
        throw ProviderException.builder(RayErrors.PROVIDER, "Ray no longer holds the dataset package gcs://" + p
            + " (Ray removes uploaded packages that no job uses after a while); nothing was submitted. Resume the"
            + " run: Tunekit puts the package again before it submits").retryable(false).build();
      }
    }
    String id = Names.submissionId(req.idempotencyKey());
    ObjectNode body = RayJobs.submitBody(config, req, id, codeName, train, validation);
    try {
      api.post("/api/jobs/", body, true);
    } catch (ProviderException e) {
      if (!alreadyExists(e)) {
        throw e;
      }
    }
    return toRemoteJob(api.get("/api/jobs/" + id));
  }

  private static boolean alreadyExists(ProviderException e) {
    int code = e.statusCode().orElse(0);
    return (code == 400 || code == 500) && String.valueOf(e.getMessage()).contains("already exists");
  }

  @Override
  public Optional<RemoteJob> findJob(String idempotencyKey) {
    try {
      return Optional.of(toRemoteJob(api.get("/api/jobs/" + Names.submissionId(idempotencyKey))));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public RemoteJob job(String jobId) {
    return toRemoteJob(api.get("/api/jobs/" + path(jobId)));
  }

  private RemoteJob toRemoteJob(JsonNode j) {
    Map<String, String> md = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = j.path("metadata").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      md.put(e.getKey(), e.getValue().asText());
    }
    String id = j.path("submission_id").asText("");
    if (id.isEmpty()) {
      throw ProviderException.builder(RayErrors.PROVIDER, "Ray answered a job without a submission_id; is "
          + config.dashboardUrl().orElse("the dashboard") + " a Ray dashboard?").retryable(false).build();
    }
    RemoteJob.Builder b = RemoteJob.builder().id(id).status(RayJobs.status(j, md))
        .baseModel(md.getOrDefault(RayJobs.BASE_MODEL_METADATA_KEY, "unknown")).metadata(md);
    if (j.path("start_time").isNumber()) {
      b.createdAt(Instant.ofEpochMilli(j.path("start_time").asLong()));
    }
    if (j.path("end_time").isNumber()) {
      b.finishedAt(Instant.ofEpochMilli(j.path("end_time").asLong()));
    }
    return b.build();
  }

  private TrainerLog.Chunk log(String jobId, Optional<Cursor> after, Instant time) {
    long from = after.map(c -> {
      try {
        return Long.parseLong(c.value());
      } catch (NumberFormatException e) {
        throw new InvalidInputException("'" + c.value() + "' is not a Ray log cursor (an offset in the log)");
      }
    }).orElse(0L);
    String logs = api.get("/api/jobs/" + path(jobId) + "/logs").path("logs").asText("");
    return TrainerLog.read(logs, from, time);
  }

  /**
   * The trainer's events, checkpoints, model line and error lines after the cursor. Ray's log lines carry no time,
   * so each event is stamped with the job's start (one more read: {@code GET /api/jobs/{id}}), which keeps an event
   * the same on every read.
   */
  @Override
  public Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    Instant started = job(jobId).createdAt().orElse(Instant.EPOCH);
    TrainerLog.Chunk c = log(jobId, after, started);
    return new Page<>(c.events(), Optional.of(new Cursor(Long.toString(c.end()))));
  }

  /** The trainer's metric lines after the cursor. */
  @Override
  public Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    TrainerLog.Chunk c = log(jobId, after, Instant.EPOCH);
    return new Page<>(c.metrics(), Optional.of(new Cursor(Long.toString(c.end()))));
  }

  /**
   * One poll in two requests: the job, and its log read once for both the events and the metrics (their cursors
   * are the same log offset when they come from the same polls; otherwise each is read on its own). Ray's REST API
   * only returns the whole log ({@code GET /api/jobs/{id}/logs}; {@code /logs/tail} is a WebSocket), so each poll
   * downloads all of it: inherent to Ray, once per poll; the cursor keeps what is delivered to what is new.
   */
  @Override
  public dev.tunekit.spi.JobProgress progress(String jobId, Optional<Cursor> eventsAfter, Optional<Cursor> metricsAfter) {
    if (!eventsAfter.equals(metricsAfter)) {
      return TuningProvider.super.progress(jobId, eventsAfter, metricsAfter);
    }
    RemoteJob job = job(jobId);
    TrainerLog.Chunk c = log(jobId, eventsAfter, job.createdAt().orElse(Instant.EPOCH));
    Optional<Cursor> next = Optional.of(new Cursor(Long.toString(c.end())));
    return new dev.tunekit.spi.JobProgress(job, new Page<>(c.events(), next), new Page<>(c.metrics(), next));
  }

  /** {@code POST /api/jobs/{id}/stop}; a finished job is returned as it is. */
  @Override
  public RemoteJob cancel(String jobId) {
    RemoteJob before = job(jobId);
    if (before.status().isTerminal()) {
      return before;
    }
    api.post("/api/jobs/" + path(jobId) + "/stop", JsonNodeFactory.instance.objectNode(), true);
    return job(jobId);
  }

  private static String path(String id) {
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new InvalidInputException("'" + id + "' is not a Ray submission id (such as tunekit-run-0123)");
    }
    return id;
  }

  // ---------------------------------------------------------------- chat

  /**
   * Chat on the {@code vllm:} block's server, or through {@code servingUrl} ({@link AdapterServing#chat}): a tuned
   * model (a path under {@code outputDir}) is asked by its directory's name, the name the adapter is loaded under.
   */
  @Override
  public ChatResponse chat(ChatRequest request) {
    return serving.chat(request);
  }

  @Override
  public void close() {
    serving.close();
  }

  @Override
  public String toString() {
    return "RayProvider{" + config + "}";
  }
}
