package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tunekit.openai.OpenAiWireMock.CANARY_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TrainingUnavailableException;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.Graders;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI's fine-tuning wind-down: the create call's {@code 403 training_not_available} refusal (the
 * error shape OpenAI sends: {@code {"error":{"message","type":"invalid_request_error","param":null,
 * "code":"training_not_available"}}}) is a definite error of its own that says nothing was created
 * and names the config line that moves the run to another provider.
 */
class OpenAiWindDownTest {
  static final Instant LAST_DAY = Instant.parse("2027-01-05T23:59:59Z");
  static final Instant NO_NEW_JOBS = Instant.parse("2027-01-06T00:00:00Z");
  @TempDir Path dir;
  static final String JOBS = "/fine_tuning/jobs";
  static final String REFUSAL = "Fine-tuning is not available for your organization.";

  OpenAiWireMock api;

  @BeforeEach
  void start() {
    api = OpenAiWireMock.start();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  /** {@code POST /fine_tuning/jobs} answers OpenAI's wind-down refusal. */
  static void stubTrainingNotAvailable(OpenAiWireMock api) {
    api.server().stubFor(post(urlPathEqualTo(api.path(JOBS))).willReturn(aResponse().withStatus(403)
        .withHeader("Content-Type", "application/json").withHeader("x-request-id", "req_wind_down")
        .withBody(OpenAiWireMock.json(OpenAiWireMock.error(REFUSAL, "invalid_request_error", "training_not_available")))));
  }

  @Test
  void trainingNotAvailableIsADefiniteRefusalThatNamesTheSwitchLine() {
    stubTrainingNotAvailable(api);
    try (TuningProvider provider = api.provider()) {
      ProviderException e = catchThrowableOfType(ProviderException.class,
          () -> provider.createJob(OpenAiLifecycleTest.request(TrainingMethod.SUPERVISED)));

      assertThat(e).isInstanceOf(TrainingUnavailableException.class);
      assertThat(e.retryable()).isFalse();
      assertThat(e.outcomeUnknown()).isFalse();
      assertThat(e.statusCode()).contains(403);
      assertThat(e.requestId()).contains("req_wind_down");
      assertThat(e.getMessage())
          .contains(REFUSAL, "training_not_available", "No fine-tuning job was created",
              "provider: azure", "TUNEKIT_PROVIDER=azure", "model:")
          .doesNotContain("tk.resume", "Check providers.openai.apiKey", CANARY_KEY);
      assertThat(api.count("POST", JOBS)).isEqualTo(1); // never retried
    }
  }

  @Test
  void theRefusalOnAzureNamesAnotherProviderThanAzure() {
    try (TuningProvider provider = api.provider("azure", Map.of())) {
      api.server().stubFor(post(urlPathEqualTo("/openai/v1" + JOBS)).willReturn(aResponse().withStatus(403)
          .withHeader("Content-Type", "application/json")
          .withBody(OpenAiWireMock.json(OpenAiWireMock.error(REFUSAL, "invalid_request_error", "training_not_available")))));
      ProviderException e = catchThrowableOfType(ProviderException.class,
          () -> provider.createJob(OpenAiLifecycleTest.request(TrainingMethod.SUPERVISED)));
      assertThat(e.getMessage()).contains("No fine-tuning job was created").doesNotContain("provider: azure");
    }
  }

  private Tunekit open(Instant now) {
    return Tunekit.builder().provider("openai").setting("baseUrl", api.baseUrl()).setting("apiKey", CANARY_KEY)
        .ledger(dir.resolve("ledger.db")).workDir(dir.resolve("work")).clock(Clock.fixed(now, ZoneOffset.UTC)).build();
  }

  private static EvalSuite suite() {
    return EvalSuite.of("s", EvalCase.of("c1", "q1", "a1"), EvalCase.of("c2", "q2", "a2")).withGrader(Graders.exactMatch());
  }

  @Test
  void aRunRefusedAtCreateStopsForGoodWithoutResumeAdvice() throws IOException {
    new WorkflowStubs(api).stubSucceedingRun();
    stubTrainingNotAvailable(api); // the newer stub answers every create
    Path train = WorkflowStubs.chatDataset(dir.resolve("train.jsonl"), 12);
    try (Tunekit tk = open(LAST_DAY)) {
      TrainingUnavailableException e = catchThrowableOfType(
          () -> tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(train).start(),
          TrainingUnavailableException.class);

      assertThat(e).isNotNull();
      assertThat(e.failedRunId()).isPresent();
      assertThat(e.resumeRunId()).isEmpty();
      assertThat(e.getMessage()).contains("No fine-tuning job was created", "provider: azure")
          .doesNotContain("tk.resume");
      assertThat(api.count("POST", JOBS)).isEqualTo(1);
    }
  }

  @Test
  void fromTheSixthOfJanuary2027OpenAiPreflightRefusesANewJobWithZeroRequests() throws IOException {
    Path train = WorkflowStubs.chatDataset(dir.resolve("train.jsonl"), 12);
    try (Tunekit tk = open(NO_NEW_JOBS)) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("gpt-4o-mini-2024-07-18")
          .trainingData(train).evaluateWith(suite()).baselinePrompt("Answer.").gate(0.05).start(),
          PreflightException.class);

      assertThat(e).isNotNull();
      assertThat(e.problems()).extracting(PreflightProblem::where).containsExactly("provider");
      assertThat(e.getMessage()).contains("2027-01-06", "provider: azure", "TUNEKIT_PROVIDER=azure", "model:")
          .doesNotContain(CANARY_KEY);
      assertThat(api.server().getAllServeEvents()).isEmpty(); // no baseline chat, no upload, no job
      assertThat(tk.run(e.runId().orElseThrow()).state()).isEqualTo(RunState.REJECTED);
    }
  }

  @Test
  void theDateCheckConcernsOnlyOpenAiAndOnlyFromThatDay() {
    try (TuningProvider openai = api.provider();
        TuningProvider azure = api.provider("azure", Map.of());
        TuningProvider compatible = api.provider("openai-compatible", Map.of())) {
      JobPlan before = JobPlan.builder().baseModel("gpt-4o-mini-2024-07-18").plannedAt(LAST_DAY).build();
      JobPlan after = JobPlan.builder().baseModel("gpt-4o-mini-2024-07-18").plannedAt(NO_NEW_JOBS).build();
      assertThat(openai.preflight(before)).isEmpty();
      assertThat(openai.preflight(after)).extracting(PreflightProblem::where).containsExactly("provider");
      assertThat(azure.preflight(after)).isEmpty();
      assertThat(compatible.preflight(after)).isEmpty();
    }
  }
}
