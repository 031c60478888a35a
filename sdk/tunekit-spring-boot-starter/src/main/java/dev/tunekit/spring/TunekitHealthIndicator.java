package dev.tunekit.spring;

import dev.tunekit.Tunekit;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * Health of Tunekit ({@code /actuator/health/tunekit}): DOWN when the run ledger cannot be read; otherwise
 * UP, or {@code DEGRADED} while the provider's circuit breaker is open or half open (calls to the provider
 * fail fast). {@code DEGRADED} is not in Spring Boot's default status order, so it does not change the
 * application's overall status unless you add it ({@code management.endpoint.health.status.order}).
 * Details: provider, runs in the ledger, breaker state. Never a setting's value.
 */
public final class TunekitHealthIndicator implements HealthIndicator {
  /** The status while the provider's circuit breaker is not closed. */
  public static final Status DEGRADED = new Status("DEGRADED", "the provider's circuit breaker is open");

  private final Tunekit tunekit;

  /** @param tunekit the Tunekit whose ledger and provider are checked */
  public TunekitHealthIndicator(Tunekit tunekit) {
    this.tunekit = tunekit;
  }

  @Override
  public Health health() {
    String provider = tunekit.provider();
    CircuitBreaker.State breaker = tunekit.resilience().circuitBreakers().find(provider)
        .map(CircuitBreaker::getState).orElse(CircuitBreaker.State.CLOSED);
    int runs;
    try {
      runs = tunekit.runs().size();
    } catch (RuntimeException e) {
      return Health.down().withDetail("provider", provider).withDetail("ledger", "unreachable: "
          + e.getClass().getSimpleName()).withDetail("circuitBreaker", breaker.name()).build();
    }
    boolean closed = breaker == CircuitBreaker.State.CLOSED || breaker == CircuitBreaker.State.DISABLED;
    return Health.status(closed ? Status.UP : DEGRADED).withDetail("provider", provider).withDetail("ledger", "reachable")
        .withDetail("runs", runs).withDetail("circuitBreaker", breaker.name()).build();
  }
}
