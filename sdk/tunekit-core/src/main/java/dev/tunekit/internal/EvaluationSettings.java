package dev.tunekit.internal;

import dev.tunekit.error.InvalidInputException;

/**
 * The limits of the evaluation targets Tunekit builds itself (the built-in baseline and the tuned
 * model), from the {@code evaluation:} section of tunekit.yaml. A caller's own baseline
 * {@code EvalTarget} keeps its limits; when it shares the provider's rate-limit group, the tuned
 * target takes its limits too, since one group has one set of limits.
 *
 * @param requestsPerMinute the most requests per minute to the provider while evaluating; 0 for no limit
 * @param maxConcurrentCalls the most evaluation calls in flight at once
 */
public record EvaluationSettings(int requestsPerMinute, int maxConcurrentCalls) {
  public EvaluationSettings {
    if (requestsPerMinute < 0) {
      throw new InvalidInputException("evaluation.requestsPerMinute must be 0 (no limit) or positive, was "
          + requestsPerMinute);
    }
    if (maxConcurrentCalls < 1) {
      throw new InvalidInputException("evaluation.maxConcurrentCalls must be at least 1, was " + maxConcurrentCalls);
    }
  }

  /** No rate limit, 4 calls in flight. */
  public static EvaluationSettings defaults() {
    return new EvaluationSettings(0, 4);
  }
}
