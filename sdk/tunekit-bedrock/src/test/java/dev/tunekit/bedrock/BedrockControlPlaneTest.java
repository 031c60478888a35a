package dev.tunekit.bedrock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Bedrock control plane and runtime against WireMock speaking Bedrock's REST-JSON wire format. */
class BedrockControlPlaneTest {
  private static final String JOBS = "/model-customization-jobs";
  private static final String JOB_PATH = "/model-customization-jobs/[^/]*ab12cd34ef56";

  @TempDir Path tmp;
  private WireMockServer wm;
  private BedrockProvider provider;

  @BeforeEach
  void start() {
    wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
    // S3 is not used by these tests: point it at the same loopback server so nothing can leave the machine.
    provider = Fixtures.provider(tmp, Fixtures.settings(wm.baseUrl(), wm.baseUrl()));
  }

  @AfterEach
  void stop() {
    provider.close();
    wm.stop();
  }

  private static String job(String status, String validation, String data, String training, String extra) {
    return "{\"jobArn\":\"" + Fixtures.JOB_ARN + "\",\"jobName\":\"tunekit-support-bot-x\","
        + "\"baseModelArn\":\"arn:aws:bedrock:us-east-1::foundation-model/" + Fixtures.NOVA + "\","
        + "\"roleArn\":\"" + Fixtures.ROLE + "\",\"status\":\"" + status + "\","
        + "\"customizationType\":\"FINE_TUNING\",\"creationTime\":\"2026-11-02T10:00:00Z\","
        + "\"lastModifiedTime\":\"2026-11-02T10:30:00Z\","
        + "\"outputDataConfig\":{\"s3Uri\":\"s3://tunekit-test/runs/output/tunekit-support-bot-x/\"},"
        + "\"trainingDataConfig\":{\"s3Uri\":\"s3://tunekit-test/runs/datasets/abc/train.jsonl\"},"
        + "\"statusDetails\":{"
        + "\"validationDetails\":{\"status\":\"" + validation + "\",\"creationTime\":\"2026-11-02T10:01:00Z\",\"lastModifiedTime\":\"2026-11-02T10:05:00Z\"},"
        + "\"dataProcessingDetails\":{\"status\":\"" + data + "\",\"creationTime\":\"2026-11-02T10:05:00Z\",\"lastModifiedTime\":\"2026-11-02T10:10:00Z\"},"
        + "\"trainingDetails\":{\"status\":\"" + training + "\",\"creationTime\":\"2026-11-02T10:10:00Z\",\"lastModifiedTime\":\"2026-11-02T10:30:00Z\"}}"
        + extra + "}";
  }

  private static JobRequest request() {
    return Fixtures.request("run-42-submit", Hyperparameters.builder().epochs(2).learningRateMultiplier(0.00002)
        .extra("learningRateWarmupSteps", 5).build());
  }

  @Test
  void createSendsIdempotentNamedRequestWithMappedHyperparametersAndSettings() {
    wm.stubFor(post(urlEqualTo(JOBS)).willReturn(okJson("{\"jobArn\":\"" + Fixtures.JOB_ARN + "\"}")));
    JobRequest req = request();

    RemoteJob job = provider.createJob(req);

    assertThat(job.id()).isEqualTo(Fixtures.JOB_ARN);
    assertThat(job.status()).isInstanceOf(JobStatus.Validating.class);
    assertThat(job.metadata()).containsEntry(JobRequest.IDEMPOTENCY_METADATA_KEY, "run-42-submit");
    String jobName = Names.jobName("run-42-submit", "support-bot");
    wm.verify(1, postRequestedFor(urlEqualTo(JOBS))
        .withRequestBody(matchingJsonPath("$.jobName", equalTo(jobName)))
        .withRequestBody(matchingJsonPath("$.clientRequestToken", equalTo("run-42-submit")))
        .withRequestBody(matchingJsonPath("$.customizationType", equalTo("FINE_TUNING")))
        .withRequestBody(matchingJsonPath("$.baseModelIdentifier", equalTo(Fixtures.NOVA)))
        .withRequestBody(matchingJsonPath("$.roleArn", equalTo(Fixtures.ROLE)))
        .withRequestBody(matchingJsonPath("$.hyperParameters", equalToJson(
            "{\"epochCount\":\"2\",\"learningRate\":\"0.00002\",\"learningRateWarmupSteps\":\"5\"}")))
        .withRequestBody(matchingJsonPath("$.trainingDataConfig.s3Uri", equalTo("s3://tunekit-test/runs/datasets/abc/train.jsonl")))
        .withRequestBody(matchingJsonPath("$.validationDataConfig.validators[0].s3Uri",
            equalTo("s3://tunekit-test/runs/datasets/def/valid.jsonl")))
        .withRequestBody(matchingJsonPath("$.outputDataConfig.s3Uri", equalTo("s3://tunekit-test/runs/output/" + jobName + "/")))
        .withRequestBody(matchingJsonPath("$.jobTags[?(@.key == 'tunekit-run-id')].value", equalTo("run-42"))));
    assertThat(jobName).matches(Names.JOB_NAME).hasSizeLessThanOrEqualTo(63).contains("support-bot");
  }

