package dev.tunekit.internal;

import dev.tunekit.error.InvalidInputException;

import java.time.Duration;

/**
 * Retry and circuit-breaker settings of the one retry layer ({@code resilience:} in tunekit.yaml).
 *
 * @param maxAttempts total attempts per call, including the first
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff upper bound of the exponential wait (a server's Retry-After is honoured above it)
 * @param multiplier growth of the wait per attempt
 * @param failureRateThreshold percentage of failed calls that opens the breaker
 * @param slidingWindowSize number of recent calls the breaker looks at
 * @param minimumNumberOfCalls calls needed before the breaker computes a failure rate
 * @param waitInOpenState how long the breaker stays open before letting a trial call through
 */
public record ResilienceSettings(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    double multiplier,
    float failureRateThreshold,
    int slidingWindowSize,
    int minimumNumberOfCalls,
    Duration waitInOpenState) {

  public static ResilienceSettings defaults() {
    return new ResilienceSettings(5, Duration.ofMillis(500), Duration.ofSeconds(30), 2.0, 50f, 20, 10,
        Duration.ofSeconds(30));
  }

  public ResilienceSettings {
    if (maxAttempts < 1) {
      throw new InvalidInputException("resilience.retry.maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new InvalidInputException("resilience.retry.maxBackoff must be at least initialBackoff");
    }
    if (!(multiplier >= 1.0)) {
      throw new InvalidInputException("resilience.retry.multiplier must be at least 1.0, was " + multiplier);
    }
    if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
      throw new InvalidInputException("resilience.circuitBreaker.failureRateThreshold must be in (0, 100], was "
          + failureRateThreshold);
    }
    if (slidingWindowSize < 1 || minimumNumberOfCalls < 1) {
      throw new InvalidInputException("resilience.circuitBreaker.slidingWindowSize and minimumNumberOfCalls must be at least 1");
    }
  }
}
