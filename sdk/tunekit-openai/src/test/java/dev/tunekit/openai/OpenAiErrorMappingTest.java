package dev.tunekit.openai;

import static dev.tunekit.openai.OpenAiWireMock.CANARY_KEY;
import static dev.tunekit.openai.OpenAiWireMock.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiErrorMappingTest {
  static final String JOBS = "/fine_tuning/jobs";

  OpenAiWireMock api;
  TuningProvider provider;

  @BeforeEach
  void start() {
    api = OpenAiWireMock.start();
    provider = api.provider();
  }

  @AfterEach
  void stop() {
    provider.close();
    api.close();
  }

  private ProviderException createFails() {
    return catchThrowableOfType(ProviderException.class,
        () -> provider.createJob(OpenAiLifecycleTest.request(TrainingMethod.SUPERVISED)));
  }

  @Test
  void badRequestIsNotRetryableKeepsTheProviderMessageAndIsSentOnce() {
    api.stubError("POST", JOBS, 400, "Fine-tuning is no longer available for new users.", Map.of());

    ProviderException e = createFails();

    assertThat(e).isExactlyInstanceOf(ProviderException.class);
    assertThat(e.retryable()).isFalse();
    assertThat(e.outcomeUnknown()).isFalse();
    assertThat(e.statusCode()).contains(400);
    assertThat(e.requestId()).contains("req_400");
    assertThat(e.provider()).isEqualTo("openai");
    assertThat(e.getMessage()).contains("Fine-tuning is no longer available for new users.")
        .contains("will not be retried");
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
  }

  @Test
  void unprocessableEntityIsNotRetryable() {
    api.stubError("POST", JOBS, 422, "Invalid training file.", Map.of());

    ProviderException e = createFails();

    assertThat(e.retryable()).isFalse();
    assertThat(e.statusCode()).contains(422);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void authenticationFailuresMapToAuthenticationExceptionAndAreSentOnce(int status) {
    api.stubError("GET", JOBS + "/ftjob-1", status, "Incorrect API key provided: " + CANARY_KEY, Map.of());

    AuthenticationException e = catchThrowableOfType(AuthenticationException.class, () -> provider.job("ftjob-1"));

    assertThat(e.retryable()).isFalse();
    assertThat(e.statusCode()).contains(status);
    assertThat(e.getMessage()).doesNotContain(CANARY_KEY);
    assertThat(api.count("GET", JOBS + "/ftjob-1")).isEqualTo(1);
  }

  @Test
  void unauthorizedMessageNamesTheSettingToFix() {
    api.stubError("GET", JOBS + "/ftjob-1", 401, "Incorrect API key provided", Map.of());

    AuthenticationException e = catchThrowableOfType(AuthenticationException.class, () -> provider.job("ftjob-1"));

    assertThat(e.getMessage()).contains("providers.openai.apiKey");
  }

  @Test
  void notFoundMapsToNotFoundException() {
    api.stubError("GET", JOBS + "/ftjob-missing", 404, "No such fine-tuning job", Map.of());

    NotFoundException e = catchThrowableOfType(NotFoundException.class, () -> provider.job("ftjob-missing"));

    assertThat(e.retryable()).isFalse();
    assertThat(e.statusCode()).contains(404);
    assertThat(e.getMessage()).contains("No such fine-tuning job");
    assertThat(api.count("GET", JOBS + "/ftjob-missing")).isEqualTo(1);
  }

  @Test
  void rateLimitCarriesRetryAfterMs() {
    api.stubError("GET", JOBS + "/ftjob-1", 429, "Rate limit reached",
        Map.of("retry-after-ms", "1500", "retry-after", "30"));

    RateLimitedException e = catchThrowableOfType(RateLimitedException.class, () -> provider.job("ftjob-1"));

    assertThat(e.retryable()).isTrue();
    assertThat(e.retryAfter()).contains(Duration.ofMillis(1500));
    assertThat(e.statusCode()).contains(429);
    assertThat(api.count("GET", JOBS + "/ftjob-1")).isEqualTo(1);
  }

  @Test
  void rateLimitFallsBackToRetryAfterSeconds() {
    api.stubError("GET", JOBS + "/ftjob-1", 429, "Rate limit reached", Map.of("retry-after", "7"));

    RateLimitedException e = catchThrowableOfType(RateLimitedException.class, () -> provider.job("ftjob-1"));

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503})
  void serverErrorsAreRetryableWithUnknownOutcomeAndAreNotRetriedByTheSdk(int status) {
    api.stubError("POST", JOBS, status, "The server had an error", Map.of());

    ProviderException e = createFails();

    assertThat(e.retryable()).isTrue();
    assertThat(e.outcomeUnknown()).isTrue();
    assertThat(e.statusCode()).contains(status);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 409})
  void timeoutAndConflictAreRetryable(int status) {
    api.stubError("GET", JOBS + "/ftjob-1", status, "try again", Map.of());

    ProviderException e = catchThrowableOfType(ProviderException.class, () -> provider.job("ftjob-1"));

    assertThat(e.retryable()).isTrue();
    assertThat(e.outcomeUnknown()).isFalse();
  }

  @Test
  void shouldRetryHeaderOverridesTheStatusDefault() {
    api.stubError("POST", JOBS, 500, "do not retry this", Map.of("x-should-retry", "false"));

    ProviderException e = createFails();

    assertThat(e.retryable()).isFalse();
  }

  @Test
  void connectionResetOnCreateLeavesTheOutcomeUnknownAndIsNotRetried() {
    api.stubFault("POST", JOBS, Fault.CONNECTION_RESET_BY_PEER);

    ProviderException e = createFails();

    assertThat(e.outcomeUnknown()).isTrue();
    assertThat(e.retryable()).isTrue();
    assertThat(e.statusCode()).isEmpty();
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
  }

  @Test
  void aTimedOutCreateLeavesTheOutcomeUnknown() {
    api.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
            com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(api.path(JOBS)))
        .willReturn(OpenAiWireMock.ok(job("ftjob-slow", "validating_files")).withFixedDelay(5_000)));
    TuningProvider impatient = api.provider("openai", Map.of("timeout", "300ms"));

    ProviderException e = catchThrowableOfType(ProviderException.class,
        () -> impatient.createJob(OpenAiLifecycleTest.request(TrainingMethod.SUPERVISED)));

    assertThat(e.outcomeUnknown()).isTrue();
    assertThat(e.retryable()).isTrue();
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    impatient.close();
  }

  @Test
  void anUnreachableServerWasNotSentTo() {
    int port = api.server().port();
    api.close();
    TuningProvider offline = new OpenAiProviderFactory().create(dev.tunekit.spi.ProviderSettings.of("openai",
        "tunekit.yaml", java.nio.file.Path.of("target"), Map.of("apiKey", CANARY_KEY,
            "baseUrl", "http://127.0.0.1:" + port + "/v1")));

    ProviderException e = catchThrowableOfType(ProviderException.class,
        () -> offline.createJob(OpenAiLifecycleTest.request(TrainingMethod.SUPERVISED)));

    assertThat(e.retryable()).isTrue();
    assertThat(e.outcomeUnknown()).isFalse();
    assertThat(e.getMessage()).contains("could not be reached");
    offline.close();
    api = OpenAiWireMock.start(); // for @AfterEach
  }

  @Test
  void theApiKeyNeverAppearsInMessagesCausesOrToString() {
    api.stubError("POST", JOBS, 401, "Incorrect API key provided: " + CANARY_KEY + ". You can find your key at ...",
        Map.of());

    ProviderException e = createFails();

    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    assertThat(trace.toString()).contains("Incorrect API key provided").doesNotContain(CANARY_KEY);
    assertThat(provider.toString()).doesNotContain(CANARY_KEY).contains("redacted");
    assertThat(api.settings("openai", Map.of()).toString()).doesNotContain(CANARY_KEY);
  }

  @Test
  void anUnexpectedSuccessBodyIsReportedAsPossiblyApplied() {
    api.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
            com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(api.path(JOBS)))
        .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson("[1,2,3]")));

    ProviderException e = createFails();

    assertThat(e.outcomeUnknown()).isTrue();
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).contains("unexpected response");
  }

  @Test
  void rateLimitedThenOkFixtureServesTheBodyAfterTheLimits() {
    api.stubRateLimitedThen("GET", JOBS + "/ftjob-1", 2, "20", job("ftjob-1", "running"));

    assertThat(catchThrowableOfType(RateLimitedException.class, () -> provider.job("ftjob-1")).retryAfter())
        .contains(Duration.ofMillis(20));
    assertThat(catchThrowableOfType(RateLimitedException.class, () -> provider.job("ftjob-1"))).isNotNull();
    assertThat(provider.job("ftjob-1").id()).isEqualTo("ftjob-1");
  }
}
