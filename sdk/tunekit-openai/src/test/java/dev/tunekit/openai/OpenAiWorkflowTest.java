package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aMultipart;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tunekit.openai.OpenAiWireMock.BASE_MODEL;
import static dev.tunekit.openai.OpenAiWireMock.CANARY_KEY;
import static dev.tunekit.openai.OpenAiWireMock.file;
import static dev.tunekit.openai.OpenAiWireMock.job;
import static dev.tunekit.openai.OpenAiWireMock.json;
import static dev.tunekit.openai.OpenAiWireMock.ok;
import static dev.tunekit.openai.OpenAiWireMock.page;
import static dev.tunekit.openai.OpenAiWireMock.with;
import static dev.tunekit.openai.WorkflowStubs.JOB;
import static dev.tunekit.openai.WorkflowStubs.JOBS;
import static dev.tunekit.openai.WorkflowStubs.KEY_PARAM;
import static dev.tunekit.openai.WorkflowStubs.TUNED;
import static dev.tunekit.openai.WorkflowStubs.body;
import static dev.tunekit.openai.WorkflowStubs.chatDataset;
import static dev.tunekit.openai.WorkflowStubs.chatLine;
import static dev.tunekit.openai.WorkflowStubs.createdJob;
import static dev.tunekit.openai.WorkflowStubs.createdJobForLookup;
import static dev.tunekit.openai.WorkflowStubs.templated;
import static dev.tunekit.openai.WorkflowStubs.templatedLookup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.dataset.InvalidDatasetException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.Run;
import dev.tunekit.RunInfo;
import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.openai.TestHooks.FakeTime;
import dev.tunekit.Tunekit;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI provider driven through Tunekit's public workflow ({@code Tunekit.builder().provider("openai")
 * … fineTune() … start() … await()}) against a loopback WireMock speaking OpenAI's wire format: the
 * whole lifecycle, error mapping at the API level, the core retry layer (Retry-After honoured),
 * idempotent job creation and resuming a run from the ledger. Time is fake: every retry wait and poll
 * interval is recorded instead of slept.
 */
class OpenAiWorkflowTest {
  /** Backoff far longer than any Retry-After used here, so the recorded waits tell which one was used. */
  static final Duration BACKOFF = Duration.ofSeconds(20);
  static final Duration POLL = Duration.ofSeconds(5);

  @TempDir Path dir;
  OpenAiWireMock api;
  WorkflowStubs stubs;
  FakeTime time;
  Path train;

