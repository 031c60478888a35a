package dev.tunekit.eval;

import dev.tunekit.error.TunekitException;

/**
 * A promotion gate blocked: the candidate model did not earn promotion. The message gives the figures;
 * {@link #result()} keeps the whole decision.
 */
public class GateFailedException extends TunekitException {
  private static final long serialVersionUID = 1L;
  private final transient GateResult result;

  /** Creates the exception for a failed gate. */
  public GateFailedException(GateResult result) {
    super("promotion blocked — " + result.gate() + ": " + result.message());
    this.result = result;
  }

  /**
   * Creates the exception for a failed gate with a message of the caller's, such as one that names the
   * run and its state first; {@code context} is followed by the gate's figures.
   */
  public GateFailedException(String context, GateResult result) {
    super(context + ": promotion blocked — " + result.gate() + ": " + result.message());
    this.result = result;
  }

  /** The gate's decision. */
  public GateResult result() {
    return result;
  }
}
