package dev.tunekit;

import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.RemoteJob;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A handle on one fine-tuning run, returned by {@link FineTune#start()} and
 * {@link Tunekit#resume(String)}. The run itself lives in the ledger, so a handle is cheap and several
 * handles (even in other processes) may point at the same run. Methods that ask the provider say so.
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

  /** Tunekit's state of the run (no remote call). */
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
    return info().jobId().map(jobId -> workflow.provider().events(jobId)).orElse(List.of());
  }

  /** The job's training metrics so far, by step (a remote call); empty before submission. */
  public List<MetricPoint> metrics() {
    return info().jobId().map(jobId -> workflow.provider().metrics(jobId)).orElse(List.of());
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

  /** {@link #await(RunListener)} on a Tunekit thread. */
  public CompletableFuture<RunResult> awaitAsync(RunListener listener) {
    return CompletableFuture.supplyAsync(() -> await(listener), workflow.async());
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
   */
  public Deployment deploy() {
    return workflow.deploy(id);
  }

  /**
   * The tuned model as a {@link ChatModel}, for evaluation: requests go to the deployment if there is
   * one, else to the tuned model id, through the resilience layer.
   */
  public ChatModel chatModel() {
    String model = workflow.ledger().deploymentOf(id).map(Deployment::inferenceModel)
        .or(this::fineTunedModel)
        .orElseThrow(() -> new TunekitException("Run " + id + " has no tuned model yet (state " + state()
            + "). Wait for it with run.await() first."));
    return new Tunekit.RoutedChatModel(workflow.provider(), model);
  }

  /** Records an evaluation report (JSON) against this run in the ledger. */
  public void recordEvaluation(String suiteName, String reportJson) {
    workflow.ledger().evalResult(id, suiteName, reportJson);
  }

  @Override
  public String toString() {
    return "Run{" + id + ", " + state() + "}";
  }
}