  @Test
  void kmsVpcAndTagsFromSettingsArePassedThrough() {
    Map<String, Object> s = Fixtures.settings(wm.baseUrl(), wm.baseUrl());
    s.put("kmsKeyId", "arn:aws:kms:us-east-1:123456789012:key/k1");
    s.put("vpc", Map.of("subnetIds", List.of("subnet-1", "subnet-2"), "securityGroupIds", List.of("sg-1")));
    s.put("tags", Map.of("cost-center", "ml-42"));
    try (BedrockProvider p = Fixtures.provider(tmp, s)) {
      wm.stubFor(post(urlEqualTo(JOBS)).willReturn(okJson("{\"jobArn\":\"" + Fixtures.JOB_ARN + "\"}")));
      p.createJob(request());
    }
    wm.verify(postRequestedFor(urlEqualTo(JOBS))
        .withRequestBody(matchingJsonPath("$.customModelKmsKeyId", equalTo("arn:aws:kms:us-east-1:123456789012:key/k1")))
        .withRequestBody(matchingJsonPath("$.vpcConfig.subnetIds[1]", equalTo("subnet-2")))
        .withRequestBody(matchingJsonPath("$.vpcConfig.securityGroupIds[0]", equalTo("sg-1")))
        .withRequestBody(matchingJsonPath("$.customModelTags[0].key", equalTo("cost-center")))
        .withRequestBody(matchingJsonPath("$.jobTags[?(@.key == 'cost-center')].value", equalTo("ml-42"))));
  }

  @Test
  void wholeLifecycleFromValidationToTrainedDeployedAndAnsweringModel() {
    wm.stubFor(post(urlEqualTo(JOBS)).willReturn(okJson("{\"jobArn\":\"" + Fixtures.JOB_ARN + "\"}")));
    String s = "lifecycle";
    wm.stubFor(get(urlPathMatching(JOB_PATH)).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(job("InProgress", "InProgress", "NotStarted", "NotStarted", ""))).willSetStateTo("data"));
    wm.stubFor(get(urlPathMatching(JOB_PATH)).inScenario(s).whenScenarioStateIs("data")
        .willReturn(okJson(job("InProgress", "Completed", "Completed", "NotStarted", ""))).willSetStateTo("training"));
    wm.stubFor(get(urlPathMatching(JOB_PATH)).inScenario(s).whenScenarioStateIs("training")
        .willReturn(okJson(job("InProgress", "Completed", "Completed", "InProgress", ""))).willSetStateTo("done"));
    wm.stubFor(get(urlPathMatching(JOB_PATH)).inScenario(s).whenScenarioStateIs("done")
        .willReturn(okJson(job("Completed", "Completed", "Completed", "Completed",
            ",\"outputModelArn\":\"" + Fixtures.MODEL_ARN + "\",\"endTime\":\"2026-11-02T11:00:00Z\""))));

    RemoteJob created = provider.createJob(request());
    assertThat(provider.job(created.id()).status()).isEqualTo(new JobStatus.Validating("InProgress/Validation"));
    assertThat(provider.job(created.id()).status()).isEqualTo(new JobStatus.Queued("InProgress/TrainingNotStarted"));
    assertThat(provider.job(created.id()).status()).isEqualTo(new JobStatus.Running("InProgress/Training"));
    RemoteJob done = provider.job(created.id());
    assertThat(done.status()).isEqualTo(new JobStatus.Succeeded("Completed", Optional.of(Fixtures.MODEL_ARN)));
    assertThat(done.baseModel()).isEqualTo(Fixtures.NOVA);
    assertThat(done.finishedAt()).isPresent();

