package dev.tunekit.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One event in a job's history, as the provider reported it.
 *
 * @param id the provider's event id (stable, used to de-duplicate)
 * @param time when it happened
 * @param level {@code info}, {@code warn} or {@code error}
 * @param message what happened, as the provider wrote it
 */
public record JobEvent(String id, Instant time, String level, String message) {
  /** Canonical constructor. */
  public JobEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(message, "message");
  }
}
