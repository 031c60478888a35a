package dev.tunekit.eval;

import dev.tunekit.error.InvalidInputException;
import java.util.Objects;

/**
 * What a {@link Grader} decided about one output.
 *
 * @param score between 0 and 1 (1 is best)
 * @param passed whether the output is acceptable
 * @param reason a short human explanation, shown in reports next to the diff
 */
public record Grade(double score, boolean passed, String reason) {

  /** Canonical constructor: checks the score range. */
  public Grade {
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new InvalidInputException("a grade's score must be between 0 and 1, got " + score);
    }
    Objects.requireNonNull(reason, "reason");
  }

  /** A pass with score 1. */
  public static Grade pass(String reason) {
    return new Grade(1.0, true, reason);
  }

  /** A fail with score 0. */
  public static Grade fail(String reason) {
    return new Grade(0.0, false, reason);
  }

  /** A pass or fail with score 1 or 0. */
  public static Grade of(boolean passed, String reason) {
    return passed ? pass(reason) : fail(reason);
  }

  /** A partial score that passes when it reaches {@code threshold}. */
  public static Grade scored(double score, double threshold, String reason) {
    return new Grade(score, score >= threshold, reason);
  }
}
