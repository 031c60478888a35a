package dev.tunekit;

import dev.tunekit.error.AwaitTimeoutException;
import dev.tunekit.model.ChatModel;
import dev.tunekit.internal.Async;
import dev.tunekit.internal.EvalHook;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.TunekitException;
import dev.tunekit.internal.Workflow;

import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.EvalReport;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.GateResult;
import dev.tunekit.spi.Cursors;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.RemoteJob;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A handle on one fine-tuning run, returned by {@link FineTune#start()}, {@link FineTune#submit()} and
 * {@link Tunekit#resume(String)}. The run itself lives in the ledger, so a handle is cheap and several
 * handles (even in other processes) may point at the same run. Methods that ask the provider say so.
 *
 * <h2>Async forms</h2>
 * Every method that calls the provider or waits has a form ending in {@code Async} that takes an
 * {@link Executor} and runs the blocking method as one task on it, returning a {@link CompletableFuture}
 * that completes with its result or its exception ({@link #awaitAsync(RunListener)} without an executor uses
 * Tunekit's own threads). Cancelling such a future never cancels the run or its job: use {@link #cancel()}.
 * A task not yet begun is skipped; a running one is not interrupted (an upload, job creation or deployment in
 * flight finishes and is recorded in the ledger), except {@code awaitAsync}'s, which only waits: its thread
 * is interrupted and stops waiting, and the job goes on (await again later).
 */
public final class Run {
  private final Workflow workflow;
  private final String id;

  Run(Workflow workflow, String id) {
    this.workflow = workflow;
    this.id = id;
  }

  /** The run id ({@code run-…}); pass it to {@link Tunekit#resume(String)} in a later session. */
  public String id() {
    return id;
  }

  /** The run as the ledger knows it (no remote call). */
  public RunInfo info() {
    return workflow.row(id).info();
  }

  /** Tunekit's state of the run (no remote call); see {@link RunState} for the state machine. */
  public RunState state() {
    return info().state();
  }

  /** The tuned model id, once training succeeded (no remote call). */
  public Optional<String> fineTunedModel() {
    return info().fineTunedModel();
  }

  /** The job as the provider reports it now (a remote call), or empty before submission. */
  public Optional<RemoteJob> job() {
    return info().jobId().map(jobId -> workflow.provider().job(jobId));
  }

  /** All of the job's events so far, oldest first (a remote call); empty before submission. */
  public List<JobEvent> events() {
    return info().jobId().map(jobId -> Cursors.readAll(after -> workflow.provider().events(jobId, after)))
        .orElse(List.of());
  }

  /** The job's training metrics so far, by step (a remote call); empty before submission. */
  public List<MetricPoint> metrics() {
    return info().jobId().map(jobId -> Cursors.readAll(after -> workflow.provider().metrics(jobId, after)))
        .orElse(List.of());
  }

  /**
   * The provider's price quote for the job, recorded after the upload and before the job was created (no
   * remote call); empty when the provider does not quote prices ({@link dev.tunekit.spi.PriceQuotes}) or
   * the run has not reached that step.
   */
  public Optional<dev.tunekit.spi.PriceQuote> priceQuote() {
    return workflow.priceQuote(id);
  }

  /**
   * Downloads the trained model (a remote call) into {@code directory}, created if missing, and returns the
   * file written: the {@code ADAPTER} (LoRA weights) or the {@code MERGED} model, to serve elsewhere. The file
   * appears only once complete; a failed download leaves none. Needs a trained run and a provider with
   * {@link dev.tunekit.spi.ModelDownloads} (else an {@link dev.tunekit.error.UnsupportedCapabilityException}).
   */
  public java.nio.file.Path downloadModel(dev.tunekit.spi.ModelDownloads.Artifact artifact,
      java.nio.file.Path directory) {
    return workflow.downloadModel(id, artifact, directory);
  }

  /**
   * Resumes the run's job where the provider paused it (a remote call) and returns the job as the provider reports
   * it afterwards; {@link #await()} then goes on waiting. Needs a submitted run and a provider that can resume a
   * job ({@link dev.tunekit.spi.Resumable}, which {@link dev.tunekit.spi.PauseResume} includes), else an
   * {@link dev.tunekit.error.UnsupportedCapabilityException} naming the provider.
   */
  public RemoteJob resumeJob() {
    return workflow.resumeJob(id);
  }

  /** Blocks until the job ends, without progress output. */
  public RunResult await() {
    return await(RunListener.none());
  }

  /**
   * Blocks until the job ends, pushing status changes, new events and metrics to {@code listener}
   * (try {@link RunListener#console()}). Gives up after {@code polling.timeout} with an
   * {@link AwaitTimeoutException}; the job keeps running and the run can be awaited again.
   */
  public RunResult await(RunListener listener) {
    return workflow.await(id, listener);
  }

  /**
   * {@link #await(RunListener)} on one of Tunekit's own threads; cancelling the future stops the waiting (see
   * {@link #awaitAsync(RunListener, Executor)}).
   */
  public CompletableFuture<RunResult> awaitAsync(RunListener listener) {
    return Async.interruptible(() -> await(listener), workflow.async());
  }

  /**
   * {@link #await(RunListener)} as one task on {@code executor} (the listener is called on its thread).
   * Cancelling the future interrupts that thread, which stops the waiting; the job keeps running on the provider
   * and nothing is cancelled (call {@link #cancel()} for that). A run started with {@link FineTune#submit} first
   * waits for its background steps, and the future fails with their failure if they stopped.
   */
  public CompletableFuture<RunResult> awaitAsync(RunListener listener, Executor executor) {
    Objects.requireNonNull(listener, "listener");
    return Async.interruptible(() -> await(listener), executor);
  }

  /**
   * Completes with this run once its job is created (at once if it already is; no remote call). For a run
   * started with {@link FineTune#submit}, that is when its background steps end; it fails with what stopped
   * them (the same exception {@link RunListener#onFailed} got, naming the run to resume), or, for a run that
   * ended or has no job and nothing in this process working on one, with a {@code TunekitException} saying so.
   * Cancelling it does not stop the background steps.
   */
  public CompletableFuture<Run> submitted() {
    return workflow.submitted(id).thenApply(v -> this);
  }

  /**
   * Cancels the run: its job on the provider if submitted (a remote call), otherwise locally so it is
   * never submitted. Returns the state afterwards (the provider may take a moment to confirm).
   */
  public RunState cancel() {
    return workflow.cancel(id);
  }

  /**
   * Makes the tuned model callable and waits until it is (a no-op on providers that serve tuned
   * models at once). Idempotent: a deployment already recorded for this run is reused.
   *
   * @throws GateFailedException when the run sets a {@linkplain FineTune#gate(double) gate} and it did
   *     not pass (or the tuned model is not evaluated yet); its message gives the figures
   */
  public Deployment deploy() {
    return workflow.deploy(id);
  }

  /**
   * Like {@link #deploy()}, with provider-specific options for this deployment, overriding the
   * provider's configured defaults (see the provider module's
   * documentation for the keys, such as a deployment kind or capacity).
   */
  public Deployment deploy(Map<String, ?> options) {
    return workflow.deploy(id, Map.copyOf(options));
  }

  /**
   * The tuned model as a {@link ChatModel}, for evaluation: requests go to the deployment if there is
   * one, else to the tuned model id, through the resilience layer.
   */
  public ChatModel chatModel() {
    String model = workflow.ledger().deploymentOf(id).filter(d -> d.state() == Deployment.State.ACTIVE)
        .map(Deployment::inferenceModel)
        .or(this::fineTunedModel)
        .orElseThrow(() -> new TunekitException("Run " + id + " has no tuned model yet (state " + state()
            + "). Wait for it with run.await() first."));
    return Tunekit.RoutedChatModel.of(workflow.provider(), model);
  }

  /**
   * The baseline's report, once evaluated (no remote call): for a run with an eval suite, right after
   * {@link FineTune#start()} (unless {@link FineTune#baselineFirst(boolean) deferred}) — the bar the
   * tuned model must clear.
   */
  public Optional<EvalReport> baselineReport() {
    return workflow.evals().report(id, EvalHook.BASELINE);
  }

  /**
   * The baseline and tuned reports, baseline first, once the tuned model is evaluated (no remote call).
   * Print it with {@code run.evaluation().ifPresent(EvalComparison::print)}; write the HTML page, with
   * the training loss curve, with {@code writeHtml(path)}. It carries the run's
   * {@linkplain EvalComparison#run() context} (run id, training configuration) and its
   * {@linkplain EvalComparison#gate() gate decision}, which the page and the JSON show.
   */
  public Optional<EvalComparison> evaluation() {
    return workflow.evals().recordedEvaluation(id).map(EvalHook.Evaluated::comparison);
  }

  /** The promotion gate's decision, when the run sets a gate and the tuned model is evaluated (no remote call). */
  public Optional<GateResult> gate() {
    return workflow.evals().gate(id);
  }

  /**
   * Evaluates the tuned model on {@code suite} now, against the run's baseline, and records the
   * reports and the gate's decision in the ledger; whatever is already recorded is reused, not
   * re-evaluated. For a run started with {@link FineTune#evaluateWith}, {@code suite} must be that suite
   * (same fingerprint); this is how a run that succeeded in another process, or whose automatic
   * evaluation failed, gets evaluated. For a run started without one, the baseline is the bare base
   * model and there is no gate. Calls the provider (through the retry layer and the completion cache).
   * A report with errored cases is returned but not recorded (an incomplete evaluation cannot pass a
   * gate): call this again once the cause is fixed; completed calls come from the cache.
   *
   * @throws TunekitException if the run has not succeeded
   * @throws InvalidInputException if {@code suite} is not the run's suite
   */
  public EvalComparison evaluate(EvalSuite suite) {
    Objects.requireNonNull(suite, "suite");
    return workflow.evaluate(id, suite).comparison();
  }

  /** {@link #job()} as one task on {@code executor} (see the class documentation). */
  public CompletableFuture<Optional<RemoteJob>> jobAsync(Executor executor) {
    return Async.supply(this::job, executor);
  }

  /** {@link #events()} as one task on {@code executor} (see the class documentation). */
  public CompletableFuture<List<JobEvent>> eventsAsync(Executor executor) {
    return Async.supply(this::events, executor);
  }

  /** {@link #metrics()} as one task on {@code executor} (see the class documentation). */
  public CompletableFuture<List<MetricPoint>> metricsAsync(Executor executor) {
    return Async.supply(this::metrics, executor);
  }

  /**
   * {@link #cancel()} as one task on {@code executor}. Cancelling the returned future does not undo or stop the
   * cancel once it has begun.
   */
  public CompletableFuture<RunState> cancelAsync(Executor executor) {
    return Async.supply(this::cancel, executor);
  }

  /** {@link #deploy()} as one task on {@code executor}; a deployment in flight is finished and recorded. */
  public CompletableFuture<Deployment> deployAsync(Executor executor) {
    return Async.supply(this::deploy, executor);
  }

  /** {@link #deploy(Map)} as one task on {@code executor}; a deployment in flight is finished and recorded. */
  public CompletableFuture<Deployment> deployAsync(Map<String, ?> options, Executor executor) {
    Map<String, ?> copy = Map.copyOf(options);
    return Async.supply(() -> deploy(copy), executor);
  }

  /** {@link #evaluate(EvalSuite)} as one task on {@code executor}; what it completes is recorded and cached. */
  public CompletableFuture<EvalComparison> evaluateAsync(EvalSuite suite, Executor executor) {
    Objects.requireNonNull(suite, "suite");
    return Async.supply(() -> evaluate(suite), executor);
  }

  /** {@link #resumeJob()} as one task on {@code executor} (see the class documentation). */
  public CompletableFuture<RemoteJob> resumeJobAsync(Executor executor) {
    return Async.supply(this::resumeJob, executor);
  }

  /** {@link #downloadModel} as one task on {@code executor}; a download cut short leaves no file. */
  public CompletableFuture<java.nio.file.Path> downloadModelAsync(dev.tunekit.spi.ModelDownloads.Artifact artifact,
      java.nio.file.Path directory, Executor executor) {
    return Async.supply(() -> downloadModel(artifact, directory), executor);
  }

  @Override
  public String toString() {
    return "Run{" + id + ", " + state() + "}";
  }
}
