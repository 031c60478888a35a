package dev.tunekit.internal;

import dev.tunekit.FineTune;
import dev.tunekit.Tunekit;
import dev.tunekit.dataset.InvalidDatasetException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.Run;
import dev.tunekit.RunInfo;
import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Sleeper;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TunekitException;

import dev.tunekit.dataset.ConvertedFile;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.dataset.PreparedDataset;
import dev.tunekit.dataset.ValidationOptions;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.RewardGrader;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.internal.engine.RunEvent;
import dev.tunekit.internal.engine.RunMachine;
import dev.tunekit.internal.engine.RunTransitions;
import dev.tunekit.internal.ledger.Ledger;
import dev.tunekit.internal.ledger.RunRepository.IfAbsent;
import dev.tunekit.internal.ledger.RunRepository.OrKeep;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.GateResult;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run workflow behind {@link Tunekit} and {@link Run}: validate → convert → upload (deduplicated
 * by content hash) → submit (idempotent) → poll → evaluate → gate → deploy, recording every step in
 * the {@link Ledger} before and after each remote call, and every state change through the
 * {@link RunMachine} (the steps here are its {@link RunMachine.Steps}; {@link #drive} runs them). Steps that create something remotely are claimed in the ledger
 * first, so two processes sharing a ledger never both do them, and an attempt that may have reached
 * the provider is always reconciled ({@code findFile}/{@code findJob}) before it is repeated.
 */
public final class Workflow implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Workflow.class);
  private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  public static final String RUN_METADATA_KEY = "tunekit_run_id";

  private final Config config;
  private final ResilientProvider provider;
  private final Ledger ledger;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration lease;
  private final Duration ledgerPoll;
  private final ExecutorService async;
  private final EvalHook evals;
  private final RunMachine machine;
  /** Threads holding a ledger claim on an upload or submission right now (they may be mid-create). */
  private final Set<Thread> claimHolders = ConcurrentHashMap.newKeySet();
  private final Set<Thread> asyncThreads = ConcurrentHashMap.newKeySet();
  private volatile Duration closeWait = Duration.ofSeconds(30);
  /** Guards {@link #closing} against a thread that is about to claim a paid step. */
  private final Object closeLock = new Object();
  private boolean closing; // guarded by closeLock
  /** Runs whose steps up to submission go on in the background ({@link #submit}), by run id, while they do. */
  private final Map<String, java.util.concurrent.CompletableFuture<Void>> background = new ConcurrentHashMap<>();
  /** Threads (Tunekit's or the caller's executor's) running background steps right now. */
  private final Set<Thread> backgroundThreads = ConcurrentHashMap.newKeySet();
  /** Listeners of runs whose background steps are running, told of every move. */
  private final Map<String, RunListener> watchers = new ConcurrentHashMap<>();

  /**
   * The chosen provider section's {@code model:}, the base model of a run whose {@code FineTune} names
   * none, with where it was set.
   */
  public java.util.Optional<String> configuredModel() {
    Object m = config.providerValues().get(SettingsCheck.MODEL);
    return m == null || String.valueOf(m).isBlank() ? java.util.Optional.empty()
        : java.util.Optional.of(String.valueOf(m).trim());
  }

  /**
   * The section's {@code maxPrice:} (USD), the cap of a run that does not call {@code FineTune.maxPrice}; a value
   * that is not a positive amount is an error naming its line.
   */
  public java.util.Optional<java.math.BigDecimal> configuredMaxPrice() {
    Object v = config.providerValues().get(SettingsCheck.MAX_PRICE);
    if (v == null || String.valueOf(v).isBlank()) {
      return java.util.Optional.empty();
    }
    String path = "providers." + config.provider() + "." + SettingsCheck.MAX_PRICE;
    try {
      java.math.BigDecimal usd = new java.math.BigDecimal(String.valueOf(v).trim());
      if (usd.signum() > 0) {
        return java.util.Optional.of(usd);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new dev.tunekit.error.InvalidInputException(path + ": maxPrice must be a positive amount in USD without a"
        + " currency sign, such as 25.00", config.locations().getOrDefault(path, config.source()));
  }

  /** The section's {@code fromCheckpoint:}, for a run that does not call {@code FineTune.fromCheckpoint}. */
  public java.util.Optional<String> configuredFromCheckpoint() {
    Object v = config.providerValues().get(SettingsCheck.FROM_CHECKPOINT);
    return v == null || String.valueOf(v).isBlank() ? java.util.Optional.empty()
        : java.util.Optional.of(String.valueOf(v).trim());
  }

  /** The chosen provider's name, as {@code provider:} says. */
  public String providerName() {
    return config.provider();
  }

  public Workflow(Config config, TuningProvider raw, Clock clock, Sleeper sleeper, Duration lease, Duration ledgerPoll) {
    this(config, raw, clock, sleeper, lease, ledgerPoll, config.ledgerUrl() != null
        ? dev.tunekit.internal.ledger.LedgerTarget.url(config.ledgerUrl(), System.getenv(),
            config.locations().getOrDefault("ledger", config.source()))
        : dev.tunekit.internal.ledger.LedgerTarget.file(config.ledger()));
  }

  /** As above, with the ledger opened from {@code ledgerTarget} (a file, a JDBC URL or a service's DataSource). */
  public Workflow(Config config, TuningProvider raw, Clock clock, Sleeper sleeper, Duration lease, Duration ledgerPoll,
      dev.tunekit.internal.ledger.LedgerTarget ledgerTarget) {
    this.config = config;
    this.clock = clock;
    this.sleeper = sleeper;
    this.lease = lease;
    this.ledgerPoll = ledgerPoll;
    this.provider = new ResilientProvider(raw, config.resilience(), clock, sleeper);
    try {
      this.ledger = ledgerTarget.open(clock);
    } catch (RuntimeException e) {
      raw.close();
      throw e;
    }
    this.evals = new EvalHook(ledger, provider, config.workDir(), config.evaluation());
    this.machine = new RunMachine(ledger);
    machine.onMove(this::moved);
    AtomicInteger n = new AtomicInteger();
    this.async = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "tunekit-run-" + n.incrementAndGet());
      t.setDaemon(true);
      asyncThreads.removeIf(x -> !x.isAlive());
      asyncThreads.add(t);
      return t;
    });
  }

  public Config config() {
    return config;
  }

  public TuningProvider provider() {
    return provider;
  }

  public Ledger ledger() {
    return ledger;
  }

  /** The provider behind the retry layer and circuit breaker. */
  public ResilientProvider resilient() {
    return provider;
  }

  public ExecutorService async() {
    return async;
  }

  public EvalHook evals() {
    return evals;
  }

  public Clock clock() {
    return clock;
  }

  public RunMachine machine() {
    return machine;
  }

  // ------------------------------------------------------------------ start and resume

  public String start(RunSpec spec, EvalHook.Plan plan) {
    String runId = record(spec);
    try {
      if (plan != null) {
        evals.attach(runId, spec, plan);
      }
      drive(runId);
    } catch (RuntimeException e) {
      throw startFailure(runId, e);
    }
    return runId;
  }

  private String record(RunSpec spec) {
    String runId = "run-" + RUN_TIME.format(clock.instant()) + "-"
        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    String key = "tk-" + java.util.UUID.randomUUID();
    ledger.insertRun(runId, provider.name(), spec.model(), key, spec.toJson(), RunTransitions.INITIAL);
    return runId;
  }

  /** The exception a failed start (or background submission) ends with: it names the run and what to do. */
  private RuntimeException startFailure(String runId, RuntimeException e) {
    if (e instanceof InvalidDatasetException || e instanceof PreflightException) {
      return e; // rejected for good, and it names the run already
    }
    if (e instanceof TunekitException te) {
      if (row(runId).state() == RunState.CANCELLED) {
        return te; // the user's own cancel: nothing to fix, nothing to resume
      }
      if (definite(te) || row(runId).state().isTerminal()) {
        // Invalid input or a refused request: resuming would send the same thing again; and a run that the
        // failure ended (REJECTED) cannot be resumed at all. Fix and start anew.
        return te.failedRun(runId);
      }
      // The run (and its idempotency key) is in the ledger: the caller must resume it, not start another.
      return te.resumeWith(runId);
    }
    return new TunekitException("Run " + runId + " failed: " + e, e).resumeWith(runId);
  }

  /**
   * {@code FineTune.submit}: records the run, validates its dataset and runs the provider's preflight here (bad input
   * fails now and nothing is sent), then returns the VALIDATED run's id while the baseline evaluation, the upload and
   * the job's creation go on in a task on {@code executor}. Every move is passed to {@code listener}
   * ({@link RunListener#onState}); a failure there is recorded in the run's error, passed to
   * {@link RunListener#onFailed}, and ends {@link #submitted(String)}'s future.
   */
  public String submit(RunSpec spec, EvalHook.Plan plan, RunListener listener, java.util.concurrent.Executor executor) {
    String runId = record(spec);
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    watchers.put(runId, listener);
    Prepared prepared;
    try {
      if (plan != null) {
        evals.attach(runId, spec, plan);
      }
      prepared = prepare(runId, spec);
      machine.fire(runId, RunEvent.VALIDATE, prepared.training().examples() + " training examples", Map.of());
      synchronized (closeLock) {
        if (closing) {
          throw new TunekitException("Tunekit is closing: run " + runId + " is validated but its upload and job were"
              + " not started.");
        }
        background.put(runId, done);
      }
    } catch (RuntimeException e) {
      watchers.remove(runId);
      if (!(e instanceof InvalidDatasetException || e instanceof PreflightException)) {
        ledger.setError(runId, e.getMessage());
      }
      throw startFailure(runId, e);
    }
    try {
      executor.execute(() -> inBackground(runId, prepared, listener, done));
    } catch (RuntimeException rejected) {
      String why = "the executor refused the run's background work (" + rejected + "); nothing was uploaded";
      ledger.setError(runId, why);
      finishBackground(runId, done, null);
      throw new TunekitException("Run " + runId + " is validated, but " + why + ".", rejected).resumeWith(runId);
    }
    return runId;
  }

  /** The background half of {@link #submit}: baseline, upload and job creation, recorded as {@code start()} does. */
  private void inBackground(String runId, Prepared prepared, RunListener listener,
      java.util.concurrent.CompletableFuture<Void> done) {
    backgroundThreads.add(Thread.currentThread());
    RuntimeException failure = null;
    try {
      provider.patiently(until -> safely(() -> listener.onProviderPaused(provider.name(), until)),
          () -> toSubmission(runId, prepared));
    } catch (RuntimeException e) {
      failure = startFailure(runId, e);
      LOG.warn("Run {}: its background steps stopped at {}: {}", runId, safeState(runId), failure.getMessage());
    } finally {
      backgroundThreads.remove(Thread.currentThread());
    }
    RuntimeException f = failure;
    if (f instanceof TunekitException te) {
      safely(() -> listener.onFailed(safeInfo(runId), te));
    }
    finishBackground(runId, done, f);
  }

  private void finishBackground(String runId, java.util.concurrent.CompletableFuture<Void> done, RuntimeException f) {
    watchers.remove(runId);
    background.remove(runId, done);
    if (f == null) {
      done.complete(null);
    } else {
      done.completeExceptionally(f);
    }
  }

  private RunState safeState(String runId) {
    try {
      return row(runId).state();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private RunInfo safeInfo(String runId) {
    try {
      return row(runId).info();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The run machine moved {@code runId}: tell the listener of its background steps, if it has one. */
  private void moved(String runId) {
    RunListener l = watchers.get(runId);
    if (l != null) {
      RunInfo info = safeInfo(runId);
      if (info != null) {
        safely(() -> l.onState(info));
      }
    }
  }

  /**
   * Completes once the run's job is created: at once for a run past submission, when the background steps of
   * {@link #submit} end for one that has them in this process, and exceptionally with the reason for a run that
   * ended before a job, or that has no job and nothing working on one here ({@code tk.resume} continues it).
   * Cancelling the returned future does not stop the background steps.
   */
  public java.util.concurrent.CompletableFuture<Void> submitted(String runId) {
    java.util.concurrent.CompletableFuture<Void> bg = background.get(runId);
    if (bg != null) {
      return bg.thenApply(v -> null); // a dependent: cancelling it leaves the background's own future alone
    }
    Ledger.RunRow row = row(runId);
    if (row.jobId() != null || !row.state().isBeforeSubmission() && !row.state().isTerminal()) {
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
    String why = row.state().isTerminal()
        ? "Run " + runId + " ended " + row.state() + " without a job" + (row.error() == null ? "." : ": " + row.error())
        : "Run " + runId + " has no job yet (" + row.state() + (row.error() == null ? "" : ", last error: "
            + row.error()) + ") and nothing in this process is submitting it. Continue it with tk.resume(\""
            + runId + "\").";
    return java.util.concurrent.CompletableFuture.failedFuture(new TunekitException(why));
  }

  /** Waits for the background steps of {@link #submit} of this run, if any run in this process; rethrows their failure. */
  private void awaitBackground(String runId) {
    java.util.concurrent.CompletableFuture<Void> bg = background.get(runId);
    if (bg == null) {
      return;
    }
    try {
      bg.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TunekitException("Stopped waiting for run " + runId + " before its job was created; its upload and"
          + " submission go on in the background. Wait again with tk.run(\"" + runId + "\").await().", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new TunekitException("Run " + runId + " failed: " + e.getCause(), e.getCause()).resumeWith(runId);
    }
  }

  /**
   * Registers the current thread as about to claim a paid step (upload, job creation), unless Tunekit is closing:
   * then the step is not started and the run stays where the ledger has it, for {@code tk.resume}.
   */
  private void enterClaim(String runId, String what) {
    synchronized (closeLock) {
      if (closing) {
        throw new TunekitException("Tunekit closed before the " + what + " of run " + runId + " began; nothing was"
            + " sent for it.");
      }
      claimHolders.add(Thread.currentThread());
    }
  }

  /**
   * Whether {@code e} is a definite failure that the same request would meet again: invalid input, or a
   * provider's refusal that is neither transient nor of unknown outcome (400, validation, 401/403, 404).
   * Only the others (the request may have taken effect, or the provider was briefly unavailable) are
   * worth resuming.
   */
  static boolean definite(TunekitException e) {
    if (e instanceof dev.tunekit.error.InvalidInputException) {
      return true;
    }
    return e instanceof ProviderException pe && !pe.outcomeUnknown() && !pe.retryable()
        && !(pe instanceof dev.tunekit.error.CircuitOpenException);
  }

  /** {@link #drive} with the run's eval suite attached first (for a run resumed in another process). */
  public RunMachine.Drive<EvalHook.Evaluated> drive(String runId, EvalHook.Plan plan) {
    evals.attach(runId, RunSpec.fromJson(row(runId).spec()), plan);
    return drive(runId);
  }

  /**
   * Takes the run as far as it can go now, skipping every step the ledger says is done: up to
   * submission, or from TRAINED through evaluation and the gate. The one function behind
   * {@code tk.resume}, {@code run.await()} (once the job ended) and a webhook reporting the job's end.
   */
  public RunMachine.Drive<EvalHook.Evaluated> drive(String runId) {
    return driveWith(runId, null);
  }

  private RunMachine.Drive<EvalHook.Evaluated> driveWith(String runId, List<MetricPoint> metricsSeen) {
    // A run's own step: an open breaker is waited out, not a failure (ResilientProvider.patiently).
    return provider.patiently(null, () -> machine.drive(runId, new RunMachine.Steps<>() {
      @Override
      public void toSubmission(String id) {
        Workflow.this.toSubmission(id, null);
      }

      @Override
      public Optional<EvalHook.Evaluated> evaluate(String id) {
        return evaluateStep(id, metricsSeen);
      }

      @Override
      public void gate(String id) {
        gateStep(id);
      }
    }));
  }

  /** {@link #drive} on a Tunekit thread (for a webhook: its sender must not wait for an evaluation). */
  public void driveAsync(String runId) {
    try {
      async.execute(() -> {
        try {
          drive(runId);
        } catch (RuntimeException e) {
          LOG.warn("Run {}: continuing it after its job ended failed: {}", runId, e.getMessage());
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      LOG.debug("Run {} not continued: Tunekit is closing; tk.resume continues it", runId);
    }
  }

  /** The steps up to submission (CREATED … UPLOADED), skipping every step the ledger says is done. */
  private void toSubmission(String runId, Prepared prepared) {
    Ledger.RunRow row = row(runId);
    if (!row.state().isBeforeSubmission()) {
      return;
    }
    if (row.jobId() != null) {
      // The job was recorded but the process stopped before the move: make it now.
      machine.observe(runId, RunEvent.SUBMIT, row.jobId(), Map.of());
      return;
    }
    RunSpec spec = RunSpec.fromJson(row.spec());
    try {
      String trainingId = row.trainingFileId();
      String validationId = row.validationFileId();
      if (trainingId == null) {
        Prepared p = prepared != null ? prepared : prepare(runId, spec);
        machine.fire(runId, RunEvent.VALIDATE, p.training().examples() + " training examples", Map.of());
        spec = spec.withMethod(p.method()).withGrader(p.grader());
        // Evals come first: the bar the tuned model must clear is known before anything is paid for.
        evals.beforeUpload(runId, spec);
        if (evals.report(runId, EvalHook.BASELINE).isPresent()) {
          machine.fire(runId, RunEvent.EVALUATE_BASELINE, "baseline report recorded", Map.of());
        }
        if (row(runId).state() == RunState.CANCELLED) { // cancelled by another thread while it validated or evaluated
          throw new TunekitException("Run " + runId + " was cancelled before its job was created; nothing was"
              + " uploaded for it.");
        }
        trainingId = upload(runId, p.training(), FileUpload.Role.TRAINING);
        validationId = p.validation() == null ? null : upload(runId, p.validation(), FileUpload.Role.VALIDATION);
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("training_file_id", trainingId);
        files.put("validation_file_id", validationId);
        files.put("spec", spec.toJson());
        files.put("error", null);
        machine.fire(runId, RunEvent.UPLOAD, trainingId + (validationId == null ? "" : " " + validationId), files);
        ledger.log(runId, "files", trainingId + (validationId == null ? "" : " " + validationId));
      } else if (provider.capability(dev.tunekit.spi.ExpiringFiles.class).isPresent()) {
        String[] ids = uploadAgainIfExpired(runId, spec, trainingId, validationId);
        trainingId = ids[0];
        validationId = ids[1];
      }
      submit(runId, row.idempotencyKey(), spec, trainingId, validationId);
    } catch (InvalidDatasetException | PreflightException e) {
      throw e; // the REJECT move recorded why
    } catch (RuntimeException e) {
      ledger.setError(runId, e.getMessage());
      // The exception itself names the run and how to resume it (TunekitException.resumeRunId(), added by
      // start()): no second, louder copy in the log.
      throw e;
    }
  }

  /**
   * A run resumed between its upload and its submit, on a provider that deletes unused files by itself
   * ({@link dev.tunekit.spi.ExpiringFiles}, such as a package store that drops unused packages after minutes): the
   * dataset is converted again (the same content, checked against the hashes the ledger recorded when the run first
   * prepared it, {@link Ledger#datasetHashes}) and each file goes
   * through {@link #upload}, which asks the provider whether it still holds the recorded upload and uploads it again
   * when it does not. The run's file ids are updated when the new upload has another id.
   */
  private String[] uploadAgainIfExpired(String runId, RunSpec spec, String trainingId, String validationId) {
    List<String> recorded = ledger.datasetHashes(runId);
    Prepared p = prepare(runId, spec);
    List<String> now = new ArrayList<>();
    now.add(p.training().sha256());
    if (p.validation() != null) {
      now.add(p.validation().sha256());
    }
    if (!recorded.isEmpty() && !recorded.equals(now)) {
      throw new InvalidInputException("Run " + runId + "'s training data " + spec.trainingData() + " changed after"
          + " the run uploaded it, and " + provider.name() + " deletes uploads no job uses, so the run cannot be"
          + " resumed with the data it was started with. Start a new run on the current data (or restore the file).");
    }
    String t = upload(runId, p.training(), FileUpload.Role.TRAINING);
    String v = p.validation() == null ? null : upload(runId, p.validation(), FileUpload.Role.VALIDATION);
    if (!t.equals(trainingId) || !java.util.Objects.equals(v, validationId)) {
      Map<String, Object> files = new LinkedHashMap<>();
      files.put("training_file_id", t);
      files.put("validation_file_id", v);
      ledger.setColumns(runId, files);
      ledger.log(runId, "files", t + (v == null ? "" : " " + v) + " (uploaded again)");
    }
    return new String[] {t, v};
  }

  private record Prepared(ConvertedFile training, ConvertedFile validation, TrainingMethod method,
      RewardGrader grader) {}

  private Prepared prepare(String runId, RunSpec spec) {
    // Limits and prices come from the catalog of the provider's type (a section such as
    // `mine: {type: some-type}` validates against some-type's catalog).
    Object type = config.providerValues().get("type");
    // The run's epochs (when set and in range) make the cost estimate that maxPrice is checked against.
    int epochs = spec.hyperparameters().epochs().orElse(0);
    ValidationOptions options = new ValidationOptions(type == null || String.valueOf(type).isBlank()
        ? provider.name() : String.valueOf(type).trim(), spec.model(), epochs >= 1 && epochs <= 50 ? epochs : 0,
        ValidationOptions.DEFAULT_MAX_FINDINGS_PER_CODE);
    Dataset training = Dataset.of(Path.of(spec.trainingData()));
    DatasetReport report = training.validate(options);
    Dataset validation = spec.validationData() == null ? null : Dataset.of(Path.of(spec.validationData()));
    DatasetReport validationReport = validation == null ? null : validation.validate(options);
    DatasetKind kind = report.kind();
    TrainingMethod method = spec.method() != null ? spec.method()
        : kind == DatasetKind.PREFERENCE ? TrainingMethod.DPO
        : kind == DatasetKind.PROMPTS ? TrainingMethod.REINFORCEMENT : TrainingMethod.SUPERVISED;
    // A reinforcement run without FineTune.grader(...) takes the section's grader: (checked in preflight).
    RewardGrader grader = spec.grader();
    List<PreflightProblem> core = new ArrayList<>();
    if (grader == null && method == TrainingMethod.REINFORCEMENT) {
      grader = configuredGrader(core);
    }
    // Preflight: everything the provider can check offline, before the baseline and the upload.
    preflight(runId, spec.withGrader(grader), method, kind, report, validationReport, core);
    reject(runId, report);
    if (validationReport != null) {
      reject(runId, validationReport);
    }
    ledger.log(runId, "validate", report.examples() + " examples, kind " + report.kind());
    DatasetFormat format = provider.trainingFormat(spec.model(), kind);
    Path out = config.workDir().resolve("runs").resolve(runId);
    ConvertedFile train;
    ConvertedFile valid;
    if (validation != null) {
      train = training.prepare(format, out.resolve("training")).training();
      valid = validation.prepare(format, out.resolve("validation")).training();
    } else {
      PreparedDataset pd = training.prepare(format, out, spec.validationFraction(), spec.splitSeed());
      train = pd.training();
      valid = pd.validation().orElse(null);
    }
    ledger.log(runId, "prepare", format + " training " + train.examples() + " examples sha256=" + train.sha256()
        + (valid == null ? "" : ", validation " + valid.examples() + " examples sha256=" + valid.sha256()));
    ledger.recordDatasetHashes(runId, train.sha256(), valid == null ? null : valid.sha256());
    return new Prepared(train, valid, method, grader);
  }

  /**
   * Asks the provider to check the planned job offline; when it finds problems, the run is REJECTED with
   * one {@link PreflightException} listing them all (and the dataset's errors, if it has some too).
   */
  private void preflight(String runId, RunSpec spec, TrainingMethod method, DatasetKind kind, DatasetReport report,
      DatasetReport validationReport, List<PreflightProblem> core) {
    long trainingExamples;
    long validationExamples;
    boolean datasetErrors = report.hasErrors() || (validationReport != null && validationReport.hasErrors());
    if (datasetErrors) {
      // Counts of a broken dataset mean nothing: its own errors are reported, not "too few examples" on top.
      trainingExamples = -1;
      validationExamples = -1;
    } else if (validationReport != null) {
      trainingExamples = report.examples();
      validationExamples = validationReport.examples();
    } else {
      validationExamples = Dataset.validationCount(report.examples(), spec.validationFraction());
      trainingExamples = report.examples() - validationExamples;
    }
    JobPlan plan = JobPlan.builder().baseModel(spec.model()).method(method).kind(kind)
        .hyperparameters(spec.hyperparameters()).suffix(spec.suffix()).trainingExamples(trainingExamples)
        .validationExamples(validationExamples).plannedAt(clock.instant())
        .deploysBeforeEvaluation(spec.eval() != null && spec.eval().deployFirst())
        .fromCheckpoint(spec.fromCheckpoint()).grader(spec.grader()).build();
    List<PreflightProblem> problems = new ArrayList<>(core);
    problems.addAll(reinforcementProblems(plan, datasetErrors));
    problems.addAll(provider.preflight(plan));
    problems.addAll(RunOptions.problems(provider, spec, report, datasetErrors));
    if (problems.isEmpty()) {
      return;
    }
    DatasetReport withErrors = report.hasErrors() ? report
        : validationReport != null && validationReport.hasErrors() ? validationReport : null;
    PreflightException e = new PreflightException(runId, provider.name(), problems, withErrors);
    ledger.log(runId, "preflight", problems.size() + " problem(s)");
    machine.fire(runId, RunEvent.REJECT, "preflight found " + problems.size() + " problem(s)",
        java.util.Collections.singletonMap("error", e.getMessage()));
    throw e;
  }

  /**
   * The provider-neutral rules of reinforcement fine-tuning: it needs a grader and prompt data, and a grader or
   * prompt data mean nothing to any other method. Whether the provider and model offer it is the provider's check.
   */
  static List<PreflightProblem> reinforcementProblems(JobPlan plan, boolean datasetErrors) {
    List<PreflightProblem> out = new ArrayList<>();
    boolean rft = plan.method() == TrainingMethod.REINFORCEMENT;
    if (rft && plan.grader().isEmpty()) {
      out.add(new PreflightProblem("grader", "reinforcement fine-tuning needs a reward grader, and the run has none",
          "call .grader(RewardGrader.lambda(\"arn:aws:lambda:<region>:<account>:function:<name>\")) or set"
              + " 'grader:' in the provider's section of tunekit.yaml"));
    }
    if (!rft && plan.grader().isPresent()) {
      out.add(new PreflightProblem("grader", "a reward grader is used only by reinforcement fine-tuning; this run's"
          + " method is " + plan.method(), "call .method(TrainingMethod.REINFORCEMENT) with prompt data, or remove"
          + " .grader(...)"));
    }
    if (!datasetErrors && rft != (plan.kind() == DatasetKind.PROMPTS)) {
      out.add(new PreflightProblem("method", rft
          ? "reinforcement fine-tuning trains on prompts, but the training data holds " + plan.kind().name()
              .toLowerCase(java.util.Locale.ROOT) + " examples"
          : "the training data holds reinforcement prompts (messages ending with a user turn, plus reference"
              + " fields), which method " + plan.method() + " cannot train on",
          rft ? "end each example's messages with the user turn and add the reference field the grader reads, such"
              + " as \"reference_answer\" (see docs/dataset-formats.md)"
              : "use .method(TrainingMethod.REINFORCEMENT) with a grader, or add each prompt's assistant answer"));
    }
    return out;
  }

  /** The chosen section's {@code grader:}, a Lambda ARN; a malformed one is a problem naming its line. */
  private RewardGrader configuredGrader(List<PreflightProblem> problems) {
    Object g = config.providerValues().get(SettingsCheck.GRADER);
    if (g == null || String.valueOf(g).isBlank()) {
      return null;
    }
    String path = "providers." + config.provider() + "." + SettingsCheck.GRADER;
    try {
      return RewardGrader.lambda(String.valueOf(g));
    } catch (InvalidInputException e) {
      problems.add(new PreflightProblem(config.locations().getOrDefault(path, config.source()), path,
          "is not an AWS Lambda function ARN",
          "write it as arn:aws:lambda:<region>:<12-digit account>:function:<name>, such as"
              + " arn:aws:lambda:us-east-1:123456789012:function:score-answer"));
      return null;
    }
  }

  private void reject(String runId, DatasetReport report) {
    if (report.hasErrors()) {
      InvalidDatasetException e = new InvalidDatasetException(runId, report);
      machine.fire(runId, RunEvent.REJECT, "the dataset has errors", java.util.Collections.singletonMap("error",
          e.getMessage()));
      throw e;
    }
  }

  /** Uploads once per (provider, content hash), across runs and processes. */
  private String upload(String runId, ConvertedFile file, FileUpload.Role role) {
    String name = "tunekit-" + file.sha256().substring(0, 16)
        + (role == FileUpload.Role.VALIDATION ? "-validation" : "-training") + ".jsonl";
    FileUpload upload = FileUpload.builder().path(file.path()).fileName(name).sha256(file.sha256())
        .sizeBytes(file.sizeBytes()).format(file.format()).role(role).build();
    Instant waitUntil = clock.instant().plus(lease).plus(ledgerPoll);
    while (true) {
      Ledger.Claim claim = claimed(runId, "upload of " + name,
          () -> ledger.claimUpload(provider.name(), file.sha256(), name, file.sizeBytes(), lease));
      if (claim instanceof Ledger.Claim.Done done) {
        if (provider.capability(dev.tunekit.spi.ExpiringFiles.class).isPresent() && provider.findFile(upload).isEmpty()) {
          // The provider deleted the file it once held (ExpiringFiles): forget it and upload it again.
          ledger.uploadExpired(runId, provider.name(), file.sha256(), done.id());
          continue;
        }
        ledger.log(runId, "upload.reused", done.id() + " sha256=" + file.sha256());
        return done.id();
      }
      if (claim instanceof Ledger.Claim.Busy) {
        waitForOther(runId, "upload of " + name, waitUntil);
        continue;
      }
      int previous = ((Ledger.Claim.Claimed) claim).previousAttempts();
      try {
        if (previous > 0) {
          // An earlier attempt may have reached the provider before the process died: look first.
          Optional<RemoteFile> found = provider.findFile(upload);
          if (found.isPresent()) {
            ledger.uploadDone(runId, provider.name(), file.sha256(), found.get().id(), "found after an interrupted attempt");
            return found.get().id();
          }
        }
        ledger.uploadAttempt(runId, provider.name(), file.sha256(), name);
        RemoteFile remote;
        try {
          remote = provider.upload(upload, () -> {
            if (!ledger.renewUpload(provider.name(), file.sha256(), lease)) {
              throw new LeaseLost("upload of " + name);
            }
          });
        } catch (LeaseLost lost) {
          // Our claim expired while the retry layer waited and another process took it over: it decides now.
          LOG.warn("Run {}: {}; not uploading again, waiting for the other process", runId, lost.getMessage());
          ledger.log(runId, "upload.lease-lost", name);
          waitUntil = clock.instant().plus(lease).plus(ledgerPoll);
          continue;
        }
        ledger.uploadDone(runId, provider.name(), file.sha256(), remote.id(), "uploaded");
        return remote.id();
      } finally {
        try {
          ledger.releaseUpload(provider.name(), file.sha256());
        } finally {
          claimHolders.remove(Thread.currentThread());
        }
      }
    }
  }

  /**
   * Claims a paid step through {@link #enterClaim}: the current thread counts as a claim holder (which
   * {@link #close()} waits for) from before the claim is asked, and only while it holds one.
   */
  private Ledger.Claim claimed(String runId, String what, java.util.function.Supplier<Ledger.Claim> claim) {
    enterClaim(runId, what);
    Ledger.Claim c = null;
    try {
      c = claim.get();
      return c;
    } finally {
      if (!(c instanceof Ledger.Claim.Claimed)) {
        claimHolders.remove(Thread.currentThread());
      }
    }
  }

  /** Creates the run's job at most once. */
  private void submit(String runId, String key, RunSpec spec, String trainingId, String validationId) {
    Instant waitUntil = clock.instant().plus(lease).plus(ledgerPoll);
    while (true) {
      Ledger.Claim claim = claimed(runId, "job submission", () -> ledger.claimSubmit(runId, lease));
      if (claim instanceof Ledger.Claim.Done) {
        return;
      }
      if (claim instanceof Ledger.Claim.Busy) {
        waitForOther(runId, "job submission", waitUntil);
        continue;
      }
      int previous = ((Ledger.Claim.Claimed) claim).previousAttempts();
      try {
        if (previous > 0) {
          Optional<RemoteJob> found = provider.findJob(key);
          if (found.isPresent()) {
            recordCreated(runId, found.get(), "found after an interrupted attempt");
            return;
          }
        }
        Map<String, String> metadata = new LinkedHashMap<>(spec.metadata());
        metadata.put(RUN_METADATA_KEY, runId);
        JobRequest request = JobRequest.builder().runId(runId).idempotencyKey(key).baseModel(spec.model())
            .method(spec.method()).trainingFileId(trainingId).validationFileId(validationId)
            .hyperparameters(spec.hyperparameters()).suffix(spec.suffix()).metadata(metadata)
            .fromCheckpoint(spec.fromCheckpoint()).grader(spec.grader()).build();
        priceCheck(runId, request, spec.maxPrice());
        ledger.submitAttempt(runId, previous + 1);
        RemoteJob job;
        try {
          job = provider.createJob(request, () -> {
            if (!ledger.renewSubmit(runId, lease)) {
              throw new LeaseLost("job submission of run " + runId);
            }
          });
        } catch (LeaseLost lost) {
          // Our claim expired while the retry layer waited and another process took it over (it looks for the
          // job we may have created before creating one): creating it here too could pay twice.
          LOG.warn("Run {}: {}; not submitting again, waiting for the other process", runId, lost.getMessage());
          ledger.log(runId, "submit.lease-lost", "attempt " + (previous + 1));
          waitUntil = clock.instant().plus(lease).plus(ledgerPoll);
          continue;
        }
        recordCreated(runId, job, "created");
        return;
      } finally {
        try {
          ledger.releaseSubmit(runId);
        } finally {
          claimHolders.remove(Thread.currentThread());
        }
      }
    }
  }

  /**
   * The provider's price quote, asked after the upload and before the paid create, recorded in the run log
   * ({@code price.quote}); a quote above {@code maxPrice} or not allowed to proceed REJECTS the run with a
   * {@link PreflightException}, and nothing is created.
   */
  private void priceCheck(String runId, JobRequest request, java.math.BigDecimal maxPrice) {
    Optional<dev.tunekit.spi.PriceQuote> quote;
    try {
      quote = RunOptions.quote(provider, request, maxPrice, why -> {
        LOG.warn("Run {}: the price quote failed ({}); no maxPrice is set, so the job is created without one", runId, why);
        ledger.log(runId, "price.quote.failed", why);
      });
    } catch (TunekitException e) {
      // With maxPrice set, no quote means no job. A refusal (such as a 400) would refuse again, so the run is
      // REJECTED; a failure that may pass (5xx, 429, network) keeps the run at its upload, to ask again on resume.
      ledger.log(runId, "price.quote.failed", e.getMessage());
      if (e.getCause() instanceof TunekitException cause && definite(cause)) {
        machine.fire(runId, RunEvent.REJECT, "price quote failed", java.util.Collections.singletonMap("error",
            e.getMessage()));
      }
      throw e; // start() adds the advice: fix and start anew for the rejected run, else resume to ask again
    }
    if (quote.isEmpty()) {
      return;
    }
    ledger.log(runId, RunOptions.QUOTE_STEP, RunOptions.toJson(quote.get()));
    LOG.info("Run {}: price quote {}", runId, quote.get().describe());
    Optional<PreflightProblem> refusal = RunOptions.refusal(quote.get(), maxPrice);
    if (refusal.isPresent()) {
      PreflightException e = new dev.tunekit.spi.PriceRefusedException(runId, provider.name(), quote.get(),
          refusal.get());
      machine.fire(runId, RunEvent.REJECT, "price quote refused: " + quote.get().describe(),
          java.util.Collections.singletonMap("error", e.getMessage()));
      throw e;
    }
  }

  /** The last price quote recorded for the run (no remote call). */
  public Optional<dev.tunekit.spi.PriceQuote> priceQuote(String runId) {
    return RunOptions.lastQuote(ledger.logOf(runId));
  }

  /**
   * Resumes the run's paused job on the provider ({@link dev.tunekit.spi.Resumable}) and records the job as the
   * resume call left it; the run keeps waiting for the job as before.
   */
  public RemoteJob resumeJob(String runId) {
    Ledger.RunRow row = row(runId);
    if (row.jobId() == null) {
      throw new TunekitException("Run " + runId + " has no job to resume (state " + row.state() + "): it was not"
          + " submitted. Continue the run itself with tk.resume(\"" + runId + "\").");
    }
    dev.tunekit.spi.Resumable resumable = provider.require(dev.tunekit.spi.Resumable.class,
        "resume job " + row.jobId() + " of run " + runId);
    RemoteJob job = resumable.resume(row.jobId());
    ledger.log(runId, "job.resume", row.jobId() + " " + job.status().raw());
    recordJob(runId, job.status());
    return job;
  }

  /**
   * Downloads the run's trained model ({@link dev.tunekit.spi.ModelDownloads}) into {@code directory} (created if
   * missing) and returns the file.
   */
  public Path downloadModel(String runId, dev.tunekit.spi.ModelDownloads.Artifact artifact, Path directory) {
    java.util.Objects.requireNonNull(artifact, "artifact");
    java.util.Objects.requireNonNull(directory, "directory");
    Ledger.RunRow row = row(runId);
    if (row.jobId() == null || row.fineTunedModel() == null) {
      throw new TunekitException("Run " + runId + " has no trained model to download yet (state " + row.state()
          + "). Wait for it with run.await() first.");
    }
    dev.tunekit.spi.ModelDownloads downloads = provider.require(dev.tunekit.spi.ModelDownloads.class,
        "download the trained model of run " + runId);
    try {
      java.nio.file.Files.createDirectories(directory);
    } catch (java.io.IOException e) {
      throw new dev.tunekit.error.InvalidInputException("cannot create the download directory (" + e.getMessage()
          + "); give a writable directory", directory.toString());
    }
    Path file = downloads.download(row.jobId(), artifact, directory.toAbsolutePath().normalize());
    ledger.log(runId, "download", artifact + " " + file);
    return file;
  }

  /**
   * Written after the create call (or after findJob found the job): the SUBMIT move with the job id,
   * in one transaction, and the lease released. Returns the job id the run has now: a different one
   * than {@code jobId} means the run already had a job, recorded by another process, and {@code jobId}
   * is an extra job (logged as {@code submit.duplicate}). A cancelled run records the job id only.
   */
  private String jobCreated(String runId, String jobId, String how) {
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("job_id", new IfAbsent(jobId));
    sets.put("error", null);
    if (!machine.observe(runId, RunEvent.SUBMIT, jobId + " (" + how + ")", sets)) {
      ledger.setColumns(runId, Map.of("job_id", new IfAbsent(jobId)));
    }
    String recorded = Optional.ofNullable(row(runId).jobId()).orElse(jobId);
    ledger.releaseSubmit(runId);
    if (recorded.equals(jobId)) {
      ledger.log(runId, "submit.done", jobId + " (" + how + ")");
    } else {
      ledger.log(runId, "submit.duplicate", jobId + " (" + how + ") is a second job: the run's job is " + recorded);
    }
    return recorded;
  }

  /**
   * Records the provider's view of the job: its raw status, model and failure reason, and, for a
   * submitted run whose job ended, the move to TRAINED, FAILED or CANCELLED (a run in any other state
   * keeps it: a late or stale status never moves it back).
   */
  public void recordJob(String runId, JobStatus status) {
    String model = status instanceof JobStatus.Succeeded s ? s.model().orElse(null) : null;
    String error = status instanceof JobStatus.Failed f ? f.reason() : null;
    Ledger.RunRow row = row(runId);
    RunState to = RunState.of(status);
    if (status.raw().equals(row.jobStatus()) && (to == row.state() || row.state() != RunState.SUBMITTED)) {
      return; // nothing new
    }
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("job_status", status.raw());
    sets.put("fine_tuned_model", new OrKeep(model));
    sets.put("error", new OrKeep(error));
    RunEvent event = status instanceof JobStatus.Succeeded ? RunEvent.JOB_SUCCEEDED
        : status instanceof JobStatus.Failed ? RunEvent.JOB_FAILED
        : status instanceof JobStatus.Cancelled ? RunEvent.JOB_CANCELLED : null;
    if (event == null || !machine.observe(runId, event, "job " + status.raw(), sets)) {
      ledger.setColumns(runId, sets);
    }
    ledger.log(runId, "job.status", status.raw() + (model == null ? "" : " model=" + model));
  }

  private void recordCreated(String runId, RemoteJob job, String how) {
    String recorded = jobCreated(runId, job.id(), how);
    if (!recorded.equals(job.id())) {
      cancelDuplicate(runId, job.id(), recorded);
      return;
    }
    if (row(runId).state() == RunState.CANCELLED) {
      // Cancelled while the create call was in flight: honour it.
      LOG.info("Run {} was cancelled while its job was being created; cancelling job {}", runId, job.id());
      ledger.log(runId, "cancel.start", job.id());
      RemoteJob cancelled;
      try {
        cancelled = provider.cancel(job.id());
      } catch (RuntimeException e) {
        ledger.log(runId, "cancel.error", job.id() + ": " + e.getMessage());
        throw new TunekitException("Run " + runId + " was cancelled while its job " + job.id() + " was being created,"
            + " and cancelling that job failed (" + e.getMessage() + "). It may be running: call tk.run(\"" + runId
            + "\").cancel() again.", e);
      }
      recordJob(runId, cancelled.status());
      return;
    }
    recordJob(runId, job.status());
  }

  /**
   * A second job for a run that already has one (a create call outlived its claim and another process
   * created the run's job meanwhile): it is billed and nobody tracks it, so it is cancelled at once.
   */
  private void cancelDuplicate(String runId, String extraJobId, String runJobId) {
    LOG.warn("Run {} already has job {}, but job {} was created for it too (its submission outlived its claim);"
        + " cancelling job {} so it is not billed", runId, runJobId, extraJobId, extraJobId);
    try {
      RemoteJob cancelled = provider.cancel(extraJobId);
      ledger.log(runId, "submit.duplicate.cancelled", extraJobId + " " + cancelled.status().raw());
    } catch (RuntimeException failure) {
      LOG.warn("Run {}: cancelling the extra job {} failed ({}). Cancel it in the provider console: it is billed"
          + " while it runs.", runId, extraJobId, failure.getMessage());
      ledger.log(runId, "submit.duplicate.cancel-error", extraJobId + ": " + failure.getMessage());
    }
  }

  /** This thread's ledger claim on a create step expired and another process holds it now. */
  public static final class LeaseLost extends TunekitException {
    private static final long serialVersionUID = 1L;

    LeaseLost(String what) {
      super("another process took over the " + what + " (this process's claim expired while it waited to retry)");
    }
  }

  private void waitForOther(String runId, String what, Instant waitUntil) {
    if (clock.instant().isAfter(waitUntil)) {
      throw new TunekitException("Another process has held the " + what + " of run " + runId + " for longer than "
          + Durations.format(lease) + " without finishing. If it is stuck, stop it; its claim then expires and"
          + " tk.resume(\"" + runId + "\") continues.");
    }
    sleeper.sleepUninterruptibly(ledgerPoll);
  }

  // ------------------------------------------------------------------ waiting, cancelling, deploying

  public RunResult await(String runId, RunListener listener) {
    Instant started = clock.instant();
    awaitBackground(runId);
    Ledger.RunRow row = row(runId);
    if (row.jobId() == null) {
      if (row.state().isTerminal()) {
        return finish(listener, new RunResult(runId, row.state(), Optional.empty(), Optional.empty(), List.of(),
            Duration.ZERO, Optional.empty(), Optional.empty(), Optional.ofNullable(row.error())));
      }
      throw new TunekitException("Run " + runId + " has no job yet (" + row.state() + (row.error() == null ? ""
          : ", last error: " + row.error()) + "). Continue it with tk.resume(\"" + runId + "\").");
    }
    List<MetricPoint> metrics = new ArrayList<>();
    // Between polls the waiter checks the ledger for a status that a webhook (in this or another process)
    // recorded, and then polls at once; that poll stays the authority on the status.
    JobWaiter waiter = new JobWaiter(provider, config.polling(), clock, sleeper,
        lastRaw -> lastRaw != null
            && ledger.jobStatusOf(runId).filter(s -> !s.equals(lastRaw)).isPresent(),
        ledgerPoll);
    RemoteJob job;
    try {
      job = provider.patiently(until -> safely(() -> listener.onProviderPaused(provider.name(), until)),
          () -> waitForJob(runId, row.jobId(), waiter, listener, metrics));
    } catch (ThreadDeath stop) {
      // JShell's Ctrl-C stops the snippet's thread asynchronously (JDI Thread.stop): nothing is thrown
      // that a caller could print, so say it here, on the console the user is looking at.
      System.err.println("tunekit: " + stillRunning(runId, row.jobId()));
      throw stop;
    } catch (RuntimeException e) {
      if (Thread.currentThread().isInterrupted() || interrupted(e)) {
        throw new TunekitException(stillRunning(runId, row.jobId()), e); // the interrupt flag stays set
      }
      throw e;
    }
    recordJob(runId, job.status());
    // The job ended: the same drive a webhook or tk.resume runs (evaluate a trained model, decide the gate).
    RunMachine.Drive<EvalHook.Evaluated> drive = driveWith(runId, metrics);
    Ledger.RunRow done = row(runId);
    Optional<String> model = job.status() instanceof JobStatus.Succeeded s ? s.model()
        : Optional.ofNullable(done.fineTunedModel());
    Optional<EvalHook.Evaluated> evaluated = drive.evaluated().isPresent() && !drive.evaluated().get().recorded()
        ? drive.evaluated() : evals.recordedEvaluation(runId);
    Optional<GateResult> gate = evaluated.flatMap(EvalHook.Evaluated::gate).or(() -> evals.gate(runId));
    return finish(listener, new RunResult(runId, done.state(), Optional.of(job), model, metrics,
        Duration.between(started, clock.instant()), evaluated.map(EvalHook.Evaluated::comparison), gate,
        Optional.ofNullable(done.error())));
  }

  /** Polls the run's job until it ends, recording each status and passing what it sees to the listener. */
  private RemoteJob waitForJob(String runId, String jobId, JobWaiter waiter, RunListener listener,
      List<MetricPoint> metrics) {
    return waiter.await(runId, jobId, new JobWaiter.Sink() {
      @Override
      public void status(RemoteJob j) {
        recordJob(runId, j.status());
        safely(() -> listener.onStatus(j));
      }

      @Override
      public void event(JobEvent e) {
        safely(() -> listener.onEvent(e));
      }

      @Override
      public void metric(MetricPoint p) {
        metrics.add(p);
        safely(() -> listener.onMetric(p));
      }
    });
  }

  /** What to do after giving up waiting on a job that still runs: one line. */
  private static String stillRunning(String runId, String jobId) {
    return "Stopped waiting for run " + runId + "; its job " + jobId + " keeps running on the provider. Wait for it"
        + " again with tk.run(\"" + runId + "\").await() (in a new session: tk.resume(\"" + runId + "\").await()),"
        + " or cancel it with tk.run(\"" + runId + "\").cancel().";
  }

  private static boolean interrupted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException
          || t instanceof java.nio.channels.ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }

  /** The TRAINED step: evaluates a run with a suite, deploying first if it asks; moves it to EVALUATED or EVALUATION_FAILED. */
  private Optional<EvalHook.Evaluated> evaluateStep(String runId, List<MetricPoint> metricsSeen) {
    Ledger.RunRow row = row(runId);
    RunSpec spec = RunSpec.fromJson(row.spec());
    if (spec.eval() == null || row.fineTunedModel() == null) {
      return Optional.empty(); // no suite: the run rests in TRAINED (run.evaluate(suite) evaluates it on demand)
    }
    Optional<EvalHook.Evaluated> recorded = evals.recordedEvaluation(runId);
    if (recorded.isPresent()) {
      // Both reports are recorded (by another process, or before a crash): only the move is missing.
      machine.fire(runId, RunEvent.EVALUATE, "baseline and tuned reports recorded", Map.of());
      return recorded;
    }
    String missing = evals.missingSuite(runId, spec);
    if (missing != null) {
      if (!missing.equals(row.error())) {
        ledger.setError(runId, missing);
        LOG.warn("Run {} is trained but {}", runId, missing);
      }
      return Optional.empty();
    }
    List<MetricPoint> metrics = metricsSeen != null ? metricsSeen : trainingMetrics(runId, row.jobId());
    try {
      Optional<EvalHook.Evaluated> ev = withEvalDeployment(runId, spec,
          () -> Optional.of(evals.evaluateWithPlan(runId, spec, tunedInferenceModel(runId, row.fineTunedModel()),
              metrics)));
      applyEvaluation(runId, ev.orElseThrow());
      return ev;
    } catch (RuntimeException failure) {
      LOG.warn("Run {} is trained but evaluating it failed: {}", runId, failure.getMessage());
      ledger.log(runId, "eval.error", failure.getMessage());
      failEvaluation(runId, "evaluation failed: " + failure.getMessage());
      return Optional.empty();
    }
  }

  /** EVALUATE for a recorded evaluation, FAIL_EVALUATION (with why) for an incomplete one. */
  private void applyEvaluation(String runId, EvalHook.Evaluated ev) {
    if (ev.recorded()) {
      Map<String, Object> clear = java.util.Collections.singletonMap("error", null);
      machine.fire(runId, RunEvent.EVALUATE, "baseline and tuned reports recorded", clear);
    } else {
      failEvaluation(runId, ev.incomplete().orElse("the evaluation is incomplete"));
    }
  }

  private void failEvaluation(String runId, String why) {
    RunState now = row(runId).state();
    if (now == RunState.TRAINED || now == RunState.EVALUATION_FAILED) {
      machine.fire(runId, RunEvent.FAIL_EVALUATION, why, java.util.Collections.singletonMap("error", why));
    }
  }

  /**
   * The EVALUATED step of a gated run: decides the gate from the recorded reports (no calls, but for a pairwise
   * judge's, asked once and recorded) and moves
   * the run to GATE_PASSED or GATE_BLOCKED; a blocked run's evaluation deployment is removed.
   */
  private void gateStep(String runId) {
    RunSpec spec = RunSpec.fromJson(row(runId).spec());
    RunSpec.Eval e = spec.eval();
    if (e == null || e.gate().isEmpty()) {
      return; // no gate: the run rests in EVALUATED
    }
    GateResult g = evals.decideGate(runId, e);
    machine.fire(runId, g.passed() ? RunEvent.PASS_GATE : RunEvent.BLOCK_GATE, g.message(), Map.of());
    if (!g.passed() && e.deployFirst()) {
      undeployBlocked(runId);
    }
  }

  private List<MetricPoint> trainingMetrics(String runId, String jobId) {
    try {
      return dev.tunekit.spi.Cursors.readAll(after -> provider.metrics(jobId, after));
    } catch (RuntimeException e) {
      LOG.warn("Run {}: could not read the training metrics for the report ({}); evaluating without them", runId,
          e.getMessage());
      return List.of();
    }
  }

  /** {@link Run#evaluate(dev.tunekit.eval.EvalSuite)}: evaluates a trained run now (what is not recorded yet). */
  public EvalHook.Evaluated evaluate(String runId, dev.tunekit.eval.EvalSuite suite) {
    Ledger.RunRow row = row(runId);
    if (!row.state().isTrained() || row.fineTunedModel() == null) {
      throw new TunekitException("Run " + runId + " has no tuned model to evaluate (state " + row.state()
          + "). Wait for it with run.await() first.");
    }
    List<MetricPoint> m = trainingMetrics(runId, row.jobId());
    RunSpec spec = RunSpec.fromJson(row.spec());
    EvalHook.Evaluated ev;
    try {
      ev = withEvalDeployment(runId, spec, () -> Optional.of(evals.evaluateNow(runId, spec, suite,
          tunedInferenceModel(runId, row.fineTunedModel()), m))).orElseThrow();
    } catch (dev.tunekit.error.InvalidInputException wrongSuite) {
      throw wrongSuite; // nothing was evaluated
    } catch (RuntimeException failure) {
      ledger.log(runId, "eval.error", failure.getMessage());
      failEvaluation(runId, "evaluation failed: " + failure.getMessage());
      throw failure;
    }
    applyEvaluation(runId, ev);
    if (!ev.recorded()) {
      return ev;
    }
    drive(runId); // EVALUATED → the gate
    Optional<GateResult> gate = evals.gate(runId);
    return new EvalHook.Evaluated(evals.withContext(runId, ev.comparison(), gate), gate, true);
  }

  /**
   * Runs {@code evaluation}, first deploying the tuned model when the run asks for it
   * ({@link FineTune#deployBeforeEvaluation}) and is not evaluated yet. A failed deployment is thrown
   * (the caller records it as EVALUATION_FAILED). The gate step removes that deployment when it blocks.
   */
  private Optional<EvalHook.Evaluated> withEvalDeployment(String runId, RunSpec spec,
      java.util.function.Supplier<Optional<EvalHook.Evaluated>> evaluation) {
    RunSpec.Eval e = spec.eval();
    boolean deployFirst = e != null && e.deployFirst() && evals.report(runId, EvalHook.TUNED).isEmpty();
    if (deployFirst) {
      try {
        ledger.log(runId, "eval.deploy", "deploying the tuned model to evaluate it");
        deployUnchecked(runId, row(runId), Map.of());
      } catch (RuntimeException failure) {
        ledger.log(runId, "eval.error", "deploying for evaluation failed: " + failure.getMessage());
        throw new TunekitException("deploying the tuned model for evaluation failed: " + failure.getMessage(), failure);
      }
    }
    return evaluation.get();
  }

  /** Removes the deployment made for evaluating a model the gate blocked, so it stops billing. */
  private void undeployBlocked(String runId) {
    Optional<Deployment> d = ledger.deploymentOf(runId).filter(x -> x.state() != Deployment.State.DELETED);
    if (d.isEmpty()) {
      return;
    }
    try {
      ledger.log(runId, "undeploy.start", d.get().id() + " (promotion gate blocked)");
      Optional<Deployments> deployments = provider.capability(Deployments.class);
      if (deployments.isPresent()) { // without the capability the model was served as it is: nothing to remove
        deployments.get().undeploy(d.get().id());
      }
      ledger.deployment(runId, d.get().toBuilder().state(Deployment.State.DELETED)
          .rawState("deleted: promotion gate blocked").build());
    } catch (RuntimeException failure) {
      LOG.warn("Run {}: the promotion gate blocked, and removing deployment {} failed ({}). Delete it in the provider"
          + " console: it may be billed while it exists.", runId, d.get().id(), failure.getMessage());
      ledger.log(runId, "undeploy.error", d.get().id() + ": " + failure.getMessage());
    }
  }

  /** The id chat requests for the tuned model go to: its active deployment's, if it has one. */
  public String tunedInferenceModel(String runId, String fineTunedModel) {
    return ledger.deploymentOf(runId).filter(d -> d.state() == Deployment.State.ACTIVE)
        .map(Deployment::inferenceModel).orElse(fineTunedModel);
  }

  private static RunResult finish(RunListener listener, RunResult result) {
    safely(() -> listener.onFinished(result));
    return result;
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("A RunListener threw {}; ignored", e.toString());
    }
  }

  /**
   * Cancels the run: it is never submitted afterwards, and its job, if it has one or may have one, is
   * cancelled on the provider. Safe to call again after a failure: a run marked cancelled whose job may
   * still be running (the remote cancel failed, or a submission may have reached the provider) is
   * checked and cancelled again.
   */
  public RunState cancel(String runId) {
    Ledger.RunRow row = row(runId);
    if ((row.state().isTerminal() || row.state().isTrained()) && row.state() != RunState.CANCELLED) {
      return row.state();
    }
    if (row.jobId() == null && row.state() != RunState.CANCELLED) {
      // First, so nothing is submitted from now on; a create call in flight cancels what it creates (recordCreated).
      machine.observe(runId, RunEvent.CANCEL, "cancelled by the user", Map.of());
      row = row(runId); // submitted meanwhile (by another process): then its job is cancelled below
    }
    if (row.jobId() == null) {
      if (row.submitAttempts() == 0) {
        return RunState.CANCELLED;
      }
      // An earlier submission may have reached the provider (its outcome was never recorded): look for the job.
      Optional<RemoteJob> found;
      try {
        found = provider.findJob(row.idempotencyKey());
      } catch (RuntimeException e) {
        ledger.log(runId, "cancel.error", "looking for a job an earlier submission may have created: " + e.getMessage());
        throw new TunekitException("Run " + runId + " is cancelled and will not be submitted, but an earlier submission"
            + " may have created its job, and looking for it failed (" + e.getMessage() + "). Call"
            + " tk.run(\"" + runId + "\").cancel() again to look again and cancel it.", e);
      }
      if (found.isEmpty()) {
        ledger.log(runId, "cancel.checked", "no job was created by the earlier submission");
        return RunState.CANCELLED;
      }
      String recorded = jobCreated(runId, found.get().id(), "found while cancelling");
      if (!recorded.equals(found.get().id())) {
        cancelDuplicate(runId, found.get().id(), recorded);
      }
      row = row(runId);
    } else if (row.state() == RunState.CANCELLED) {
      // Marked cancelled, but was the job's cancel confirmed? Ask, and cancel it again if it still runs.
      RemoteJob current = provider.job(row.jobId());
      if (current.status().isTerminal()) {
        recordJob(runId, current.status());
        return row(runId).state();
      }
    }
    ledger.log(runId, "cancel.start", row.jobId());
    RemoteJob job;
    try {
      job = provider.cancel(row.jobId());
    } catch (RuntimeException e) {
      ledger.log(runId, "cancel.error", row.jobId() + ": " + e.getMessage());
      throw e;
    }
    recordJob(runId, job.status());
    return row(runId).state();
  }

  public Deployment deploy(String runId) {
    return deploy(runId, Map.of());
  }

  public Deployment deploy(String runId, Map<String, Object> options) {
    Ledger.RunRow row = row(runId);
    if (row.fineTunedModel() == null) {
      throw new TunekitException(noModelToDeploy(runId, row));
    }
    if (row.state() == RunState.EVALUATED) {
      drive(runId); // the gate is decided on the move from EVALUATED (no calls)
    }
    try {
      evals.checkDeploy(runId, RunSpec.fromJson(row.spec()));
    } catch (GateFailedException blocked) {
      // The run's state and what it means lead the message; the gate's figures and advice follow.
      RunState now = row(runId).state();
      String why = now == RunState.EVALUATION_FAILED ? "; its evaluation failed: "
          + Optional.ofNullable(row(runId).error()).map(e -> e.replaceAll("\\s*\\R\\s*", " "))
          .orElse("see run.info().error()") : "";
      throw new GateFailedException("Run " + runId + " is " + now + why + ", so it is not deployed",
          blocked.result());
    }
    Deployment d = deployUnchecked(runId, row, options);
    machine.fire(runId, RunEvent.DEPLOY, d.id(), Map.of());
    return d;
  }

  /** Why a run without a tuned model cannot be deployed: its state, the reason and what to do, in the first line. */
  private static String noModelToDeploy(String runId, Ledger.RunRow row) {
    Optional<String> reason = Optional.ofNullable(row.error())
        .map(e -> e.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(java.util.stream.Collectors.joining(" "))).filter(e -> !e.isEmpty());
    switch (row.state()) {
      case FAILED:
        return "Run " + runId + " FAILED, so there is no model to deploy: " + reason.orElse("the job failed")
            + ". See run.events() for the provider's log, fix the cause and start a new run.";
      case CANCELLED:
        return "Run " + runId + " was CANCELLED" + reason.map(r -> " (" + r + ")").orElse("")
            + ", so there is no model to deploy; start a new run to train one.";
      case REJECTED:
        return "Run " + runId + " was REJECTED, nothing was uploaded and there is no model to deploy; fix what"
            + " follows and start a new run: " + reason.orElse("see run.info().error()");
      default:
        return "Run " + runId + " has no tuned model to deploy yet (state " + row.state()
            + reason.map(r -> ", last error: " + r).orElse("") + "). Wait for it with run.await() first.";
    }
  }

  /** Deploys without asking the gate: for {@link #deploy} once it allowed it, and for evaluating through a deployment. */
  private Deployment deployUnchecked(String runId, Ledger.RunRow row, Map<String, Object> options) {
    Optional<Deployment> existing = ledger.deploymentOf(runId);
    if (existing.isPresent() && existing.get().state() == Deployment.State.ACTIVE) {
      return existing.get();
    }
    Deployment d;
    if (existing.isPresent() && existing.get().state() == Deployment.State.CREATING) {
      d = existing.get();
    } else {
      ledger.log(runId, "deploy.start", row.fineTunedModel());
      // Per-call options; providers read their configured defaults from their own settings.
      // Without the Deployments capability the provider serves a tuned model as soon as it exists.
      Optional<Deployments> deployments = provider.capability(Deployments.class);
      d = deployments.isPresent() ? deployments.get().deploy(row.fineTunedModel(), "tunekit-" + runId, options)
          : Deployment.immediate(row.fineTunedModel());
      ledger.deployment(runId, d);
    }
    Instant deadline = clock.instant().plus(config.polling().timeout());
    Duration interval = config.polling().initialInterval();
    while (d.state() == Deployment.State.CREATING || d.state() == Deployment.State.UNKNOWN) {
      if (!clock.instant().isBefore(deadline)) {
        throw new TunekitException("Deployment " + d.id() + " of run " + runId + " is still " + d.rawState()
            + " after " + Durations.format(config.polling().timeout()) + "; call run.deploy() again later.");
      }
      sleeper.sleepUninterruptibly(interval);
      interval = Duration.ofMillis(Math.min((long) (interval.toMillis() * config.polling().multiplier()),
          config.polling().maxInterval().toMillis()));
      String deploymentId = d.id();
      d = provider.capability(Deployments.class).map(x -> x.deployment(deploymentId))
          .orElseGet(() -> Deployment.immediate(deploymentId));
      ledger.deployment(runId, d);
    }
    if (d.state() != Deployment.State.ACTIVE) {
      throw new TunekitException("Deployment " + d.id() + " of run " + runId + " ended " + d.rawState()
          + "; check the provider console, then call run.deploy() again.");
    }
    return d;
  }

  public Ledger.RunRow row(String runId) {
    return ledger.run(runId).orElseThrow(() -> new Ledger.NotFoundInLedger(runId));
  }

  /** How long {@link #close()} waits for uploads and submissions in flight to finish (tests shorten it). */
  public void closeWait(Duration wait) {
    this.closeWait = wait;
  }

  /**
   * Stops Tunekit's threads and closes the ledger and provider. Uploads and submissions in flight are
   * waited for (up to {@link #closeWait}) so they can record what they created; a thread still creating
   * something after that keeps its ledger claim (it expires, or is freed when this process exits), so
   * no other process repeats the step meanwhile. Only the claims of finished threads are released.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      closing = true; // no upload or job creation starts from now on
    }
    async.shutdown();
    long deadline = System.nanoTime() + closeWait.toNanos();
    try {
      // Background steps of submit() stop before their next paid step; one in the middle of one finishes it.
      while ((!claimHolders.isEmpty() || !background.isEmpty()) && System.nanoTime() - deadline < 0) {
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Set<Thread> stillWorking = Set.copyOf(claimHolders);
    if (!stillWorking.isEmpty()) {
      LOG.warn("Closing while {} upload(s) or submission(s) are still in flight after {}; their ledger claims are kept,"
          + " so no other process repeats them. Resume those runs later with tk.resume(runId).", stillWorking.size(),
          Durations.format(closeWait));
    }
    // Interrupt only threads that hold no claim (waiting for jobs, evaluating): one mid-create is left to finish.
    asyncThreads.stream().filter(t -> !stillWorking.contains(t)).forEach(Thread::interrupt);
    backgroundThreads.stream().filter(t -> !stillWorking.contains(t)).forEach(Thread::interrupt);
    if (stillWorking.isEmpty()) {
      try { // let interrupted drives (a webhook's evaluation, a baseline) stop before the ledger closes under them
        async.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        long stop = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (!background.isEmpty() && System.nanoTime() - stop < 0) {
          Thread.sleep(10);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      evals.close();
      ledger.close(stillWorking);
    } finally {
      provider.close();
    }
  }
}
