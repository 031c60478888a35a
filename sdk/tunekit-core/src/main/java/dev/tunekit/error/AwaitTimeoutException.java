package dev.tunekit.error;


/**
 * {@code await} gave up waiting. The job keeps running on the provider and the run stays in the
 * ledger: wait again later with {@code tk.resume(runId).await()}, or cancel it.
 */
public class AwaitTimeoutException extends TunekitException {
  private static final long serialVersionUID = 1L;
  private final String runId;

  /**
   * @param runId the run that is still going
   * @param message what was awaited for how long, and what to do next
   */
  public AwaitTimeoutException(String runId, String message) {
    super(message);
    this.runId = runId;
  }

  /** The run that is still going. */
  public String runId() {
    return runId;
  }
}
