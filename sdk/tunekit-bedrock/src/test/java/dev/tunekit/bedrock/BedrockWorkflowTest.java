package dev.tunekit.bedrock;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.Run;
import dev.tunekit.RunInfo;
import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.RemoteJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 on Bedrock, through the public API only ({@code Tunekit.builder().provider("bedrock")}):
 * validate → convert → upload to S3 (S3Proxy) → create the customization job → poll to Completed →
 * metrics from S3 → deploy on demand → Converse, against loopback servers. Also the core retry layer
 * around throttling, clear non-retried errors, a create whose connection drops after committing, and a
 * resumed run that neither uploads nor creates again.
 */
class BedrockWorkflowTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LoopbackAws aws;
  private static BedrockStubs bedrock;

  @TempDir Path tmp;
  private Path data;

  @BeforeAll
  static void startAws() throws Exception {
    aws = new LoopbackAws();
    bedrock = new BedrockStubs(aws.wm);
  }

  @AfterAll
  static void stopAws() throws Exception {
    aws.close();
  }

  @BeforeEach
  void freshWorld() throws Exception {
    aws.reset();
    data = Datasets.chat(tmp.resolve("support.jsonl"), 12);
  }

  /** What a user writes, pointed at the loopback servers; the ledger lives in this test's directory. */
  private Tunekit.Builder tunekit() {
    Tunekit.Builder b = Tunekit.builder().provider("bedrock");
    aws.settings().forEach(b::setting);
    return b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(3, Duration.ofMillis(1), Duration.ofMillis(10), 2.0)
        .polling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(30));
  }

  private Run startRun(Tunekit tk) {
    return tk.fineTune().model(Fixtures.NOVA).trainingData(data).validationSplit(0.25, 7)
        .hyperparameters(h -> h.epochs(2).learningRateMultiplier(0.00002).extra("learningRateWarmupSteps", 5))
        .suffix("support-bot").start();
  }

  private static long requests(String method, String urlPathRegex) {
    return aws.wm.getAllServeEvents().stream()
        .filter(e -> e.getRequest().getMethod().getName().equals(method)
            && e.getRequest().getUrl().split("\\?")[0].matches(urlPathRegex))
        .count();
  }

  // ------------------------------------------------------------------ the whole lifecycle

  @Test
  void wholeRunGoesFromDatasetToATrainedDeployedModelThatAnswers() throws Exception {
    bedrock.createSucceeds();
    try (Tunekit tk = tunekit().build()) {
      Run run = startRun(tk);

      // Submitted: one job, created from converted data in S3, with the run's token, names and settings.
      assertThat(run.info().jobId()).contains(Fixtures.JOB_ARN);
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
      List<JsonNode> creates = bedrock.createBodies();
      assertThat(creates).hasSize(1);
      JsonNode create = creates.get(0);
      String token = create.path("clientRequestToken").asText();
      String jobName = create.path("jobName").asText();
      assertThat(token).matches("tk-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      assertThat(jobName).isEqualTo(Names.jobName(token, "support-bot")).endsWith("-" + Names.keyHash(token));
      assertThat(create.path("roleArn").asText()).isEqualTo(Fixtures.ROLE);
      assertThat(create.path("baseModelIdentifier").asText()).isEqualTo(Fixtures.NOVA);
      assertThat(create.path("customizationType").asText()).isEqualTo("FINE_TUNING");
      assertThat(fieldNames(create.path("hyperParameters")))
          .containsExactlyInAnyOrder("epochCount", "learningRate", "learningRateWarmupSteps");
      assertThat(create.path("hyperParameters").path("epochCount").asText()).isEqualTo("2");
      String outputUri = create.path("outputDataConfig").path("s3Uri").asText();
      assertThat(outputUri).isEqualTo("s3://" + LoopbackAws.BUCKET + "/runs/output/" + jobName + "/");
      assertThat(tag(create, "tunekit-run-id")).isEqualTo(run.id());

      // The data Bedrock is pointed at is in S3, in bedrock-conversation-2024, training and validation split 9/3.
      List<String> keys = aws.keys("runs/datasets/");
      assertThat(keys).hasSize(2);
      assertThat(aws.objectWrites()).isEqualTo(2);
      String trainingUri = create.path("trainingDataConfig").path("s3Uri").asText();
      String validationUri = create.path("validationDataConfig").path("validators").path(0).path("s3Uri").asText();
      assertThat(trainingUri).startsWith("s3://" + LoopbackAws.BUCKET + "/runs/datasets/").endsWith("-training.jsonl");
      assertThat(validationUri).startsWith("s3://" + LoopbackAws.BUCKET + "/runs/datasets/").endsWith("-validation.jsonl");
      List<JsonNode> training = lines(aws.read(key(trainingUri)));
      List<JsonNode> validation = lines(aws.read(key(validationUri)));
      assertThat(training).hasSize(9);
      assertThat(validation).hasSize(3);
      training.forEach(BedrockWorkflowTest::assertBedrockConversation);
      validation.forEach(BedrockWorkflowTest::assertBedrockConversation);

      // Bedrock runs the job; metrics land in the job's output folder.
      bedrock.jobWalksToCompleted(outputUri);
      BedrockStubs.putMetrics(aws, outputUri);
      List<JobStatus> seen = new ArrayList<>();
      RunResult result = run.await(new RunListener() {
        @Override
        public void onStatus(RemoteJob job) {
          seen.add(job.status());
        }
      });

      assertThat(result.succeeded()).isTrue();
      assertThat(result.fineTunedModel()).contains(Fixtures.MODEL_ARN);
      assertThat(run.fineTunedModel()).contains(Fixtures.MODEL_ARN);
      assertThat(seen).extracting(s -> s.getClass().getSimpleName()).containsExactly("Validating", "Running", "Succeeded");
      assertThat(result.metrics()).containsExactly(
          MetricPoint.trainLoss(0, 2.5),
          MetricPoint.trainLoss(1, 1.75),
          new MetricPoint(2, OptionalDouble.of(1.25), OptionalDouble.of(1.5), OptionalDouble.empty(), OptionalDouble.empty()));
      assertThat(run.events()).extracting(JobEvent::message)
          .contains("Training completed", "Job completed; custom model " + Fixtures.MODEL_ARN);

      // Deploy on demand, then chat with the deployment through Converse.
      bedrock.onDemandDeploymentBecomesActive();
      bedrock.converseAnswers();
      Deployment d = run.deploy();

      assertThat(d.state()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(d.inferenceModel()).isEqualTo(BedrockStubs.DEP_ARN);
      aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.DEPLOYMENTS))
          .withRequestBody(matchingJsonPath("$.modelArn", equalTo(Fixtures.MODEL_ARN))));
      assertThat(run.deploy()).isEqualTo(d); // idempotent: recorded in the ledger, not created again
      aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.DEPLOYMENTS)));

      ChatResponse answer = run.chatModel().chat(ChatRequest.of("ignored",
          List.of(ChatMessage.system("You are the support bot."), ChatMessage.user("How do I reset my password?"))));

      assertThat(answer.content()).isEqualTo(BedrockStubs.ANSWER);
      assertThat(answer.finishReason()).isEqualTo("stop");
      aws.wm.verify(1, postRequestedFor(urlPathMatching("/model/.*dep123/converse"))
          .withRequestBody(matchingJsonPath("$.system[0].text", equalTo("You are the support bot.")))
          .withRequestBody(matchingJsonPath("$.messages[0].content[0].text", equalTo("How do I reset my password?"))));
      assertThat(run.state()).isEqualTo(RunState.DEPLOYED);
    }
    // Nothing was created twice over the whole run.
    aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
    assertThat(aws.objectWrites()).isEqualTo(2); // the training and validation data, once each
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String tag(JsonNode create, String key) {
    for (JsonNode t : create.path("jobTags")) {
      if (t.path("key").asText().equals(key)) {
        return t.path("value").asText();
      }
    }
    return null;
  }

  private static String key(String s3Uri) {
    return s3Uri.substring(("s3://" + LoopbackAws.BUCKET + "/").length());
  }

  private static List<JsonNode> lines(String jsonl) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : jsonl.split("\n")) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  /** One record of Bedrock's conversation schema: versioned, system as text blocks, user/assistant turns. */
  private static void assertBedrockConversation(JsonNode r) {
    assertThat(r.path("schemaVersion").asText()).isEqualTo("bedrock-conversation-2024");
    assertThat(r.path("system").isArray()).isTrue();
    assertThat(r.path("system").path(0).path("text").asText()).isEqualTo(Datasets.SYSTEM);
    JsonNode messages = r.path("messages");
    assertThat(messages.size()).isGreaterThanOrEqualTo(2).isEven();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      assertThat(m.path("role").asText()).isEqualTo(i % 2 == 0 ? "user" : "assistant");
      assertThat(m.path("content").isArray()).isTrue();
      assertThat(m.path("content").path(0).path("text").asText()).isNotBlank();
      assertThat(fieldNames(m)).containsExactlyInAnyOrder("role", "content");
    }
    assertThat(fieldNames(r)).doesNotContain("prompt", "completion");
  }

  // ------------------------------------------------------------------ retries and errors

  @Test
  void throttledCreateIsRetriedByTheCoreLayerWithTheSameTokenAndMakesOneJob() {
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS)).inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(BedrockStubs.awsError(429, "ThrottlingException", "Too many requests, please wait before trying again."))
        .willSetStateTo("calm"));
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS)).inScenario("throttle").whenScenarioStateIs("calm")
        .willReturn(okJson("{\"jobArn\":\"" + Fixtures.JOB_ARN + "\"}")));

    try (Tunekit tk = tunekit().build()) {
      Run run = startRun(tk);

      assertThat(run.info().jobId()).contains(Fixtures.JOB_ARN);
    }
    aws.wm.verify(2, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
    List<JsonNode> creates = bedrock.createBodies();
    assertThat(creates.get(1).path("clientRequestToken")).isEqualTo(creates.get(0).path("clientRequestToken"));
    assertThat(creates.get(1).path("jobName")).isEqualTo(creates.get(0).path("jobName"));
    assertThat(requests("GET", BedrockStubs.JOBS)).isZero(); // a throttled create never took effect: no lookup
    assertThat(aws.calls("blobMetadata")).isZero(); // a first upload does not look for an earlier one
  }

  @Test
  void throttlingThatOutlastsTheRetriesFailsStartAsARateLimitAfterMaxAttempts() {
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS))
        .willReturn(BedrockStubs.awsError(429, "ThrottlingException", "Rate exceeded")));

    try (Tunekit tk = tunekit().build()) {
      RateLimitedException e = catchThrowableOfType(RateLimitedException.class, () -> startRun(tk));

      assertThat(e.getMessage()).contains("ThrottlingException", "Rate exceeded");
      assertThat(tk.runs()).singleElement().satisfies(r -> {
        assertThat(r.jobId()).isEmpty();
        assertThat(r.error()).hasValueSatisfying(m -> assertThat(m).contains("ThrottlingException"));
      });
    }
    aws.wm.verify(3, postRequestedFor(urlEqualTo(BedrockStubs.JOBS))); // resilience.retry.maxAttempts
  }

  @Test
  void validationExceptionForARoleBedrockCannotAssumeFailsStartNamingTheRoleSettingWithoutRetrying() {
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS)).willReturn(BedrockStubs.awsError(400, "ValidationException",
        "Could not assume the provided IAM role " + Fixtures.ROLE + ". Check that the role exists and trusts"
            + " bedrock.amazonaws.com")));
    bedrock.noJobsListed();

    try (Tunekit tk = tunekit().build()) {
      ProviderException e = catchThrowableOfType(ProviderException.class, () -> startRun(tk));

      assertThat(e).isNotInstanceOf(RateLimitedException.class);
      assertThat(e.retryable()).isFalse();
      assertThat(e.outcomeUnknown()).isFalse();
      assertThat(e.statusCode()).contains(400);
      assertThat(e.getMessage()).contains("ValidationException", "Could not assume the provided IAM role",
          "providers.bedrock.roleArn", "Not retried");
      assertThat(e.getMessage()).doesNotContain(Fixtures.SECRET_KEY);
      RunInfo info = tk.runs().get(0);
      assertThat(info.jobId()).isEmpty();
      assertThat(info.error()).hasValueSatisfying(m -> assertThat(m).contains("providers.bedrock.roleArn"));
    }
    aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
  }

  @Test
  void validationExceptionAboutTheDataLocationNamesTheBucketAndPrefixSettings() {
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS)).willReturn(BedrockStubs.awsError(400, "ValidationException",
        "Unable to access the S3 location of the training data")));
    bedrock.noJobsListed();

    try (Tunekit tk = tunekit().build()) {
      ProviderException e = catchThrowableOfType(ProviderException.class, () -> startRun(tk));

      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains("Unable to access the S3 location", "providers.bedrock.bucket",
          "providers.bedrock.prefix", "providers.bedrock.roleArn");
    }
    aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
  }

  @Test
  void accessDeniedForAWrongRoleFailsStartNamingTheRoleSettingAndPassRoleWithoutRetrying() {
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS)).willReturn(BedrockStubs.awsError(403, "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:PassRole on resource: "
            + Fixtures.ROLE)));

    try (Tunekit tk = tunekit().build()) {
      AuthenticationException e = catchThrowableOfType(AuthenticationException.class, () -> startRun(tk));

      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains("AccessDeniedException", "providers.bedrock.roleArn", "iam:PassRole",
          "bedrock.amazonaws.com", "Not retried");
      assertThat(e.getMessage()).doesNotContain(Fixtures.SECRET_KEY);
      assertThat(tk.runs().get(0).jobId()).isEmpty();
    }
    aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
    assertThat(aws.objectWrites()).isEqualTo(2); // the data went up once; nothing was retried
  }

  // ------------------------------------------------------------------ money: one job, whatever happens

  @Test
  void createThatCommitsAndThenDropsTheConnectionLeavesExactlyOneJob() {
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS)).inScenario("drop").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))
        .willSetStateTo("committed"));
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS)).inScenario("drop").whenScenarioStateIs("committed")
        .willReturn(okJson("{\"jobArn\":\"arn:aws:bedrock:us-east-1:123456789012:model-customization-job/x/SECOND\"}")));
    bedrock.committedJobListed();
    String outputUri = "s3://" + LoopbackAws.BUCKET + "/runs/output/dropped/";
    bedrock.jobWalksToCompleted(outputUri);
    BedrockStubs.putMetrics(aws, outputUri);

    try (Tunekit tk = tunekit().build()) {
      Run run = startRun(tk);

      assertThat(run.info().jobId()).contains(Fixtures.JOB_ARN);
      assertThat(run.await().succeeded()).isTrue();
    }
    aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
    String hash = Names.keyHash(bedrock.createBodies().get(0).path("clientRequestToken").asText());
    aws.wm.verify(1, getRequestedFor(urlPathEqualTo(BedrockStubs.JOBS)).withQueryParam("nameContains", equalTo(hash)));
  }

  @Test
  void uploadThatIsStoredButAnsweredWithAServerErrorIsFoundByHeadObjectAndNotPutAgain() {
    bedrock.createSucceeds();
    aws.storeThenFailNextWrite();

    try (Tunekit tk = tunekit().build()) {
      Run run = tk.fineTune().model(Fixtures.NOVA).trainingData(data).start();

      assertThat(run.info().jobId()).contains(Fixtures.JOB_ARN);
    }
    assertThat(aws.objectWrites()).isEqualTo(1);
    assertThat(aws.calls("blobMetadata")).isPositive(); // the core's reconcile asked (HeadObject) before any retry
    List<String> keys = aws.keys("runs/datasets/");
    assertThat(keys).singleElement().satisfies(k -> assertThat(k).endsWith("-training.jsonl"));
    assertThat(bedrock.createBodies()).singleElement().satisfies(c ->
        assertThat(c.path("trainingDataConfig").path("s3Uri").asText()).isEqualTo("s3://" + LoopbackAws.BUCKET + "/" + keys.get(0)));
  }

  @Test
  void resumingAfterTheProcessStoppedContinuesTheSameJobWithoutUploadingOrCreatingAgain() throws Exception {
    bedrock.createSucceeds();
    String runId;
    try (Tunekit tk = tunekit().build()) {
      runId = startRun(tk).id();
    }
    int writesBefore = aws.objectWrites();
    String outputUri = "s3://" + LoopbackAws.BUCKET + "/runs/output/resumed/";
    bedrock.jobWalksToCompleted(outputUri);
    BedrockStubs.putMetrics(aws, outputUri);

    try (Tunekit tk = tunekit().build()) {
      Run run = tk.resume(runId);

      assertThat(run.id()).isEqualTo(runId);
      assertThat(run.info().jobId()).contains(Fixtures.JOB_ARN);
      RunResult result = run.await();
      assertThat(result.succeeded()).isTrue();
      assertThat(result.fineTunedModel()).contains(Fixtures.MODEL_ARN);
    }
    assertThat(writesBefore).isEqualTo(2);
    assertThat(aws.objectWrites()).isEqualTo(writesBefore);
    aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
  }

  @Test
  void resumingARunWhoseCreateOutcomeWasUnknownFindsTheCommittedJobInsteadOfCreatingASecond() throws Exception {
    // The create commits but its connection drops, and Bedrock's job listing is down too: Tunekit
    // cannot tell whether the job exists, so it stops without repeating the create.
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS))
        .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    aws.wm.stubFor(get(urlPathEqualTo(BedrockStubs.JOBS))
        .willReturn(BedrockStubs.awsError(500, "InternalServerException", "internal error")));
    String runId;
    try (Tunekit tk = tunekit().build()) {
      ProviderException e = catchThrowableOfType(ProviderException.class, () -> startRun(tk));

      assertThat(e.outcomeUnknown()).isTrue();
      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains("may have succeeded", "Nothing was repeated", "Resume the run later");
      RunInfo info = tk.runs().get(0);
      assertThat(info.jobId()).isEmpty();
      runId = info.id();
    }
    aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
    assertThat(requests("GET", BedrockStubs.JOBS)).isEqualTo(3); // the lookup, through the retry layer

    // Later, in a new process: Bedrock is healthy and lists the job the first create made.
    bedrock.committedJobListed();
    String outputUri = "s3://" + LoopbackAws.BUCKET + "/runs/output/recovered/";
    bedrock.jobWalksToCompleted(outputUri);
    try (Tunekit tk = tunekit().build()) {
      Run run = tk.resume(runId);

      assertThat(run.info().jobId()).contains(Fixtures.JOB_ARN);
      assertThat(run.await().succeeded()).isTrue();
    }
    aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
    assertThat(aws.objectWrites()).isEqualTo(2); // training and validation data, uploaded once
  }

  @Test
  void cancellingASubmittedRunStopsItsBedrockJobOnce() {
    bedrock.createSucceeds();
    String out = "s3://" + LoopbackAws.BUCKET + "/runs/output/cancelled/";
    String stop = BedrockStubs.JOB_PATH + "/stop";
    aws.wm.stubFor(post(urlPathMatching(stop)).inScenario("cancel").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson("{}")).willSetStateTo("stopping"));
    aws.wm.stubFor(get(urlPathMatching(BedrockStubs.JOB_PATH)).inScenario("cancel").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(BedrockStubs.job("InProgress", "Completed", "Completed", "InProgress", out, ""))));
    aws.wm.stubFor(get(urlPathMatching(BedrockStubs.JOB_PATH)).inScenario("cancel").whenScenarioStateIs("stopping")
        .willReturn(okJson(BedrockStubs.job("Stopped", "Completed", "Completed", "Stopped", out, ""))));

    try (Tunekit tk = tunekit().build()) {
      Run run = startRun(tk);

      assertThat(run.cancel()).isEqualTo(RunState.CANCELLED);
      assertThat(run.cancel()).isEqualTo(RunState.CANCELLED); // already over: no second stop
      RunResult result = run.await();
      assertThat(result.state()).isEqualTo(RunState.CANCELLED);
      assertThat(result.status()).contains(new JobStatus.Cancelled("Stopped"));
    }
    aws.wm.verify(1, postRequestedFor(urlPathMatching(stop)));
  }

  // ------------------------------------------------------------------ the config switch

  /** A user's script. It is the same for every provider: only tunekit.yaml differs. */
  static ScriptResult userScript(Path tunekitYaml, Path dataset) {
    try (Tunekit tk = Tunekit.fromConfig(tunekitYaml)) {
      Run run = tk.fineTune()
          .model("amazon.nova-micro-v1:0:128k")
          .trainingData(dataset)
          .hyperparameters(h -> h.epochs(2))
          .suffix("support-bot")
          .start();
      RunResult result = run.await();
      Deployment deployment = run.deploy();
      ChatResponse answer = run.chatModel().chat(ChatRequest.of("tuned",
          List.of(ChatMessage.user("How do I reset my password?"))));
      return new ScriptResult(tk.provider(), result.state(), result.fineTunedModel().orElse(null),
          deployment.state(), answer.content());
    }
  }

  record ScriptResult(String provider, RunState state, String tunedModel, Deployment.State deployment, String answer) {}

  @Test
  void theSameScriptRunsOnTheFakeProviderAndOnBedrockByChangingOnlyTheProviderLineOfTunekitYaml() throws Exception {
    Path fakeConfig = aws.writeConfig(Files.createDirectories(tmp.resolve("fake")), "fake");
    Path bedrockConfig = aws.writeConfig(Files.createDirectories(tmp.resolve("bedrock")), "bedrock");
    List<String> a = Files.readAllLines(fakeConfig);
    List<String> b = Files.readAllLines(bedrockConfig);
    assertThat(a).hasSameSizeAs(b);
    List<String> differing = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).equals(b.get(i))) {
        differing.add(a.get(i) + " | " + b.get(i));
      }
    }
    assertThat(differing).containsExactly("provider: fake | provider: bedrock");
    bedrock.wholeRun(aws, "s3://" + LoopbackAws.BUCKET + "/runs/output/switch/");

    ScriptResult onFake = userScript(fakeConfig, data);
    ScriptResult onBedrock = userScript(bedrockConfig, data);

    assertThat(onFake.provider()).isEqualTo("fake");
    assertThat(onFake.state()).isEqualTo(RunState.TRAINED);
    assertThat(onFake.tunedModel()).isNotBlank();
    assertThat(onFake.deployment()).isEqualTo(Deployment.State.ACTIVE);
    assertThat(onFake.answer()).contains("How do I reset my password?");
    assertThat(onBedrock).isEqualTo(new ScriptResult("bedrock", RunState.TRAINED, Fixtures.MODEL_ARN,
        Deployment.State.ACTIVE, BedrockStubs.ANSWER));
    aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
    assertThat(tmp.resolve("bedrock/ledger.db")).isRegularFile();
    assertThat(tmp.resolve("fake/ledger.db")).isRegularFile();
    assertThat(aws.keys("runs/datasets/")).singleElement().satisfies(k -> assertThat(k).endsWith("-training.jsonl"));
  }

  /**
   * The provider switch: the test kit's one script, on the {@code tunekit.yaml} with a section for every
   * provider where {@code provider: bedrock} is the only line that chooses, tunes the section's
   * {@code model:} against the loopback Bedrock and S3.
   */
  @Test
  void theOneScriptOfTheTestKitRunsOnBedrock() {
    Map<String, Object> section = new java.util.LinkedHashMap<>(aws.settings());
    section.put("model", Fixtures.NOVA);
    Path yaml = dev.tunekit.testing.OneScript.config(tmp.resolve("one"), "bedrock",
        dev.tunekit.testing.OneScript.sections(Map.of("bedrock", section)));
    bedrock.wholeRun(aws, "s3://" + LoopbackAws.BUCKET + "/runs/output/one/");

    dev.tunekit.testing.OneScript.Outcome o = dev.tunekit.testing.OneScript.run(yaml, data);

    assertThat(o).isEqualTo(new dev.tunekit.testing.OneScript.Outcome("bedrock", RunState.TRAINED, Fixtures.NOVA,
        Fixtures.MODEL_ARN, Deployment.State.ACTIVE, BedrockStubs.ANSWER));
    aws.wm.verify(1, postRequestedFor(urlEqualTo(BedrockStubs.JOBS)));
  }
}
