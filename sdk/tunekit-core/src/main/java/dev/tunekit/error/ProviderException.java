package dev.tunekit.error;

import java.time.Duration;
import java.util.Optional;

/**
 * A remote provider call failed. Carries what the resilience layer needs to decide on a retry: the
 * HTTP status (if any), the provider's request id, a server-suggested {@code Retry-After}, whether
 * the failure is transient, and whether the request may have reached the provider before it failed
 * (a timeout or reset after sending) — which is what idempotent job submission checks before any
 * retry.
 */
public class ProviderException extends TunekitException {
  private static final long serialVersionUID = 1L;
  private final String provider;
  private final Integer statusCode;
  private final String requestId;
  private final Duration retryAfter;
  private final boolean retryable;
  private final boolean outcomeUnknown;

  /** Creates a provider failure. Prefer {@link #builder(String, String)}. */
  protected ProviderException(Builder b) {
    super(b.message, b.cause);
    this.provider = b.provider;
    this.statusCode = b.statusCode;
    this.requestId = b.requestId;
    this.retryAfter = b.retryAfter;
    this.retryable = b.retryable;
    this.outcomeUnknown = b.outcomeUnknown;
  }

  /** Starts a builder for a failure of {@code provider} with a message that says what to do. */
  public static Builder builder(String provider, String message) {
    return new Builder(provider, message);
  }

  /** The provider name, as chosen in config. */
  public String provider() {
    return provider;
  }

  /** The HTTP status code, when the failure had one. */
  public Optional<Integer> statusCode() {
    return Optional.ofNullable(statusCode);
  }

  /** The provider's request id, for support tickets. */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /** How long the provider asked us to wait before retrying, if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** Whether retrying the same call may succeed (408, 409, 429, 5xx, connection errors). */
  public boolean retryable() {
    return retryable;
  }

  /**
   * Whether the request may have been processed by the provider even though we saw a failure
   * (timeout, connection reset after sending, 5xx). A create call with an unknown outcome must be
   * reconciled before it is retried.
   */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }

  /** Builder for {@link ProviderException} and its subclasses. */
  public static final class Builder {
    private final String provider;
    private final String message;
    private Throwable cause;
    private Integer statusCode;
    private String requestId;
    private Duration retryAfter;
    private boolean retryable;
    private boolean outcomeUnknown;

    private Builder(String provider, String message) {
      this.provider = provider;
      this.message = message;
    }

    /** The provider SDK's exception. */
    public Builder cause(Throwable cause) {
      this.cause = cause;
      return this;
    }

    /** The HTTP status code. */
    public Builder statusCode(Integer statusCode) {
      this.statusCode = statusCode;
      return this;
    }

    /** The provider's request id. */
    public Builder requestId(String requestId) {
      this.requestId = requestId;
      return this;
    }

    /** The server-suggested wait before a retry. */
    public Builder retryAfter(Duration retryAfter) {
      this.retryAfter = retryAfter;
      return this;
    }

    /** Whether the call may be retried. */
    public Builder retryable(boolean retryable) {
      this.retryable = retryable;
      return this;
    }

    /** Whether the call may have taken effect on the provider. */
    public Builder outcomeUnknown(boolean outcomeUnknown) {
      this.outcomeUnknown = outcomeUnknown;
      return this;
    }

    /** A generic provider failure. */
    public ProviderException build() {
      return new ProviderException(this);
    }

    /** A 401/403: the credentials are missing, wrong or lack permission. Not retried. */
    public AuthenticationException buildAuthentication() {
      retryable = false;
      return new AuthenticationException(this);
    }

    /** A 404: the file, job or model does not exist. Not retried. */
    public NotFoundException buildNotFound() {
      retryable = false;
      return new NotFoundException(this);
    }

    /**
     * The provider no longer accepts this kind of job from this account: definite, never retried, and the
     * request did not take effect.
     */
    public TrainingUnavailableException buildTrainingUnavailable() {
      retryable = false;
      outcomeUnknown = false;
      return new TrainingUnavailableException(this);
    }

    /** A 429: too many requests. Retried after {@link #retryAfter}. */
    public RateLimitedException buildRateLimited() {
      retryable = true;
      return new RateLimitedException(this);
    }
  }
}
