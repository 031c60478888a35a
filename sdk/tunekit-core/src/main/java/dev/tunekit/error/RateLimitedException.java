package dev.tunekit.error;

/** The provider is rate limiting (HTTP 429 or a throttling error). Retried after {@link #retryAfter()}; thrown to the caller only when retries are exhausted. */
public class RateLimitedException extends ProviderException {
  private static final long serialVersionUID = 1L;

  RateLimitedException(Builder builder) {
    super(builder);
  }
}
