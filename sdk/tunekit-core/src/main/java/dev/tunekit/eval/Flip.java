package dev.tunekit.eval;

import java.util.Objects;
import java.util.Optional;

/**
 * A case whose verdict changed between the baseline and another target: it passed on one and failed
 * on the other. (A case that errored on either side is not a flip: its verdict is unknown there.)
 *
 * @param caseId the case
 * @param baseline the baseline target's name
 * @param target the other target's name
 * @param before the baseline's outcome ({@code PASS} or {@code FAIL})
 * @param after the other target's outcome ({@code PASS} or {@code FAIL})
 * @param expected the case's expected value, if any
 * @param baselineOutput what the baseline answered
 * @param targetOutput what the other target answered
 */
public record Flip(
    String caseId,
    String baseline,
    String target,
    Outcome before,
    Outcome after,
    Optional<String> expected,
    Optional<String> baselineOutput,
    Optional<String> targetOutput) {

  /** Canonical constructor. */
  public Flip {
    Objects.requireNonNull(caseId, "caseId");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
  }

  /** Whether the other target fixed a case the baseline failed. */
  public boolean improved() {
    return after == Outcome.PASS;
  }
}
