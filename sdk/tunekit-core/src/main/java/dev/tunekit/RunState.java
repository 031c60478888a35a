package dev.tunekit;

import dev.tunekit.model.JobStatus;

/**
 * Where a run is in Tunekit's own workflow, as recorded in the ledger. (The provider's view of the
 * job is a {@link JobStatus}.) A run moves CREATED → UPLOADED → SUBMITTED → SUCCEEDED | FAILED |
 * CANCELLED, or stops at REJECTED when its dataset has errors.
 */
public enum RunState {
  /** Recorded; its dataset is being checked, converted and uploaded. */
  CREATED,
  /** The dataset has errors; nothing was uploaded. Fix the data and start a new run. */
  REJECTED,
  /** The files are uploaded; the job is not submitted yet. */
  UPLOADED,
  /** The provider has the job; it is validating, queued or training. */
  SUBMITTED,
  /** Training finished; the tuned model exists. */
  SUCCEEDED,
  /** The job failed on the provider. */
  FAILED,
  /** The run was cancelled. */
  CANCELLED;

  /** Whether nothing more will happen to this run (except deploying a tuned model). */
  public boolean isTerminal() {
    return this == REJECTED || this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  public static RunState of(JobStatus status) {
    if (status instanceof JobStatus.Succeeded) {
      return SUCCEEDED;
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
