package dev.tunekit.bedrock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.testing.tck.ProviderFixture;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The provider contract's fixture for Bedrock: {@link LoopbackAws} (S3Proxy for datasets, WireMock for
 * the control plane). Bedrock's raw status is {@code InProgress} refined by its stage details, and the
 * provider keeps both ({@code InProgress/Training}), so the raw statuses scripted here are those.
 */
final class BedrockTckFixture implements ProviderFixture {
  private static final String ARN_PREFIX =
      "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/amazon.nova-micro-v1:0:128k/";
  private static final String OUTPUT = "s3://" + LoopbackAws.BUCKET + "/runs/output/";

  private final Path dir;
  private final LoopbackAws aws;

  /** One loopback AWS for the whole test class (starting S3Proxy takes seconds); reset for each test. */
  private static LoopbackAws shared;

  static synchronized LoopbackAws sharedAws() throws Exception {
    if (shared == null) {
      shared = new LoopbackAws();
    }
    shared.reset();
    return shared;
  }

  /** Stops the shared loopback AWS and restores the credential system properties it set. */
  static synchronized void closeShared() throws Exception {
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }

  BedrockTckFixture(Path dir) throws Exception {
    this.dir = dir;
    this.aws = sharedAws();
    // A lookup by a key no stub knows lists no job, at low priority.
    aws.wm.stubFor(get(urlPathEqualTo(BedrockStubs.JOBS)).atPriority(10)
        .willReturn(okJson("{\"modelCustomizationJobSummaries\":[]}")));
  }

  @Override
  public TuningProvider provider() {
    return new BedrockProviderFactory().create(ProviderSettings.of("bedrock", "BedrockTckFixture", dir, aws.settings()));
  }

  @Override
  public String baseModel() {
    return Fixtures.NOVA;
  }

  @Override
  public void nextUploadCommitsThenDropsConnection(FileUpload upload) {
    aws.storeThenFailNextWrite();
  }

  // ------------------------------------------------------------ jobs

  private static String summary(String arn, String key) {
    return "{\"modelCustomizationJobSummaries\":[{\"jobArn\":\"" + arn + "\",\"jobName\":\"tunekit-tck-"
        + Names.keyHash(key) + "\",\"baseModelArn\":\"arn:aws:bedrock:us-east-1::foundation-model/" + Fixtures.NOVA
        + "\",\"status\":\"InProgress\",\"creationTime\":\"2026-11-02T10:00:00Z\",\"customizationType\":\"FINE_TUNING\"}]}";
  }

  private void listedByKey(String arn, String key) {
    aws.wm.stubFor(get(urlPathEqualTo(BedrockStubs.JOBS)).withQueryParam("nameContains", equalTo(Names.keyHash(key)))
        .willReturn(okJson(summary(arn, key))));
  }

