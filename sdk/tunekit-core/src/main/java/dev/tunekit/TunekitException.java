package dev.tunekit;

/**
 * The one unchecked root of every exception Tunekit throws. Subclasses say what the caller can do:
 * {@link InvalidInputException} (fix the input), {@link AuthenticationException} (fix credentials),
 * {@link RateLimitedException} (wait), {@link NotFoundException} (check the id),
 * {@link ProviderException} (the provider failed; maybe retry later).
 *
 * <p>Messages say what happened and what to do about it. They never contain secrets. When a provider
 * SDK threw, its exception is kept as the {@linkplain #getCause() cause}.
 */
public class TunekitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that says what happened and what to do. */
  public TunekitException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the underlying cause. */
  public TunekitException(String message, Throwable cause) {
    super(message, cause);
  }
}
