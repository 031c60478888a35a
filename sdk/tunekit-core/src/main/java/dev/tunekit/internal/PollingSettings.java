package dev.tunekit.internal;

import dev.tunekit.error.InvalidInputException;

import java.time.Duration;

/**
 * How a run waits for its job ({@code polling:} in tunekit.yaml).
 *
 * @param initialInterval first wait between polls, and the wait after any change
 * @param maxInterval the longest wait between polls
 * @param multiplier growth of the wait while nothing changes
 * @param timeout how long {@code await} waits in total before giving up (the job keeps running)
 */
public record PollingSettings(Duration initialInterval, Duration maxInterval, double multiplier, Duration timeout) {

  public static PollingSettings defaults() {
    return new PollingSettings(Duration.ofSeconds(5), Duration.ofSeconds(60), 1.5, Duration.ofHours(24));
  }

  public PollingSettings {
    if (initialInterval.isNegative() || maxInterval.compareTo(initialInterval) < 0) {
      throw new InvalidInputException("polling.maxInterval must be at least polling.initialInterval");
    }
    if (!(multiplier >= 1.0)) {
      throw new InvalidInputException("polling.multiplier must be at least 1.0, was " + multiplier);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidInputException("polling.timeout must be positive");
    }
  }
}
