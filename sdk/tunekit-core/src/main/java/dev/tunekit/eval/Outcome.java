package dev.tunekit.eval;

/**
 * The outcome of a case or of one grader on a case. {@link #ERROR} means nothing could be judged (the
 * call failed or timed out, or a grader could not decide): it is neither a pass nor a fail and is kept
 * out of pass rates.
 */
public enum Outcome {
  /** Every grader accepted the output. */
  PASS,
  /** At least one grader rejected the output. */
  FAIL,
  /** The call or a grader failed; see the case's error. */
  ERROR
}
