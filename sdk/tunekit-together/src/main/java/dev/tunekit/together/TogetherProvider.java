package dev.tunekit.together;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.http.OpenAiChat;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Checkpoint;
import dev.tunekit.spi.Checkpoints;
import dev.tunekit.spi.ModelDownloads;
import dev.tunekit.spi.PriceQuote;
import dev.tunekit.spi.PriceQuotes;
import dev.tunekit.spi.StartFromCheckpoint;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.Cursors;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.PreflightChecks;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Fine-tuning on Together AI: files, jobs, events and cancel through {@link TogetherApi} (Together's own REST
 * API), chat on base and tuned models through its OpenAI-compatible {@code /chat/completions} with openai-java.
 *
 * <p>One retry layer: {@link TogetherApi} makes one attempt and the openai-java client is built with
 * {@code maxRetries(0)}; the core retries. Idempotency: Together documents no idempotency key, so the job's
 * {@code suffix} carries a tag of the run's key ({@link Names}) and {@link #findJob} lists the jobs and matches
 * it; the core calls it before any retry after an unknown outcome. Files are found again by name (the core puts a
 * prefix of the content's SHA-256 in it) and size before an upload.
 *
 * <p>A completed job's model is its {@code model_output_name}; chat (evaluation) sends that name to
 * {@code /chat/completions}. Tunekit does not create dedicated endpoints yet, so there is no Deployments
 * capability: the tuned model is asked as Together serves it.
 */
final class TogetherProvider implements TuningProvider, Chat, Checkpoints, PriceQuotes, StartFromCheckpoint,
    ModelDownloads {
  static final String FINE_TUNE = "fine-tune";

  private final TogetherConfig config;
  private final TogetherApi api;
  private final OpenAiChat chat;

  TogetherProvider(TogetherConfig config) {
    this.config = config;
    this.api = new TogetherApi(config.base(), config::requireApiKey, config.callTimeout());
    this.chat = new OpenAiChat(TogetherErrors.ERRORS, "Together", config::base, config::requireApiKey,
        config.callTimeout());
  }

  @Override
  public String name() {
    return config.settings().name();
  }

  // ---------------------------------------------------------------- preflight and formats

  /** {@link TogetherPreflight}: offline, nothing is sent. */
  @Override
  public List<PreflightProblem> preflight(JobPlan plan) {
    return TogetherPreflight.check(config, plan);
  }

  /** Together trains on the neutral chat JSONL and, for DPO, the neutral preference JSONL, as they are. */
  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    return DatasetFormat.neutral(kind);
  }

  // ---------------------------------------------------------------- files

  /** Lists the files and returns a fine-tune file with the same name (which holds the content's hash) and size. */
  @Override
  public Optional<RemoteFile> findFile(FileUpload upload) {
    JsonNode list = api.get("/files");
    for (JsonNode f : list.path("data")) {
      if (upload.fileName().equals(f.path("filename").asText()) && f.path("bytes").asLong(-1) == upload.sizeBytes()
          && FINE_TUNE.equals(f.path("purpose").asText(FINE_TUNE)) && f.path("id").isTextual()) {
        return Optional.of(file(f));
      }
    }
    return Optional.empty();
  }

  /** {@code POST /files/upload}, multipart: purpose fine-tune, file_name, file_type jsonl, and the file. */
  @Override
  public RemoteFile upload(FileUpload upload) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("purpose", FINE_TUNE);
    fields.put("file_name", upload.fileName());
    fields.put("file_type", "jsonl");
    return file(api.postMultipart("/files/upload", fields, upload.path(), upload.fileName()));
  }

  private static RemoteFile file(JsonNode f) {
    String id = JobMapper.text(f, "id").orElseThrow(() -> ProviderException.builder(TogetherErrors.PROVIDER,
        "Together answered a file upload without a file id").retryable(false).build());
    return RemoteFile.builder().id(id).fileName(f.path("filename").asText("")).sizeBytes(f.path("bytes").asLong(0)).build();
  }

  // ---------------------------------------------------------------- jobs

  @Override
  public RemoteJob createJob(JobRequest req) {
    ObjectNode body = createBody(req);
    RemoteJob r = JobMapper.toRemoteJob(api.post("/fine-tunes", body, true));
    Map<String, String> md = new LinkedHashMap<>(req.metadata());
    md.putAll(r.metadata());
    md.put(JobRequest.IDEMPOTENCY_METADATA_KEY, req.idempotencyKey());
    return r.toBuilder().metadata(md).build();
  }

  /** The {@code POST /fine-tunes} body: only what the request sets, so Together's defaults apply to the rest. */
  ObjectNode createBody(JobRequest req) {
    ObjectNode b = JsonNodeFactory.instance.objectNode();
    b.put("model", TogetherCatalog.CATALOG.canonicalId(req.baseModel()).orElse(req.baseModel()));
    b.put("training_file", req.trainingFileId());
    req.validationFileId().ifPresent(v -> b.put("validation_file", v));
    b.put("suffix", Names.suffix(req.suffix().orElse(null), req.idempotencyKey()));
    Hyperparameters hp = req.hyperparameters();
    hp.epochs().ifPresent(e -> b.put("n_epochs", e));
    hp.batchSize().ifPresent(s -> b.put("batch_size", s));
    hp.seed().ifPresent(s -> b.put("random_seed", s));
    if (hp.learningRateMultiplier().isPresent()) {
      throw new InvalidInputException("Together takes an absolute learning rate: set the extra learningRate (such as"
          + " 1e-5) instead of learningRateMultiplier");
    }
    List<PreflightProblem> bad = new ArrayList<>();
    PreflightChecks.number(hp, "learningRate", bad).ifPresent(v -> b.put("learning_rate", v));
    PreflightChecks.whole(hp, "nCheckpoints", bad).ifPresent(v -> b.put("n_checkpoints", v));
    PreflightChecks.whole(hp, "nEvals", bad).ifPresent(v -> b.put("n_evals", v));
    PreflightChecks.number(hp, "warmupRatio", bad).ifPresent(v -> b.put("warmup_ratio", v));
    ObjectNode method = b.putObject("training_method");
    if (req.method() == TrainingMethod.DPO) {
      method.put("method", "dpo");
    } else if (req.method() == TrainingMethod.SUPERVISED) {
      method.put("method", "sft").put("train_on_inputs", "auto");
    } else {
      throw new InvalidInputException("Together fine-tunes with SFT or DPO only, not " + req.method());
    }
    String type = hp.extra("trainingType").map(t -> String.valueOf(t).trim().toLowerCase(Locale.ROOT)).orElse("lora");
    if (type.equals("full")) {
      b.putObject("training_type").put("type", "Full");
    } else if (!type.equals("lora")) {
      throw new InvalidInputException("trainingType '" + type + "' is neither lora nor full");
    } else {
      Optional<Integer> r = PreflightChecks.whole(hp, "loraR", bad);
      Optional<Integer> alpha = PreflightChecks.whole(hp, "loraAlpha", bad);
      Optional<Double> dropout = PreflightChecks.number(hp, "loraDropout", bad);
      Optional<Object> modules = hp.extra("loraTrainableModules");
      if (r.isPresent() || alpha.isPresent() || dropout.isPresent() || modules.isPresent()) {
        // Together requires lora_r and lora_alpha together; 8 is its documented default rank, alpha twice the rank.
        int rank = r.orElse(8);
        ObjectNode t = b.putObject("training_type").put("type", "Lora").put("lora_r", rank)
            .put("lora_alpha", alpha.orElse(rank * 2));
        dropout.ifPresent(d -> t.put("lora_dropout", d));
        modules.ifPresent(m -> t.put("lora_trainable_modules", String.valueOf(m)));
      }
    }
    req.fromCheckpoint().ifPresent(c -> {
      List<PreflightProblem> cp = checkCheckpoint(c);
      if (!cp.isEmpty()) {
        bad.addAll(cp);
      }
      b.put("from_checkpoint", c);
    });
    if (!bad.isEmpty()) {
      throw new InvalidInputException(bad.get(0).where() + ": " + bad.get(0).problem() + "; " + bad.get(0).fix());
    }
    return b;
  }

  /** Lists the jobs ({@code GET /fine-tunes}) and returns the newest whose suffix carries the key's tag. */
  @Override
  public Optional<RemoteJob> findJob(String idempotencyKey) {
    String tag = Names.keyTag(idempotencyKey);
    JsonNode found = null;
    Instant foundAt = Instant.MIN;
    for (JsonNode j : api.get("/fine-tunes").path("data")) {
      if (Names.carries(j.path("suffix").asText(null), j.path("model_output_name").asText(null), tag)) {
        Instant at = JobMapper.time(j.path("created_at")).orElse(Instant.EPOCH);
        if (found == null || at.isAfter(foundAt)) {
          found = j;
          foundAt = at;
        }
      }
    }
    if (found == null) {
      return Optional.empty();
    }
    return Optional.of(JobMapper.toRemoteJob(found).toBuilder()
        .putMetadata(JobRequest.IDEMPOTENCY_METADATA_KEY, idempotencyKey).build());
  }

  @Override
  public RemoteJob job(String jobId) {
    return JobMapper.toRemoteJob(api.get("/fine-tunes/" + path(jobId)));
  }

  /** {@code GET /fine-tunes/{id}/events}: the whole list each time (it has no paging); never re-delivered. */
  @Override
  public Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    return Cursors.byId(JobMapper.events(api.get("/fine-tunes/" + path(jobId) + "/events")), JobEvent::id, after);
  }

  /**
   * {@code GET /fine-tunes/{id}/metrics}: one point per snapshot with a {@code train/global_step}, its training
   * loss from {@code train/loss} (the keys of Together's documented example). A job without metrics there (an
   * empty list, or a 404 from a deployment without the endpoint) falls back to one point per checkpoint event,
   * without loss. Never re-delivered: the cursor is the last step read.
   */
  @Override
  public Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    List<MetricPoint> points = new ArrayList<>();
    JsonNode answer;
    try {
      answer = api.get("/fine-tunes/" + path(jobId) + "/metrics");
    } catch (dev.tunekit.error.NotFoundException e) {
      answer = JsonNodeFactory.instance.objectNode();
    }
    java.util.Map<Long, MetricPoint> bySteps = new java.util.TreeMap<>();
    for (JsonNode m : answer.path("metrics")) {
      JsonNode step = m.path("train/global_step");
      if (step.isNumber() && step.asLong() > 0) {
        JsonNode loss = m.path("train/loss");
        bySteps.put(step.asLong(), new MetricPoint(step.asLong(), loss.isNumber() ? OptionalDouble.of(loss.asDouble())
            : OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty()));
      }
    }
    points.addAll(bySteps.values());
    if (points.isEmpty()) {
      for (JsonNode e : api.get("/fine-tunes/" + path(jobId) + "/events").path("data")) {
        if ("checkpoint_save".equals(e.path("type").asText()) && e.path("step").asLong(0) > 0) {
          points.add(new MetricPoint(e.path("step").asLong(), OptionalDouble.empty(), OptionalDouble.empty(),
              OptionalDouble.empty(), OptionalDouble.empty()));
        }
      }
      points.sort(java.util.Comparator.comparingLong(MetricPoint::step));
    }
    return Cursors.byStep(points, after);
  }

  /** A finished job is returned as it is; a refused cancel (400: it finished meanwhile) re-reads the job. */
  @Override
  public RemoteJob cancel(String jobId) {
    RemoteJob before = job(jobId);
    if (before.status().isTerminal()) {
      return before;
    }
    try {
      api.post("/fine-tunes/" + path(jobId) + "/cancel", JsonNodeFactory.instance.objectNode(), true);
    } catch (ProviderException e) {
      if (e.retryable() || e.statusCode().orElse(0) != 400) {
        throw e;
      }
    }
    return job(jobId);
  }

  private static String path(String jobId) {
    if (!jobId.matches("[A-Za-z0-9._:-]+")) {
      throw new InvalidInputException("'" + jobId + "' is not a Together fine-tune job id (such as ft-1234abcd-...)");
    }
    return jobId;
  }

  // ---------------------------------------------------------------- price, checkpoints, downloads

  /** The fields of a create body that {@code POST /fine-tunes/estimate-price} takes. */
  private static final List<String> ESTIMATE_FIELDS = List.of("training_file", "validation_file", "model", "n_epochs",
      "n_evals", "training_method", "training_type", "from_checkpoint");

  /**
   * {@code POST /fine-tunes/estimate-price} with the job's files, model, epochs, evals, method, training type and
   * start checkpoint: {@code estimated_total_price} (USD), {@code allowed_to_proceed},
   * {@code estimated_train_token_count}. A read: it creates nothing.
   */
  @Override
  public PriceQuote quote(JobRequest request) {
    ObjectNode create = createBody(request);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    for (String f : ESTIMATE_FIELDS) {
      if (create.has(f)) {
        body.set(f, create.get(f));
      }
    }
    String op = "POST /fine-tunes/estimate-price";
    JsonNode r = api.post("/fine-tunes/estimate-price", body, false);
    JsonNode price = r.path("estimated_total_price");
    if (!price.isNumber() || price.decimalValue().signum() < 0) {
      throw ProviderException.builder(TogetherErrors.PROVIDER, op + " answered without a usable"
          + " estimated_total_price").retryable(false).build();
    }
    JsonNode tokens = r.path("estimated_train_token_count");
    return new PriceQuote(price.decimalValue(), "USD", tokens.isNumber() ? java.util.OptionalLong.of(tokens.asLong())
        : java.util.OptionalLong.empty(), r.path("allowed_to_proceed").asBoolean(true), "together " + op);
  }

  /**
   * Together's {@code from_checkpoint} forms: a job id ({@code ft-…}) or an output model name ({@code account/name}),
   * optionally followed by {@code :step} (a positive whole number); without a step, the final checkpoint.
   */
  @Override
  public List<PreflightProblem> checkCheckpoint(String checkpoint) {
    String ref = checkpoint == null ? "" : checkpoint.trim();
    int colon = ref.lastIndexOf(':');
    String head = colon < 0 ? ref : ref.substring(0, colon);
    String step = colon < 0 ? null : ref.substring(colon + 1);
    boolean headOk = head.matches("ft-[A-Za-z0-9-]+") || head.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+");
    boolean stepOk = step == null || step.matches("[1-9][0-9]{0,9}");
    if (headOk && stepOk) {
      return List.of();
    }
    return List.of(new PreflightProblem("fromCheckpoint", "'" + ref + "' is not a Together checkpoint"
        + (stepOk ? "" : " (the step after ':' must be a positive whole number)"), "give a job id or an output model"
        + " name, optionally with :step, such as ft-1234abcd-5678, ft-1234abcd-5678:100 or"
        + " acme/Meta-Llama-3.1-8B-Instruct-Reference-mine:100"));
  }

  /**
   * {@code GET /fine-tunes/{id}/checkpoints}, oldest first. A checkpoint's id is the {@code from_checkpoint} form
   * {@code jobId:step}; its model is Together's {@code path} of the checkpoint (Together serves a job's final
   * model for chat, not its intermediate checkpoints).
   */
  @Override
  public List<Checkpoint> checkpoints(String jobId) {
    List<Checkpoint> out = new ArrayList<>();
    for (JsonNode c : api.get("/fine-tunes/" + path(jobId) + "/checkpoints").path("data")) {
      long step = c.path("step").asLong(0);
      String id = jobId + ":" + step;
      String where = c.path("path").asText("");
      out.add(Checkpoint.builder().id(id).model(where.isBlank() ? id : where).metrics(new MetricPoint(step,
          OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty())).build());
    }
    out.sort(java.util.Comparator.comparingLong(cp -> cp.metrics().step()));
    return out;
  }

  /**
   * {@code GET /finetune/download?ft_id=…&checkpoint=adapter|merged}: a zstd-compressed tar, streamed into a
   * temporary file in {@code directory} and moved into place once complete (named as Together's
   * {@code Content-Disposition} says, else {@code <jobId>-<adapter|merged>.tar.zst}); removed on any failure.
   */
  @Override
  public java.nio.file.Path download(String jobId, Artifact artifact, java.nio.file.Path directory) {
    String kind = artifact == Artifact.ADAPTER ? "adapter" : "merged";
    String op = "GET /finetune/download for " + path(jobId) + " (" + kind + ")";
    java.nio.file.Path tmp;
    try {
      tmp = java.nio.file.Files.createTempFile(directory, ".tunekit-download-", ".part");
    } catch (java.io.IOException e) {
      throw new InvalidInputException("cannot write into the download directory (" + e.getMessage() + "); give a"
          + " writable directory", directory.toString());
    }
    try {
      Optional<String> named = api.download("/finetune/download?ft_id=" + TogetherApi.query(jobId) + "&checkpoint="
          + kind, op, tmp);
      java.nio.file.Path target = directory.resolve(named.orElse(jobId + "-" + kind + ".tar.zst"));
      java.nio.file.Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (java.io.IOException e) {
      throw new dev.tunekit.error.TunekitException(op + ": could not move the download into place (" + e.getMessage()
          + ")", e);
    } finally {
      try {
        java.nio.file.Files.deleteIfExists(tmp);
      } catch (java.io.IOException e) {
        // best effort: the temporary file is hidden and marked .part
      }
    }
  }

  // ---------------------------------------------------------------- chat

  /** {@code POST /chat/completions} on Together's OpenAI-compatible inference. */
  @Override
  public ChatResponse chat(ChatRequest request) {
    return chat.chat(request, request.model());
  }

  @Override
  public void close() {
    chat.close();
  }

  @Override
  public String toString() {
    return "TogetherProvider{" + config + "}";
  }
}
