package dev.tunekit.openai;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.MultipartField;
import com.openai.core.http.HttpResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileListParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.FineTuningJobEvent;
import com.openai.models.finetuning.jobs.JobCreateParams;
import com.openai.models.finetuning.jobs.JobListEventsPage;
import com.openai.models.finetuning.jobs.JobListEventsParams;
import com.openai.models.finetuning.jobs.JobListParams;
import com.openai.models.finetuning.jobs.checkpoints.FineTuningJobCheckpoint;
import com.openai.models.finetuning.methods.DpoHyperparameters;
import com.openai.models.finetuning.methods.DpoMethod;
import com.openai.models.finetuning.methods.ReinforcementHyperparameters;
import com.openai.models.finetuning.methods.ReinforcementMethod;
import com.openai.models.graders.gradermodels.StringCheckGrader;
import com.openai.models.finetuning.methods.SupervisedHyperparameters;
import com.openai.models.finetuning.methods.SupervisedMethod;
import com.openai.models.uploads.Upload;
import com.openai.models.uploads.UploadCompleteParams;
import com.openai.models.uploads.UploadCreateParams;
import com.openai.models.uploads.parts.PartCreateParams;
import com.openai.models.uploads.parts.UploadPart;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Checkpoint;
import dev.tunekit.spi.Checkpoints;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.Cursors;
import dev.tunekit.spi.JobProgress;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.spi.WebhookVerification;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.RewardGrader;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * OpenAI, Azure OpenAI and OpenAI-compatible fine-tuning on the official openai-java SDK. Each
 * method is one remote operation (or a fixed sequence, like a multipart upload); none retries: the
 * client is built with {@code maxRetries(0)} and the core's Resilience4j layer is the one retry layer.
 */
final class OpenAiTuningProvider implements TuningProvider, Chat, PauseResume, Checkpoints {
  /** Metadata key holding the Tunekit run id next to the idempotency key. */
  static final String RUN_ID_METADATA_KEY = "tunekit_run_id";
  static final int MAX_METADATA_PAIRS = 16;
  static final int MAX_METADATA_KEY = 64;
  static final int MAX_METADATA_VALUE = 512;
  private static final String FINE_TUNE = "fine-tune";

  private final OpenAiConfig config;
  private final OpenAIClient client;
  private final OpenAiErrors errors;
  /** Multipart uploads stopped by a failure worth retrying, by content: the next attempt continues them. */
  private final Map<String, PartialUpload> partialUploads = new java.util.concurrent.ConcurrentHashMap<>();
  private final OpenAiWebhooks webhooks;
  /** Azure only: deployments through Azure Resource Manager (null on the other flavors). */
  private final AzureDeployments azureDeployments;
  /** Azure Resource Manager, made on first use (azure-identity is optional: never loaded for openai). */
  private ArmApi arm;
  /** Whether preflight has acquired an ARM token once (credentials are checked once per provider). */
  private volatile boolean armCredentialsChecked;

  OpenAiTuningProvider(OpenAiConfig config, OpenAIClient client, OpenAiErrors errors) {
    this.config = Objects.requireNonNull(config, "config");
    this.client = Objects.requireNonNull(client, "client");
    this.errors = Objects.requireNonNull(errors, "errors");
    this.webhooks = new OpenAiWebhooks(config, client);
    this.azureDeployments = config.azure().map(a -> new AzureDeployments(config.name(), a, this::arm)).orElse(null);
  }

  private synchronized ArmApi arm() {
    if (arm == null) {
      arm = AzureArm.create(config.azure().orElseThrow(), config.timeout());
    }
    return arm;
  }

  @Override
  public String name() {
    return config.name();
  }

  /** {@link OpenAiPreflight}: the model against OpenAI's catalog (not on openai-compatible), method, ranges. */
  @Override
  public java.util.List<dev.tunekit.spi.PreflightProblem> preflight(dev.tunekit.spi.JobPlan plan) {
    List<dev.tunekit.spi.PreflightProblem> out = new ArrayList<>(config.settingProblems());
    out.addAll(OpenAiPreflight.check(config.flavor(), plan));
    config.azure().ifPresent(a -> {
      if (plan.deploysBeforeEvaluation() && !a.armConfigured()) {
        // Evaluation goes through a Resource Manager deployment: without its location the run would train, then fail.
        out.add(new dev.tunekit.spi.PreflightProblem(a.location(), "providers." + name(),
            "the run deploys the tuned model before evaluating it (deployBeforeEvaluation), but Azure OpenAI deploys"
                + " only through Azure Resource Manager and this section does not say where",
            "set subscriptionId, resourceGroup and account (see the tunekit-openai README), or evaluate without"
                + " deployBeforeEvaluation"));
      }
      out.addAll(azurePreflight(a));
    });
    return List.copyOf(out);
  }

