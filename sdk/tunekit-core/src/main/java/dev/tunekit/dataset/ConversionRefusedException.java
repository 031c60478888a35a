package dev.tunekit.dataset;

import dev.tunekit.error.InvalidInputException;

/**
 * Thrown by a {@link DatasetConverter} for an example its format cannot hold without losing
 * information. The message is only the reason (such as {@code it defines "tools", which … cannot hold});
 * Tunekit rethrows it as an {@link InvalidInputException} located at the example's line.
 */
public class ConversionRefusedException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /** A refusal with its reason. */
  public ConversionRefusedException(String reason) {
    super(reason);
  }
}
