package dev.tunekit.fireworks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.testing.SharedServer;
import dev.tunekit.testing.tck.ProviderFixture;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The provider contract's fixture for Fireworks: one WireMock server per test class, reset for each test. */
final class FireworksTckFixture implements ProviderFixture {
  static final String TUNED = "accounts/acme/models/tck-tuned";
  /** One WireMock server for the test class, reset for each fixture; {@code FireworksTckTest} closes it. */
  static final SharedServer<FireworksFakes> SHARED = new SharedServer<>(FireworksFakes::new, f -> f.wm.resetAll());

  private final Path dir;
  private final FireworksFakes fakes;

  FireworksTckFixture(Path dir) {
    this.dir = dir;
    this.fakes = SHARED.get();
    // Nothing exists unless a test says so, at low priority: Fireworks answers 404 (gRPC NOT_FOUND).
    for (String kind : new String[] {"datasets", "supervisedFineTuningJobs", "deployments"}) {
      fakes.wm.stubFor(get(urlPathMatching(FireworksFakes.API + "/" + kind + "/.*")).atPriority(10)
          .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
              .withBody(FireworksFakes.error(5, kind + " not found"))));
    }
  }

  @Override
  public TuningProvider provider() {
    return fakes.provider(dir);
  }

  @Override
  public String baseModel() {
    return FireworksFakes.BASE_MODEL;
  }

  private String datasetPath(FileUpload upload) {
    return FireworksFakes.API + "/datasets/" + Names.datasetId(upload.sha256());
  }

  @Override
  public void acceptUpload(FileUpload upload) {
    String id = Names.datasetId(upload.sha256());
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets")).willReturn(okJson(FireworksFakes.dataset(id, "UPLOADING"))));
    fakes.wm.stubFor(post(urlPathEqualTo(datasetPath(upload) + ":upload")).willReturn(okJson(FireworksFakes.uploaded(upload.fileName()))));
    fakes.wm.stubFor(get(urlPathEqualTo(datasetPath(upload))).willReturn(okJson(FireworksFakes.dataset(id, "READY"))));
  }

  @Override
  public void nextUploadCommitsThenDropsConnection(FileUpload upload) {
    String id = Names.datasetId(upload.sha256());
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets")).willReturn(okJson(FireworksFakes.dataset(id, "UPLOADING"))));
    fakes.wm.stubFor(post(urlPathEqualTo(datasetPath(upload) + ":upload")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    fakes.wm.stubFor(get(urlPathEqualTo(datasetPath(upload))).willReturn(okJson(FireworksFakes.dataset(id, "READY"))));
  }

  @Override
  public void acceptJob(JobRequest request) {
    String id = Names.jobId(request.idempotencyKey());
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/supervisedFineTuningJobs"))
        .willReturn(okJson(FireworksFakes.job(id, "JOB_STATE_CREATING", ""))));
    fakes.wm.stubFor(get(urlPathEqualTo(FireworksFakes.API + "/supervisedFineTuningJobs/" + id))
        .willReturn(okJson(FireworksFakes.job(id, "JOB_STATE_RUNNING", ""))));
  }

  @Override
  public void nextCreateCommitsThenDropsConnection(JobRequest request) {
    String id = Names.jobId(request.idempotencyKey());
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/supervisedFineTuningJobs"))
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    fakes.wm.stubFor(get(urlPathEqualTo(FireworksFakes.API + "/supervisedFineTuningJobs/" + id))
        .willReturn(okJson(FireworksFakes.job(id, "JOB_STATE_CREATING", ""))));
  }

  @Override
  public Map<String, Class<? extends JobStatus>> rawStatuses() {
    Map<String, Class<? extends JobStatus>> m = new LinkedHashMap<>();
    m.put("JOB_STATE_CREATING", JobStatus.Queued.class);
    m.put("JOB_STATE_PENDING", JobStatus.Queued.class);
    m.put("JOB_STATE_RE_QUEUEING", JobStatus.Queued.class);
    m.put("JOB_STATE_IDLE", JobStatus.Queued.class);
    m.put("JOB_STATE_VALIDATING", JobStatus.Validating.class);
    m.put("JOB_STATE_CREATING_INPUT_DATASET", JobStatus.Validating.class);
    m.put("JOB_STATE_RUNNING", JobStatus.Running.class);
    m.put("JOB_STATE_WRITING_RESULTS", JobStatus.Running.class);
    m.put("JOB_STATE_PAUSED", JobStatus.Paused.class);
    m.put("JOB_STATE_COMPLETED", JobStatus.Succeeded.class);
    m.put("JOB_STATE_EARLY_STOPPED", JobStatus.Succeeded.class);
    m.put("JOB_STATE_ARCHIVED", JobStatus.Succeeded.class);
    m.put("JOB_STATE_FAILED", JobStatus.Failed.class);
    m.put("JOB_STATE_EXPIRED", JobStatus.Failed.class);
    m.put("JOB_STATE_DELETING", JobStatus.Failed.class);
    m.put("JOB_STATE_DELETING_CLEANING_UP", JobStatus.Failed.class);
    m.put("JOB_STATE_DELETED", JobStatus.Failed.class);
    m.put("JOB_STATE_CANCELLING", JobStatus.Cancelled.class);
    m.put("JOB_STATE_CANCELLED", JobStatus.Cancelled.class);
    m.put("JOB_STATE_UNSPECIFIED", JobStatus.Unknown.class);
    return m;
  }

  @Override
  public String unknownRawStatus() {
    return "JOB_STATE_RETICULATING";
  }

  private static String body(String id, String raw) {
    String json = FireworksFakes.job(id, raw, "");
    if (raw.equals("JOB_STATE_FAILED")) {
      json = json.replace("\"status\":{\"code\":\"OK\",\"message\":\"\"}",
          "\"status\":{\"code\":\"INVALID_ARGUMENT\",\"message\":\"the dataset has fewer than 3 examples\"}");
    }
    return json;
  }

  @Override
  public String jobReporting(String rawStatus) {
    String id = "tck-" + rawStatus.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    fakes.wm.stubFor(get(urlPathEqualTo(FireworksFakes.API + "/supervisedFineTuningJobs/" + id)).willReturn(okJson(body(id, rawStatus))));
    return id;
  }

  /** Running until cancel; then cancelling, then cancelled; a cancel after that is refused with 400. */
  @Override
  public String runningJob() {
    String id = "tck-running";
    String path = FireworksFakes.API + "/supervisedFineTuningJobs/" + id;
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("run").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(body(id, "JOB_STATE_RUNNING"))));
    fakes.wm.stubFor(post(urlPathEqualTo(path + ":cancel")).inScenario("run").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("cancelling").willReturn(okJson("{}")));
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("run").whenScenarioStateIs("cancelling")
        .willSetStateTo("cancelled").willReturn(okJson(body(id, "JOB_STATE_CANCELLING"))));
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("run").whenScenarioStateIs("cancelled")
        .willReturn(okJson(body(id, "JOB_STATE_CANCELLED"))));
    fakes.wm.stubFor(post(urlPathEqualTo(path + ":cancel")).inScenario("run").whenScenarioStateIs("cancelled")
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
            .withBody(FireworksFakes.error(9, "job is already cancelled"))));
    return id;
  }

  /** Paused (as Fireworks pauses a job itself) until {@code :resume}, which answers the job RUNNING; running after. */
  @Override
  public String pausedJob() {
    String id = "tck-paused";
    String path = FireworksFakes.API + "/supervisedFineTuningJobs/" + id;
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("pause").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(body(id, "JOB_STATE_PAUSED"))));
    fakes.wm.stubFor(post(urlPathEqualTo(path + ":resume")).inScenario("pause").whenScenarioStateIs(Scenario.STARTED)
        .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.equalToJson("{}"))
        .willSetStateTo("resumed").willReturn(okJson(body(id, "JOB_STATE_RUNNING"))));
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("pause").whenScenarioStateIs("resumed")
        .willReturn(okJson(body(id, "JOB_STATE_RUNNING"))));
    return id;
  }

  @Override
  public String succeededJob() {
    return jobReporting("JOB_STATE_COMPLETED");
  }

  @Override
  public String jobWithHistory() {
    String id = "tck-history";
    String path = FireworksFakes.API + "/supervisedFineTuningJobs/" + id;
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("history").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(FireworksFakes.job(id, "JOB_STATE_RUNNING", ",\"jobProgress\":{\"percent\":40,\"epoch\":0}"))));
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("history").whenScenarioStateIs("more")
        .willReturn(okJson(FireworksFakes.job(id, "JOB_STATE_RUNNING", ",\"jobProgress\":{\"percent\":80,\"epoch\":1}"))));
    return id;
  }

  @Override
  public void appendHistory(String jobId) {
    fakes.wm.setScenarioState("history", "more");
  }

  @Override
  public String chatModel() {
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.CHAT)).willReturn(okJson(FireworksFakes.chat(FireworksFakes.BASE_MODEL, "Hello."))));
    return FireworksFakes.BASE_MODEL;
  }

  /** No deployment until one is created; then it is CREATING; DELETE removes it. */
  @Override
  public String deployableModel() {
    String any = FireworksFakes.API + "/deployments/.*";
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/deployments")).inScenario("deploy")
        .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("created")
        .willReturn(okJson(FireworksFakes.deployment("d", TUNED, "CREATING"))));
    fakes.wm.stubFor(get(urlPathMatching(any)).inScenario("deploy").whenScenarioStateIs("created")
        .willReturn(okJson(FireworksFakes.deployment("d", TUNED, "CREATING"))));
    fakes.wm.stubFor(delete(urlPathMatching(any)).willReturn(okJson("{}")));
    return TUNED;
  }

  @Override
  public String checkpoint() {
    return "accounts/acme/models/tck-earlier";
  }

  /** {@code warmStartFrom} of the last {@code POST /supervisedFineTuningJobs} the fake received. */
  @Override
  public java.util.Optional<String> checkpointSentWith(JobRequest request) {
    var creates = fakes.wm.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
        urlPathEqualTo(FireworksFakes.API + "/supervisedFineTuningJobs")));
    if (creates.isEmpty()) {
      return java.util.Optional.empty();
    }
    try {
      var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(creates.get(creates.size() - 1).getBodyAsString())
          .path("warmStartFrom");
      return n.isTextual() ? java.util.Optional.of(n.asText()) : java.util.Optional.empty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
