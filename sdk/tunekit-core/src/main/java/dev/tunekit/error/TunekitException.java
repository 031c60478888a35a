package dev.tunekit.error;


/**
 * The one unchecked root of every exception Tunekit throws. Subclasses say what the caller can do:
 * {@link InvalidInputException} (fix the input), {@link AuthenticationException} (fix credentials),
 * {@link RateLimitedException} (wait), {@link NotFoundException} (check the id),
 * {@link ProviderException} (the provider failed; maybe retry later),
 * {@link TrainingUnavailableException} (the provider no longer takes such jobs: switch provider).
 *
 * <p>Messages say what happened and what to do about it. They never contain secrets. When a provider
 * SDK threw, its exception is kept as the {@linkplain #getCause() cause}.
 */
public class TunekitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that says what happened and what to do. */
  public TunekitException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the underlying cause. */
  public TunekitException(String message, Throwable cause) {
    super(message, cause);
  }

  private volatile String resumeRunId;

  /**
   * The run this failure left in the ledger, when starting a run failed after the run was recorded:
   * continue it with {@code tk.resume(id)} rather than starting a new run (which could pay twice). The
   * message then ends with that advice too.
   */
  public java.util.Optional<String> resumeRunId() {
    return java.util.Optional.ofNullable(resumeRunId);
  }

  /** Names the run to resume; see {@link #resumeRunId()}. */
  public TunekitException resumeWith(String runId) {
    this.resumeRunId = runId;
    return this;
  }

  private volatile String failedRunId;

  /**
   * The run this failure stopped for good, when starting a run failed on a definite error (invalid input,
   * a refused request, missing credentials): resuming it would repeat the error, so fix the cause and
   * start a new run. The message then ends with that advice too.
   */
  public java.util.Optional<String> failedRunId() {
    return java.util.Optional.ofNullable(failedRunId);
  }

  /** Names the run this definite failure stopped; see {@link #failedRunId()}. */
  public TunekitException failedRun(String runId) {
    this.failedRunId = runId;
    return this;
  }

  /**
   * The message, ending with how to resume the run when {@link #resumeRunId()} names one, or with "fix and
   * start again" when {@link #failedRunId()} does.
   */
  @Override
  public String getMessage() {
    String m = super.getMessage();
    String failed = failedRunId;
    if (failed != null && resumeRunId == null) {
      return m + " [run " + failed + " stopped on this error; fix the cause and start a new run (resuming it would"
          + " repeat the error)]";
    }
    String run = resumeRunId;
    if (run == null || (m != null && m.contains("tk.resume(\"" + run + "\")"))) {
      return m;
    }
    return m + " [run " + run + ": resume it with tk.resume(\"" + run + "\") rather than starting a new run, which"
        + " could submit a second job]";
  }
}
