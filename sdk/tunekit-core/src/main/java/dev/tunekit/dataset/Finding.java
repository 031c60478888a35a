package dev.tunekit.dataset;

import java.util.Objects;

/**
 * One problem found in a dataset.
 *
 * @param severity how bad it is
 * @param line the 1-based line number, or 0 for the dataset as a whole
 * @param code a short stable code such as {@code missing_content}
 * @param message what is wrong and how to fix it
 */
public record Finding(Severity severity, long line, String code, String message) {
  /** Canonical constructor. */
  public Finding {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  /** How bad a finding is. */
  public enum Severity {
    /** The dataset cannot be uploaded until this is fixed. */
    ERROR,
    /** Worth a look; does not block an upload. */
    WARNING
  }
}
