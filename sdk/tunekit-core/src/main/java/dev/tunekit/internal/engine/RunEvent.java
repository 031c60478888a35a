package dev.tunekit.internal.engine;

/** What moves a run from one {@link dev.tunekit.RunState} to the next (a row of {@link RunTransitions}). */
public enum RunEvent {
  /** The dataset passed validation. */
  VALIDATE,
  /** The dataset has errors. */
  REJECT,
  /** The baseline's report is recorded before upload. */
  EVALUATE_BASELINE,
  /** The training (and validation) files are uploaded. */
  UPLOAD,
  /** The job is created on the provider. */
  SUBMIT,
  /** The provider reports the job succeeded. */
  JOB_SUCCEEDED,
  /** The provider reports the job failed. */
  JOB_FAILED,
  /** The provider reports the job cancelled. */
  JOB_CANCELLED,
  /** The run is cancelled before it has a job. */
  CANCEL,
  /** Baseline and tuned reports are recorded. */
  EVALUATE,
  /** Evaluating the tuned model failed. */
  FAIL_EVALUATION,
  /** The recorded gate passed. */
  PASS_GATE,
  /** The recorded gate blocked. */
  BLOCK_GATE,
  /** The tuned model is deployed by the user. */
  DEPLOY
}
