package dev.tunekit.eval;

import java.util.Objects;

/**
 * The decision of a promotion gate, such as {@link EvalReport#checkImprovementOver}. Recorded as is
 * (for instance in a run's ledger); {@link #orThrow()} turns a failed gate into a
 * {@link GateFailedException}.
 *
 * @param gate what was required, e.g. {@code tuned beats baseline by ≥ 5.0 points}
 * @param passed whether the requirement holds
 * @param message the figures behind the decision and, when blocked, what to do
 */
public record GateResult(String gate, boolean passed, String message) {
  /** Canonical constructor. */
  public GateResult {
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(message, "message");
  }

  /** Returns this result if the gate passed; else throws {@link GateFailedException} with its message. */
  public GateResult orThrow() {
    if (!passed) {
      throw new GateFailedException(this);
    }
    return this;
  }
}
