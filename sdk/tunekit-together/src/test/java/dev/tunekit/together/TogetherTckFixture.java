package dev.tunekit.together;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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

/** The provider contract's fixture for Together: one WireMock server per test class, reset for each test. */
final class TogetherTckFixture implements ProviderFixture {
  /** One WireMock server for the test class, reset for each fixture; {@code TogetherTckTest} closes it. */
  static final SharedServer<TogetherFakes> SHARED = new SharedServer<>(TogetherFakes::new, f -> f.wm.resetAll());

  private final Path dir;
  private final TogetherFakes fakes;

  TogetherTckFixture(Path dir) {
    this.dir = dir;
    this.fakes = SHARED.get();
    // Nothing listed unless a test says so, at low priority.
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/files")).atPriority(10).willReturn(okJson("{\"data\":[]}")));
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes")).atPriority(10).willReturn(okJson("{\"data\":[]}")));
  }

  @Override
  public TuningProvider provider() {
    return fakes.provider(dir);
  }

  @Override
  public String baseModel() {
    return TogetherFakes.BASE_MODEL;
  }

  @Override
  public void acceptUpload(FileUpload upload) {
    String file = TogetherFakes.file("file-" + upload.sha256().substring(0, 8), upload.fileName(), upload.sizeBytes());
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/files/upload")).willReturn(okJson(file)));
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/files")).willReturn(okJson("{\"data\":[" + file + "]}")));
  }

  @Override
  public void nextUploadCommitsThenDropsConnection(FileUpload upload) {
    String file = TogetherFakes.file("file-lost", upload.fileName(), upload.sizeBytes());
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/files/upload")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/files")).willReturn(okJson("{\"data\":[" + file + "]}")));
  }

  private void listedByKey(String id, String key) {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes")).willReturn(okJson("{\"data\":["
        + TogetherFakes.job(id, "running", Names.suffix(null, key), "") + "]}")));
  }

  @Override
  public void acceptJob(JobRequest request) {
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes")).willReturn(okJson(TogetherFakes.job("ft-tckcreated",
        "pending", Names.suffix(null, request.idempotencyKey()), ""))));
    listedByKey("ft-tckcreated", request.idempotencyKey());
  }

  @Override
  public void nextCreateCommitsThenDropsConnection(JobRequest request) {
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    listedByKey("ft-tcklost", request.idempotencyKey());
  }

  @Override
  public Map<String, Class<? extends JobStatus>> rawStatuses() {
    Map<String, Class<? extends JobStatus>> m = new LinkedHashMap<>();
    m.put("pending", JobStatus.Queued.class);
    m.put("queued", JobStatus.Queued.class);
    m.put("running", JobStatus.Running.class);
    m.put("compressing", JobStatus.Running.class);
    m.put("uploading", JobStatus.Running.class);
    m.put("cancel_requested", JobStatus.Cancelled.class);
    m.put("cancelled", JobStatus.Cancelled.class);
    m.put("error", JobStatus.Failed.class);
    m.put("completed", JobStatus.Succeeded.class);
    return m;
  }

  @Override
  public String unknownRawStatus() {
    return "reticulating";
  }

  private static String body(String id, String raw) {
    String extra = switch (raw) {
      case "completed" -> ",\"model_output_name\":\"" + TogetherFakes.OUTPUT_MODEL + "\"";
      case "error" -> ",\"events\":[" + TogetherFakes.event("job_error", "Training data has too few examples", 0,
          "2026-11-02T10:04:00Z").replace("\"level\":\"info\"", "\"level\":\"error\"") + "]";
      default -> "";
    };
    return TogetherFakes.job(id, raw, "tk", extra);
  }

  @Override
  public String jobReporting(String rawStatus) {
    String id = "ft-tck-" + rawStatus.replace("_", "-");
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes/" + id)).willReturn(okJson(body(id, rawStatus))));
    return id;
  }

  /** Running until cancel; then cancel_requested, then cancelled; a cancel after that is refused with 400. */
  @Override
  public String runningJob() {
    String id = "ft-tck-running";
    String path = "/v1/fine-tunes/" + id;
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("run").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(body(id, "running"))));
    fakes.wm.stubFor(post(urlPathEqualTo(path + "/cancel")).inScenario("run").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("cancelling").willReturn(okJson(body(id, "cancel_requested"))));
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("run").whenScenarioStateIs("cancelling")
        .willSetStateTo("cancelled").willReturn(okJson(body(id, "cancel_requested"))));
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("run").whenScenarioStateIs("cancelled")
        .willReturn(okJson(body(id, "cancelled"))));
    fakes.wm.stubFor(post(urlPathEqualTo(path + "/cancel")).inScenario("run").whenScenarioStateIs("cancelled")
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
            .withBody(TogetherFakes.error("invalid_request_error", "Job is already cancelled"))));
    return id;
  }

  @Override
  public String succeededJob() {
    return jobReporting("completed");
  }

  @Override
  public String jobWithHistory() {
    String id = "ft-tck-history";
    String path = "/v1/fine-tunes/" + id + "/events";
    String e1 = TogetherFakes.event("job_start", "Job started", 0, "2026-11-02T10:01:00Z");
    String e2 = TogetherFakes.event("checkpoint_save", "Checkpoint saved at step 10", 10, "2026-11-02T10:02:00Z");
    String e3 = TogetherFakes.event("checkpoint_save", "Checkpoint saved at step 20", 20, "2026-11-02T10:03:00Z");
    String e4 = TogetherFakes.event("job_complete", "Job finished", 0, "2026-11-02T10:04:00Z");
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("history").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson("{\"data\":[" + e1 + "," + e2 + "]}")));
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("history").whenScenarioStateIs("more")
        .willReturn(okJson("{\"data\":[" + e1 + "," + e2 + "," + e3 + "," + e4 + "]}")));
    return id;
  }

  @Override
  public void appendHistory(String jobId) {
    fakes.wm.setScenarioState("history", "more");
  }

  @Override
  public String jobWithCheckpoints() {
    String id = "ft-tck-checkpoints";
    // Together's FinetuneListCheckpoints, newest first as a listing may be.
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes/" + id + "/checkpoints")).willReturn(okJson("{\"data\":["
        + "{\"step\":20,\"path\":\"s3://together/" + id + "/20\",\"created_at\":\"2026-11-02T10:03:00Z\","
        + "\"checkpoint_type\":\"Final\"},{\"step\":10,\"path\":\"s3://together/" + id + "/10\","
        + "\"created_at\":\"2026-11-02T10:02:00Z\",\"checkpoint_type\":\"Intermediate\"}]}")));
    return id;
  }

  @Override
  public String chatModel() {
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/chat/completions"))
        .willReturn(okJson(TogetherFakes.chat(TogetherFakes.BASE_MODEL, "Hello."))));
    return TogetherFakes.BASE_MODEL;
  }

  /** Together's estimate-price answer; the job list stays empty. */
  @Override
  public void acceptQuote(JobRequest request) {
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes/estimate-price")).willReturn(okJson("{\"estimated_total_price\":"
        + "3.75,\"allowed_to_proceed\":true,\"user_limit\":100.0,\"estimated_train_token_count\":52000,"
        + "\"estimated_eval_token_count\":0}")));
  }

  @Override
  public String checkpoint() {
    return "ft-tck-earlier:10";
  }

  /** {@code from_checkpoint} of the last {@code POST /fine-tunes} the fake received. */
  @Override
  public java.util.Optional<String> checkpointSentWith(JobRequest request) {
    return lastBodyField("/v1/fine-tunes", "from_checkpoint");
  }

  private java.util.Optional<String> lastBodyField(String path, String field) {
    var creates = fakes.wm.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo(path)));
    if (creates.isEmpty()) {
      return java.util.Optional.empty();
    }
    try {
      var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(creates.get(creates.size() - 1).getBodyAsString())
          .path(field);
      return n.isTextual() ? java.util.Optional.of(n.asText()) : java.util.Optional.empty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public String downloadableJob() {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/finetune/download"))
        .withQueryParam("ft_id", com.github.tomakehurst.wiremock.client.WireMock.equalTo("ft-tck-download"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/octet-stream")
            .withHeader("Content-Disposition", "attachment; filename=\"ft-tck-download-adapter.tar.zst\"")
            .withBody("ADAPTER-BYTES")));
    return "ft-tck-download";
  }

  /** The body stops after some random bytes (a connection cut halfway). */
  @Override
  public String jobWhoseDownloadFails() {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/finetune/download"))
        .withQueryParam("ft_id", com.github.tomakehurst.wiremock.client.WireMock.equalTo("ft-tck-cut"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Length", "100000").withBody("PARTIAL")
            .withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
    return "ft-tck-cut";
  }
}