  /**
   * The {@code azure} settings, offline; then, when Resource Manager is configured and its settings are
   * well formed, the credentials: DefaultAzureCredential must give a token now (once per provider), so a
   * run that will deploy never trains first and fails at the deployment.
   */
  private List<dev.tunekit.spi.PreflightProblem> azurePreflight(AzureSettings a) {
    List<dev.tunekit.spi.PreflightProblem> out = new ArrayList<>(a.problems());
    if (!out.isEmpty() || !a.armConfigured() || armCredentialsChecked) {
      return out;
    }
    String where = "providers." + name();
    if (!AzureDeployments.identityAvailable()) {
      out.add(new dev.tunekit.spi.PreflightProblem(a.location(), where, AzureDeployments.missingIdentity(name()),
          "add the dependency, or remove subscriptionId, resourceGroup and account to train without deploying"));
      return out;
    }
    try {
      arm().checkCredentials();
      armCredentialsChecked = true;
    } catch (TunekitException e) {
      out.add(new dev.tunekit.spi.PreflightProblem(a.location(), where, e.getMessage(),
          "give this process an Azure identity (DefaultAzureCredential), then start the run again"));
    }
    return out;
  }

  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    return DatasetFormat.neutral(kind); // OpenAI trains on the neutral chat / preference JSONL as is
  }

  // ---------------------------------------------------------------- files

  @Override
  public Optional<RemoteFile> findFile(FileUpload upload) {
    return call("listing files to find " + upload.fileName(), () -> {
      FileListParams params = FileListParams.builder().purpose(FINE_TUNE).build();
      for (FileObject f : client.files().list(params).autoPager()) {
        boolean failed = f._status().asKnown().map(s -> s.asString().equals("error")).orElse(false);
        if (!failed && upload.fileName().equals(f._filename().asKnown().orElse(null))
            && f._bytes().asKnown().orElse(-1L) == upload.sizeBytes()) {
          // An interrupted multipart upload of this content did complete: nothing left to continue.
          partialUploads.remove(partialKey(upload, upload.sizeBytes()));
          return Optional.of(remoteFile(f));
        }
      }
      return Optional.empty();
    });
  }

  @Override
  public RemoteFile upload(FileUpload upload) {
    long size = fileSize(upload);
    if (size <= config.multipartThreshold()) {
      return call("uploading " + upload.fileName(), () -> {
        try (InputStream in = Files.newInputStream(upload.path())) {
          FileCreateParams params = FileCreateParams.builder()
              .file(MultipartField.<InputStream>builder().value(in).filename(upload.fileName()).build())
              .purpose(FilePurpose.FINE_TUNE)
              .build();
          return remoteFile(client.files().create(params));
        } catch (IOException e) {
          throw readFailure(upload, e);
        }
      });
    }
    return uploadInParts(upload, size);
  }

  /**
   * The Uploads API: create, parts in order, complete with the ordered part ids and the MD5.
   *
   * <p>The sequence is many requests, so a retry must not start it over: under a 30% failure rate a
   * 20-part upload would almost never get through in one go. When it fails in a way worth retrying
   * (retryable, or outcome unknown), the session and the parts already accepted are kept, and the next
   * {@code upload} of the same content (the core's retry, or a resumed run) continues from the first
   * missing part. A part whose reply was lost is simply sent again: {@code complete} lists the part ids
   * to assemble, so a stray copy is never part of the file. Any other failure cancels the session.
   */
  private RemoteFile uploadInParts(FileUpload upload, long size) {
    String key = partialKey(upload, size);
    PartialUpload continued = partialUploads.remove(key);
    if (continued != null) {
      try {
        return uploadParts(upload, size, key, continued);
      } catch (dev.tunekit.error.NotFoundException expired) {
        // The session is gone (expired after an hour, or the server restarted): start a new one.
      }
    }
    Upload created = call("starting a multipart upload of " + upload.fileName(), () -> client.uploads().create(
        UploadCreateParams.builder()
            .bytes(size)
            .filename(upload.fileName())
            .mimeType("text/jsonl")
            .purpose(FilePurpose.FINE_TUNE)
            .build()));
    return uploadParts(upload, size, key, new PartialUpload(call("starting a multipart upload", created::id)));
  }

  private static String partialKey(FileUpload upload, long size) {
    return upload.sha256() + "/" + size + "/" + upload.fileName();
  }

  /** Sends the parts {@code state} does not have yet, then completes the upload. */
  private RemoteFile uploadParts(FileUpload upload, long size, String key, PartialUpload state) {
    String uploadId = state.uploadId;
    try {
      MessageDigest md5 = md5();
      try (InputStream in = Files.newInputStream(upload.path())) {
        long sent = 0;
        int index = 0;
        while (sent < size) {
          int len = (int) Math.min(config.uploadPartSize(), size - sent);
          byte[] chunk = in.readNBytes(len);
          if (chunk.length == 0) {
            throw new InvalidInputException("The file shrank while it was being uploaded: expected " + size
                + " bytes, read " + sent + ". Do not modify dataset files during a run.", upload.path().toString());
          }
          md5.update(chunk);
          int partNo = ++index;
          if (partNo > state.partIds.size()) {
            UploadPart part = call("uploading part " + partNo + " of " + upload.fileName(), () -> client.uploads()
                .parts().create(PartCreateParams.builder().uploadId(uploadId).data(chunk).build()));
            state.partIds.add(call("uploading part " + partNo, part::id));
          }
          sent += chunk.length;
        }
      } catch (IOException e) {
        throw readFailure(upload, e);
      }
      String md5Hex = HexFormat.of().formatHex(md5.digest());
      List<String> partIds = List.copyOf(state.partIds);
      Upload done = call("completing the multipart upload of " + upload.fileName(), () -> client.uploads()
          .complete(UploadCompleteParams.builder().uploadId(uploadId).partIds(partIds).md5(md5Hex).build()));
      return call("completing the multipart upload", () -> done.file().map(this::remoteFile).orElseThrow(() ->
          ProviderException.builder(name(), name() + " completed upload " + uploadId + " of " + upload.fileName()
                  + " without returning a file (status " + done._status().asString().orElse("?")
                  + "). Retry the upload.")
              .retryable(true).build()));
    } catch (ProviderException e) {
      if (!(e instanceof dev.tunekit.error.NotFoundException) && (e.retryable() || e.outcomeUnknown())) {
        partialUploads.put(key, state); // the next attempt continues from here
      } else {
        cancelQuietly(uploadId);
      }
      throw e;
    } catch (RuntimeException e) {
      cancelQuietly(uploadId);
      throw e;
    }
  }

  /** A multipart upload session and the ids of the parts it has accepted, in order. */
  private static final class PartialUpload {
    final String uploadId;
    final List<String> partIds = new ArrayList<>();

    PartialUpload(String uploadId) {
      this.uploadId = uploadId;
    }
  }

  private void cancelQuietly(String uploadId) {
    try {
      client.uploads().cancel(uploadId);
    } catch (RuntimeException ignored) {
      // best effort: an abandoned upload expires after an hour anyway
    }
  }

  private RemoteFile remoteFile(FileObject f) {
    return RemoteFile.builder().id(f.id()).fileName(f._filename().asKnown().orElse(""))
        .sizeBytes(f._bytes().asKnown().orElse(-1L)).build();
  }

  private static long fileSize(FileUpload upload) {
    try {
      return Files.size(upload.path());
    } catch (IOException e) {
      throw readFailure(upload, e);
    }
  }

  private static InvalidInputException readFailure(FileUpload upload, IOException e) {
    return new InvalidInputException("Cannot read the dataset file to upload (" + e.getMessage()
        + "). Check that it exists and is readable.", upload.path().toString(), e);
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required by every Java platform", e);
    }
  }

  // ---------------------------------------------------------------- jobs

  @Override
  public RemoteJob createJob(JobRequest request) {
    JobCreateParams params = createParams(request);
    return call("creating a fine-tuning job on " + request.baseModel(),
        () -> OpenAiMapping.job(client.fineTuning().jobs().create(params)));
  }

  /** Builds the create call; validates everything first so bad input never leaves the machine. */
  JobCreateParams createParams(JobRequest request) {
    Map<String, String> metadata = metadata(request);
    JobCreateParams.Metadata.Builder md = JobCreateParams.Metadata.builder();
    metadata.forEach((k, v) -> md.putAdditionalProperty(k, JsonValue.from(v)));
    JobCreateParams.Builder b = JobCreateParams.builder()
        .model(request.baseModel())
        .trainingFile(request.trainingFileId())
        .metadata(md.build())
        .method(method(request));
    request.validationFileId().ifPresent(b::validationFile);
    if (config.flavor() != OpenAiConfig.Flavor.BEDROCK_OPENAI) {
      // Bedrock's OpenAI-compatible API does not take suffix (its docs: "Suffix field is not supported").
      request.suffix().ifPresent(b::suffix);
    }
    request.hyperparameters().seed().ifPresent(b::seed);
    // Azure's training type is a top-level body field of its own (as the docs' extra_body={"trainingType": …}).
    config.azure().flatMap(AzureSettings::trainingType)
        .ifPresent(t -> b.putAdditionalBodyProperty("trainingType", JsonValue.from(t.wire)));
    return b.build();
  }

  /** The idempotency key, the run id and the user's metadata, checked against OpenAI's limits. */
  static Map<String, String> metadata(JobRequest request) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put(JobRequest.IDEMPOTENCY_METADATA_KEY, request.idempotencyKey());
    all.put(RUN_ID_METADATA_KEY, request.runId());
    for (Map.Entry<String, String> e : new TreeMap<>(request.metadata()).entrySet()) {
      String existing = all.get(e.getKey());
      if (existing != null && !existing.equals(e.getValue())) {
        throw new InvalidInputException("metadata key '" + e.getKey() + "' is reserved by Tunekit; rename it.");
      }
      all.put(e.getKey(), e.getValue());
    }
    if (all.size() > MAX_METADATA_PAIRS) {
      throw new InvalidInputException("OpenAI allows " + MAX_METADATA_PAIRS + " metadata pairs per job and Tunekit "
          + "uses 2; the run has " + request.metadata().size() + " user pairs. Remove "
          + (all.size() - MAX_METADATA_PAIRS) + ".");
    }
    for (Map.Entry<String, String> e : all.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().length() > MAX_METADATA_KEY) {
        throw new InvalidInputException("metadata key '" + abbreviate(e.getKey()) + "' must be 1 to "
            + MAX_METADATA_KEY + " characters (it has " + e.getKey().length() + ").");
      }
      if (e.getValue().length() > MAX_METADATA_VALUE) {
        throw new InvalidInputException("metadata value of '" + e.getKey() + "' must be at most "
            + MAX_METADATA_VALUE + " characters (it has " + e.getValue().length() + ").");
      }
    }
    return all;
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }

  private JobCreateParams.Method method(JobRequest request) {
    TrainingMethod method = request.method();
    Hyperparameters h = request.hyperparameters();
    switch (method) {
      case REINFORCEMENT: {
        if (!config.flavor().reinforcement()) {
          break;
        }
        return JobCreateParams.Method.builder()
            .type(JobCreateParams.Method.Type.REINFORCEMENT)
            .reinforcement(reinforcement(request))
            .build();
      }
      case SUPERVISED: {
        SupervisedHyperparameters.Builder hb = SupervisedHyperparameters.builder();
        h.epochs().ifPresent(hb::nEpochs);
        h.batchSize().ifPresent(hb::batchSize);
        h.learningRateMultiplier().ifPresent(hb::learningRateMultiplier);
        h.extras().forEach((k, v) -> hb.putAdditionalProperty(k, JsonValue.from(v)));
        return JobCreateParams.Method.builder()
            .type(JobCreateParams.Method.Type.SUPERVISED)
            .supervised(SupervisedMethod.builder().hyperparameters(hb.build()).build())
            .build();
      }
      case DPO: {
        DpoHyperparameters.Builder hb = DpoHyperparameters.builder();
        h.epochs().ifPresent(hb::nEpochs);
        h.batchSize().ifPresent(hb::batchSize);
        h.learningRateMultiplier().ifPresent(hb::learningRateMultiplier);
        h.extras().forEach((k, v) -> {
          if (k.equals("beta")) {
            hb.beta(toDouble("beta", v));
          } else {
            hb.putAdditionalProperty(k, JsonValue.from(v));
          }
        });
        return JobCreateParams.Method.builder()
            .type(JobCreateParams.Method.Type.DPO)
            .dpo(DpoMethod.builder().hyperparameters(hb.build()).build())
            .build();
      }
      default:
        break;
    }
    throw new InvalidInputException("OpenAI fine-tuning supports the SUPERVISED and DPO methods, not " + method
        + ". Choose one of those, or a provider that supports " + method + " (such as bedrock).");
  }

  /**
   * The reinforcement method: the grader as the flavor's API shapes it (Bedrock's Lambda grader,
   * {@code {"type":"lambda","lambda":{"function":ARN}}}, is not in openai-java's grader union, so it goes as
   * JSON) and the reinforcement hyperparameters, whose extras preflight has checked.
   */
  private ReinforcementMethod reinforcement(JobRequest request) {
    RewardGrader grader = request.grader().orElseThrow(() -> new InvalidInputException(
        "reinforcement fine-tuning needs a reward grader; give one with FineTune.grader(...)"));
    if (!config.flavor().graderKinds.contains(grader.kind())) {
      throw new InvalidInputException(config.flavor().factoryName + " takes "
          + String.join(", ", config.flavor().graderKinds) + " graders, not " + grader.kind());
    }
    ReinforcementMethod.Builder rb = ReinforcementMethod.builder();
    if (grader instanceof RewardGrader.ExactMatch exact) {
      // The answer against the example's field, in OpenAI's grader templates.
      rb.grader(StringCheckGrader.builder().name("exact_match").input("{{sample.output_text}}")
          .reference("{{item." + exact.referenceField() + "}}").operation(StringCheckGrader.Operation.EQ).build());
    } else {
      Map<String, Object> fn = new LinkedHashMap<>();
      fn.put("function", grader.reference());
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("type", "lambda");
      g.put("lambda", fn);
      rb.grader(JsonValue.from(g));
    }
    Hyperparameters h = request.hyperparameters();
    ReinforcementHyperparameters.Builder hb = ReinforcementHyperparameters.builder();
    h.epochs().ifPresent(hb::nEpochs);
    h.batchSize().ifPresent(hb::batchSize);
    h.learningRateMultiplier().ifPresent(hb::learningRateMultiplier);
    // Numbers may come from tunekit.yaml as text ("2.0"): the API wants JSON numbers (or "auto").
    h.extras().forEach((k, v) -> hb.putAdditionalProperty(k, JsonValue.from(numberOrAsIs(k, v))));
    return rb.hyperparameters(hb.build()).build();
  }

  private static Object numberOrAsIs(String key, Object v) {
    if (v instanceof String t && !key.equals("reasoning_effort") && !t.equals("auto")) {
      try {
        java.math.BigDecimal d = new java.math.BigDecimal(t.trim());
        return d.scale() <= 0 ? (Object) d.longValueExact() : (Object) d.doubleValue();
      } catch (NumberFormatException | ArithmeticException e) {
        return v; // preflight has said what is wrong with it; the API says so too
      }
    }
    return v;
  }

  private static double toDouble(String name, Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException("hyperparameter " + name + " must be a number, was '" + v + "'.");
    }
  }

  @Override
  public Optional<RemoteJob> findJob(String idempotencyKey) {
    return call("looking up the job with idempotency key " + idempotencyKey, () -> {
      JobListParams params = JobListParams.builder()
          .metadata(JobListParams.Metadata.builder()
              .putAdditionalProperty(JobRequest.IDEMPOTENCY_METADATA_KEY, idempotencyKey)
              .build())
          .build();
      // Servers that ignore the filter return every job: match the metadata here too. Of several
      // matches (which the core's ledger prevents) the oldest is the one the run paid for first.
      RemoteJob found = null;
      for (FineTuningJob j : client.fineTuning().jobs().list(params).autoPager()) {
        RemoteJob job = OpenAiMapping.job(j);
        if (idempotencyKey.equals(job.metadata().get(JobRequest.IDEMPOTENCY_METADATA_KEY))
            && (found == null || isOlder(job, found))) {
          found = job;
        }
      }
      return Optional.ofNullable(found);
    });
  }

  private static boolean isOlder(RemoteJob a, RemoteJob b) {
    return a.createdAt().isPresent() && b.createdAt().isPresent() && a.createdAt().get().isBefore(b.createdAt().get());
  }

  @Override
  public RemoteJob job(String jobId) {
    return call("reading job " + jobId, () -> OpenAiMapping.job(client.fineTuning().jobs().retrieve(jobId)));
  }

  /**
   * Events after the cursor, oldest first. The API lists a job's events newest first and pages toward
   * older ones ({@code after} = the last event id of the previous page), so the cursor is the id of the
   * newest event already delivered: a poll reads from the newest page down and stops at that event.
   * With nothing new, a poll is one small request ({@value #INCREMENTAL_LIMIT} events) whose first item is
   * the cursor's event, and no older page is downloaded.
   */
  @Override
  public Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    return call("reading the events of job " + jobId, () -> eventsPage(eventsSince(jobId, after.map(Cursor::value)), after));
  }

  /** The page of {@link #events} from the events newer than the cursor, newest first as the API lists them. */
  private Page<JobEvent> eventsPage(List<FineTuningJobEvent> fresh, Optional<Cursor> after) {
    if (fresh.isEmpty()) {
      return new Page<>(List.of(), after);
    }
    Cursor next = new Cursor(fresh.get(0).id()); // the newest, in the API's own order
    List<JobEvent> items = oldestFirst(fresh).stream().map(OpenAiMapping::event).toList();
    if (config.azure().map(AzureSettings::developerTier).orElse(false)) {
      items = developerTierNotes(items, after.isEmpty());
    }
    return new Page<>(items, Optional.of(next));
  }

  /**
   * One poll in two requests: the job ({@code GET /fine_tuning/jobs/{id}}) and the events newer than the
   * cursor (one {@value #INCREMENTAL_LIMIT}-event page when nothing is new). While the job runs its metrics
   * come from the metrics events of that same read, so they cost no request; once the job has a result
   * file, that file is read once. {@link #job}, {@link #metrics} and {@link #events} in turn would send the
   * job read twice and the events read twice. When the two cursors did not come from the same polls (the
   * metrics cursor names another newest event), the reads are made separately.
   */
  @Override
  public JobProgress progress(String jobId, Optional<Cursor> eventsAfter, Optional<Cursor> metricsAfter) {
    MetricsCursor from = MetricsCursor.parse(metricsAfter);
    if (!from.fromResultFile() && !java.util.Objects.equals(from.eventId(), eventsAfter.map(Cursor::value).orElse(null))) {
      return TuningProvider.super.progress(jobId, eventsAfter, metricsAfter);
    }
    return call("reading job " + jobId, () -> {
      FineTuningJob raw = client.fineTuning().jobs().retrieve(jobId);
      List<FineTuningJobEvent> fresh = eventsSince(jobId, eventsAfter.map(Cursor::value));
      Page<MetricPoint> metrics = from.fromResultFile() ? new Page<>(List.of(), metricsAfter)
          : metricsPage(raw, () -> fresh, from, metricsAfter);
      return new JobProgress(OpenAiMapping.job(raw), eventsPage(fresh, eventsAfter), metrics);
    });
  }

  /** What progress output says about Azure's developer tier, whose jobs run on idle capacity. */
  static final String DEVELOPER_TIER_NOTE = "Developer tier: this job trains on idle capacity and may be preempted;"
      + " a preempted job resumes on its own, nothing to do.";

  /**
   * On the developer tier: a note before the job's first events (so the progress output says it once), and
   * an event that reports a preemption says the job resumes on its own. Both show in progress output (level
   * {@code note}, not {@code info}).
   */
  static List<JobEvent> developerTierNotes(List<JobEvent> events, boolean first) {
    List<JobEvent> out = new ArrayList<>(events.size() + 1);
    if (first && !events.isEmpty()) {
      out.add(new JobEvent("tunekit-developer-tier-note", events.get(0).time(), "note", DEVELOPER_TIER_NOTE));
    }
    for (JobEvent e : events) {
      if (e.message().toLowerCase(java.util.Locale.ROOT).contains("preempt")) {
        out.add(new JobEvent(e.id(), e.time(), "note", e.message() + " (developer tier: the job resumes on its"
            + " own; nothing to do)"));
      } else {
        out.add(e);
      }
    }
    return List.copyOf(out);
  }

  /** Events per request when reading on from a cursor: a quiet poll downloads only this many. */
  static final long INCREMENTAL_LIMIT = 10;
  /** Events per request when reading a job's history from the beginning (the API's maximum). */
  static final long FULL_LIMIT = 100;

  /**
   * The job's events newer than {@code lastSeenId} (all of them when empty), newest first as the API
   * lists them. Pages toward older events only until the last seen one turns up.
   */
  private List<FineTuningJobEvent> eventsSince(String jobId, Optional<String> lastSeenId) {
    List<FineTuningJobEvent> out = new ArrayList<>();
    JobListEventsParams params = JobListEventsParams.builder().fineTuningJobId(jobId)
        .limit(lastSeenId.isPresent() ? INCREMENTAL_LIMIT : FULL_LIMIT).build();
    while (true) {
      JobListEventsPage page = client.fineTuning().jobs().listEvents(params);
      List<FineTuningJobEvent> data = page.data();
      for (FineTuningJobEvent e : data) {
        if (lastSeenId.isPresent() && lastSeenId.get().equals(e.id())) {
          return out;
        }
        out.add(e);
      }
      if (data.isEmpty() || !page.hasNextPage()) {
        return out; // the whole history was new (or the cursor's event is gone): nothing is delivered twice by id
      }
      params = params.toBuilder().after(data.get(data.size() - 1).id()).limit(FULL_LIMIT).build();
    }
  }

  /** The API's newest-first list, oldest first (ties on created_at keep the API's order, reversed). */
  private static List<FineTuningJobEvent> oldestFirst(List<FineTuningJobEvent> newestFirst) {
    List<FineTuningJobEvent> all = new ArrayList<>(newestFirst);
    Collections.reverse(all);
    all.sort(Comparator.comparingLong(OpenAiMapping::createdAt)); // stable
    return all;
  }

  /**
   * Metrics after the cursor, by step. While the job runs they come from its metrics events, read
   * with the same newest-first paging as {@link #events} (only events newer than the cursor's); once
   * the job has a result file they come from that file, read once: the cursor then says so, and later
   * reads make no request at all. A step is delivered once, whichever source it came from.
   */
  @Override
  public Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    MetricsCursor from = MetricsCursor.parse(after);
    if (from.fromResultFile()) {
      return new Page<>(List.of(), after); // the result file is final and was read
    }
    return call("reading the metrics of job " + jobId, () -> metricsPage(client.fineTuning().jobs().retrieve(jobId),
        () -> eventsSince(jobId, Optional.ofNullable(from.eventId())), from, after));
  }

  /**
   * The metrics after the cursor of a job read just now: from its result file when it has one, else from
   * {@code freshEvents} (the events newer than the cursor's event, newest first).
   */
  private Page<MetricPoint> metricsPage(FineTuningJob job, java.util.function.Supplier<List<FineTuningJobEvent>> freshEvents,
      MetricsCursor from, Optional<Cursor> after) {
    List<String> resultFiles = job._resultFiles().asKnown().orElse(List.of());
    if (!resultFiles.isEmpty()) {
      List<MetricPoint> fromFile = resultFileMetrics(resultFiles.get(0));
      if (!fromFile.isEmpty()) {
        Page<MetricPoint> page = Cursors.byStep(fromFile, from.step());
        long last = Math.max(from.lastStep(), fromFile.stream().mapToLong(MetricPoint::step).max().orElse(0));
        return new Page<>(page.items(), Optional.of(new MetricsCursor(true, last, null).cursor()));
      }
    }
    // Still running (no result file yet): the metrics events carry the loss curve so far.
    List<FineTuningJobEvent> fresh = freshEvents.get();
    List<MetricPoint> points = new ArrayList<>();
    for (FineTuningJobEvent e : fresh) {
      if (OpenAiMapping.isMetrics(e)) {
        OpenAiMapping.eventMetrics(e).ifPresent(points::add);
      }
    }
    Page<MetricPoint> page = Cursors.byStep(points, from.step());
    long last = page.items().isEmpty() ? from.lastStep() : page.items().get(page.items().size() - 1).step();
    String newest = fresh.isEmpty() ? from.eventId() : fresh.get(0).id();
    if (newest == null && last == Long.MIN_VALUE) {
      return new Page<>(List.of(), after);
    }
    return new Page<>(page.items(), Optional.of(new MetricsCursor(false, last, newest).cursor()));
  }

  /**
   * Where a metrics read stopped: {@code f|<step>} once the result file was read, else
   * {@code e|<step>|<newest event id>} ({@code step} empty before the first point).
   */
  record MetricsCursor(boolean fromResultFile, long lastStep, String eventId) {
    static MetricsCursor parse(Optional<Cursor> c) {
      if (c.isEmpty()) {
        return new MetricsCursor(false, Long.MIN_VALUE, null);
      }
      String[] parts = c.get().value().split("\\|", -1);
      try {
        long step = parts.length > 1 && !parts[1].isEmpty() ? Long.parseLong(parts[1]) : Long.MIN_VALUE;
        if (parts[0].equals("f") && parts.length == 2) {
          return new MetricsCursor(true, step, null);
        }
        if (parts[0].equals("e") && parts.length == 3) {
          return new MetricsCursor(false, step, parts[2].isEmpty() ? null : parts[2]);
        }
      } catch (NumberFormatException e) {
        // fall through
      }
      throw new IllegalArgumentException("not a metrics cursor of the OpenAI provider: " + c.get().value());
    }

    Optional<Cursor> step() {
      return lastStep == Long.MIN_VALUE ? Optional.empty() : Optional.of(new Cursor(Long.toString(lastStep)));
    }

    Cursor cursor() {
      String step = lastStep == Long.MIN_VALUE ? "" : Long.toString(lastStep);
      return new Cursor(fromResultFile ? "f|" + step : "e|" + step + "|" + (eventId == null ? "" : eventId));
    }
  }

  private List<MetricPoint> resultFileMetrics(String fileId) {
    try (HttpResponse response = client.files().content(fileId)) {
      return ResultFile.parse(response.body().readAllBytes());
    } catch (IOException e) {
      throw ProviderException.builder(name(), name() + " connection failed while reading result file " + fileId
              + " (" + e.getMessage() + "). Retry.")
          .cause(e).retryable(true).outcomeUnknown(false).build();
    }
  }

  @Override
  public List<Checkpoint> checkpoints(String jobId) {
    return call("listing the checkpoints of job " + jobId, () -> {
      List<FineTuningJobCheckpoint> all = new ArrayList<>();
      for (FineTuningJobCheckpoint c : client.fineTuning().jobs().checkpoints().list(jobId).autoPager()) {
        all.add(c);
      }
      all.sort(Comparator.comparingLong(OpenAiMapping::checkpointStep));
      List<Checkpoint> out = new ArrayList<>(all.size());
      for (FineTuningJobCheckpoint c : all) {
        out.add(OpenAiMapping.checkpoint(c));
      }
      return out;
    });
  }

  /**
   * Cancels the job. Cancelling twice is fine: when the server refuses because the job is already
   * cancelled (a retry after a lost reply, a second click), the job is returned as it is.
   */
  @Override
  public RemoteJob cancel(String jobId) {
    try {
      return call("cancelling job " + jobId, () -> OpenAiMapping.job(client.fineTuning().jobs().cancel(jobId)));
    } catch (ProviderException refused) {
      if (refused.retryable() || refused.outcomeUnknown() || refused.statusCode().filter(c -> c == 400 || c == 409).isEmpty()) {
        throw refused;
      }
      RemoteJob now = job(jobId);
      if (now.status() instanceof dev.tunekit.model.JobStatus.Cancelled) {
        return now;
      }
      throw refused;
    }
  }

  @Override
  public RemoteJob pause(String jobId) {
    return call("pausing job " + jobId, () -> OpenAiMapping.job(client.fineTuning().jobs().pause(jobId)));
  }

  @Override
  public RemoteJob resume(String jobId) {
    return call("resuming job " + jobId, () -> OpenAiMapping.job(client.fineTuning().jobs().resume(jobId)));
  }

  // ---------------------------------------------------------------- capabilities

  /**
   * Chat, pause and resume, and checkpoints on every flavor (the embedded local server has them too).
   * Deployments on Azure only: Azure OpenAI serves a tuned model only through a deployment, which this
   * provider makes through Azure Resource Manager ({@link AzureDeployments}); OpenAI and OpenAI-compatible
   * servers serve it at once. Webhook verification on OpenAI only, through openai-java's own verifier.
   */
  @Override
  public <C extends Capability> Optional<C> capability(Class<C> type) {
    if (type == Deployments.class) {
      return azureDeployments != null ? Optional.of(type.cast(azureDeployments)) : Optional.empty();
    }
    if (type == WebhookVerification.class) {
      return config.flavor() == OpenAiConfig.Flavor.OPENAI ? Optional.of(type.cast(webhooks)) : Optional.empty();
    }
    return TuningProvider.super.capability(type);
  }

  // ---------------------------------------------------------------- chat

  @Override
  public ChatResponse chat(ChatRequest request) {
    ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(request.model());
    if (request.messages().isEmpty()) {
      throw new InvalidInputException("A chat request needs at least one message.");
    }
    for (ChatMessage m : request.messages()) {
      switch (m.role()) {
        case "system": b.addSystemMessage(m.content()); break;
        case "developer": b.addDeveloperMessage(m.content()); break;
        case "user": b.addUserMessage(m.content()); break;
        case "assistant": b.addAssistantMessage(m.content()); break;
        default:
          throw new InvalidInputException("Chat message role '" + m.role() + "' is not supported for evaluation "
              + "requests; use system, user or assistant.");
      }
    }
    request.temperature().ifPresent(b::temperature);
    request.seed().ifPresent(b::seed);
    request.maxTokens().ifPresent(n -> {
      // Self-hosted servers widely accept max_tokens; OpenAI and Azure want max_completion_tokens.
      if (config.flavor() == OpenAiConfig.Flavor.COMPATIBLE) {
        b.maxTokens((long) n);
      } else {
        b.maxCompletionTokens((long) n);
      }
    });
    ChatCompletionCreateParams params = b.build();
    return call("asking " + request.model() + " for a chat completion", () -> {
      ChatCompletion c = client.chat().completions().create(params);
      List<ChatCompletion.Choice> choices = c._choices().asKnown().orElse(List.of());
      if (choices.isEmpty()) {
        throw ProviderException.builder(name(), name() + " returned a chat completion with no choices for "
            + request.model() + ".").retryable(false).build();
      }
      ChatCompletion.Choice first = choices.get(0);
      String content = first.message().content().or(() -> first.message().refusal()).orElse("");
      String finish = first._finishReason().asKnown().map(ChatCompletion.Choice.FinishReason::asString)
          .or(() -> first._finishReason().asString()).orElse("unknown");
      long in = c.usage().map(u -> u._promptTokens().asKnown().orElse(-1L)).orElse(-1L);
      long out = c.usage().map(u -> u._completionTokens().asKnown().orElse(-1L)).orElse(-1L);
      return new ChatResponse(c._model().asKnown().orElse(request.model()), content, finish, in, out);
    });
  }

  // ---------------------------------------------------------------- plumbing

  private <T> T call(String what, Supplier<T> op) {
    try {
      return op.get();
    } catch (RuntimeException e) {
      throw errors.translate(what, e);
    }
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "OpenAiTuningProvider{" + config + "}";
  }
}