  @BeforeEach
  void start() throws IOException {
    api = OpenAiWireMock.start();
    stubs = new WorkflowStubs(api);
    time = new FakeTime();
    train = chatDataset(dir.resolve("train.jsonl"), 12);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private Tunekit open() {
    return open("10s");
  }

  private Tunekit open(String requestTimeout) {
    return time.install(Tunekit.builder()
            .provider("openai")
            .setting("baseUrl", api.baseUrl())
            .setting("apiKey", CANARY_KEY)
            .setting("timeout", requestTimeout)
            .ledger(dir.resolve("ledger.db"))
            .workDir(dir.resolve("work"))
            .retry(4, BACKOFF, Duration.ofSeconds(60), 2.0)
            .polling(POLL, POLL, Duration.ofHours(1)))
        .build();
  }

  // ------------------------------------------------------------------ the whole lifecycle

  @Test
  void wholeLifecycleFromValidationToChattingWithTheTunedModel() throws Exception {
    stubs.stubSucceedingRun();
    DatasetReport report = Dataset.of(train).validate(BASE_MODEL);
    assertThat(report.hasErrors()).isFalse();
    assertThat(report.examples()).isEqualTo(12);

    List<String> statuses = new ArrayList<>();
    List<JobEvent> events = new ArrayList<>();
    List<MetricPoint> metrics = new ArrayList<>();
    List<RunResult> finished = new ArrayList<>();
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).hyperparameters(h -> h.epochs(3))
          .suffix("demo").metadata("team", "search").start();
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
      assertThat(run.info().jobId()).contains(JOB);

      RunResult result = run.await(new RunListener() {
        @Override
        public void onStatus(RemoteJob job) {
          statuses.add(job.status().raw());
        }

        @Override
        public void onEvent(JobEvent event) {
          events.add(event);
        }

        @Override
        public void onMetric(MetricPoint point) {
          metrics.add(point);
        }

        @Override
        public void onFinished(RunResult r) {
          finished.add(r);
        }
      });

      assertThat(result.succeeded()).isTrue();
      assertThat(result.fineTunedModel()).contains(TUNED);
      assertThat(run.state()).isEqualTo(RunState.TRAINED);
      assertThat(run.fineTunedModel()).contains(TUNED);
      assertThat(statuses).containsExactly("validating_files", "queued", "running", "succeeded");
      assertThat(events).extracting(JobEvent::id).containsExactly("ev-1", "ev-2", "ev-3");
      assertThat(metrics).extracting(MetricPoint::step).containsExactly(1L, 2L, 3L);
      assertThat(metrics.get(2).trainLoss()).hasValue(0.5);
      assertThat(metrics.get(1).validLoss()).hasValue(1.1);
      assertThat(result.metrics()).isEqualTo(metrics);
      assertThat(finished).containsExactly(result);
      assertThat(time.sleeps()).isNotEmpty().allMatch(POLL::equals);

      ChatResponse reply = tk.chat(result.fineTunedModel().orElseThrow(), List.of(ChatMessage.user("hi")));
      assertThat(reply.content()).isEqualTo("ok");
      assertThat(run.chatModel().chat(dev.tunekit.model.ChatRequest.of("ignored", List.of(ChatMessage.user("hi"))))
          .content()).isEqualTo("ok");

      JsonNode create = body(api.requests("POST", JOBS).get(0));
      assertThat(create.path("model").asText()).isEqualTo(BASE_MODEL);
      assertThat(create.path("training_file").asText()).isEqualTo("file-train");
      assertThat(create.path("suffix").asText()).isEqualTo("demo");
      assertThat(create.path("method").path("supervised").path("hyperparameters").path("n_epochs").asInt())
          .isEqualTo(3);
      assertThat(create.path("metadata").path(JobRequest.IDEMPOTENCY_METADATA_KEY).asText())
          .isEqualTo(TestHooks.idempotencyKey(tk, run.id()));
      assertThat(create.path("metadata").path(OpenAiTuningProvider.RUN_ID_METADATA_KEY).asText()).isEqualTo(run.id());
      assertThat(create.path("metadata").path("team").asText()).isEqualTo("search");
      assertThat(TestHooks.ledgerLog(tk, run.id())).isNotEmpty().noneMatch(l -> l.contains(CANARY_KEY));
      assertThat(tk.toString()).doesNotContain(CANARY_KEY);
    }
    assertThat(api.count("POST", "/files")).isEqualTo(1);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    assertThat(stubs.lookups()).isZero();
    List<LoggedRequest> chats = api.requests("POST", "/chat/completions");
    assertThat(chats).hasSize(2).allSatisfy(r -> assertThat(body(r).path("model").asText()).isEqualTo(TUNED));
    assertThat(api.server().getAllServeEvents()).allSatisfy(e ->
        assertThat(e.getRequest().getHeader("Authorization")).isEqualTo("Bearer " + CANARY_KEY));
  }

  @Test
  void validationSplitUploadsBothFilesAndSubmitsTheValidationFile() {
    stubs.stubSucceedingRun();
    api.server().stubFor(post(urlPathEqualTo(api.path("/files")))
        .withMultipartRequestBody(aMultipart().withName("file")
            .withHeader("Content-Disposition", containing("-validation.jsonl")))
        .willReturn(ok(file("file-valid", "validation.jsonl", 50))));
    // 16 examples: 12 train (OpenAI's minimum is 10 in the training file, which preflight checks), 4 validate.
    Path train = uncheckedChatDataset(dir.resolve("train-16.jsonl"), 16);
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).validationSplit(0.25, 7).start();
      assertThat(run.await().succeeded()).isTrue();
    }
    assertThat(api.requests("POST", "/files")).hasSize(2).extracting(r -> r.getPart("file").getFileName())
        .anySatisfy(n -> assertThat(n).endsWith("-training.jsonl"))
        .anySatisfy(n -> assertThat(n).endsWith("-validation.jsonl"));
    JsonNode create = body(api.requests("POST", JOBS).get(0));
    assertThat(create.path("training_file").asText()).isEqualTo("file-train");
    assertThat(create.path("validation_file").asText()).isEqualTo("file-valid");
  }

  @Test
  void jobThatFailsOnTheProviderEndsTheRunFailedWithTheProvidersReason() {
    stubs.stubSucceedingRun();
    Map<String, Object> failed = with(job(JOB, "failed"), "finished_at", 1_767_225_900L, "error",
        Map.of("code", "invalid_training_file", "message", "The training file has 3 examples with no assistant reply.",
            "param", "training_file"));
    api.stubJobStates(JOB, List.of(job(JOB, "validating_files"), failed));
    List<String> statuses = new ArrayList<>();
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      RunResult result = run.await(new RunListener() {
        @Override
        public void onStatus(RemoteJob job) {
          statuses.add(job.status().raw());
        }
      });
      assertThat(result.state()).isEqualTo(RunState.FAILED);
      assertThat(result.fineTunedModel()).isEmpty();
      assertThat(run.state()).isEqualTo(RunState.FAILED);
      assertThatThrownBy(result::orThrow).hasMessageContaining("no assistant reply")
          .hasMessageContaining("invalid_training_file");
    }
    assertThat(statuses).endsWith("failed");
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
  }

  @Test
  void datasetWithErrorsSendsNothingToTheProvider() throws IOException {
    stubs.stubSucceedingRun();
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, chatLine(1) + "\n{\"prompt\":\"no messages\"}\nnot json\n" + chatLine(4) + "\n");
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.fineTune().model(BASE_MODEL).trainingData(bad).start())
          .isInstanceOfSatisfying(InvalidDatasetException.class, e -> {
            assertThat(e.getMessage()).contains("nothing was uploaded").contains(bad + ":2");
            assertThat(tk.runs()).singleElement().extracting(RunInfo::state).isEqualTo(RunState.REJECTED);
          });
    }
    assertThat(api.server().getAllServeEvents()).isEmpty();
  }

  // ------------------------------------------------------------------ errors at the Tunekit API level

  @Test
  void badRequestOnCreateIsAProviderErrorAndIsNotRetried() {
    stubs.stubSucceedingRun();
    api.stubError("POST", JOBS, 400, "Fine-tuning is not available for new users of this organization.", Map.of());
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.fineTune().model(BASE_MODEL).trainingData(train).start())
          .isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e).isNotInstanceOf(AuthenticationException.class).isNotInstanceOf(NotFoundException.class);
            assertThat(e.statusCode()).contains(400);
            assertThat(e.retryable()).isFalse();
            assertThat(e.outcomeUnknown()).isFalse();
            assertThat(e.requestId()).contains("req_400");
            assertThat(e.getMessage()).contains("Fine-tuning is not available").contains("will not be retried");
            // Issue 11.5: a definite refusal is not resumable; resuming would send the same request again.
            assertThat(e.getMessage()).doesNotContain("second job").doesNotContain("rather than starting a new run")
                .contains("fix the cause and start a new run");
            assertThat(e.resumeRunId()).isEmpty();
            assertThat(e.failedRunId()).isPresent();
          });
      RunInfo run = tk.runs().get(0);
      assertThat(run.state()).isEqualTo(RunState.UPLOADED);
      assertThat(run.error()).hasValueSatisfying(m -> assertThat(m).contains("HTTP 400"));
    }
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    assertThat(stubs.lookups()).isZero();
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void unauthorizedUploadIsAnAuthenticationErrorThatNamesTheSettingAndIsNotRetried() {
    stubs.stubSucceedingRun();
    api.stubError("POST", "/files", 401, "Incorrect API key provided: " + CANARY_KEY.substring(0, 10) + "****N3bY",
        Map.of());
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.fineTune().model(BASE_MODEL).trainingData(train).start())
          .isInstanceOfSatisfying(AuthenticationException.class, e -> {
            assertThat(e.statusCode()).contains(401);
            assertThat(e.getMessage()).contains("providers.openai.apiKey").doesNotContain(CANARY_KEY)
                .doesNotContain(CANARY_KEY.substring(0, 10));
          });
      assertThat(tk.runs().get(0).state()).isEqualTo(RunState.VALIDATED);
    }
    assertThat(api.count("POST", "/files")).isEqualTo(1);
    assertThat(api.count("POST", JOBS)).isZero();
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void unknownModelInChatIsNotFoundAndIsNotRetried() {
    api.stubError("POST", "/chat/completions", 404,
        "The model `ft:nope` does not exist or you do not have access to it.", Map.of());
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.chat("ft:nope", List.of(ChatMessage.user("hi"))))
          .isInstanceOfSatisfying(NotFoundException.class, e -> {
            assertThat(e.statusCode()).contains(404);
            assertThat(e.getMessage()).contains("ft:nope");
          });
    }
    assertThat(api.count("POST", "/chat/completions")).isEqualTo(1);
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void jobThatDisappearsWhileAwaitingIsNotFoundAndIsNotRetried() {
    stubs.stubSucceedingRun();
    api.stubError("GET", JOBS + "/" + JOB, 404, "No such fine-tuning job: " + JOB, Map.of());
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      assertThatThrownBy(run::await).isInstanceOf(NotFoundException.class).hasMessageContaining(JOB);
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
    }
    assertThat(api.count("GET", JOBS + "/" + JOB)).isEqualTo(1);
    assertThat(time.sleeps()).isEmpty();
  }

  // ------------------------------------------------------------------ retries through the core layer

  @Test
  void rateLimitedUploadIsRetriedAfterExactlyTheRetryAfterMsWait() {
    stubs.stubSucceedingRun();
    api.stubRateLimitedThen("POST", "/files", 2, "1500", file("file-train", "train.jsonl", 100));
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      assertThat(run.info().jobId()).contains(JOB);
    }
    assertThat(api.count("POST", "/files")).isEqualTo(3);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    // retry-after-ms is honoured instead of the (much longer) exponential backoff
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(1500), Duration.ofMillis(1500));
  }

  @Test
  void rateLimitedCreateIsRetriedWithoutALookupBecauseA429WasNotProcessed() {
    stubs.stubSucceedingRun();
    api.stubRateLimitedThen("POST", JOBS, 1, "750", job(JOB, "validating_files"));
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      assertThat(run.info().jobId()).contains(JOB);
    }
    assertThat(api.count("POST", JOBS)).isEqualTo(2);
    assertThat(stubs.lookups()).isZero();
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(750));
  }

  @Test
  void serverErrorOnCreateIsCheckedForADuplicateThenRetriedWithBackoff() {
    stubs.stubSucceedingRun();
    String s = "create-500";
    api.server().stubFor(post(urlPathEqualTo(api.path(JOBS))).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("failed once").willReturn(aResponse().withStatus(500)
            .withHeader("Content-Type", "application/json").withHeader("x-request-id", "req_500")
            .withBody(json(OpenAiWireMock.error("The server had an error while processing your request.",
                "server_error", null)))));
    api.server().stubFor(post(urlPathEqualTo(api.path(JOBS))).inScenario(s).whenScenarioStateIs("failed once")
        .willSetStateTo("created").willReturn(templated(createdJob())));
    api.server().stubFor(stubs.lookup().inScenario(s).whenScenarioStateIs("failed once")
        .willReturn(ok(page(List.of(), false))));
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      assertThat(run.info().jobId()).contains(JOB);
      assertThat(run.await().succeeded()).isTrue();
    }
    assertThat(api.count("POST", JOBS)).isEqualTo(2);
    assertThat(stubs.lookups()).isEqualTo(1);
    Duration backoff = time.sleeps().get(0);
    assertThat(backoff).isBetween(BACKOFF.dividedBy(2), BACKOFF.multipliedBy(3).dividedBy(2));
  }

  @Test
  void serviceUnavailableWhilePollingIsRetriedAfterTheRetryAfterSeconds() {
    stubs.stubSucceedingRun();
    api.server().stubFor(get(urlPathEqualTo(api.path(JOBS + "/" + JOB))).inScenario("outage")
        .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("over")
        .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "2").withHeader("Content-Type",
            "application/json").withBody(json(OpenAiWireMock.error("Service unavailable", "server_error", null)))));
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      time.clearSleeps();
      RunResult result = run.await();
      assertThat(result.succeeded()).isTrue();
      assertThat(result.fineTunedModel()).contains(TUNED);
    }
    assertThat(time.sleeps().get(0)).isEqualTo(Duration.ofSeconds(2));
    assertThat(time.sleeps().subList(1, time.sleeps().size())).allMatch(POLL::equals);
  }

  // ------------------------------------------------------------------ never twice

  @Test
  void createThatCommitsThenDropsTheConnectionLeavesExactlyOneJob() {
    stubs.stubSucceedingRun();
    String s = "create-reset";
    api.server().stubFor(post(urlPathEqualTo(api.path(JOBS))).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("committed").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    api.server().stubFor(post(urlPathEqualTo(api.path(JOBS))).inScenario(s).whenScenarioStateIs("committed")
        .willReturn(templated(with(createdJob(), "id", JOB + "-duplicate"))));
    api.server().stubFor(stubs.lookup().inScenario(s).whenScenarioStateIs("committed")
        .willReturn(templatedLookup(createdJobForLookup())));
    String runId;
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      runId = run.id();
      assertThat(run.info().jobId()).contains(JOB);
      String key = TestHooks.idempotencyKey(tk, runId);
      assertThat(body(api.requests("POST", JOBS).get(0)).path("metadata").path(JobRequest.IDEMPOTENCY_METADATA_KEY)
          .asText()).isEqualTo(key);
      assertThat(api.requests("GET", JOBS)).singleElement().satisfies(r ->
          assertThat(r.queryParameter(KEY_PARAM).firstValue()).isEqualTo(key));
      RunResult result = run.await();
      assertThat(result.succeeded()).isTrue();
      assertThat(result.job()).map(RemoteJob::id).contains(JOB);
    }
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    assertThat(time.sleeps()).allMatch(POLL::equals);
  }

  @Test
  void createThatCommitsThenAnswers500IsFoundByItsKeyInsteadOfCreatedAgain() {
    stubs.stubSucceedingRun();
    String s = "create-500-committed";
    api.server().stubFor(post(urlPathEqualTo(api.path(JOBS))).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("committed").willReturn(aResponse().withStatus(500)
            .withHeader("Content-Type", "application/json").withHeader("x-request-id", "req_500")
            .withBody(json(OpenAiWireMock.error("The server had an error while processing your request.",
                "server_error", null)))));
    api.server().stubFor(post(urlPathEqualTo(api.path(JOBS))).inScenario(s).whenScenarioStateIs("committed")
        .willReturn(templated(with(createdJob(), "id", JOB + "-duplicate"))));
    api.server().stubFor(stubs.lookup().inScenario(s).whenScenarioStateIs("committed")
        .willReturn(templatedLookup(createdJobForLookup())));
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      assertThat(run.info().jobId()).contains(JOB);
    }
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    assertThat(stubs.lookups()).isEqualTo(1);
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void createThatCommitsThenTimesOutIsFoundByItsKeyInsteadOfCreatedAgain() {
    stubs.stubSucceedingRun();
    String s = "create-slow";
    api.server().stubFor(post(urlPathEqualTo(api.path(JOBS))).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("committed").willReturn(templated(createdJob()).withFixedDelay(3_000)));
    api.server().stubFor(post(urlPathEqualTo(api.path(JOBS))).inScenario(s).whenScenarioStateIs("committed")
        .willReturn(templated(with(createdJob(), "id", JOB + "-duplicate"))));
    api.server().stubFor(stubs.lookup().inScenario(s).whenScenarioStateIs("committed")
        .willReturn(templatedLookup(createdJobForLookup())));
    try (Tunekit tk = open("1s")) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      assertThat(run.info().jobId()).contains(JOB);
    }
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    assertThat(stubs.lookups()).isEqualTo(1);
  }

  @Test
  void freshlyTunedModelStillLoadingAnswers429AndTheChatIsRetriedAfterRetryAfterMs() {
    stubs.stubSucceedingRun();
    api.stubRateLimitedThen("POST", "/chat/completions", 1, "400", chatCompletion(TUNED, "ready"));
    try (Tunekit tk = open()) {
      assertThat(tk.chat(TUNED, List.of(ChatMessage.user("hi"))).content()).isEqualTo("ready");
    }
    assertThat(api.count("POST", "/chat/completions")).isEqualTo(2);
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(400));
  }

  @Test
  void runClosedAfterSubmitIsResumedOnTheSameJobWithoutUploadingOrCreatingAgain() {
    stubs.stubSucceedingRun();
    String runId;
    String jobId;
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      runId = run.id();
      jobId = run.info().jobId().orElseThrow();
    }
    assertThat(api.count("POST", "/files")).isEqualTo(1);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    try (Tunekit tk = open()) {
      Run run = tk.resume(runId);
      assertThat(run.id()).isEqualTo(runId);
      assertThat(run.info().jobId()).contains(jobId);
      RunResult result = run.await();
      assertThat(result.succeeded()).isTrue();
      assertThat(result.job()).map(RemoteJob::id).contains(jobId);
      assertThat(result.fineTunedModel()).contains(TUNED);
    }
    assertThat(api.count("POST", "/files")).isEqualTo(1);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    assertThat(stubs.lookups()).isZero();
  }

  @Test
  void uploadWhoseResultWasNeverRecordedIsFoundOnResumeInsteadOfUploadedAgain() {
    stubs.stubSucceedingRun();
    // The upload reaches the server, which stores the file, and the connection drops before the answer;
    // the file list is failing too, so the process cannot learn the outcome and stops (as if it had crashed).
    api.stubFault("POST", "/files", Fault.CONNECTION_RESET_BY_PEER);
    api.stubError("GET", "/files", 500, "The server had an error", Map.of());
    String runId;
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.fineTune().model(BASE_MODEL).trainingData(train).start())
          .isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.outcomeUnknown()).isTrue();
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("Nothing was repeated");
          });
      RunInfo info = tk.runs().get(0);
      runId = info.id();
      assertThat(info.state()).isEqualTo(RunState.VALIDATED);
    }
    assertThat(api.count("POST", "/files")).isEqualTo(1);
    assertThat(api.count("POST", JOBS)).isZero();

    // The server kept the file: it is listed now.
    stubs.listUploadedFile("file-train");
    try (Tunekit tk = open()) {
      Run run = tk.resume(runId);
      assertThat(run.info().jobId()).contains(JOB);
      assertThat(TestHooks.ledgerLog(tk, runId)).anyMatch(l -> l.contains("file-train")
          && l.contains("found after an interrupted attempt"));
      assertThat(run.await().succeeded()).isTrue();
    }
    assertThat(api.count("POST", "/files")).isEqualTo(1);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    assertThat(body(api.requests("POST", JOBS).get(0)).path("training_file").asText()).isEqualTo("file-train");
  }

  /** A spec-shaped chat completion from {@code model} answering {@code reply}. */
  private static Map<String, Object> chatCompletion(String model, String reply) {
    return Map.of("id", "chatcmpl-2", "object", "chat.completion", "created", 1_767_225_600L, "model", model,
        "choices", List.of(Map.of("index", 0, "finish_reason", "stop", "message",
            Map.of("role", "assistant", "content", reply))),
        "usage", Map.of("prompt_tokens", 5, "completion_tokens", 1, "total_tokens", 6));
  }

  private static Path uncheckedChatDataset(Path file, int n) {
    try {
      return chatDataset(file, n);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