    List<JobEvent> events = provider.events(created.id(), java.util.Optional.empty()).items();
    assertThat(events).extracting(JobEvent::message).containsExactly(
        "Customization job tunekit-support-bot-x created (FINE_TUNING of " + Fixtures.NOVA + ")",
        "Validation started", "Validation completed", "Data processing started", "Data processing completed",
        "Training started", "Training completed", "Job completed; custom model " + Fixtures.MODEL_ARN);
    assertThat(events).extracting(JobEvent::id).doesNotHaveDuplicates()
        .contains(Fixtures.JOB_ARN + "#training:completed");
    assertThat(provider.events(created.id(), java.util.Optional.empty()).items()).isEqualTo(events); // stable ids and times across polls
    // Bedrock can only re-read the job's description; a read from the cursor re-delivers nothing
    dev.tunekit.spi.Page<JobEvent> first = provider.events(created.id(), java.util.Optional.empty());
    dev.tunekit.spi.Page<JobEvent> again = provider.events(created.id(), first.next());
    assertThat(again.items()).isEmpty();
    assertThat(again.next()).isEqualTo(first.next());

    String depArn = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/dep123";
    wm.stubFor(post(urlEqualTo("/model-customization/custom-model-deployments"))
        .willReturn(okJson("{\"customModelDeploymentArn\":\"" + depArn + "\"}")));
    wm.stubFor(get(urlPathMatching("/model-customization/custom-model-deployments/.*dep123")).inScenario("dep")
        .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("active")
        .willReturn(okJson("{\"customModelDeploymentArn\":\"" + depArn + "\",\"modelArn\":\"" + Fixtures.MODEL_ARN
            + "\",\"modelDeploymentName\":\"run-42\",\"status\":\"Creating\"}")));
    wm.stubFor(get(urlPathMatching("/model-customization/custom-model-deployments/.*dep123")).inScenario("dep")
        .whenScenarioStateIs("active")
        .willReturn(okJson("{\"customModelDeploymentArn\":\"" + depArn + "\",\"modelArn\":\"" + Fixtures.MODEL_ARN
            + "\",\"modelDeploymentName\":\"run-42\",\"status\":\"Active\"}")));

    BedrockStubs.customModelTrainedFrom(wm, Fixtures.NOVA);
    Deployment d = provider.require(dev.tunekit.spi.Deployments.class, "deploy").deploy(Fixtures.MODEL_ARN, "Run 42 / support bot", Map.of());
    assertThat(d.id()).isEqualTo(depArn);
    assertThat(d.state()).isEqualTo(Deployment.State.CREATING);
    assertThat(provider.require(dev.tunekit.spi.Deployments.class, "deployment").deployment(d.id()).state()).isEqualTo(Deployment.State.CREATING);
    Deployment active = provider.require(dev.tunekit.spi.Deployments.class, "deployment").deployment(d.id());
    assertThat(active.state()).isEqualTo(Deployment.State.ACTIVE);
    assertThat(active.inferenceModel()).isEqualTo(depArn);
    wm.verify(postRequestedFor(urlEqualTo("/model-customization/custom-model-deployments"))
        .withRequestBody(matchingJsonPath("$.modelDeploymentName", equalTo("run-42-support-bot")))
        .withRequestBody(matchingJsonPath("$.modelArn", equalTo(Fixtures.MODEL_ARN)))
        .withRequestBody(matchingJsonPath("$.clientRequestToken", equalTo("run-42-support-bot"))));

