package dev.tunekit.ray;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
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

/** The provider contract's fixture for Ray: one WireMock dashboard per test class, reset for each test. */
final class RayTckFixture implements ProviderFixture {
  static final SharedServer<RayFakes> SHARED = new SharedServer<>(RayFakes::new, f -> f.wm.resetAll());

  private final Path dir;
  private final RayFakes fakes;

  RayTckFixture(Path dir) {
    this.dir = dir;
    this.fakes = SHARED.get();
    // Nothing exists unless a test says so, at low priority: Ray answers 404 in text.
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.PACKAGES + ".*")).atPriority(10)
        .willReturn(RayFakes.text(404, "Package gcs://_ray_pkg_x.zip does not exist")));
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.JOBS + ".+")).atPriority(10)
        .willReturn(RayFakes.text(404, "Job tunekit-x does not exist")));
  }

  @Override
  public TuningProvider provider() {
    return fakes.provider(dir);
  }

  @Override
  public String baseModel() {
    return RayFakes.BASE_MODEL;
  }

  private static String packagePath(FileUpload upload) {
    return RayFakes.PACKAGES + Names.dataPackage(upload.sha256());
  }

  @Override
  public void acceptUpload(FileUpload upload) {
    fakes.wm.stubFor(put(urlPathEqualTo(packagePath(upload))).willReturn(aResponse().withStatus(200)));
    fakes.wm.stubFor(get(urlPathEqualTo(packagePath(upload))).willReturn(aResponse().withStatus(200)));
  }

  @Override
  public void nextUploadCommitsThenDropsConnection(FileUpload upload) {
    fakes.wm.stubFor(put(urlPathEqualTo(packagePath(upload))).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    fakes.wm.stubFor(get(urlPathEqualTo(packagePath(upload))).willReturn(aResponse().withStatus(200)));
  }

  private void packagesExist() {
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.PACKAGES + ".*")).willReturn(aResponse().withStatus(200)));
  }

  @Override
  public void acceptJob(JobRequest request) {
    String id = Names.submissionId(request.idempotencyKey());
    packagesExist();
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).willReturn(okJson("{\"submission_id\":\"" + id + "\"}")));
    fakes.wm.stubFor(get(urlPathEqualTo(RayFakes.JOBS + id)).willReturn(okJson(RayFakes.job(id, "PENDING", ""))));
  }

  @Override
  public void nextCreateCommitsThenDropsConnection(JobRequest request) {
    String id = Names.submissionId(request.idempotencyKey());
    packagesExist();
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    fakes.wm.stubFor(get(urlPathEqualTo(RayFakes.JOBS + id)).willReturn(okJson(RayFakes.job(id, "PENDING", ""))));
  }

  @Override
  public Map<String, Class<? extends JobStatus>> rawStatuses() {
    Map<String, Class<? extends JobStatus>> m = new LinkedHashMap<>();
    m.put("PENDING", JobStatus.Queued.class);
    m.put("RUNNING", JobStatus.Running.class);
    m.put("STOPPED", JobStatus.Cancelled.class);
    m.put("SUCCEEDED", JobStatus.Succeeded.class);
    m.put("FAILED", JobStatus.Failed.class);
    return m;
  }

  @Override
  public String unknownRawStatus() {
    return "RETICULATING";
  }

  @Override
  public String jobReporting(String rawStatus) {
    String id = "tck-" + rawStatus.toLowerCase(java.util.Locale.ROOT);
    String body = rawStatus.equals("FAILED") ? RayFakes.failed(id) : RayFakes.job(id, rawStatus, "");
    fakes.wm.stubFor(get(urlPathEqualTo(RayFakes.JOBS + id)).willReturn(okJson(body)));
    return id;
  }

  /** Running until stopped, then STOPPED; a second stop answers {@code {"stopped": false}} as Ray does. */
  @Override
  public String runningJob() {
    String id = "tck-running";
    String path = RayFakes.JOBS + id;
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("run").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(RayFakes.job(id, "RUNNING", ""))));
    fakes.wm.stubFor(post(urlPathEqualTo(path + "/stop")).inScenario("run").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("stopped").willReturn(okJson("{\"stopped\":true}")));
    fakes.wm.stubFor(get(urlPathEqualTo(path)).inScenario("run").whenScenarioStateIs("stopped")
        .willReturn(okJson(RayFakes.job(id, "STOPPED", ""))));
    fakes.wm.stubFor(post(urlPathEqualTo(path + "/stop")).inScenario("run").whenScenarioStateIs("stopped")
        .willReturn(okJson("{\"stopped\":false}")));
    return id;
  }

  @Override
  public String succeededJob() {
    return jobReporting("SUCCEEDED");
  }

  /** A running job whose log grows: Ray returns the whole log each time. */
  @Override
  public String jobWithHistory() {
    String id = "tck-history";
    String path = RayFakes.JOBS + id;
    fakes.wm.stubFor(get(urlPathEqualTo(path)).willReturn(okJson(RayFakes.job(id, "RUNNING", ""))));
    String[] first = {"2026-12-03 10:00:00,001\tINFO job_manager.py:530 -- Runtime env is setting up.",
        "{\"tunekit\":\"event\",\"level\":\"info\",\"message\":\"training sft on Qwen: 40 items, 10 steps\",\"total_steps\":10}",
        "{\"tunekit\":\"metric\",\"step\":4,\"epoch\":0.8,\"train_loss\":2.31,\"learning_rate\":0.00014}"};
    fakes.wm.stubFor(get(urlPathEqualTo(path + "/logs")).inScenario("history").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(RayFakes.logs(first))));
    String[] more = java.util.Arrays.copyOf(first, first.length + 3);
    more[first.length] = "{\"tunekit\":\"metric\",\"step\":5,\"epoch\":1.0,\"valid_loss\":2.4,\"valid_mean_token_accuracy\":0.5}";
    more[first.length + 1] = "{\"tunekit\":\"checkpoint\",\"step\":5,\"path\":\"" + RayFakes.OUTPUT + "/" + id + "/checkpoint-5\"}";
    more[first.length + 2] = "{\"tunekit\":\"metric\",\"step\":8,\"epoch\":1.6,\"train_loss\":1.9}";
    fakes.wm.stubFor(get(urlPathEqualTo(path + "/logs")).inScenario("history").whenScenarioStateIs("more")
        .willReturn(okJson(RayFakes.logs(more))));
    return id;
  }

  @Override
  public void appendHistory(String jobId) {
    fakes.wm.setScenarioState("history", "more");
  }

  @Override
  public String chatModel() {
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.CHAT)).willReturn(okJson(RayFakes.chat(RayFakes.BASE_MODEL, "Hello."))));
    return RayFakes.BASE_MODEL;
  }
}
