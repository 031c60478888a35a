package dev.tunekit.eval;

import java.util.Objects;

/**
 * What one grader decided on one case.
 *
 * @param grader the grader's name
 * @param outcome pass, fail, or error when the grader threw (then {@code reason} is the error)
 * @param score 0..1; 0 for an error
 * @param reason the grader's explanation, or the error message
 */
public record GraderResult(String grader, Outcome outcome, double score, String reason) {
  /** Canonical constructor. */
  public GraderResult {
    Objects.requireNonNull(grader, "grader");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(reason, "reason");
  }
}