    wm.stubFor(post(urlPathMatching("/model/.+/converse")).willReturn(okJson(
        "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"Reset it from \"},{\"text\":\"Settings.\"}]}},"
            + "\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":21,\"outputTokens\":4,\"totalTokens\":25},"
            + "\"metrics\":{\"latencyMs\":120}}")));
    ChatResponse answer = provider.require(dev.tunekit.spi.Chat.class, "chat").chat(new ChatRequest(active.inferenceModel(),
        List.of(ChatMessage.system("You are terse."), ChatMessage.user("How do I reset my password?")),
        Optional.of(0.0), Optional.of(64), Optional.empty()));
    assertThat(answer.content()).isEqualTo("Reset it from Settings.");
    assertThat(answer.finishReason()).isEqualTo("stop");
    assertThat(answer.inputTokens()).isEqualTo(21);
    assertThat(answer.outputTokens()).isEqualTo(4);
    wm.verify(postRequestedFor(urlPathMatching("/model/.+/converse"))
        .withRequestBody(matchingJsonPath("$.system[0].text", equalTo("You are terse.")))
        .withRequestBody(matchingJsonPath("$.messages[0].role", equalTo("user")))
        .withRequestBody(matchingJsonPath("$.messages[0].content[0].text", equalTo("How do I reset my password?")))
        .withRequestBody(matchingJsonPath("$.inferenceConfig.maxTokens", equalTo("64")))
        .withRequestBody(matchingJsonPath("$.inferenceConfig.temperature", equalTo("0.0"))));

