package dev.tunekit.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.http.Headers;
import dev.tunekit.spi.ProviderSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiErrorsTest {
  static final Instant NOW = Instant.parse("2026-11-05T10:00:00Z");
  final OpenAiErrors errors = new OpenAiErrors(OpenAiConfig.from(OpenAiConfig.Flavor.OPENAI,
      ProviderSettings.of("openai", "tunekit.yaml", Path.of("target"), Map.of("apiKey", OpenAiWireMock.CANARY_KEY))),
      Clock.fixed(NOW, ZoneOffset.UTC));

  private static Headers headers(String... nameValues) {
    Headers.Builder b = Headers.builder();
    for (int i = 0; i < nameValues.length; i += 2) {
      b.put(nameValues[i], nameValues[i + 1]);
    }
    return b.build();
  }

  @Test
  void retryAfterMsWinsOverRetryAfter() {
    assertThat(errors.retryAfter(headers("Retry-After", "9", "retry-after-ms", "250.5")))
        .contains(Duration.ofNanos(250_500_000));
  }

  @Test
  void theLongestHintWinsIncludingOpenAisResetRequestsHeader() {
    assertThat(errors.retryAfter(headers("retry-after-ms", "40", "x-ratelimit-reset-requests", "86ms")))
        .contains(Duration.ofMillis(86));
    assertThat(errors.retryAfter(headers("retry-after-ms", "900", "x-ratelimit-reset-requests", "86ms")))
        .contains(Duration.ofMillis(900));
    assertThat(errors.retryAfter(headers("x-ratelimit-reset-requests", "6m0.5s")))
        .contains(Duration.ofMinutes(6).plusMillis(500));
    assertThat(errors.retryAfter(headers("x-ratelimit-reset-requests", "1h2m3s"))).contains(Duration.ofSeconds(3723));
    assertThat(errors.retryAfter(headers("x-ratelimit-reset-requests", "soon"))).isEmpty();
    assertThat(errors.retryAfter(headers("x-ratelimit-reset-requests", "5s later", "Retry-After", "2")))
        .contains(Duration.ofSeconds(2));
  }

  @Test
  void retryAfterAcceptsAnHttpDate() {
    assertThat(errors.retryAfter(headers("Retry-After", "Thu, 05 Nov 2026 10:00:30 GMT")))
        .contains(Duration.ofSeconds(30));
    assertThat(errors.retryAfter(headers("Retry-After", "Thu, 05 Nov 2026 09:00:00 GMT"))).contains(Duration.ZERO);
  }

  @Test
  void unparseableOrMissingRetryAfterIsEmpty() {
    assertThat(errors.retryAfter(headers("Retry-After", "soon"))).isEmpty();
    assertThat(errors.retryAfter(headers())).isEmpty();
    assertThat(errors.retryAfter(headers("retry-after-ms", "-5"))).isEmpty();
  }

  @Test
  void redactRemovesThePlantedKeyAndKeyLikeTokens() {
    assertThat(errors.redact("key " + OpenAiWireMock.CANARY_KEY + " and sk-proj-abc1****wxyz"))
        .doesNotContain(OpenAiWireMock.CANARY_KEY).doesNotContain("abc1****wxyz").contains("[redacted]");
  }
}
