package dev.tunekit.error;


/**
 * The core's circuit breaker for a provider is open: recent calls failed too often, so Tunekit does
 * not call the provider for a while. Not retried by the retry layer (that is the point of the
 * breaker); {@link #retryAfter()} says when a trial call will be let through.
 */
public final class CircuitOpenException extends ProviderException {
  private static final long serialVersionUID = 1L;

  public CircuitOpenException(Builder builder) {
    super(builder);
  }
}
