package dev.tunekit;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import java.util.Objects;

/**
 * The Resilience4j registries behind a {@link Tunekit}, for metrics and health checks (for example
 * resilience4j-micrometer's {@code TaggedRetryMetrics.ofRetryRegistry(...)}): read them, do not reconfigure
 * or add to them. Returned by {@link Tunekit#resilience()}.
 *
 * @param retries holds the provider's one {@code Retry}, named after the provider
 * @param circuitBreakers holds the provider's one {@code CircuitBreaker}, named after the provider
 * @param rateLimiters holds the rate limiters of the evaluations Tunekit runs ({@code eval-<provider>}),
 *     once an evaluation with a requests-per-minute limit has started
 */
public record ResilienceRegistries(RetryRegistry retries, CircuitBreakerRegistry circuitBreakers,
    RateLimiterRegistry rateLimiters) {
  /** Canonical constructor. */
  public ResilienceRegistries {
    Objects.requireNonNull(retries, "retries");
    Objects.requireNonNull(circuitBreakers, "circuitBreakers");
    Objects.requireNonNull(rateLimiters, "rateLimiters");
  }
}
