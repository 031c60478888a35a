package dev.tunekit.vertex;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

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

/**
 * The provider contract's fixture for Vertex: WireMock for the tuning REST calls (one server per test class,
 * reset for each test) and Google's in-memory Cloud Storage ({@link FlakyStorage}) for the datasets.
 */
final class VertexTckFixture implements ProviderFixture {
  /** One WireMock server for the test class, reset for each fixture; {@code VertexTckTest} closes it. */
  static final SharedServer<VertexFakes> SHARED = new SharedServer<>(VertexFakes::new, f -> f.wm.resetAll());

  private final Path dir;
  private final VertexFakes fakes;
  private final FlakyStorage storage = new FlakyStorage();

  VertexTckFixture(Path dir) {
    this.dir = dir;
    this.fakes = SHARED.get();
    // A lookup by a key no stub knows lists no job, at low priority.
    fakes.wm.stubFor(get(urlPathEqualTo(VertexFakes.JOBS)).atPriority(10).willReturn(okJson("{}")));
  }

  @Override
  public TuningProvider provider() {
    return fakes.provider(dir, storage.storage);
  }

  @Override
  public String baseModel() {
    return "gemini-2.5-flash";
  }

  @Override
  public void nextUploadCommitsThenDropsConnection(FileUpload upload) {
    storage.dropNextWriteReply = true;
  }

  private void listedByKey(String id, String key) {
    String label = Names.keyLabel(key);
    fakes.wm.stubFor(get(urlPathEqualTo(VertexFakes.JOBS)).withQueryParam("filter", equalTo("labels.tunekit-key=" + label))
        .willReturn(okJson("{\"tuningJobs\":[" + VertexFakes.job(id, "JOB_STATE_RUNNING", "")
            .replace("\"tunekit-key\":\"x\"", "\"tunekit-key\":\"" + label + "\"") + "]}")));
  }

  @Override
  public void acceptJob(JobRequest request) {
    fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.JOBS)).willReturn(okJson(VertexFakes.job("tckcreated",
        "JOB_STATE_PENDING", ""))));
    listedByKey("tckcreated", request.idempotencyKey());
  }

  @Override
  public void nextCreateCommitsThenDropsConnection(JobRequest request) {
    fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.JOBS)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    listedByKey("tcklost", request.idempotencyKey());
  }

  @Override
  public Map<String, Class<? extends JobStatus>> rawStatuses() {
    Map<String, Class<? extends JobStatus>> m = new LinkedHashMap<>();
    m.put("JOB_STATE_QUEUED", JobStatus.Queued.class);
    m.put("JOB_STATE_PENDING", JobStatus.Queued.class);
    m.put("JOB_STATE_RUNNING", JobStatus.Running.class);
    m.put("JOB_STATE_UPDATING", JobStatus.Running.class);
    m.put("JOB_STATE_PAUSED", JobStatus.Paused.class);
    m.put("JOB_STATE_SUCCEEDED", JobStatus.Succeeded.class);
    m.put("JOB_STATE_PARTIALLY_SUCCEEDED", JobStatus.Succeeded.class);
    m.put("JOB_STATE_FAILED", JobStatus.Failed.class);
    m.put("JOB_STATE_EXPIRED", JobStatus.Failed.class);
    m.put("JOB_STATE_CANCELLING", JobStatus.Running.class); // best effort: it may still succeed
    m.put("JOB_STATE_CANCELLED", JobStatus.Cancelled.class);
    return m;
  }

  @Override
  public String unknownRawStatus() {
    return "JOB_STATE_RETICULATING";
  }

  private static String body(String id, String raw) {
    String extra = switch (raw) {
      case "JOB_STATE_SUCCEEDED", "JOB_STATE_PARTIALLY_SUCCEEDED" -> ",\"endTime\":\"2026-11-02T11:00:00Z\","
          + "\"tunedModel\":{\"model\":\"" + VertexFakes.MODEL + "\",\"endpoint\":\"" + VertexFakes.ENDPOINT + "\"}";
      case "JOB_STATE_FAILED", "JOB_STATE_EXPIRED" -> ",\"endTime\":\"2026-11-02T11:00:00Z\","
          + "\"error\":{\"code\":9,\"message\":\"Training data has too few examples\"}";
      default -> "";
    };
    return VertexFakes.job(id, raw, extra);
  }

  @Override
  public String jobReporting(String rawStatus) {
    String id = "tck" + rawStatus.toLowerCase().replace("job_state_", "").replace("_", "");
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/" + VertexFakes.JOB_PREFIX + id)).willReturn(okJson(body(id, rawStatus))));
    return VertexFakes.JOB_PREFIX + id;
  }

  /** Running until :cancel; then cancelling, then cancelled. */
  @Override
  public String runningJob() {
    String id = "tckrunning";
    String path = "/v1/" + VertexFakes.JOB_PREFIX + id;
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
            .withBody("{\"error\":{\"code\":400,\"message\":\"The job is already cancelled\",\"status\":\"FAILED_PRECONDITION\"}}")));
    return VertexFakes.JOB_PREFIX + id;
  }

  @Override
  public String succeededJob() {
    return jobReporting("JOB_STATE_SUCCEEDED");
  }

  @Override
  public String jobWithHistory() {
    String id = "tckhistory";
    String path = "/v1/" + VertexFakes.JOB_PREFIX + id;
    String cp1 = "{\"checkpointId\":\"1\",\"epoch\":1,\"step\":10}";
    String cp2 = "{\"checkpointId\":\"2\",\"epoch\":2,\"step\":20}";
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("history").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(VertexFakes.job(id, "JOB_STATE_RUNNING", ",\"startTime\":\"2026-11-02T10:01:00Z\","
            + "\"tunedModel\":{\"checkpoints\":[" + cp1 + "]}"))));
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("history").whenScenarioStateIs("more")
        .willReturn(okJson(VertexFakes.job(id, "JOB_STATE_SUCCEEDED", ",\"startTime\":\"2026-11-02T10:01:00Z\","
            + "\"endTime\":\"2026-11-02T11:00:00Z\",\"tunedModel\":{\"model\":\"" + VertexFakes.MODEL + "\",\"endpoint\":\""
            + VertexFakes.ENDPOINT + "\",\"checkpoints\":[" + cp1 + "," + cp2 + "]}"))));
    return VertexFakes.JOB_PREFIX + id;
  }

  @Override
  public void appendHistory(String jobId) {
    fakes.wm.setScenarioState("history", "more");
  }

  @Override
  public String chatModel() {
    fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.PARENT + "/publishers/google/models/gemini-2.5-flash:generateContent"))
        .willReturn(okJson(VertexFakes.generateContent("Hello."))));
    return "gemini-2.5-flash";
  }
}