    wm.stubFor(delete(urlPathMatching("/model-customization/custom-model-deployments/.*dep123")).willReturn(okJson("{}")));
    provider.require(dev.tunekit.spi.Deployments.class, "undeploy").undeploy(d.id());
    wm.verify(1, com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor(
        urlPathMatching("/model-customization/custom-model-deployments/.*dep123")));
  }

  @Test
  void provisionedDeploymentUsesModelUnitsAndCommitmentFromOptions() {
    String arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/pm123";
    wm.stubFor(post(urlEqualTo("/provisioned-model-throughput")).willReturn(okJson("{\"provisionedModelArn\":\"" + arn + "\"}")));
    wm.stubFor(get(urlPathMatching("/provisioned-model-throughput/.*pm123")).willReturn(okJson(
        "{\"provisionedModelArn\":\"" + arn + "\",\"provisionedModelName\":\"run-42\",\"modelArn\":\"" + Fixtures.MODEL_ARN
            + "\",\"desiredModelArn\":\"" + Fixtures.MODEL_ARN + "\",\"foundationModelArn\":\"x\",\"modelUnits\":2,"
            + "\"desiredModelUnits\":2,\"status\":\"InService\",\"creationTime\":\"2026-11-02T10:00:00Z\","
            + "\"lastModifiedTime\":\"2026-11-02T10:00:00Z\"}")));

    Deployment d = provider.require(dev.tunekit.spi.Deployments.class, "deploy").deploy(Fixtures.MODEL_ARN, "run-42",
        Map.of("deployment", "provisioned", "modelUnits", 2, "commitmentDuration", "OneMonth"));

    assertThat(d.id()).isEqualTo(arn);
    assertThat(provider.require(dev.tunekit.spi.Deployments.class, "deployment").deployment(arn).state()).isEqualTo(Deployment.State.ACTIVE);
    wm.verify(postRequestedFor(urlEqualTo("/provisioned-model-throughput"))
        .withRequestBody(matchingJsonPath("$.modelUnits", equalTo("2")))
        .withRequestBody(matchingJsonPath("$.commitmentDuration", equalTo("OneMonth")))
        .withRequestBody(matchingJsonPath("$.provisionedModelName", equalTo("run-42")))
        .withRequestBody(matchingJsonPath("$.modelId", equalTo(Fixtures.MODEL_ARN))));
  }

  @Test
  void undeployDeletesProvisionedThroughputAndToleratesAnAlreadyDeletedOne() {
    String arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/pm123";
    wm.stubFor(delete(urlPathMatching("/provisioned-model-throughput/.*pm123")).inScenario("del")
        .whenScenarioStateIs(Scenario.STARTED).willReturn(okJson("{}")).willSetStateTo("gone"));
    wm.stubFor(delete(urlPathMatching("/provisioned-model-throughput/.*pm123")).inScenario("del")
        .whenScenarioStateIs("gone").willReturn(aResponse().withStatus(404)
            .withHeader("x-amzn-ErrorType", "ResourceNotFoundException")
            .withHeader("Content-Type", "application/json").withBody("{\"message\":\"not found\"}")));

    provider.require(dev.tunekit.spi.Deployments.class, "undeploy").undeploy(arn);
    provider.require(dev.tunekit.spi.Deployments.class, "undeploy").undeploy(arn);

    wm.verify(2, com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor(
        urlPathMatching("/provisioned-model-throughput/.*pm123")));
  }

  @Test
  void failedOnDemandDeploymentCarriesBedrocksReason() {
    String depArn = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/dep9";
    wm.stubFor(get(urlPathMatching("/model-customization/custom-model-deployments/.*dep9")).willReturn(okJson(
        "{\"customModelDeploymentArn\":\"" + depArn + "\",\"modelArn\":\"" + Fixtures.MODEL_ARN
            + "\",\"status\":\"Failed\",\"failureMessage\":\"Model does not support on-demand inference\"}")));

    Deployment d = provider.require(dev.tunekit.spi.Deployments.class, "deployment").deployment(depArn);

    assertThat(d.state()).isEqualTo(Deployment.State.FAILED);
    assertThat(d.rawState()).isEqualTo("Failed: Model does not support on-demand inference");
  }

  @Test
  void nonNovaModelsDefaultToProvisionedThroughputAndNovaToOnDemand() {
    BedrockStubs.customModelTrainedFrom(wm, Fixtures.NOVA);
    assertThat(provider.deploymentMode(Fixtures.MODEL_ARN, Map.of())).isEqualTo(BedrockConfig.DeploymentMode.ON_DEMAND);
    BedrockStubs.customModelTrainedFrom(wm, "meta.llama3-1-8b-instruct-v1:0:128k");
    assertThat(provider.deploymentMode("arn:aws:bedrock:us-east-1:1:custom-model/meta.llama3-1-8b-instruct-v1:0:128k/x",
        Map.of())).isEqualTo(BedrockConfig.DeploymentMode.PROVISIONED);
  }

  @Test
  void theDefaultDeploymentFollowsTheBaseModelBedrockRecordedNotTheArnsText() {
    // The ARN's text says Nova, but the model was trained from Llama 3.1: provisioned, not on demand.
    BedrockStubs.customModelTrainedFrom(wm, "meta.llama3-1-8b-instruct-v1:0:128k");
    assertThat(provider.deploymentMode(Fixtures.MODEL_ARN, Map.of())).isEqualTo(BedrockConfig.DeploymentMode.PROVISIONED);
    wm.verify(getRequestedFor(urlPathMatching("/custom-models/.+")));
    // And a name that says nothing, trained from Nova: on demand.
    BedrockStubs.customModelTrainedFrom(wm, Fixtures.NOVA);
    assertThat(provider.deploymentMode("arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/support-bot",
        Map.of())).isEqualTo(BedrockConfig.DeploymentMode.ON_DEMAND);
    // An explicit choice needs no lookup.
    wm.resetRequests();
    assertThat(provider.deploymentMode(Fixtures.MODEL_ARN, Map.of("deployment", "onDemand")))
        .isEqualTo(BedrockConfig.DeploymentMode.ON_DEMAND);
    assertThat(wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void throttlingBecomesRetryableRateLimitWithoutSdkRetries() {
    wm.stubFor(get(urlPathMatching(JOB_PATH)).willReturn(aResponse().withStatus(429)
        .withHeader("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/")
        .withHeader("x-amzn-RequestId", "req-throttle-1")
        .withHeader("Retry-After", "3")
        .withHeader("Content-Type", "application/json")
        .withBody("{\"message\":\"Too many requests, please wait before trying again.\"}")));

    RateLimitedException e = catchThrowableOfType(RateLimitedException.class, () -> provider.job(Fixtures.JOB_ARN));

    assertThat(e.retryable()).isTrue();
    assertThat(e.requestId()).contains("req-throttle-1");
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
    assertThat(e.getMessage()).contains("ThrottlingException", "Too many requests");
    wm.verify(1, getRequestedFor(urlPathMatching(JOB_PATH))); // the SDK did not retry by itself
  }

  @Test
  void validationErrorIsNotRetriedAndCarriesBedrocksMessage() {
    wm.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(400)
        .withHeader("x-amzn-ErrorType", "ValidationException")
        .withHeader("Content-Type", "application/json")
        .withBody("{\"message\":\"The provided base model does not support fine-tuning.\"}")));
    wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(okJson("{\"modelCustomizationJobSummaries\":[]}")));

    ProviderException e = catchThrowableOfType(ProviderException.class, () -> provider.createJob(request()));

    assertThat(e).isNotInstanceOf(RateLimitedException.class);
    assertThat(e.retryable()).isFalse();
    assertThat(e.outcomeUnknown()).isFalse();
    assertThat(e.statusCode()).contains(400);
    assertThat(e.getMessage()).contains("does not support fine-tuning").contains("Not retried");
    wm.verify(1, postRequestedFor(urlEqualTo(JOBS)));
  }

  @Test
  void accessDeniedForAWrongRoleNamesTheRoleSettingAndMissingPermission() {
    wm.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(403)
        .withHeader("x-amzn-ErrorType", "AccessDeniedException")
        .withHeader("Content-Type", "application/json")
        .withBody("{\"message\":\"User is not authorized to perform: iam:PassRole on resource\"}")));

    AuthenticationException e = catchThrowableOfType(AuthenticationException.class, () -> provider.createJob(request()));

    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).contains("providers.bedrock.roleArn", "iam:PassRole", "bedrock.amazonaws.com",
        "bedrock:CreateModelCustomizationJob");
    assertThat(e.getMessage()).doesNotContain(Fixtures.SECRET_KEY).doesNotContain(Fixtures.ACCESS_KEY);
  }

  @Test
  void serverErrorIsRetryableWithUnknownOutcome() {
    wm.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(500)
        .withHeader("x-amzn-ErrorType", "InternalServerException")
        .withHeader("Content-Type", "application/json").withBody("{\"message\":\"internal\"}")));

    ProviderException e = catchThrowableOfType(ProviderException.class, () -> provider.createJob(request()));

    assertThat(e.retryable()).isTrue();
    assertThat(e.outcomeUnknown()).isTrue();
  }

  @Test
  void missingJobIsNotFound() {
    wm.stubFor(get(urlPathMatching(JOB_PATH)).willReturn(aResponse().withStatus(404)
        .withHeader("x-amzn-ErrorType", "ResourceNotFoundException")
        .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Job not found\"}")));

    assertThatThrownBy(() -> provider.job(Fixtures.JOB_ARN)).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("Job not found");
  }

  @Test
  void quotaExceededIsNotRetriedAndAdvisesAQuotaIncrease() {
    wm.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(400)
        .withHeader("x-amzn-ErrorType", "ServiceQuotaExceededException")
        .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Quota exceeded\"}")));

    ProviderException e = catchThrowableOfType(ProviderException.class, () -> provider.createJob(request()));

    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).contains("Service Quotas");
  }

  @Test
  void createRejectedBecauseTheNameIsTakenReturnsTheJobAnEarlierAttemptCreated() {
    JobRequest req = request();
    wm.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(409)
        .withHeader("x-amzn-ErrorType", "ConflictException")
        .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Job name already exists\"}")));
    wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(okJson(summaries(Names.jobName(req.idempotencyKey(), "support-bot")))));

    RemoteJob j = provider.createJob(req);

    assertThat(j.id()).isEqualTo(Fixtures.JOB_ARN);
    wm.verify(1, postRequestedFor(urlEqualTo(JOBS)));
  }

  @Test
  void requestsAreSignedWithSigV4AndNeverCarryTheSecretKey() {
    wm.stubFor(get(urlPathMatching(JOB_PATH)).willReturn(okJson(job("InProgress", "InProgress", "NotStarted", "NotStarted", ""))));

    provider.job(Fixtures.JOB_ARN);

    wm.verify(getRequestedFor(urlPathMatching(JOB_PATH))
        .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.matching(
            "AWS4-HMAC-SHA256 Credential=" + Fixtures.ACCESS_KEY + "/\\d{8}/us-east-1/bedrock/aws4_request, .*")));
    assertThat(wm.getAllServeEvents()).allSatisfy(ev -> assertThat(ev.getRequest().toString()).doesNotContain(Fixtures.SECRET_KEY));
  }

  @Test
  void callThatTimesOutIsRetryableWithUnknownOutcome() {
    Map<String, Object> s = Fixtures.settings(wm.baseUrl(), wm.baseUrl());
    s.put("callTimeout", "300ms");
    wm.stubFor(post(urlEqualTo(JOBS)).willReturn(okJson("{\"jobArn\":\"" + Fixtures.JOB_ARN + "\"}").withFixedDelay(2000)));
    try (BedrockProvider p = Fixtures.provider(tmp, s)) {
      ProviderException e = catchThrowableOfType(ProviderException.class, () -> p.createJob(request()));

      assertThat(e.retryable()).isTrue();
      assertThat(e.outcomeUnknown()).isTrue();
    }
  }

  @Test
  void refusedConnectionIsRetryableAndKnownNotToHaveReachedAws() {
    try (BedrockProvider p = Fixtures.provider(tmp, Fixtures.settings("http://127.0.0.1:9", "http://127.0.0.1:9"))) {
      ProviderException e = catchThrowableOfType(ProviderException.class, () -> p.createJob(request()));

      assertThat(e.retryable()).isTrue();
      assertThat(e.outcomeUnknown()).isFalse();
      assertThat(e.getMessage()).contains("was not sent");
    }
  }

  private static String summaries(String jobName) {
    return "{\"modelCustomizationJobSummaries\":[{\"jobArn\":\"" + Fixtures.JOB_ARN + "\",\"jobName\":\""
        + jobName + "\",\"baseModelArn\":\"arn:aws:bedrock:us-east-1::foundation-model/" + Fixtures.NOVA
        + "\",\"status\":\"InProgress\",\"creationTime\":\"2026-11-02T10:00:00Z\",\"customizationType\":\"FINE_TUNING\"}]}";
  }

  @Test
  void createWhoseConnectionDropsIsOutcomeUnknownAndFindJobThenFindsTheOneJob() {
    JobRequest req = request();
    String jobName = Names.jobName(req.idempotencyKey(), "support-bot");
    wm.stubFor(post(urlEqualTo(JOBS)).inScenario("drop").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("created"));
    wm.stubFor(get(urlPathEqualTo(JOBS)).inScenario("drop").whenScenarioStateIs("created")
        .withQueryParam("nameContains", equalTo(Names.keyHash(req.idempotencyKey())))
        .willReturn(okJson("{\"modelCustomizationJobSummaries\":[{\"jobArn\":\"" + Fixtures.JOB_ARN + "\",\"jobName\":\""
            + jobName + "\",\"baseModelArn\":\"arn:aws:bedrock:us-east-1::foundation-model/" + Fixtures.NOVA
            + "\",\"status\":\"InProgress\",\"creationTime\":\"2026-11-02T10:00:00Z\",\"customizationType\":\"FINE_TUNING\"}]}")));

    ProviderException e = catchThrowableOfType(ProviderException.class, () -> provider.createJob(req));
    assertThat(e.retryable()).isTrue();
    assertThat(e.outcomeUnknown()).isTrue();

    // What the core does before any retry of a create whose outcome is unknown:
    Optional<RemoteJob> found = provider.findJob(req.idempotencyKey());

    assertThat(found).isPresent();
    assertThat(found.get().id()).isEqualTo(Fixtures.JOB_ARN);
    assertThat(found.get().metadata()).containsEntry(JobRequest.IDEMPOTENCY_METADATA_KEY, req.idempotencyKey());
    wm.verify(1, postRequestedFor(urlEqualTo(JOBS)));
  }

  @Test
  void findJobIgnoresJobsWhoseNameOnlyContainsTheHashAndReturnsEmptyWhenNoneMatch() {
    String hash = Names.keyHash("other-key");
    wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(okJson("{\"modelCustomizationJobSummaries\":[{\"jobArn\":\""
        + Fixtures.JOB_ARN + "\",\"jobName\":\"tunekit-x-" + hash + "-copy\",\"baseModelArn\":\"b\",\"status\":\"InProgress\","
        + "\"creationTime\":\"2026-11-02T10:00:00Z\"}]}")));

    assertThat(provider.findJob("other-key")).isEmpty();
  }

  @Test
  void outOfRangeHyperparameterIsRejectedBeforeAnyHttpCall() {
    JobRequest req = Fixtures.request("k1", Hyperparameters.builder().epochs(6).build());

    assertThatThrownBy(() -> provider.createJob(req)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("epochs (Bedrock epochCount) must be a whole number between 1..5")
        .hasMessageContaining(Fixtures.NOVA);
    assertThatThrownBy(() -> provider.createJob(Fixtures.request("k2", Hyperparameters.builder().batchSize(8).build())))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("batchSize is not supported");

    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void failedStoppedAndUnknownStatusesMapToNeutralStates() {
    wm.stubFor(get(urlPathMatching(JOB_PATH)).inScenario("s").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("2")
        .willReturn(okJson(job("Failed", "Failed", "NotStarted", "NotStarted",
            ",\"failureMessage\":\"Training data has 3 invalid lines (line 7: missing messages)\""))));
    wm.stubFor(get(urlPathMatching(JOB_PATH)).inScenario("s").whenScenarioStateIs("2").willSetStateTo("3")
        .willReturn(okJson(job("Stopped", "Completed", "Completed", "Stopped", ""))));
    wm.stubFor(get(urlPathMatching(JOB_PATH)).inScenario("s").whenScenarioStateIs("3")
        .willReturn(okJson(job("Paused", "Completed", "Completed", "InProgress", ""))));

    JobStatus failed = provider.job(Fixtures.JOB_ARN).status();
    assertThat(failed).isInstanceOf(JobStatus.Failed.class);
    assertThat(((JobStatus.Failed) failed).reason()).contains("line 7");
    assertThat(provider.job(Fixtures.JOB_ARN).status()).isEqualTo(new JobStatus.Cancelled("Stopped"));
    JobStatus unknown = provider.job(Fixtures.JOB_ARN).status();
    assertThat(unknown).isEqualTo(new JobStatus.Unknown("Paused"));
    assertThat(unknown.isTerminal()).isFalse();
  }

  @Test
  void cancelStopsARunningJobAndReportsItCancelled() {
    wm.stubFor(post(urlPathMatching(JOB_PATH + "/stop")).inScenario("c").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson("{}")).willSetStateTo("stopping"));
    wm.stubFor(get(urlPathMatching(JOB_PATH)).inScenario("c").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(job("InProgress", "Completed", "Completed", "InProgress", ""))));
    wm.stubFor(get(urlPathMatching(JOB_PATH)).inScenario("c").whenScenarioStateIs("stopping")
        .willReturn(okJson(job("Stopping", "Completed", "Completed", "Stopping", ""))));

    RemoteJob j = provider.cancel(Fixtures.JOB_ARN);

    assertThat(j.status()).isEqualTo(new JobStatus.Cancelled("Stopping"));
    wm.verify(1, postRequestedFor(urlPathMatching(JOB_PATH + "/stop")));
  }

  @Test
  void cancellingAFinishedJobSendsNoStop() {
    wm.stubFor(get(urlPathMatching(JOB_PATH)).willReturn(okJson(job("Completed", "Completed", "Completed", "Completed",
        ",\"outputModelArn\":\"" + Fixtures.MODEL_ARN + "\""))));

    assertThat(provider.cancel(Fixtures.JOB_ARN).status()).isInstanceOf(JobStatus.Succeeded.class);
    wm.verify(0, postRequestedFor(urlPathMatching(JOB_PATH + "/stop")));
  }

  @Test
  void declaresExactlyTheCapabilitiesBedrockHas() {
    assertThat(provider.capability(dev.tunekit.spi.Chat.class)).containsSame(provider); // Converse
    assertThat(provider.capability(dev.tunekit.spi.Deployments.class)).containsSame(provider); // custom model deployments
    assertThat(provider.capability(dev.tunekit.spi.PauseResume.class)).isEmpty();
    assertThat(provider.capability(dev.tunekit.spi.Checkpoints.class)).isEmpty();
    assertThat(provider.capability(dev.tunekit.spi.WebhookVerification.class)).isEmpty();
    assertThatThrownBy(() -> provider.require(dev.tunekit.spi.PauseResume.class, "pause job x"))
        .isInstanceOf(dev.tunekit.error.UnsupportedCapabilityException.class)
        .hasMessageStartingWith("Provider bedrock does not support PauseResume: cannot pause job x.");
  }
}
