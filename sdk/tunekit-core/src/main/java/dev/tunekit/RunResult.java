package dev.tunekit;

import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.TunekitException;

import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.GateResult;
import dev.tunekit.spi.RemoteJob;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a run ended, returned by {@link Run#await(RunListener)}.
 *
 * @param runId the run
 * @param state where the run is now: TRAINED (no suite), EVALUATED (no gate), GATE_PASSED, GATE_BLOCKED or
 *     EVALUATION_FAILED for a trained run; FAILED or CANCELLED; REJECTED for a run whose dataset had errors
 * @param job the final job snapshot, if a job was submitted
 * @param fineTunedModel the tuned model id, when training succeeded
 * @param metrics the training metrics seen while waiting, by step
 * @param waited how long {@code await} waited
 * @param evaluation for a run with an eval suite ({@link FineTune#evaluateWith}) that succeeded: the
 *     baseline and tuned reports, baseline first, as recorded in the ledger (a report with errored
 *     cases is shown here but not recorded; {@link Run#evaluate} retries it)
 * @param gate the promotion gate's decision, when the run sets one ({@link FineTune#gate(double)}) and
 *     it was evaluated; {@link Run#deploy()} refuses unless it passed
 * @param error why the run stopped short, if it did: the job's failure reason, why its evaluation failed
 *     (state EVALUATION_FAILED), or what it needs (a TRAINED run that must be resumed with its suite);
 *     {@link #failureReason()} gives the full reason of a run that ended without a usable model
 *
 * <p>{@link #toString()} is a one-line summary (run, state, reason or tuned model, gate, wait), the
 * line JShell shows for {@code run.await()}; the metrics and reports are in the components.
 */
public record RunResult(
    String runId,
    RunState state,
    Optional<RemoteJob> job,
    Optional<String> fineTunedModel,
    List<MetricPoint> metrics,
    Duration waited,
    Optional<EvalComparison> evaluation,
    Optional<GateResult> gate,
    Optional<String> error) {

  /** Canonical constructor. */
  public RunResult {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(fineTunedModel, "fineTunedModel");
    metrics = List.copyOf(metrics);
    Objects.requireNonNull(waited, "waited");
    Objects.requireNonNull(evaluation, "evaluation");
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(error, "error");
  }

  /** A result without a recorded reason. */
  public RunResult(String runId, RunState state, Optional<RemoteJob> job, Optional<String> fineTunedModel,
      List<MetricPoint> metrics, Duration waited, Optional<EvalComparison> evaluation, Optional<GateResult> gate) {
    this(runId, state, job, fineTunedModel, metrics, waited, evaluation, gate, Optional.empty());
  }

  /** A result without evaluation (a run with no eval suite). */
  public RunResult(String runId, RunState state, Optional<RemoteJob> job, Optional<String> fineTunedModel,
      List<MetricPoint> metrics, Duration waited) {
    this(runId, state, job, fineTunedModel, metrics, waited, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Whether training succeeded (the state is TRAINED or later: {@link RunState#isTrained()}). */
  public boolean succeeded() {
    return state.isTrained();
  }

  /** The provider's status, if a job was submitted. */
  public Optional<JobStatus> status() {
    return job.map(RemoteJob::status);
  }

  /**
   * Why the run ended without a model to deploy, for a run that did: the provider's failure message and
   * code (FAILED), the gate's figures and what to do (GATE_BLOCKED), the preflight or dataset errors
   * (REJECTED), why its evaluation failed (EVALUATION_FAILED), or the cancellation (CANCELLED). Empty for
   * a run that is trained, evaluated, passed its gate or deployed.
   */
  public Optional<String> failureReason() {
    switch (state) {
      case FAILED:
        return status().filter(s -> s instanceof JobStatus.Failed).map(s -> (JobStatus.Failed) s)
            .map(f -> f.reason() + f.code().map(c -> " (" + c + ")").orElse(""))
            .or(() -> error).or(() -> Optional.of("the job failed; run.events() has the provider's log"));
      case GATE_BLOCKED:
        return gate.filter(g -> !g.passed()).map(g -> g.gate() + ": " + g.message()).or(() -> error)
            .or(() -> Optional.of("the promotion gate blocked it"));
      case CANCELLED:
        return error.or(() -> Optional.of("cancelled" + status().map(s -> " (job " + s.raw() + ")").orElse("")));
      case REJECTED:
      case EVALUATION_FAILED:
        return error.or(() -> Optional.of(state == RunState.REJECTED ? "rejected before upload"
            : "the evaluation failed"));
      default:
        return Optional.empty();
    }
  }

  /**
   * One line: the run, its state, then the failure reason (its lines joined) or the tuned model and the
   * gate's decision, and how long {@code await} waited.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("RunResult{").append(runId).append(' ').append(state);
    Optional<String> reason = failureReason();
    if (reason.isPresent()) {
      sb.append(": ").append(oneLine(reason.get()));
    } else {
      fineTunedModel.ifPresent(m -> sb.append(", tuned model ").append(m));
      gate.ifPresent(g -> sb.append(", gate ").append(g.passed() ? "passed" : "blocked"));
      error.ifPresent(e -> sb.append(", ").append(oneLine(e)));
    }
    job.ifPresent(j -> sb.append(", job ").append(j.id()));
    if (!metrics.isEmpty()) {
      sb.append(", ").append(metrics.size()).append(" metric points");
    }
    return sb.append(", waited ").append(dev.tunekit.internal.Durations.format(waited)).append('}').toString();
  }

  private static String oneLine(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(java.util.stream.Collectors.joining(" "));
  }

  /** This result if training succeeded; otherwise a {@link TunekitException} saying why it did not. */
  public RunResult orThrow() {
    if (succeeded()) {
      return this;
    }
    String why = status().map(s -> s instanceof JobStatus.Failed f
        ? "failed: " + f.reason() + f.code().map(c -> " (" + c + ")").orElse("")
        : "ended as " + s.raw()).orElse("ended as " + state + error.map(e -> " (" + e + ")").orElse(""));
    throw new TunekitException("Run " + runId + " " + why + ". See run.events() for the provider's log.");
  }
}
