package dev.tunekit.vertex;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.google.genai.Client;
import com.google.genai.types.CancelTuningJobConfig;
import com.google.genai.types.Candidate;
import com.google.genai.types.Content;
import com.google.genai.types.CreateTuningJobConfig;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.google.genai.types.ListTuningJobsConfig;
import com.google.genai.types.Part;
import com.google.genai.types.TunedModelCheckpoint;
import com.google.genai.types.TuningDataset;
import com.google.genai.types.TuningJob;
import com.google.genai.types.TuningValidationDataset;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.Cursors;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TuningProvider;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Gemini supervised tuning on Vertex AI, through Google's Gen AI SDK ({@code Client.tunings},
 * {@code Client.models.generateContent}) with the datasets in Cloud Storage ({@link GcsDatasets}).
 *
 * <p>Credentials are Application Default Credentials only, resolved once before the first call. One retry
 * layer: the Gen AI client is built with one attempt and Cloud Storage with no retries; the core retries.
 * Idempotency: Vertex has no request id on tuning jobs, so the job carries the label {@code tunekit-key}
 * (a hash of the run's key) and {@link #findJob} lists jobs with that label filter.
 *
 * <p>A tuned Gemini model is served by the endpoint the tuning job creates: a succeeded job's model is that
 * endpoint (the model resource is in the job's metadata as {@code tunedModel}), so "deploy" makes no call
 * and chat (evaluation) goes to the endpoint through the same {@code generateContent} path as the base model.
 */
final class VertexProvider implements TuningProvider, Chat {
  /** Where Application Default Credentials come from, as a seam for tests. */
  interface CredentialsSource {
    GoogleCredentials get() throws IOException;
  }

  static final String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

  private final VertexConfig config;
  private final CredentialsSource credentialsSource;
  private final Storage givenStorage;
  private GoogleCredentials credentials;
  private Client client;
  private Storage storage;
  private GcsDatasets datasets;

  VertexProvider(VertexConfig config, CredentialsSource credentials, Storage storage) {
    this.config = config;
    this.credentialsSource = credentials;
    this.givenStorage = storage;
  }

  @Override
  public String name() {
    return config.settings().name();
  }

  // ---------------------------------------------------------------- credentials and clients

  /**
   * Resolves Application Default Credentials once, before anything is sent. None found is an
   * {@link dev.tunekit.error.AuthenticationException} with a one-line message.
   */
  synchronized GoogleCredentials requireCredentials() {
    if (credentials == null) {
      try {
        GoogleCredentials c = credentialsSource.get();
        credentials = c.createScopedRequired() ? c.createScoped(List.of(CLOUD_PLATFORM)) : c;
      } catch (IOException | RuntimeException e) {
        throw ProviderException.builder(VertexErrors.PROVIDER, "No Google Application Default Credentials found for"
                + " provider " + name() + " (nothing was sent). Set GOOGLE_APPLICATION_CREDENTIALS to a service"
                + " account key file, or run gcloud auth application-default login.")
            .cause(e).buildAuthentication();
      }
    }
    return credentials;
  }

  private synchronized Client client() {
    if (client == null) {
      GoogleCredentials creds = requireCredentials();
      HttpOptions.Builder http = HttpOptions.builder().apiVersion("v1")
          // One retry layer: the core's. The Gen AI SDK must make exactly one attempt per call.
          .retryOptions(HttpRetryOptions.builder().attempts(1).build());
      config.endpoint().ifPresent(u -> http.baseUrl(u.toString()));
      config.callTimeout().ifPresent(t -> http.timeout((int) Math.min(Integer.MAX_VALUE, t.toMillis())));
      client = Client.builder().vertexAI(true).project(config.requireProject()).location(config.location())
          .credentials(creds).httpOptions(http.build()).build();
    }
    return client;
  }

  private synchronized GcsDatasets datasets() {
    if (datasets == null) {
      if (givenStorage != null) {
        storage = givenStorage;
      } else {
        storage = StorageOptions.newBuilder().setProjectId(config.requireProject()).setCredentials(requireCredentials())
            .setRetrySettings(ServiceOptions.getNoRetrySettings()).build().getService();
      }
      datasets = new GcsDatasets(storage, config);
    }
    return datasets;
  }

  private <T> T call(String op, boolean write, Callable<T> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw VertexErrors.translate(e, op, write);
    }
  }

  // ---------------------------------------------------------------- preflight and formats

  /** {@link VertexPreflight}; when it finds nothing, also that credentials resolve (nothing is sent). */
  @Override
  public List<PreflightProblem> preflight(JobPlan plan) {
    List<PreflightProblem> problems = VertexPreflight.check(config, plan);
    if (problems.isEmpty()) {
      requireCredentials();
    }
    return problems;
  }

  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    if (kind == DatasetKind.PREFERENCE) {
      throw new InvalidInputException("Gemini supervised tuning on Vertex AI does not train on preference pairs (DPO);"
          + " use a chat dataset, or a provider that supports DPO (openai, local)");
    }
    return GeminiFormat.FORMAT;
  }

  // ---------------------------------------------------------------- files

  @Override
  public Optional<RemoteFile> findFile(FileUpload upload) {
    config.requireBucket();
    requireCredentials();
    return datasets().find(upload);
  }

  @Override
  public RemoteFile upload(FileUpload upload) {
    config.requireBucket();
    requireCredentials();
    return datasets().upload(upload);
  }

  // ---------------------------------------------------------------- jobs

  @Override
  public RemoteJob createJob(JobRequest req) {
    requireGcs("training file", req.trainingFileId());
    req.validationFileId().ifPresent(v -> requireGcs("validation file", v));
    String base = GeminiFormat.CATALOG.canonicalId(req.baseModel()).orElse(req.baseModel());
    CreateTuningJobConfig.Builder b = CreateTuningJobConfig.builder()
        .tunedModelDisplayName(Names.displayName(req.suffix().orElse(req.runId())))
        .labels(labels(req));
    req.validationFileId().ifPresent(v -> b.validationDataset(TuningValidationDataset.builder().gcsUri(v).build()));
    req.hyperparameters().epochs().ifPresent(b::epochCount);
    req.hyperparameters().learningRateMultiplier().ifPresent(m -> b.learningRateMultiplier((float) m));
    req.hyperparameters().extra("adapterSize").ifPresent(a -> {
      Integer size = VertexPreflight.adapterSize(a);
      if (size == null) {
        throw new InvalidInputException("adapterSize '" + a + "' is not 1, 2, 4, 8, 16 or 32");
      }
      b.adapterSize(VertexPreflight.adapterSizeEnum(size));
    });
    TuningDataset training = TuningDataset.builder().gcsUri(req.trainingFileId()).build();
    Client c = client();
    TuningJob job = call("tuningJobs.create", true, () -> c.tunings.tune(base, training, b.build()));
    RemoteJob r = JobMapper.toRemoteJob(job, base);
    Map<String, String> md = new LinkedHashMap<>(req.metadata());
    md.putAll(r.metadata());
    md.put(JobRequest.IDEMPOTENCY_METADATA_KEY, req.idempotencyKey());
    return r.toBuilder().metadata(md).build();
  }

  /** The configured labels, the run id and the key's hash (the lookup label). */
  Map<String, String> labels(JobRequest req) {
    Map<String, String> labels = new LinkedHashMap<>(config.labels());
    labels.put(Names.RUN_LABEL, Names.labelValue(req.runId()));
    labels.put(Names.KEY_LABEL, Names.keyLabel(req.idempotencyKey()));
    return labels;
  }

  private static void requireGcs(String what, String id) {
    if (!id.startsWith("gs://")) {
      throw new InvalidInputException(what + " must be a gs:// URI returned by upload(), was '" + id + "'");
    }
  }

  /** Lists the jobs labelled with the key's hash (every page) and returns the newest; empty when none. */
  @Override
  public Optional<RemoteJob> findJob(String idempotencyKey) {
    String label = Names.keyLabel(idempotencyKey);
    Client c = client();
    return call("tuningJobs.list", false, () -> {
      TuningJob found = null;
      for (TuningJob j : c.tunings.list(ListTuningJobsConfig.builder().pageSize(100)
          .filter("labels." + Names.KEY_LABEL + "=" + label).build())) {
        // The filter is the server's; the label is checked here too, so a server that ignores it finds nothing wrong.
        if (label.equals(j.labels().orElse(Map.of()).get(Names.KEY_LABEL))
            && (found == null || j.createTime().orElse(Instant.EPOCH).isAfter(found.createTime().orElse(Instant.EPOCH)))) {
          found = j;
        }
      }
      if (found == null) {
        return Optional.<RemoteJob>empty();
      }
      RemoteJob r = JobMapper.toRemoteJob(found, found.baseModel().orElse("unknown"));
      return Optional.of(r.toBuilder().putMetadata(JobRequest.IDEMPOTENCY_METADATA_KEY, idempotencyKey).build());
    });
  }

  @Override
  public RemoteJob job(String jobId) {
    TuningJob j = getJob(jobId);
    return JobMapper.toRemoteJob(j, j.baseModel().orElse("unknown"));
  }

  private TuningJob getJob(String jobId) {
    Client c = client();
    return call("tuningJobs.get " + jobId, false, () -> c.tunings.get(jobId, null));
  }

  /** Derived from the job (created, started, each checkpoint, its end); re-read each time, never re-delivered. */
  @Override
  public Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    return Cursors.byId(JobMapper.events(getJob(jobId)), JobEvent::id, after);
  }

  /**
   * One point per saved checkpoint, with its step and no loss: Vertex reports the loss curve to Vertex AI
   * Experiments, which Tunekit does not read.
   */
  @Override
  public Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    return metrics(getJob(jobId), after);
  }

  private static Page<MetricPoint> metrics(TuningJob j, Optional<Cursor> after) {
    List<MetricPoint> points = new ArrayList<>();
    for (TunedModelCheckpoint cp : j.tunedModel().flatMap(t -> t.checkpoints()).orElse(List.of())) {
      cp.step().ifPresent(s -> points.add(new MetricPoint(s, java.util.OptionalDouble.empty(),
          java.util.OptionalDouble.empty(), java.util.OptionalDouble.empty(), java.util.OptionalDouble.empty())));
    }
    points.sort(java.util.Comparator.comparingLong(MetricPoint::step));
    return Cursors.byStep(points, after);
  }

  /** One poll in one request: the job, its events and its metrics all come from {@code tuningJobs.get}, read once. */
  @Override
  public dev.tunekit.spi.JobProgress progress(String jobId, Optional<Cursor> eventsAfter, Optional<Cursor> metricsAfter) {
    TuningJob j = getJob(jobId);
    return new dev.tunekit.spi.JobProgress(JobMapper.toRemoteJob(j, j.baseModel().orElse("unknown")),
        Cursors.byId(JobMapper.events(j), JobEvent::id, eventsAfter), metrics(j, metricsAfter));
  }

  /** Best effort: a finished job is returned as it is; a refused cancel re-reads the job. */
  @Override
  public RemoteJob cancel(String jobId) {
    RemoteJob before = job(jobId);
    if (before.status().isTerminal()) {
      return before;
    }
    Client c = client();
    try {
      call("tuningJobs.cancel " + jobId, true, () -> c.tunings.cancel(jobId, CancelTuningJobConfig.builder().build()));
    } catch (ProviderException e) {
      if (e.retryable() || e.statusCode().orElse(0) != 400) {
        throw e;
      }
      // FAILED_PRECONDITION: it finished or is already being cancelled meanwhile; say where it is.
    }
    return job(jobId);
  }

  // ---------------------------------------------------------------- chat

  @Override
  public ChatResponse chat(ChatRequest request) {
    List<Part> system = new ArrayList<>();
    List<Content> contents = new ArrayList<>();
    for (ChatMessage m : request.messages()) {
      switch (m.role()) {
        case "system" -> system.add(Part.fromText(m.content()));
        case "user" -> contents.add(Content.builder().role("user").parts(Part.fromText(m.content())).build());
        case "assistant" -> contents.add(Content.builder().role("model").parts(Part.fromText(m.content())).build());
        default -> throw new InvalidInputException("chat message role '" + m.role() + "' has no Gemini equivalent;"
            + " use system, user or assistant");
      }
    }
    if (contents.isEmpty()) {
      throw new InvalidInputException("a chat request needs at least one user message");
    }
    GenerateContentConfig.Builder cfg = GenerateContentConfig.builder();
    if (!system.isEmpty()) {
      cfg.systemInstruction(Content.builder().role("system").parts(system).build());
    }
    request.temperature().ifPresent(t -> cfg.temperature(t.floatValue()));
    request.maxTokens().ifPresent(cfg::maxOutputTokens);
    request.seed().ifPresent(s -> cfg.seed((int) (long) s));
    Client c = client();
    GenerateContentResponse r = call("generateContent on " + request.model(), false,
        () -> c.models.generateContent(request.model(), contents, cfg.build()));
    StringBuilder text = new StringBuilder();
    String finish = "unknown";
    List<Candidate> candidates = r.candidates().orElse(List.of());
    if (!candidates.isEmpty()) {
      Candidate first = candidates.get(0);
      first.content().flatMap(Content::parts).orElse(List.of())
          .forEach(p -> p.text().ifPresent(text::append));
      finish = first.finishReason().map(f -> finishReason(f.toString())).orElse("unknown");
    }
    long in = r.usageMetadata().flatMap(u -> u.promptTokenCount()).map(Integer::longValue).orElse(-1L);
    long out = r.usageMetadata().flatMap(u -> u.candidatesTokenCount()).map(Integer::longValue).orElse(-1L);
    return new ChatResponse(request.model(), text.toString(), finish, in, out);
  }

  static String finishReason(String raw) {
    return switch (raw) {
      case "STOP" -> "stop";
      case "MAX_TOKENS" -> "length";
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII" -> "content_filter";
      default -> raw.toLowerCase(java.util.Locale.ROOT);
    };
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
    }
    if (storage != null && givenStorage == null) {
      try {
        storage.close();
      } catch (Exception e) {
        // closing releases threads only; nothing to report
      }
    }
  }

  @Override
  public String toString() {
    return "VertexProvider{" + config + "}";
  }
}
