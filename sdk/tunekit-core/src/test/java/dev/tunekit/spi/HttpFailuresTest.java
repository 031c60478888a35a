package dev.tunekit.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.error.AuthenticationException;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.model.Secret;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpFailuresTest {
  static final Instant NOW = Instant.parse("2026-11-05T10:00:00Z");

  @Test
  void statuses_carryTheRetryAndOutcomeRules() {
    ProviderException auth = HttpFailures.status("acme", "GET /jobs/1", false, 401, "bad key", Optional.empty(),
        "Check the Acme API key.");
    assertThat(auth).isInstanceOf(AuthenticationException.class)
        .hasMessage("GET /jobs/1 failed with HTTP 401: bad key. Check the Acme API key.");
    assertThat(auth.retryable()).isFalse();
    assertThat(HttpFailures.status("acme", "op", false, 404, "m", Optional.empty(), "")).isInstanceOf(NotFoundException.class);
    ProviderException limited = HttpFailures.status("acme", "op", true, 429, "m", Optional.of(Duration.ofSeconds(3)), "");
    assertThat(limited).isInstanceOf(RateLimitedException.class);
    assertThat(limited.retryable()).isTrue();
    assertThat(limited.retryAfter()).contains(Duration.ofSeconds(3));
    ProviderException write500 = HttpFailures.status("acme", "POST /jobs", true, 500, "m", Optional.empty(), "");
    assertThat(write500.retryable()).isTrue();
    assertThat(write500.outcomeUnknown()).isTrue();
    assertThat(HttpFailures.status("acme", "GET /jobs", false, 503, "m", Optional.empty(), "").outcomeUnknown()).isFalse();
    assertThat(HttpFailures.status("acme", "POST /jobs", true, 501, "m", Optional.empty(), "").retryable()).isFalse();
    ProviderException bad = HttpFailures.status("acme", "POST /jobs", true, 400, "m", Optional.empty(), "");
    assertThat(bad.retryable()).isFalse();
    assertThat(bad.outcomeUnknown()).isFalse();
    assertThat(bad.statusCode()).contains(400);
  }

  @Test
  void network_aRefusedConnectionAnywhereInTheChainWasNeverSent() {
    ProviderException refused = HttpFailures.network("acme", "POST /jobs", true,
        new IOException("wrapped", new ConnectException("Connection refused")));
    assertThat(refused.retryable()).isTrue();
    assertThat(refused.outcomeUnknown()).isFalse();
    assertThat(refused).hasMessage("POST /jobs failed on the network (ConnectException: Connection refused)");
    ProviderException reset = HttpFailures.network("acme", "POST /jobs", true, new IOException("reset"));
    assertThat(reset.outcomeUnknown()).isTrue();
    assertThat(reset).hasMessageEndingWith("; it may have been carried out");
    assertThat(HttpFailures.network("acme", "GET /jobs", false, new IOException("reset")).outcomeUnknown()).isFalse();
  }

  @Test
  void retryAfter_isSecondsOrAnHttpDate() {
    assertThat(HttpFailures.retryAfter("7", NOW)).contains(Duration.ofSeconds(7));
    assertThat(HttpFailures.retryAfter(" 1.5 ", NOW)).contains(Duration.ofMillis(1500));
    assertThat(HttpFailures.retryAfter("Thu, 05 Nov 2026 10:00:30 GMT", NOW)).contains(Duration.ofSeconds(30));
    assertThat(HttpFailures.retryAfter("Thu, 05 Nov 2026 09:00:00 GMT", NOW)).contains(Duration.ZERO);
    assertThat(HttpFailures.retryAfter("soon", NOW)).isEmpty();
    assertThat(HttpFailures.retryAfter("-5", NOW)).isEmpty();
    assertThat(HttpFailures.retryAfter(null, NOW)).isEmpty();
  }

  @Test
  void aSecret_redactsItselfFromText() {
    Secret key = Secret.of("sk-live-123");
    assertThat(key.redact("invalid API key sk-live-123 (sk-live-123)")).isEqualTo("invalid API key [redacted] ([redacted])");
    assertThat(key.redact(null)).isNull();
    assertThat(key.isIn("x sk-live-123")).isTrue();
    assertThat(key.isIn("x")).isFalse();
    assertThat(Secret.of("").redact("text")).isEqualTo("text");
    assertThat(Secret.of("").isIn("text")).isFalse();
  }
}
