package dev.tunekit.error;

import dev.tunekit.internal.Durations;
import dev.tunekit.Run;

import java.time.Duration;

/**
 * {@code await} gave up waiting. The job keeps running on the provider and the run stays in the
 * ledger: wait again later with {@code tk.resume(runId).await()}, or cancel it.
 */
public class AwaitTimeoutException extends TunekitException {
  private static final long serialVersionUID = 1L;
  private final String runId;

  public AwaitTimeoutException(String runId, String jobId, String lastStatus, Duration waited) {
    super("Run " + runId + " (job " + jobId + ", status " + lastStatus + ") did not finish within "
        + Durations.format(waited) + ". The job keeps running on the provider: wait again with tk.resume(\"" + runId
        + "\").await(...), raise polling.timeout in tunekit.yaml, or cancel it with run.cancel().");
    this.runId = runId;
  }

  /** The run that is still going. */
  public String runId() {
    return runId;
  }
}
