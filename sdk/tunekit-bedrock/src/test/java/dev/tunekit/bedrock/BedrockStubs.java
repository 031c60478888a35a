package dev.tunekit.bedrock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.List;

/**
 * Bedrock's REST-JSON wire format on WireMock, as stateful scenarios: a customization job that walks
 * validation → training → Completed, an on-demand deployment that goes Creating → Active, Converse, and
 * the job listing Tunekit uses to find a job by its key hash.
 */
final class BedrockStubs {
  static final String JOBS = "/model-customization-jobs";
  static final String JOB_PATH = "/model-customization-jobs/[^/]*ab12cd34ef56";
  static final String DEPLOYMENTS = "/model-customization/custom-model-deployments";
  static final String DEP_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/dep123";
  static final String CONVERSE = "/model/.+/converse";
  static final String ANSWER = "Open Settings, then Security, then Reset password.";
  /** Polls read the job three times (status, events, metrics), so each stage answers three reads. */
  static final int READS_PER_POLL = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WireMockServer wm;

  BedrockStubs(WireMockServer wm) {
    this.wm = wm;
  }

  void createSucceeds() {
    wm.stubFor(post(urlEqualTo(JOBS)).willReturn(okJson("{\"jobArn\":\"" + Fixtures.JOB_ARN + "\"}")));
  }

