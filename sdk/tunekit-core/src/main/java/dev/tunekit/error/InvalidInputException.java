package dev.tunekit.error;

import java.util.Optional;

/**
 * The input is wrong: a dataset, a config file, an eval suite or a request parameter. Never retried;
 * nothing was sent upstream because of it. {@link #location()} names the file and line when known.
 */
public class InvalidInputException extends TunekitException {
  private static final long serialVersionUID = 1L;
  private final String location;

  /** Creates an exception with no known location. */
  public InvalidInputException(String message) {
    this(message, null, null);
  }

  /** Creates an exception at a location such as {@code "tunekit.yaml:12"}. */
  public InvalidInputException(String message, String location) {
    this(message, location, null);
  }

  /** Creates an exception at a location, with a cause. */
  public InvalidInputException(String message, String location, Throwable cause) {
    super(location == null ? message : location + ": " + message, cause);
    this.location = location;
  }

  /** Where the bad input is, as {@code file:line} or {@code file}, if known. */
  public Optional<String> location() {
    return Optional.ofNullable(location);
  }
}
