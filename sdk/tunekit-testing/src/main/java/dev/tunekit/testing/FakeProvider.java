package dev.tunekit.testing;

import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.ProviderException;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.Cursors;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.WebhookVerification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * An in-memory {@link TuningProvider} for tests: scripted job states, injected failures (before or
 * after the call takes effect), call counters, and a hook inside {@code createJob}. Thread-safe.
 * Register an instance with {@link #register(String, FakeProvider)} and select it in config with
 * {@code provider: fake} and setting {@code instance: <id>}, so several Tunekit instances (simulating
 * processes) share one "remote" provider.
 *
 * <p>Default job script: validating_files → queued → running (3 steps, one metric and one
 * {@code Step n/3} event each) → succeeded with model {@code ft:<base>:fake:<job>}. The first
 * {@link #job(String)} call returns the state the job was created in; each later call advances it one
 * step; the last state repeats.
 */
public final class FakeProvider implements TuningProvider, Chat, Deployments, WebhookVerification {

  /** The operations that can be counted and made to fail. */
  public enum Op { FIND_FILE, UPLOAD, CREATE_JOB, FIND_JOB, JOB, EVENTS, METRICS, CANCEL, DEPLOY, DEPLOYMENT, UNDEPLOY,
    CHAT }

  private static final Map<String, FakeProvider> INSTANCES = new ConcurrentHashMap<>();

  private final String name;
  private final Map<Op, Integer> calls = new EnumMap<>(Op.class);
  private final Map<Op, Deque<Supplier<RuntimeException>>> failBefore = new EnumMap<>(Op.class);
  private final Map<Op, Deque<Supplier<RuntimeException>>> failAfter = new EnumMap<>(Op.class);
  private final Map<String, RemoteFile> files = new LinkedHashMap<>();
  private final Map<String, FakeJob> jobs = new LinkedHashMap<>();
  private final List<JobRequest> createRequests = new ArrayList<>();
  private final List<Op> callLog = new ArrayList<>();
  private final List<ChatRequest> chatRequests = new ArrayList<>();
  private final List<dev.tunekit.spi.JobPlan> plans = new ArrayList<>();
  private java.util.function.Function<dev.tunekit.spi.JobPlan, List<dev.tunekit.spi.PreflightProblem>> preflight =
      plan -> List.of();
  private volatile Runnable createHook = () -> {};
  private volatile Runnable uploadHook = () -> {};
  private boolean deploymentsOnly;
  private final List<String> undeployed = new ArrayList<>();
  private final List<Map<String, Object>> deployOptions = new ArrayList<>();
  private List<JobStatus> script;
  private int fileSeq;
  private int jobSeq;
  private int closed;
  private ProviderSettings settings;
  private final java.util.Set<Class<?>> hidden = new java.util.HashSet<>();
  private final List<Optional<Cursor>> eventCursors = new ArrayList<>();
  private final List<Optional<Cursor>> metricCursors = new ArrayList<>();

  private static final class FakeJob {
    final String id;
    final JobRequest request;
    final List<JobEvent> events = new ArrayList<>();
    final List<MetricPoint> metrics = new ArrayList<>();
    int index;
    boolean polled;
    JobStatus status;

    FakeJob(String id, JobRequest request, JobStatus first) {
      this.id = id;
      this.request = request;
      this.status = first;
    }
  }

  /** A fake named {@code fake}. */
  public FakeProvider() {
    this("fake");
  }

  /** A fake with this provider name. */
  public FakeProvider(String name) {
    this.name = name;
  }

  /** Makes {@code provider} the one that config setting {@code instance: id} selects. */
  public static FakeProvider register(String id, FakeProvider provider) {
    INSTANCES.put(id, provider);
    return provider;
  }

  /** Forgets a registered instance. */
  public static void unregister(String id) {
    INSTANCES.remove(id);
  }

  static Optional<FakeProvider> registered(String id) {
    return Optional.ofNullable(INSTANCES.get(id));
  }

  /** Replaces the job script: each poll moves a job to the next state; the last repeats. */
  public synchronized FakeProvider script(JobStatus... states) {
    this.script = List.of(states);
    return this;
  }

  /** The next call of {@code op} fails with {@code failure} before taking effect. */
  public synchronized FakeProvider failNext(Op op, RuntimeException failure) {
    failBefore.computeIfAbsent(op, k -> new ArrayDeque<>()).add(() -> failure);
    return this;
  }

  /** The next {@code times} calls of {@code op} fail with a fresh exception from {@code failure}. */
  public synchronized FakeProvider failNext(Op op, int times, Supplier<RuntimeException> failure) {
    for (int i = 0; i < times; i++) {
      failBefore.computeIfAbsent(op, k -> new ArrayDeque<>()).add(failure);
    }
    return this;
  }

  /**
   * The next call of {@code op} takes effect (the file or job exists afterwards) and then fails with
   * {@code failure} — a timeout after sending, or a crash before the caller recorded the result.
   */
  public synchronized FakeProvider commitThenFail(Op op, RuntimeException failure) {
    failAfter.computeIfAbsent(op, k -> new ArrayDeque<>()).add(() -> failure);
    return this;
  }

  /** Runs inside each {@code createJob}, before it takes effect, outside the fake's lock (to block or count). */
  public FakeProvider onCreateJob(Runnable hook) {
    this.createHook = hook;
    return this;
  }

  /**
   * What {@link #preflight} answers from now on: the problems {@code check} finds in a plan (by default
   * none). The plans asked about are kept ({@link #preflightPlans()}).
   */
  public synchronized FakeProvider preflightWith(
      java.util.function.Function<dev.tunekit.spi.JobPlan, List<dev.tunekit.spi.PreflightProblem>> check) {
    this.preflight = java.util.Objects.requireNonNull(check, "check");
    return this;
  }

  /** Runs inside each {@code upload}, before it takes effect, outside the fake's lock (to block or count). */
  public FakeProvider onUpload(Runnable hook) {
    this.uploadHook = hook;
    return this;
  }

  /**
   * Serves tuned models only through deployments, like Bedrock: {@code deploy} creates deployment
   * {@code ft:deployed:<name>} (active at once), and a chat to a tuned model id ({@code ft:…}) that is
   * not a deployment fails with 404.
   */
  public synchronized FakeProvider servesTunedModelsOnlyThroughDeployments() {
    this.deploymentsOnly = true;
    return this;
  }

  /** The cursor passed to every {@code events} call, in order. */
  public synchronized List<Optional<Cursor>> eventCursors() {
    return List.copyOf(eventCursors);
  }

  /** The cursor passed to every {@code metrics} call, in order. */
  public synchronized List<Optional<Cursor>> metricCursors() {
    return List.copyOf(metricCursors);
  }

  /** The options of every {@code deploy} call, in order. */
  public synchronized List<Map<String, Object>> deployOptions() {
    return List.copyOf(deployOptions);
  }

  /** Deployment ids removed with {@code undeploy}, in order. */
  public synchronized List<String> undeployed() {
    return List.copyOf(undeployed);
  }

  /** How many times {@code op} was called (failed calls included). */
  public synchronized int calls(Op op) {
    return calls.getOrDefault(op, 0);
  }

  /** Every call, in the order made (failed calls included): to assert what happened before what. */
  public synchronized List<Op> callLog() {
    return List.copyOf(callLog);
  }

  /** Every chat request received, in order. */
  public synchronized List<ChatRequest> chatRequests() {
    return List.copyOf(chatRequests);
  }

  /** Jobs that exist on this fake "remote". */
  public synchronized int jobCount() {
    return jobs.size();
  }

  /** Files that exist on this fake "remote". */
  public synchronized int fileCount() {
    return files.size();
  }

  /** Every request that created a job, in order. */
  public synchronized List<JobRequest> createdJobs() {
    return List.copyOf(createRequests);
  }

  /** How many times {@link #close()} was called. */
  public synchronized int closeCount() {
    return closed;
  }

  /** The settings the factory created this provider with, if it was created through config. */
  public synchronized Optional<ProviderSettings> settings() {
    return Optional.ofNullable(settings);
  }

  synchronized void settings(ProviderSettings s) {
    this.settings = s;
  }

  // ------------------------------------------------------------------ provider-like exceptions

  /** What a real provider module throws for this HTTP status (retryable for 408/409/429/5xx; 5xx outcome unknown). */
  public static ProviderException http(int status) {
    ProviderException.Builder b = ProviderException.builder("fake", "fake provider answered HTTP " + status)
        .statusCode(status);
    if (status == 401 || status == 403) {
      return b.buildAuthentication();
    }
    if (status == 404) {
      return b.buildNotFound();
    }
    if (status == 429) {
      return b.buildRateLimited();
    }
    boolean transientFailure = status == 408 || status == 409 || status >= 500;
    return b.retryable(transientFailure).outcomeUnknown(status >= 500).build();
  }

  /** A 429 with a Retry-After. */
  public static ProviderException rateLimited(Duration retryAfter) {
    return ProviderException.builder("fake", "rate limited; retry after " + retryAfter).statusCode(429)
        .retryAfter(retryAfter).buildRateLimited();
  }

  /** A read timeout after the request was sent: retryable, outcome unknown. */
  public static ProviderException timeoutAfterSend() {
    return ProviderException.builder("fake", "read timed out after the request was sent").retryable(true)
        .outcomeUnknown(true).build();
  }

  // ------------------------------------------------------------------ TuningProvider

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized List<dev.tunekit.spi.PreflightProblem> preflight(dev.tunekit.spi.JobPlan plan) {
    plans.add(plan); // not an Op: it makes no remote call, so it is neither counted nor failed
    return preflight.apply(plan);
  }

  /** The plans {@link #preflight} was asked about, oldest first. */
  public synchronized List<dev.tunekit.spi.JobPlan> preflightPlans() {
    return List.copyOf(plans);
  }

  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    return DatasetFormat.neutral(kind);
  }

  @Override
  public synchronized Optional<RemoteFile> findFile(FileUpload upload) {
    enter(Op.FIND_FILE);
    return files.values().stream()
        .filter(f -> f.fileName().equals(upload.fileName()) && f.sizeBytes() == upload.sizeBytes()).findFirst();
  }

  @Override
  public RemoteFile upload(FileUpload upload) {
    synchronized (this) {
      enter(Op.UPLOAD);
    }
    uploadHook.run();
    synchronized (this) {
      RemoteFile f = RemoteFile.builder().id("file-" + (++fileSeq)).fileName(upload.fileName())
          .sizeBytes(upload.sizeBytes()).build();
      files.put(f.id(), f);
      leave(Op.UPLOAD);
      return f;
    }
  }

  @Override
  public RemoteJob createJob(JobRequest request) {
    synchronized (this) {
      enter(Op.CREATE_JOB);
    }
    createHook.run();
    synchronized (this) {
      if (!files.containsKey(request.trainingFileId())) {
        throw ProviderException.builder(name, "training file " + request.trainingFileId() + " does not exist")
            .statusCode(400).build();
      }
      List<JobStatus> s = script == null ? defaultScript(request.baseModel(), "ftjob-" + (jobSeq + 1)) : script;
      FakeJob job = new FakeJob("ftjob-" + (++jobSeq), request, s.get(0));
      jobs.put(job.id, job);
      createRequests.add(request);
      event(job, "Created fine-tuning job " + job.id);
      leave(Op.CREATE_JOB);
      return snapshot(job);
    }
  }

  @Override
  public synchronized Optional<RemoteJob> findJob(String idempotencyKey) {
    enter(Op.FIND_JOB);
    return jobs.values().stream().filter(j -> j.request.idempotencyKey().equals(idempotencyKey)).findFirst()
        .map(this::snapshot);
  }

  @Override
  public synchronized RemoteJob job(String jobId) {
    enter(Op.JOB);
    FakeJob job = existing(jobId);
    List<JobStatus> s = script == null ? defaultScript(job.request.baseModel(), job.id) : script;
    boolean first = !job.polled;
    job.polled = true;
    if (!first && !job.status.isTerminal() && job.index < s.size() - 1) {
      job.index++;
      JobStatus next = s.get(job.index);
      boolean changed = !next.raw().equals(job.status.raw());
      job.status = next;
      if (changed) {
        event(job, "Job entered state " + next.raw());
      }
      if (next instanceof JobStatus.Running) {
        long step = job.metrics.size() + 1;
        double loss = 2.0 / (step + 1);
        job.metrics.add(MetricPoint.trainLoss(step, loss));
        event(job, String.format(java.util.Locale.ROOT, "Step %d/%d: training loss=%.4f", step, runningSteps(s), loss));
      }
    }
    return snapshot(job);
  }

  @Override
  public synchronized Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    enter(Op.EVENTS);
    eventCursors.add(after);
    return Cursors.byIndex(List.copyOf(existing(jobId).events), after);
  }

  @Override
  public synchronized Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    enter(Op.METRICS);
    metricCursors.add(after);
    return Cursors.byIndex(List.copyOf(existing(jobId).metrics), after);
  }

  /**
   * Hides capabilities, as a provider without them would: {@link #capability(Class)} answers empty for
   * these types (for example {@code Chat.class} for a training-only backend).
   */
  @SafeVarargs
  public final synchronized FakeProvider without(Class<? extends Capability>... types) {
    hidden.addAll(List.of(types));
    return this;
  }

  @Override
  public synchronized <C extends Capability> Optional<C> capability(Class<C> type) {
    return hidden.contains(type) ? Optional.empty() : TuningProvider.super.capability(type);
  }

  @Override
  public synchronized RemoteJob cancel(String jobId) {
    enter(Op.CANCEL);
    FakeJob job = existing(jobId);
    if (!job.status.isTerminal()) {
      job.status = new JobStatus.Cancelled("cancelled");
      event(job, "Job cancelled");
    }
    return snapshot(job);
  }

  @Override
  public synchronized Deployment deploy(String modelId, String deploymentName, Map<String, Object> options) {
    enter(Op.DEPLOY);
    deployOptions.add(Map.copyOf(options));
    if (deploymentsOnly) {
      return Deployment.builder().id("dep-" + deploymentName).modelId(modelId)
          .inferenceModel("ft:deployed:" + deploymentName).state(Deployment.State.ACTIVE).rawState("Active").build();
    }
    return Deployment.immediate(modelId);
  }

  @Override
  public synchronized Deployment deployment(String deploymentId) {
    enter(Op.DEPLOYMENT);
    return Deployment.immediate(deploymentId);
  }

  @Override
  public synchronized void undeploy(String deploymentId) {
    enter(Op.UNDEPLOY);
    undeployed.add(deploymentId);
  }

  @Override
  public synchronized ChatResponse chat(ChatRequest request) {
    enter(Op.CHAT);
    chatRequests.add(request);
    if (deploymentsOnly && request.model().startsWith("ft:") && !request.model().startsWith("ft:deployed:")) {
      throw ProviderException.builder(name, "model " + request.model() + " is not deployed").statusCode(404)
          .buildNotFound();
    }
    String last = request.messages().isEmpty() ? "" : request.messages().get(request.messages().size() - 1).content();
    return new ChatResponse(request.model(), request.model() + " says: " + last, "stop", 1, 1);
  }

  /**
   * A fake of OpenAI's signing, without its checks' detail (those are tested against openai-java's
   * verifier in the OpenAI module): {@code webhook-id}, {@code webhook-timestamp} within the tolerance,
   * and {@code webhook-signature} = {@code v1,} base64 HMAC-SHA256 of {@code id.timestamp.body} with
   * the secret (base64 after {@code whsec_}) from the options, else from setting {@code webhookSecret}.
   * Reads {@code type} and {@code data.id} from the body.
   */
  @Override
  public VerifiedWebhook verify(Map<String, String> headers, byte[] body, Options options) {
    Map<String, String> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.putAll(headers);
    String id = h.get("webhook-id");
    String ts = h.get("webhook-timestamp");
    String sig = h.get("webhook-signature");
    if (id == null || ts == null || sig == null) {
      throw new Rejected("missing header", 400);
    }
    long sent;
    try {
      sent = Long.parseLong(ts.trim());
    } catch (NumberFormatException e) {
      throw new Rejected("webhook-timestamp is not a number of seconds since the epoch", 400);
    }
    long skew = Math.abs(options.clock().instant().getEpochSecond() - sent);
    if (skew > options.tolerance().getSeconds()) {
      throw new Rejected("webhook-timestamp outside the tolerance", 401);
    }
    String secret = options.secret().or(() -> settings().flatMap(st -> st.secret("webhookSecret")))
        .orElseThrow(() -> new dev.tunekit.error.InvalidInputException("no webhook secret for provider " + name
            + ": set its webhookSecret setting or pass the secret in WebhookVerification.Options"))
        .reveal();
    byte[] key = secret.startsWith("whsec_") ? java.util.Base64.getDecoder().decode(secret.substring(6))
        : secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (!java.util.Arrays.asList(sig.trim().split("\\s+")).contains(sign(key, id, sent, body))) {
      throw new Rejected("no webhook-signature matches", 401);
    }
    String json = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    java.util.regex.Matcher type = java.util.regex.Pattern.compile("\"type\":\"([^\"]+)\"").matcher(json);
    java.util.regex.Matcher job = java.util.regex.Pattern.compile("\"data\":\\{\"id\":\"([^\"]+)\"").matcher(json);
    String t = type.find() ? type.group(1) : "(none)";
    Optional<String> jobId = job.find() ? Optional.of(job.group(1)) : Optional.empty();
    return new VerifiedWebhook(id, t, jobId, t.startsWith("fine_tuning.job.") && jobId.isPresent()
        && java.util.Set.of("succeeded", "failed", "cancelled").contains(t.substring("fine_tuning.job.".length())));
  }

  /** {@code v1,<base64 HMAC-SHA256 of id.timestamp.body>}, as OpenAI signs deliveries. */
  public static String sign(byte[] key, String id, long timestamp, byte[] body) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "v1," + java.util.Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    closed++;
  }

  // ------------------------------------------------------------------ internals

  private static List<JobStatus> defaultScript(String baseModel, String jobId) {
    return List.of(new JobStatus.Validating("validating_files"), new JobStatus.Queued("queued"),
        new JobStatus.Running("running"), new JobStatus.Running("running"), new JobStatus.Running("running"),
        new JobStatus.Succeeded("succeeded", Optional.of("ft:" + baseModel + ":fake:" + jobId)));
  }

  private static long runningSteps(List<JobStatus> s) {
    return s.stream().filter(x -> x instanceof JobStatus.Running).count();
  }

  private void enter(Op op) {
    calls.merge(op, 1, Integer::sum);
    callLog.add(op);
    Deque<Supplier<RuntimeException>> q = failBefore.get(op);
    if (q != null && !q.isEmpty()) {
      throw q.poll().get();
    }
  }

  private void leave(Op op) {
    Deque<Supplier<RuntimeException>> q = failAfter.get(op);
    if (q != null && !q.isEmpty()) {
      throw q.poll().get();
    }
  }

  private FakeJob existing(String jobId) {
    FakeJob job = jobs.get(jobId);
    if (job == null) {
      throw ProviderException.builder(name, "no job " + jobId).statusCode(404).buildNotFound();
    }
    return job;
  }

  private void event(FakeJob job, String message) {
    job.events.add(new JobEvent(job.id + "-evt-" + (job.events.size() + 1), Instant.EPOCH.plusSeconds(job.events.size()),
        "info", message));
  }

  private RemoteJob snapshot(FakeJob job) {
    Map<String, String> metadata = new LinkedHashMap<>(job.request.metadata());
    metadata.put(JobRequest.IDEMPOTENCY_METADATA_KEY, job.request.idempotencyKey());
    return RemoteJob.builder().id(job.id).status(job.status).baseModel(job.request.baseModel())
        .createdAt(Instant.EPOCH).metadata(metadata).build();
  }

  @Override
  public String toString() {
    return "FakeProvider{" + name + ", jobs=" + jobs.size() + ", files=" + files.size() + "}";
  }
}
