package dev.tunekit.fireworks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.http.JsonHttpApi;
import dev.tunekit.http.OpenAiChat;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.Cursors;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.PreflightChecks;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.Resumable;
import dev.tunekit.spi.StartFromCheckpoint;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Supervised (LoRA) fine-tuning on Fireworks AI: datasets, jobs and deployments through {@link JsonHttpApi}
 * (Fireworks' control-plane REST API under {@code accounts/{accountId}}), chat on base and tuned models through its
 * OpenAI-compatible {@code /chat/completions} with openai-java.
 *
 * <p>One retry layer: {@link JsonHttpApi} makes one attempt and the openai-java client is built with
 * {@code maxRetries(0)}; the core retries. Idempotency without listing: Fireworks lets the client choose resource
 * ids ({@link Names}). A dataset's id comes from its content's SHA-256, a job's from the run's idempotency key, a
 * deployment's from the core's deployment name. {@link #findJob} and {@link #findFile} are one GET by that id, and
 * a create refused with 409 (ALREADY_EXISTS) after an unknown outcome reads the resource instead.
 *
 * <p>A completed job's model is its {@code outputModel}, a LoRA addon. Fireworks documents that LoRA models "can
 * only be deployed to on-demand (dedicated) deployments" (serverless LoRA is a preview for one base model), so this
 * provider has the {@link Deployments} capability: {@code POST /deployments} with the tuned model as
 * {@code baseModel} (a single-LoRA "live merge" deployment), and the tuned model is asked as
 * {@code <model>#accounts/<account>/deployments/<id>}. A deployment bills by the GPU-hour while it exists; the core
 * removes it when the gate blocks the model.
 *
 * <p>{@link Resumable}: {@code :resume} continues a job Fireworks paused (it documents no pause call).
 * {@link StartFromCheckpoint}: {@code fromCheckpoint} is sent as the job's {@code warmStartFrom} (a model).
 */
final class FireworksProvider implements TuningProvider, Chat, Deployments, Resumable, StartFromCheckpoint {
  /** The deployment options Tunekit passes to {@code POST /deployments}; any other is refused. */
  static final Set<String> DEPLOYMENT_OPTIONS = Set.of("minReplicaCount", "maxReplicaCount", "acceleratorType",
      "acceleratorCount", "deploymentShape", "displayName");
  /** The largest file {@code :upload} takes, per Fireworks' docs ("up to 150Mb"); read as 150,000,000 bytes. */
  static final long MAX_UPLOAD_BYTES = 150_000_000L;
  private static final Duration FIRST_POLL = Duration.ofMillis(200);
  private static final Duration MAX_POLL = Duration.ofSeconds(5);

  private final FireworksConfig config;
  private final JsonHttpApi api;
  private final OpenAiChat chat;

  FireworksProvider(FireworksConfig config) {
    this.config = config;
    this.api = new JsonHttpApi(FireworksErrors.ERRORS, config::accountBase, config::requireApiKey, config.callTimeout(),
        "tunekit-fireworks");
    this.chat = new OpenAiChat(FireworksErrors.ERRORS, "Fireworks", config::inferenceBase, config::requireApiKey,
        config.callTimeout());
  }

  @Override
  public String name() {
    return config.settings().name();
  }

  // ---------------------------------------------------------------- preflight and formats

  /** {@link FireworksPreflight}: offline, nothing is sent. */
  @Override
  public List<PreflightProblem> preflight(JobPlan plan) {
    return FireworksPreflight.check(config, plan);
  }

  /** Fireworks trains on the neutral chat JSONL as it is. */
  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    return DatasetFormat.neutral(kind);
  }

  // ---------------------------------------------------------------- datasets

  private String accountName() {
    return "accounts/" + config.requireAccountId();
  }

  /** {@code GET /datasets/{id}} for the id of this content: found when it exists and is READY. */
  @Override
  public Optional<RemoteFile> findFile(FileUpload upload) {
    String id = Names.datasetId(upload.sha256());
    try {
      JsonNode d = api.get("/datasets/" + id);
      return "READY".equals(d.path("state").asText()) ? Optional.of(file(id, upload)) : Optional.empty();
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Creates the dataset record ({@code POST /datasets}: {@code datasetId}, {@code dataset.userUploaded},
   * {@code exampleCount}; a 409 means an earlier attempt created it), uploads the file ({@code POST
   * /datasets/{id}:upload}, multipart, up to 150 MB per Fireworks' docs) and waits until the dataset is READY.
   */
  @Override
  public RemoteFile upload(FileUpload upload) {
    if (upload.sizeBytes() > MAX_UPLOAD_BYTES) {
      throw new InvalidInputException(upload.path() + " is " + upload.sizeBytes() + " bytes; Fireworks' single-request"
          + " dataset upload takes at most " + MAX_UPLOAD_BYTES + " bytes, and Tunekit does not use its signed-URL upload"
          + " for larger files yet: split the data or upload it with firectl", upload.path().toString());
    }
    String id = Names.datasetId(upload.sha256());
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("datasetId", id);
    body.putObject("dataset").put("displayName", displayName(upload.fileName()))
        .put("exampleCount", Long.toString(countExamples(upload.path()))).put("format", "CHAT").putObject("userUploaded");
    try {
      api.post("/datasets", body, true);
    } catch (ProviderException e) {
      if (e.statusCode().orElse(0) != 409) {
        throw e;
      }
    }
    api.postMultipart("/datasets/" + id + ":upload", Map.of(), upload.path(), upload.fileName());
    awaitReady(id);
    return file(id, upload);
  }

  private void awaitReady(String id) {
    long deadline = System.nanoTime() + config.datasetReadyTimeout().toNanos();
    Duration wait = FIRST_POLL;
    while (true) {
      JsonNode d = api.get("/datasets/" + id);
      String state = d.path("state").asText("");
      if (state.equals("READY")) {
        return;
      }
      String code = JobMapper.text(d.path("status"), "code").orElse("OK");
      if (!code.equals("OK")) {
        // Fireworks refused the data (its status carries the reason): waiting cannot help.
        throw ProviderException.builder(FireworksErrors.PROVIDER, "Fireworks did not accept dataset " + id + " ("
            + code + "): " + JobMapper.text(d.path("status"), "message").orElse("no reason given")
            + "; fix the data and run again").retryable(false).build();
      }
      if (System.nanoTime() - deadline > 0) {
        throw ProviderException.builder(FireworksErrors.PROVIDER, "dataset " + id + " is still " + (state.isEmpty()
            ? "not READY" : state) + " after " + config.datasetReadyTimeout().toSeconds() + " s"
            + JobMapper.text(d.path("status"), "message").map(m -> " (" + m + ")").orElse("")
            + "; raise providers." + name() + ".datasetReadyTimeout, or run again later: the upload is found again")
            .retryable(false).build();
      }
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ProviderException.builder(FireworksErrors.PROVIDER, "interrupted while waiting for dataset " + id
            + " to be READY").cause(e).retryable(false).build();
      }
      wait = wait.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : wait.multipliedBy(2);
    }
  }

  private static String displayName(String fileName) {
    return fileName.length() > 60 ? fileName.substring(0, 60) : fileName;
  }

  private static long countExamples(Path file) {
    long n = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          n++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " to count its examples", e);
    }
    return n;
  }

  private static RemoteFile file(String id, FileUpload upload) {
    return RemoteFile.builder().id(id).fileName(upload.fileName()).sizeBytes(-1).build();
  }

  // ---------------------------------------------------------------- jobs

  /**
   * {@code POST /supervisedFineTuningJobs?supervisedFineTuningJobId=<id from the key>}. A 409 (the id exists: an
   * earlier attempt created the job and its reply was lost) reads that job: created once, never twice.
   */
  @Override
  public RemoteJob createJob(JobRequest req) {
    String jobId = Names.jobId(req.idempotencyKey());
    ObjectNode body = createBody(req, jobId);
    JsonNode created;
    try {
      created = api.post("/supervisedFineTuningJobs?supervisedFineTuningJobId=" + jobId, body, true);
    } catch (ProviderException e) {
      if (e.statusCode().orElse(0) != 409) {
        throw e;
      }
      created = api.get("/supervisedFineTuningJobs/" + jobId);
    }
    RemoteJob r = JobMapper.toRemoteJob(created);
    Map<String, String> md = new LinkedHashMap<>(req.metadata());
    md.putAll(r.metadata());
    md.put(JobRequest.IDEMPOTENCY_METADATA_KEY, req.idempotencyKey());
    return r.toBuilder().metadata(md).build();
  }

  /** The create body: only what the request sets, so Fireworks' defaults apply to the rest (LoRA rank excepted). */
  ObjectNode createBody(JobRequest req, String jobId) {
    if (req.method() != TrainingMethod.SUPERVISED) {
      throw new InvalidInputException("Tunekit fine-tunes on Fireworks with supervised fine-tuning only, not " + req.method());
    }
    String account = accountName();
    ObjectNode b = JsonNodeFactory.instance.objectNode();
    if (req.fromCheckpoint().isPresent()) {
      // Fireworks: "Only one of base-model or warm-start-from should be specified"; the base comes from the model.
      String from = req.fromCheckpoint().get().trim();
      b.put("warmStartFrom", warmStartModel(from).orElseThrow(() -> {
        PreflightProblem p = checkCheckpoint(from).get(0);
        return new InvalidInputException(p.where() + ": " + p.problem() + "; " + p.fix());
      }));
    } else {
      b.put("baseModel", FireworksCatalog.CATALOG.canonicalId(req.baseModel()).orElse(req.baseModel()));
    }
    b.put("dataset", account + "/datasets/" + req.trainingFileId());
    req.validationFileId().ifPresent(v -> b.put("evaluationDataset", account + "/datasets/" + v));
    b.put("outputModel", account + "/models/" + Names.outputModel(req.suffix().orElse(null), jobId));
    b.put("displayName", "tunekit " + req.runId());
    Hyperparameters hp = req.hyperparameters();
    if (hp.learningRateMultiplier().isPresent() || hp.seed().isPresent()) {
      throw new InvalidInputException("Fireworks takes an absolute learning rate and no seed: set the extra"
          + " learningRate (such as 1e-4) instead of learningRateMultiplier, and leave seed unset");
    }
    hp.epochs().ifPresent(e -> b.put("epochs", e));
    hp.batchSize().ifPresent(s -> b.put("batchSizeSamples", s));
    List<PreflightProblem> bad = new ArrayList<>();
    PreflightChecks.number(hp, "learningRate", bad).ifPresent(v -> b.put("learningRate", v));
    // Without loraRank Fireworks would train every weight, which most base models refuse: Tunekit sends rank 8
    // (Fireworks' usual default) unless the run sets it.
    b.put("loraRank", PreflightChecks.whole(hp, "loraRank", bad).orElse(8));
    PreflightChecks.whole(hp, "maxContextLength", bad).ifPresent(v -> b.put("maxContextLength", v));
    PreflightChecks.whole(hp, "learningRateWarmupSteps", bad).ifPresent(v -> b.put("learningRateWarmupSteps", v));
    PreflightChecks.whole(hp, "gradientAccumulationSteps", bad).ifPresent(v -> b.put("gradientAccumulationSteps", v));
    if (hp.extra("earlyStop").isPresent()) {
      b.put("earlyStop", FireworksPreflight.earlyStop(hp));
    }
    if (!bad.isEmpty()) {
      throw new InvalidInputException(bad.get(0).where() + ": " + bad.get(0).problem() + "; " + bad.get(0).fix());
    }
    return b;
  }

  /**
   * A warm start's accepted forms, offline: a model's full name {@code accounts/<account>/models/<model>} (an earlier
   * job's {@code outputModel}, or a LoRA adapter uploaded to Fireworks), or the id of a model in the configured
   * account. Fireworks warm-starts from a model, so a job id or a {@code :step} is refused. Whether the model exists
   * and fits the base model is Fireworks' to say when the job is created.
   */
  @Override
  public List<PreflightProblem> checkCheckpoint(String checkpoint) {
    String ref = checkpoint == null ? "" : checkpoint.trim();
    if (warmStartModel(ref).isPresent()) {
      return List.of();
    }
    return List.of(new PreflightProblem("fromCheckpoint", "'" + ref + "' is not a Fireworks model to warm-start from"
        + (ref.contains(":") ? " (Fireworks starts from a whole model, not a job's step)" : ""),
        "give a model's name, accounts/<account>/models/<model> (such as an earlier run's tuned model), or the id of a"
        + " model in account " + config.accountId().orElse("<accountId>")));
  }

  /** The model name sent as {@code warmStartFrom}, or empty when {@code ref} is not an accepted form. */
  private Optional<String> warmStartModel(String ref) {
    String[] parts = ref.split("/", -1);
    if (parts.length == 4 && parts[0].equals("accounts") && Names.isResourceId(parts[1]) && parts[2].equals("models")
        && Names.isResourceId(parts[3])) {
      return Optional.of(ref);
    }
    if (parts.length == 1 && Names.isResourceId(ref)) {
      return Optional.of("accounts/" + config.accountId().orElse("<accountId>") + "/models/" + ref);
    }
    return Optional.empty();
  }

  /** {@code GET /supervisedFineTuningJobs/<id from the key>}: the job, or nothing when Fireworks has none. */
  @Override
  public Optional<RemoteJob> findJob(String idempotencyKey) {
    try {
      return Optional.of(JobMapper.toRemoteJob(api.get("/supervisedFineTuningJobs/" + Names.jobId(idempotencyKey)))
          .toBuilder().putMetadata(JobRequest.IDEMPOTENCY_METADATA_KEY, idempotencyKey).build());
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public RemoteJob job(String jobId) {
    return JobMapper.toRemoteJob(readJob(jobId));
  }

  private JsonNode readJob(String jobId) {
    return api.get("/supervisedFineTuningJobs/" + path(jobId));
  }

  /** Derived from the job (Fireworks lists no events for it): see {@link JobMapper#events}. Never re-delivered. */
  @Override
  public Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    return Cursors.byId(JobMapper.events(readJob(jobId)), JobEvent::id, after);
  }

  /** One point per epoch reached, without loss (Tunekit does not read Fireworks' metrics file yet). */
  @Override
  public Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    return Cursors.byStep(JobMapper.metrics(readJob(jobId)), after);
  }

  /**
   * One poll in one request: the job, its events and its metrics all come from {@code GET
   * /supervisedFineTuningJobs/{id}}, read once instead of once for each.
   */
  @Override
  public dev.tunekit.spi.JobProgress progress(String jobId, Optional<Cursor> eventsAfter, Optional<Cursor> metricsAfter) {
    JsonNode j = readJob(jobId);
    return new dev.tunekit.spi.JobProgress(JobMapper.toRemoteJob(j), Cursors.byId(JobMapper.events(j), JobEvent::id,
        eventsAfter), Cursors.byStep(JobMapper.metrics(j), metricsAfter));
  }

  /** A finished job is returned as it is; a refused cancel (it finished meanwhile) re-reads the job. */
  @Override
  public RemoteJob cancel(String jobId) {
    RemoteJob before = job(jobId);
    if (before.status().isTerminal()) {
      return before;
    }
    try {
      api.post("/supervisedFineTuningJobs/" + path(jobId) + ":cancel", JsonNodeFactory.instance.objectNode(), true);
    } catch (ProviderException e) {
      int code = e.statusCode().orElse(0);
      if (e.retryable() || !(code == 400 || code == 409 || code == 412)) {
        throw e;
      }
    }
    return job(jobId);
  }

  /**
   * {@code POST /supervisedFineTuningJobs/{id}:resume} with an empty body (Fireworks' REST reference), which answers
   * with the job. A refused resume (400, 409, 412: the job is not paused any more) re-reads the job and returns it
   * unless it is still paused. Fireworks documents no pause for a supervised job, so this provider is
   * {@link Resumable}, not {@code PauseResume}.
   */
  @Override
  public RemoteJob resume(String jobId) {
    try {
      return JobMapper.toRemoteJob(api.post("/supervisedFineTuningJobs/" + path(jobId) + ":resume",
          JsonNodeFactory.instance.objectNode(), true));
    } catch (ProviderException e) {
      int code = e.statusCode().orElse(0);
      if (e.retryable() || !(code == 400 || code == 409 || code == 412)) {
        throw e;
      }
      RemoteJob now = job(jobId);
      if (now.status() instanceof dev.tunekit.model.JobStatus.Paused) {
        throw e;
      }
      return now;
    }
  }

  private static String path(String id) {
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new InvalidInputException("'" + id + "' is not a Fireworks resource id (such as tk-0123456789abcdef0123)");
    }
    return id;
  }

  // ---------------------------------------------------------------- deployments

  /**
   * Finds the deployment named after {@code name} ({@code GET /deployments/{id}}), or creates it:
   * {@code POST /deployments?deploymentId=<id>} with {@code baseModel} = the tuned model (a single-LoRA deployment)
   * and the {@link #DEPLOYMENT_OPTIONS} given; a 409 reads the deployment an earlier attempt created.
   */
  @Override
  public Deployment deploy(String modelId, String name, Map<String, Object> options) {
    for (String k : options.keySet()) {
      if (!DEPLOYMENT_OPTIONS.contains(k)) {
        throw new InvalidInputException("deployment option '" + k + "' is not one Tunekit sends to Fireworks; use "
            + String.join(", ", DEPLOYMENT_OPTIONS.stream().sorted().toList()));
      }
    }
    String id = Names.deploymentId(name);
    try {
      return deployment(api.get("/deployments/" + id), id, modelId);
    } catch (NotFoundException e) {
      // not deployed yet: create it below
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("baseModel", modelName(modelId))
        .put("displayName", name.length() > 60 ? name.substring(0, 60) : name);
    options.forEach((k, v) -> {
      if (v instanceof Number n) {
        body.put(k, n.longValue());
      } else {
        body.put(k, String.valueOf(v));
      }
    });
    JsonNode d;
    try {
      d = api.post("/deployments?deploymentId=" + id, body, true);
    } catch (ProviderException e) {
      if (e.statusCode().orElse(0) != 409) {
        throw e;
      }
      d = api.get("/deployments/" + id);
    }
    return deployment(d, id, modelId);
  }

  @Override
  public Deployment deployment(String deploymentId) {
    JsonNode d = api.get("/deployments/" + path(deploymentId));
    return deployment(d, deploymentId, JobMapper.text(d, "baseModel").orElse("unknown"));
  }

  /** {@code DELETE /deployments/{id}}; a deployment already gone is fine. */
  @Override
  public void undeploy(String deploymentId) {
    try {
      api.delete("/deployments/" + path(deploymentId));
    } catch (NotFoundException e) {
      // already removed
    }
  }

  /** A model's full name: {@code accounts/...} as it is, a catalog id or alias resolved, else under this account. */
  private String modelName(String model) {
    if (model.startsWith("accounts/")) {
      return model;
    }
    return FireworksCatalog.CATALOG.canonicalId(model).orElse(accountName() + "/models/" + model);
  }

  /**
   * CREATING and UPDATING are creating; READY active; FAILED failed; DELETING and DELETED deleted; anything else
   * (STATE_UNSPECIFIED included) unknown, with the raw state.
   */
  private Deployment deployment(JsonNode d, String id, String modelId) {
    String raw = d.path("state").asText("STATE_UNSPECIFIED");
    Deployment.State state = switch (raw) {
      case "CREATING", "UPDATING" -> Deployment.State.CREATING;
      case "READY" -> Deployment.State.ACTIVE;
      case "FAILED" -> Deployment.State.FAILED;
      case "DELETING", "DELETED" -> Deployment.State.DELETED;
      default -> Deployment.State.UNKNOWN;
    };
    String model = modelName(modelId);
    return Deployment.builder().id(id).modelId(modelId).state(state).rawState(raw)
        .inferenceModel(model + "#" + accountName() + "/deployments/" + id).build();
  }

  // ---------------------------------------------------------------- chat

  /**
   * {@code POST /chat/completions} on Fireworks' OpenAI-compatible inference. A catalog model's short id is sent as
   * its full name ({@code accounts/fireworks/models/...}); a deployed tuned model is addressed as the deployment's
   * inference model ({@code <model>#<deployment>}), which the core passes.
   */
  @Override
  public ChatResponse chat(ChatRequest request) {
    String model = request.model().startsWith("accounts/") ? request.model()
        : FireworksCatalog.CATALOG.canonicalId(request.model()).orElse(request.model());
    return chat.chat(request, model);
  }

  @Override
  public void close() {
    chat.close();
  }

  @Override
  public String toString() {
    return "FireworksProvider{" + config + "}";
  }
}