  /** An AWS error as Bedrock sends it: status, {@code x-amzn-ErrorType} and a JSON message. */
  static ResponseDefinitionBuilder awsError(int status, String type, String message) {
    return aResponse().withStatus(status)
        .withHeader("x-amzn-ErrorType", type)
        .withHeader("x-amzn-RequestId", "req-" + type)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"message\":\"" + message + "\"}");
  }

  /** ListModelCustomizationJobs answers with no job. */
  void noJobsListed() {
    wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(okJson("{\"modelCustomizationJobSummaries\":[]}")));
  }

  /**
   * ListModelCustomizationJobs answers with the one job whose name ends with the searched key hash,
   * as Bedrock does once a create has committed (the name is Tunekit's {@code tunekit-…-<hash>}).
   */
  void committedJobListed() {
    wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(okJson("{\"modelCustomizationJobSummaries\":[{\"jobArn\":\""
            + Fixtures.JOB_ARN + "\",\"jobName\":\"tunekit-support-bot-{{request.query.nameContains}}\","
            + "\"baseModelArn\":\"arn:aws:bedrock:us-east-1::foundation-model/" + Fixtures.NOVA + "\","
            + "\"status\":\"InProgress\",\"creationTime\":\"2026-11-02T10:00:00Z\",\"customizationType\":\"FINE_TUNING\"}]}")
        .withTransformers("response-template")));
  }

  /** GetModelCustomizationJob walks validation → training → Completed (with the custom model's ARN). */
  void jobWalksToCompleted(String outputUri) {
    List<String> stages = List.of(
        job("InProgress", "InProgress", "NotStarted", "NotStarted", outputUri, ""),
        job("InProgress", "Completed", "Completed", "InProgress", outputUri, ""),
        job("Completed", "Completed", "Completed", "Completed", outputUri,
            ",\"outputModelArn\":\"" + Fixtures.MODEL_ARN + "\",\"outputModelName\":\"tunekit-model-x\","
                + "\"endTime\":\"2026-11-02T11:00:00Z\""));
    String state = Scenario.STARTED;
    int n = 0;
    for (int s = 0; s < stages.size(); s++) {
      int reads = s == stages.size() - 1 ? 1 : READS_PER_POLL;
      for (int r = 0; r < reads; r++) {
        boolean last = s == stages.size() - 1;
        String next = last ? state : "read-" + (++n);
        var stub = get(urlPathMatching(JOB_PATH)).inScenario("job").whenScenarioStateIs(state)
            .willReturn(okJson(stages.get(s)));
        wm.stubFor(last ? stub : stub.willSetStateTo(next));
        state = next;
      }
    }
  }

  static String job(String status, String validation, String data, String training, String outputUri, String extra) {
    return "{\"jobArn\":\"" + Fixtures.JOB_ARN + "\",\"jobName\":\"tunekit-support-bot-x\","
        + "\"baseModelArn\":\"arn:aws:bedrock:us-east-1::foundation-model/" + Fixtures.NOVA + "\","
        + "\"roleArn\":\"" + Fixtures.ROLE + "\",\"status\":\"" + status + "\","
        + "\"customizationType\":\"FINE_TUNING\",\"creationTime\":\"2026-11-02T10:00:00Z\","
        + "\"lastModifiedTime\":\"2026-11-02T10:30:00Z\","
        + "\"outputDataConfig\":{\"s3Uri\":\"" + outputUri + "\"},"
        + "\"trainingDataConfig\":{\"s3Uri\":\"s3://tunekit-test/runs/datasets/abc/train.jsonl\"},"
        + "\"statusDetails\":{"
        + "\"validationDetails\":{\"status\":\"" + validation + "\",\"creationTime\":\"2026-11-02T10:01:00Z\",\"lastModifiedTime\":\"2026-11-02T10:05:00Z\"},"
        + "\"dataProcessingDetails\":{\"status\":\"" + data + "\",\"creationTime\":\"2026-11-02T10:05:00Z\",\"lastModifiedTime\":\"2026-11-02T10:10:00Z\"},"
        + "\"trainingDetails\":{\"status\":\"" + training + "\",\"creationTime\":\"2026-11-02T10:10:00Z\",\"lastModifiedTime\":\"2026-11-02T10:30:00Z\"}}"
        + extra + "}";
  }

  /** The step-wise metric CSVs Bedrock writes under the job's output location. */
  static void putMetrics(LoopbackAws aws, String outputUri) {
    String prefix = outputUri.substring(("s3://" + LoopbackAws.BUCKET + "/").length()) + "model-customization-job-ab12cd34ef56/";
    aws.put(prefix + "training_artifacts/step_wise_training_metrics.csv",
        "step_number,epoch_number,training_loss,perplexity\n0,0,2.5,12.1\n1,0,1.75,5.7\n2,1,1.25,3.4\n");
    aws.put(prefix + "validation_artifacts/post_fine_tuning_validation/validation_metrics.csv",
        "step_number,epoch_number,validation_loss,perplexity\n2,1,1.5,4.4\n");
  }

  /** GetCustomModel of any custom model answers that it was trained from {@code baseModelId}. */
  static void customModelTrainedFrom(WireMockServer wm, String baseModelId) {
    wm.stubFor(get(urlPathMatching("/custom-models/.+")).willReturn(okJson("{\"modelArn\":\"" + Fixtures.MODEL_ARN
        + "\",\"modelName\":\"tunekit-run\",\"creationTime\":\"2026-11-02T10:40:00Z\","
        + "\"baseModelArn\":\"arn:aws:bedrock:us-east-1::foundation-model/" + baseModelId + "\"}")));
  }

  /** CreateCustomModelDeployment (the custom model's base is Nova), then Creating once and Active after. */
  void onDemandDeploymentBecomesActive() {
    customModelTrainedFrom(wm, Fixtures.NOVA);
    wm.stubFor(post(urlEqualTo(DEPLOYMENTS)).willReturn(okJson("{\"customModelDeploymentArn\":\"" + DEP_ARN + "\"}")));
    String body = "{\"customModelDeploymentArn\":\"" + DEP_ARN + "\",\"modelArn\":\"" + Fixtures.MODEL_ARN
        + "\",\"modelDeploymentName\":\"tunekit-run\",\"status\":\"%s\"}";
    wm.stubFor(get(urlPathMatching(DEPLOYMENTS + "/.*dep123")).inScenario("deployment")
        .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("active").willReturn(okJson(String.format(body, "Creating"))));
    wm.stubFor(get(urlPathMatching(DEPLOYMENTS + "/.*dep123")).inScenario("deployment")
        .whenScenarioStateIs("active").willReturn(okJson(String.format(body, "Active"))));
  }

  void converseAnswers() {
    wm.stubFor(post(urlPathMatching(CONVERSE)).willReturn(okJson(
        "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"" + ANSWER + "\"}]}},"
            + "\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":18,\"outputTokens\":9,\"totalTokens\":27},"
            + "\"metrics\":{\"latencyMs\":80}}")));
  }

  /** Everything a run needs to go from create to a deployed model that answers, with a fixed output location. */
  void wholeRun(LoopbackAws aws, String outputUri) {
    createSucceeds();
    jobWalksToCompleted(outputUri);
    putMetrics(aws, outputUri);
    onDemandDeploymentBecomesActive();
    converseAnswers();
  }

  /** The bodies of the CreateModelCustomizationJob requests received, oldest first. */
  List<JsonNode> createBodies() {
    List<JsonNode> bodies = new java.util.ArrayList<>(wm.getAllServeEvents().stream() // newest first
        .filter(e -> e.getRequest().getMethod().getName().equals("POST") && e.getRequest().getUrl().equals(JOBS))
        .map(BedrockStubs::body)
        .toList());
    java.util.Collections.reverse(bodies);
    return bodies;
  }

  private static JsonNode body(ServeEvent e) {
    try {
      return JSON.readTree(e.getRequest().getBodyAsString());
    } catch (java.io.IOException ex) {
      throw new AssertionError("not JSON: " + e.getRequest().getBodyAsString(), ex);
    }
  }
}
