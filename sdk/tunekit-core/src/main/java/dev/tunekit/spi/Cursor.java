package dev.tunekit.spi;

import java.util.Objects;

/**
 * Where a read of a growing list (a job's events or metrics) stopped: pass it back to read only what
 * is new. Opaque to the core, which persists it between polls; its meaning belongs to the provider
 * (an event id, a step number, a byte offset in a log).
 *
 * @param value the provider's position, never empty
 */
public record Cursor(String value) {
  /** Canonical constructor. */
  public Cursor {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new dev.tunekit.error.InvalidInputException("a cursor must not be empty");
    }
  }
}