  @Override
  public void acceptJob(JobRequest request) {
    String arn = ARN_PREFIX + "tckcreated";
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS)).willReturn(okJson("{\"jobArn\":\"" + arn + "\"}")));
    listedByKey(arn, request.idempotencyKey());
  }

  @Override
  public void nextCreateCommitsThenDropsConnection(JobRequest request) {
    aws.wm.stubFor(post(urlEqualTo(BedrockStubs.JOBS)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    listedByKey(ARN_PREFIX + "tcklost", request.idempotencyKey());
  }

  @Override
  public Map<String, Class<? extends JobStatus>> rawStatuses() {
    Map<String, Class<? extends JobStatus>> m = new LinkedHashMap<>();
    m.put("InProgress/Validation", JobStatus.Validating.class);
    m.put("InProgress/DataProcessing", JobStatus.Validating.class);
    m.put("InProgress/TrainingNotStarted", JobStatus.Queued.class);
    m.put("InProgress/Training", JobStatus.Running.class);
    m.put("Completed", JobStatus.Succeeded.class);
    m.put("Failed", JobStatus.Failed.class);
    m.put("Stopping", JobStatus.Cancelled.class);
    m.put("Stopped", JobStatus.Cancelled.class);
    return m;
  }

  @Override
  public String unknownRawStatus() {
    return "Reticulating";
  }

  /** A GetModelCustomizationJob body for {@code raw} (status, or InProgress/stage). */
  private static String body(String arn, String raw) {
    String status = raw.contains("/") ? raw.substring(0, raw.indexOf('/')) : raw;
    String stage = raw.contains("/") ? raw.substring(raw.indexOf('/') + 1) : "";
    String validation = "Completed";
    String data = "Completed";
    String training = "Completed";
    switch (stage) {
      case "Validation" -> { validation = "InProgress"; data = "NotStarted"; training = "NotStarted"; }
      case "DataProcessing" -> { data = "InProgress"; training = "NotStarted"; }
      case "TrainingNotStarted" -> training = "NotStarted";
      case "Training" -> training = "InProgress";
      default -> { }
    }
    String extra = switch (status) {
      case "Completed" -> ",\"outputModelArn\":\"" + Fixtures.MODEL_ARN + "\",\"endTime\":\"2026-11-02T11:00:00Z\"";
      case "Failed" -> ",\"failureMessage\":\"Training data has too few records\",\"endTime\":\"2026-11-02T11:00:00Z\"";
      default -> "";
    };
    return BedrockStubs.job(status, validation, data, training, OUTPUT, extra).replace(Fixtures.JOB_ARN, arn);
  }

  private static String shortId(String raw) {
    return "tck" + raw.replaceAll("[^A-Za-z]", "").toLowerCase();
  }

  @Override
  public String jobReporting(String rawStatus) {
    String id = shortId(rawStatus);
    aws.wm.stubFor(get(urlPathMatching(BedrockStubs.JOBS + "/.*" + id)).willReturn(okJson(body(ARN_PREFIX + id, rawStatus))));
    return ARN_PREFIX + id;
  }

  /** InProgress/Training until StopModelCustomizationJob; Stopped after it (a second stop is refused, as on AWS). */
  @Override
  public String runningJob() {
    String id = "tckrunning";
    String arn = ARN_PREFIX + id;
    String path = BedrockStubs.JOBS + "/.*" + id;
    aws.wm.stubFor(get(urlPathMatching(path)).inScenario("run").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(body(arn, "InProgress/Training"))));
    aws.wm.stubFor(post(urlPathMatching(path + "/stop")).inScenario("run").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("stopped").willReturn(okJson("{}")));
    aws.wm.stubFor(get(urlPathMatching(path)).inScenario("run").whenScenarioStateIs("stopped")
        .willReturn(okJson(body(arn, "Stopped"))));
    aws.wm.stubFor(post(urlPathMatching(path + "/stop")).inScenario("run").whenScenarioStateIs("stopped")
        .willReturn(BedrockStubs.awsError(400, "ValidationException", "Job is not in progress")));
    return arn;
  }

  @Override
  public String succeededJob() {
    String arn = jobReporting("Completed");
    aws.wm.stubFor(post(urlPathMatching(BedrockStubs.JOBS + "/.*" + shortId("Completed") + "/stop"))
        .willReturn(BedrockStubs.awsError(400, "ValidationException", "Job is not in progress")));
    return arn;
  }

  // ------------------------------------------------------------ history: stage details and metric CSVs

  @Override
  public String jobWithHistory() {
    String id = "tckhistory";
    String arn = ARN_PREFIX + id;
    String path = BedrockStubs.JOBS + "/.*" + id;
    aws.wm.stubFor(get(urlPathMatching(path)).inScenario("history").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(body(arn, "InProgress/Training"))));
    aws.wm.stubFor(get(urlPathMatching(path)).inScenario("history").whenScenarioStateIs("more")
        .willReturn(okJson(body(arn, "Completed"))));
    putTrainingMetrics(id, "0,0,2.5,12.1\n1,0,1.75,5.7\n");
    return arn;
  }

  @Override
  public void appendHistory(String jobId) {
    aws.wm.setScenarioState("history", "more");
    putTrainingMetrics("tckhistory", "0,0,2.5,12.1\n1,0,1.75,5.7\n2,1,1.25,3.4\n");
  }

  private void putTrainingMetrics(String shortId, String rows) {
    String prefix = OUTPUT.substring(("s3://" + LoopbackAws.BUCKET + "/").length()) + "model-customization-job-"
        + shortId + "/";
    aws.put(prefix + "training_artifacts/step_wise_training_metrics.csv",
        "step_number,epoch_number,training_loss,perplexity\n" + rows);
  }

  @Override
  public String chatModel() {
    new BedrockStubs(aws.wm).converseAnswers();
    return Fixtures.NOVA;
  }

  @Override
  public String deployableModel() {
    new BedrockStubs(aws.wm).onDemandDeploymentBecomesActive();
    return Fixtures.MODEL_ARN;
  }

  @Override
  public void close() {
    // the shared loopback AWS is reset by the next fixture and closed after the class
  }
}
