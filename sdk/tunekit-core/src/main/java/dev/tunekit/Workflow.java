package dev.tunekit;

import dev.tunekit.dataset.ConvertedFile;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.dataset.PreparedDataset;
import dev.tunekit.dataset.ValidationOptions;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run workflow behind {@link Tunekit} and {@link Run}: validate → convert → upload (deduplicated
 * by content hash) → submit (idempotent) → poll → deploy, recording every step in the {@link Ledger}
 * before and after each remote call. Steps that create something remotely are claimed in the ledger
 * first, so two processes sharing a ledger never both do them, and an attempt that may have reached
 * the provider is always reconciled ({@code findFile}/{@code findJob}) before it is repeated.
 */
final class Workflow implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Workflow.class);
  private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  static final String RUN_METADATA_KEY = "tunekit_run_id";

  private final Config config;
  private final ResilientProvider provider;
  private final Ledger ledger;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration lease;
  private final Duration ledgerPoll;
  private final ExecutorService async;
  private final EvalHook evals;

  Workflow(Config config, TuningProvider raw, Clock clock, Sleeper sleeper, Duration lease, Duration ledgerPoll) {
    this.config = config;
    this.clock = clock;
    this.sleeper = sleeper;
    this.lease = lease;
    this.ledgerPoll = ledgerPoll;
    this.provider = new ResilientProvider(raw, config.resilience(), clock, sleeper);
    try {
      this.ledger = Ledger.open(config.ledger(), clock);
    } catch (RuntimeException e) {
      raw.close();
      throw e;
    }
    this.evals = new EvalHook(ledger, provider, config.workDir());
    AtomicInteger n = new AtomicInteger();
    this.async = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "tunekit-run-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  Config config() {
    return config;
  }

  TuningProvider provider() {
    return provider;
  }

  Ledger ledger() {
    return ledger;
  }

  ExecutorService async() {
    return async;
  }

  EvalHook evals() {
    return evals;
  }

  // ------------------------------------------------------------------ start and resume

  String start(RunSpec spec, EvalHook.Plan plan) {
    String runId = "run-" + RUN_TIME.format(clock.instant()) + "-"
        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    String key = "tk-" + java.util.UUID.randomUUID();
    ledger.insertRun(runId, provider.name(), spec.model(), key, spec.toJson());
    if (plan != null) {
      evals.attach(runId, spec, plan);
    }
    advance(runId);
    return runId;
  }

  /** {@link #advance} with the run's eval suite attached first (for a run resumed in another process). */
  void advance(String runId, EvalHook.Plan plan) {
    evals.attach(runId, RunSpec.fromJson(row(runId).spec()), plan);
    advance(runId);
  }

  /** Takes the run as far as submission, skipping every step the ledger says is done. */
  void advance(String runId) {
    Ledger.RunRow row = row(runId);
    if (row.state().isTerminal() || row.jobId() != null) {
      return;
    }
    RunSpec spec = RunSpec.fromJson(row.spec());
    try {
      String trainingId = row.trainingFileId();
      String validationId = row.validationFileId();
      if (trainingId == null) {
        Prepared p = prepare(runId, spec);
        spec = spec.withMethod(p.method());
        // Evals come first: the bar the tuned model must clear is known before anything is paid for.
        evals.beforeUpload(runId, spec);
        trainingId = upload(runId, p.training(), FileUpload.Role.TRAINING);
        validationId = p.validation() == null ? null : upload(runId, p.validation(), FileUpload.Role.VALIDATION);
        ledger.setFiles(runId, trainingId, validationId, spec.toJson());
      }
      submit(runId, row.idempotencyKey(), spec, trainingId, validationId);
    } catch (InvalidDatasetException e) {
      throw e;
    } catch (RuntimeException e) {
      ledger.setError(runId, e.getMessage());
      // start() throws before it can return the Run, so say which run this was and how to continue it.
      LOG.warn("Run {} stopped before its job was submitted ({}). Its progress is in the ledger: continue it"
          + " with tk.resume(\"{}\")", runId, e.getMessage(), runId);
      throw e;
    }
  }

  private record Prepared(ConvertedFile training, ConvertedFile validation, TrainingMethod method) {}

  private Prepared prepare(String runId, RunSpec spec) {
    ValidationOptions options = new ValidationOptions(provider.name(), spec.model());
    Dataset training = Dataset.of(Path.of(spec.trainingData()));
    DatasetReport report = training.validate(options);
    reject(runId, report);
    Dataset validation = spec.validationData() == null ? null : Dataset.of(Path.of(spec.validationData()));
    if (validation != null) {
      reject(runId, validation.validate(options));
    }
    ledger.log(runId, "validate", report.examples() + " examples, kind " + report.kind());
    DatasetKind kind = report.kind();
    TrainingMethod method = spec.method() != null ? spec.method()
        : kind == DatasetKind.PREFERENCE ? TrainingMethod.DPO : TrainingMethod.SUPERVISED;
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
    return new Prepared(train, valid, method);
  }

  private void reject(String runId, DatasetReport report) {
    if (report.hasErrors()) {
      InvalidDatasetException e = new InvalidDatasetException(runId, report);
      ledger.setState(runId, RunState.REJECTED, e.getMessage());
      throw e;
    }
  }

  /** Uploads once per (provider, content hash), across runs and processes. */
  private String upload(String runId, ConvertedFile file, FileUpload.Role role) {
    String name = "tunekit-" + file.sha256().substring(0, 16)
        + (role == FileUpload.Role.VALIDATION ? "-validation" : "-training") + ".jsonl";
    FileUpload upload = new FileUpload(file.path(), name, file.sha256(), file.sizeBytes(), file.format(), role);
    Instant waitUntil = clock.instant().plus(lease).plus(ledgerPoll);
    while (true) {
      Ledger.Claim claim = ledger.claimUpload(provider.name(), file.sha256(), name, file.sizeBytes(), lease);
      if (claim instanceof Ledger.Claim.Done done) {
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
        RemoteFile remote = provider.upload(upload);
        ledger.uploadDone(runId, provider.name(), file.sha256(), remote.id(), "uploaded");
        return remote.id();
      } finally {
        ledger.releaseUpload(provider.name(), file.sha256());
      }
    }
  }

  /** Creates the run's job at most once. */
  private void submit(String runId, String key, RunSpec spec, String trainingId, String validationId) {
    Instant waitUntil = clock.instant().plus(lease).plus(ledgerPoll);
    while (true) {
      Ledger.Claim claim = ledger.claimSubmit(runId, lease);
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
        JobRequest request = new JobRequest(runId, key, spec.model(), spec.method(), trainingId,
            Optional.ofNullable(validationId), spec.hyperparameters(), Optional.ofNullable(spec.suffix()), metadata);
        ledger.submitAttempt(runId, previous + 1);
        RemoteJob job = provider.createJob(request);
        recordCreated(runId, job, "created");
        return;
      } finally {
        ledger.releaseSubmit(runId);
      }
    }
  }

  private void recordCreated(String runId, RemoteJob job, String how) {
    ledger.jobCreated(runId, job.id(), how);
    if (row(runId).state() == RunState.CANCELLED) {
      // Cancelled while the create call was in flight: honour it.
      LOG.info("Run {} was cancelled while its job was being created; cancelling job {}", runId, job.id());
      ledger.log(runId, "cancel.start", job.id());
      RemoteJob cancelled = provider.cancel(job.id());
      ledger.jobStatus(runId, cancelled.status());
      return;
    }
    ledger.jobStatus(runId, job.status());
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

  RunResult await(String runId, RunListener listener) {
    Instant started = clock.instant();
    Ledger.RunRow row = row(runId);
    if (row.jobId() == null) {
      if (row.state().isTerminal()) {
        return finish(listener, new RunResult(runId, row.state(), Optional.empty(), Optional.empty(), List.of(),
            Duration.ZERO, Optional.empty(), Optional.empty()));
      }
      throw new TunekitException("Run " + runId + " has no job yet (" + row.state() + (row.error() == null ? ""
          : ", last error: " + row.error()) + "). Continue it with tk.resume(\"" + runId + "\").");
    }
    List<MetricPoint> metrics = new ArrayList<>();
    JobWaiter waiter = new JobWaiter(provider, config.polling(), clock, sleeper);
    RemoteJob job = waiter.await(runId, row.jobId(), new JobWaiter.Sink() {
      @Override
      public void status(RemoteJob j) {
        ledger.jobStatus(runId, j.status());
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
    ledger.jobStatus(runId, job.status());
    Ledger.RunRow done = row(runId);
    Optional<String> model = job.status() instanceof JobStatus.Succeeded s ? s.model()
        : Optional.ofNullable(done.fineTunedModel());
    RunState state = RunState.of(job.status());
    Optional<EvalHook.Evaluated> evaluated = Optional.empty();
    if (state == RunState.SUCCEEDED && model.isPresent()) {
      RunSpec spec = RunSpec.fromJson(done.spec());
      evaluated = withEvalDeployment(runId, spec, true,
          () -> evals.afterSuccess(runId, spec, tunedInferenceModel(runId, model.get()), metrics));
    }
    return finish(listener, new RunResult(runId, state, Optional.of(job), model, metrics,
        Duration.between(started, clock.instant()), evaluated.map(EvalHook.Evaluated::comparison),
        evaluated.flatMap(EvalHook.Evaluated::gate)));
  }

  /** {@link Run#evaluate(dev.tunekit.eval.EvalSuite)}: evaluates a succeeded run now (what is not recorded yet). */
  EvalHook.Evaluated evaluate(String runId, dev.tunekit.eval.EvalSuite suite) {
    Ledger.RunRow row = row(runId);
    if (row.state() != RunState.SUCCEEDED || row.fineTunedModel() == null) {
      throw new TunekitException("Run " + runId + " has no tuned model to evaluate (state " + row.state()
          + "). Wait for it with run.await() first.");
    }
    List<MetricPoint> metrics = List.of();
    try {
      metrics = provider.metrics(row.jobId());
    } catch (RuntimeException e) {
      LOG.warn("Run {}: could not read the training metrics for the report ({}); evaluating without them", runId,
          e.getMessage());
    }
    RunSpec spec = RunSpec.fromJson(row.spec());
    List<MetricPoint> m = metrics;
    return withEvalDeployment(runId, spec, false, () -> Optional.of(evals.evaluateNow(runId, spec, suite,
        tunedInferenceModel(runId, row.fineTunedModel()), m))).orElseThrow();
  }

  /**
   * Runs {@code evaluation}, first deploying the tuned model when the run asks for it
   * ({@link FineTune#deployBeforeEvaluation}) and is not evaluated yet, and removing that deployment
   * again when the gate blocks. With {@code lenient}, a failed deployment is logged and nothing is
   * evaluated (the job's success is still reported); otherwise it is thrown.
   */
  private Optional<EvalHook.Evaluated> withEvalDeployment(String runId, RunSpec spec, boolean lenient,
      java.util.function.Supplier<Optional<EvalHook.Evaluated>> evaluation) {
    RunSpec.Eval e = spec.eval();
    boolean deployFirst = e != null && e.deployFirst() && evals.report(runId, EvalHook.TUNED).isEmpty()
        && (!lenient || evals.hasPlan(runId));
    if (deployFirst) {
      try {
        ledger.log(runId, "eval.deploy", "deploying the tuned model to evaluate it");
        deployUnchecked(runId, row(runId));
      } catch (RuntimeException failure) {
        if (!lenient) {
          throw failure;
        }
        LOG.warn("Run {} succeeded but deploying it for evaluation failed: {}", runId, failure.getMessage());
        ledger.log(runId, "eval.error", "deploying for evaluation failed: " + failure.getMessage());
        return Optional.empty();
      }
    }
    Optional<EvalHook.Evaluated> result = evaluation.get();
    if (e != null && e.deployFirst()) {
      result.filter(EvalHook.Evaluated::recorded).flatMap(EvalHook.Evaluated::gate).filter(g -> !g.passed())
          .ifPresent(blocked -> undeployBlocked(runId));
    }
    return result;
  }

  /** Removes the deployment made for evaluating a model the gate blocked, so it stops billing. */
  private void undeployBlocked(String runId) {
    Optional<Deployment> d = ledger.deploymentOf(runId).filter(x -> x.state() != Deployment.State.DELETED);
    if (d.isEmpty()) {
      return;
    }
    try {
      ledger.log(runId, "undeploy.start", d.get().id() + " (promotion gate blocked)");
      provider.undeploy(d.get().id());
      ledger.deployment(runId, new Deployment(d.get().id(), d.get().modelId(), d.get().inferenceModel(),
          Deployment.State.DELETED, "deleted: promotion gate blocked"));
    } catch (RuntimeException failure) {
      LOG.warn("Run {}: the promotion gate blocked, and removing deployment {} failed ({}). Delete it in the provider"
          + " console: it may be billed while it exists.", runId, d.get().id(), failure.getMessage());
      ledger.log(runId, "undeploy.error", d.get().id() + ": " + failure.getMessage());
    }
  }

  /** The id chat requests for the tuned model go to: its active deployment's, if it has one. */
  String tunedInferenceModel(String runId, String fineTunedModel) {
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

  RunState cancel(String runId) {
    Ledger.RunRow row = row(runId);
    if (row.state().isTerminal()) {
      return row.state();
    }
    if (row.jobId() == null) {
      ledger.setState(runId, RunState.CANCELLED, null);
      return RunState.CANCELLED;
    }
    ledger.log(runId, "cancel.start", row.jobId());
    RemoteJob job = provider.cancel(row.jobId());
    ledger.jobStatus(runId, job.status());
    return row(runId).state();
  }

  Deployment deploy(String runId) {
    Ledger.RunRow row = row(runId);
    if (row.fineTunedModel() == null) {
      throw new TunekitException("Run " + runId + " has no tuned model to deploy (state " + row.state()
          + "). Wait for it with run.await() first.");
    }
    evals.checkDeploy(runId, RunSpec.fromJson(row.spec()));
    return deployUnchecked(runId, row);
  }

  /** Deploys without asking the gate: for {@link #deploy} once it allowed it, and for evaluating through a deployment. */
  private Deployment deployUnchecked(String runId, Ledger.RunRow row) {
    Optional<Deployment> existing = ledger.deploymentOf(runId);
    if (existing.isPresent() && existing.get().state() == Deployment.State.ACTIVE) {
      return existing.get();
    }
    Deployment d;
    if (existing.isPresent() && existing.get().state() == Deployment.State.CREATING) {
      d = existing.get();
    } else {
      ledger.log(runId, "deploy.start", row.fineTunedModel());
      d = provider.deploy(row.fineTunedModel(), "tunekit-" + runId, deploymentOptions());
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
      d = provider.deployment(d.id());
      ledger.deployment(runId, d);
    }
    if (d.state() != Deployment.State.ACTIVE) {
      throw new TunekitException("Deployment " + d.id() + " of run " + runId + " ended " + d.rawState()
          + "; check the provider console, then call run.deploy() again.");
    }
    return d;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> deploymentOptions() {
    Object v = config.providerValues().get("deployment");
    return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  Ledger.RunRow row(String runId) {
    return ledger.run(runId).orElseThrow(() -> new Ledger.NotFoundInLedger(runId));
  }

  @Override
  public void close() {
    async.shutdownNow();
    try {
      evals.close();
      ledger.close();
    } finally {
      provider.close();
    }
  }
}
