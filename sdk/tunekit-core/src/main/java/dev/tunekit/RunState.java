package dev.tunekit;

import dev.tunekit.model.JobStatus;

/**
 * Where a run is in Tunekit's workflow, as recorded in the ledger. (The provider's view of the job is
 * a {@link JobStatus}.) The run is an explicit state machine; every move is recorded with its cause:
 *
 * <pre>
 * CREATED → VALIDATED → [BASELINE_EVALUATED] → UPLOADED → SUBMITTED → TRAINED
 *   → EVALUATED → GATE_PASSED | GATE_BLOCKED          (a run with an eval suite, and a gate)
 *   → DEPLOYED                                         (run.deploy(); only from GATE_PASSED when gated)
 * CREATED → REJECTED (dataset errors) · SUBMITTED → FAILED | CANCELLED · before SUBMITTED → CANCELLED
 * TRAINED → EVALUATION_FAILED → EVALUATED             (an evaluation that failed, then was retried)
 * </pre>
 *
 * The full table, drawn as a diagram, is in {@code docs/run-states.md}. A run without an eval suite
 * rests in TRAINED; one with a suite but no gate rests in EVALUATED.
 */
public enum RunState {
  /** Recorded; its dataset is being checked. */
  CREATED,
  /**
   * The dataset passed validation and the provider's preflight, and is converted; nothing is uploaded yet. The
   * state {@link FineTune#submit(RunListener, java.util.concurrent.Executor)} returns a run in, while the baseline,
   * upload and job creation go on in the background.
   */
  VALIDATED,
  /** The prompt-engineered baseline is evaluated (before anything is uploaded): the bar is known. */
  BASELINE_EVALUATED,
  /** The files are uploaded; the job is not submitted yet. */
  UPLOADED,
  /** The provider has the job; it is validating, queued or training. */
  SUBMITTED,
  /** Training finished; the tuned model exists. A run with an eval suite is evaluated next. */
  TRAINED,
  /** The tuned model is evaluated against the baseline (both reports are recorded). */
  EVALUATED,
  /**
   * Evaluating the tuned model failed (errored cases, a failed deployment, an exception); the reason is
   * in {@link RunInfo#error()} and {@link RunResult#error()}. {@link Run#evaluate} retries it.
   */
  EVALUATION_FAILED,
  /** The promotion gate passed: the run may be deployed. */
  GATE_PASSED,
  /** The promotion gate blocked: the run will not be deployed. */
  GATE_BLOCKED,
  /** The tuned model is deployed through {@link Run#deploy()}. */
  DEPLOYED,
  /** The dataset has errors; nothing was uploaded. Fix the data and start a new run. */
  REJECTED,
  /** The job failed on the provider. */
  FAILED,
  /** The run was cancelled. */
  CANCELLED;

  /**
   * Whether the run is over: no move leaves this state (REJECTED, FAILED, CANCELLED, GATE_BLOCKED,
   * DEPLOYED). Resting states that a user action can still move on (TRAINED and EVALUATED can be
   * deployed, GATE_PASSED too, EVALUATION_FAILED can be evaluated again) are not terminal.
   */
  public boolean isTerminal() {
    return this == REJECTED || this == FAILED || this == CANCELLED || this == GATE_BLOCKED || this == DEPLOYED;
  }

  /** Whether training succeeded: the tuned model exists (TRAINED or any state after it). */
  public boolean isTrained() {
    return this == TRAINED || this == EVALUATED || this == EVALUATION_FAILED || this == GATE_PASSED
        || this == GATE_BLOCKED || this == DEPLOYED;
  }

  /** Whether the run has not been submitted yet and is still going (it can be uploaded or submitted). */
  public boolean isBeforeSubmission() {
    return this == CREATED || this == VALIDATED || this == BASELINE_EVALUATED || this == UPLOADED;
  }

  /** The state a job's status takes a submitted run to: TRAINED, FAILED, CANCELLED, or SUBMITTED while it runs. */
  public static RunState of(JobStatus status) {
    if (status instanceof JobStatus.Succeeded) {
      return TRAINED;
    }
    if (status instanceof JobStatus.Failed) {
      return FAILED;
    }
    if (status instanceof JobStatus.Cancelled) {
      return CANCELLED;
    }
    return SUBMITTED;
  }
}
