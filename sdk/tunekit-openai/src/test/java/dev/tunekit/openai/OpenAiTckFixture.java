package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tunekit.openai.OpenAiWireMock.T0;
import static dev.tunekit.openai.OpenAiWireMock.event;
import static dev.tunekit.openai.OpenAiWireMock.file;
import static dev.tunekit.openai.OpenAiWireMock.job;
import static dev.tunekit.openai.OpenAiWireMock.json;
import static dev.tunekit.openai.OpenAiWireMock.metricsEvent;
import static dev.tunekit.openai.OpenAiWireMock.ok;
import static dev.tunekit.openai.OpenAiWireMock.page;
import static dev.tunekit.openai.OpenAiWireMock.with;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.testing.tck.ProviderFixture;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The provider contract's fixture for the OpenAI flavors (openai, azure): {@link OpenAiWireMock} scripted
 * with the API's own wire shapes. Jobs that act (cancel, pause, resume) are WireMock scenarios, so their
 * reads change after the action, and a refused action answers 400 the way the API does.
 */
final class OpenAiTckFixture implements ProviderFixture {
  private final OpenAiWireMock wm;
  private final String flavor;

  OpenAiTckFixture(String flavor) {
    this.flavor = flavor;
    this.wm = flavor.equals("azure") ? OpenAiWireMock.startAzure() : OpenAiWireMock.start();
    // A lookup by a key no stub knows finds nothing (the API lists no jobs), at low priority.
    wm.server().stubFor(get(urlPathEqualTo(wm.path("/fine_tuning/jobs"))).atPriority(10)
        .willReturn(ok(page(List.of(), false))));
    wm.server().stubFor(get(urlPathEqualTo(wm.path("/files"))).atPriority(10).willReturn(ok(page(List.of(), false))));
  }

  @Override
  public TuningProvider provider() {
    if (flavor.equals("azure")) {
      AzureArmStubs.install(); // a test token instead of DefaultAzureCredential; removed in close()
      return wm.provider(flavor, new AzureArmStubs(wm).settings());
    }
    return flavor.equals("openai") ? wm.provider(flavor, Map.of("webhookSecret", WEBHOOK_SECRET))
        : wm.provider(flavor, Map.of());
  }

  @Override
  public String baseModel() {
    return OpenAiWireMock.BASE_MODEL;
  }

  // ------------------------------------------------------------ files

  private static Map<String, Object> fileOf(FileUpload upload) {
    return file("file-" + upload.sha256().substring(0, 10), upload.fileName(), upload.sizeBytes());
  }

  @Override
  public void acceptUpload(FileUpload upload) {
    wm.stubFileUpload(fileOf(upload));
    wm.stubFileList(List.of(fileOf(upload)));
  }

  @Override
  public void nextUploadCommitsThenDropsConnection(FileUpload upload) {
    wm.stubFault("POST", "/files", Fault.CONNECTION_RESET_BY_PEER);
    wm.stubFileList(List.of(fileOf(upload)));
  }

  // ------------------------------------------------------------ jobs

  @Override
  public void acceptJob(JobRequest request) {
    Map<String, Object> created = job("ftjob-tck-created", "validating_files", request.idempotencyKey());
    wm.stubCreateJob(created);
    wm.stubFindJob(request.idempotencyKey(), List.of(created));
  }

  @Override
  public void nextCreateCommitsThenDropsConnection(JobRequest request) {
    wm.stubCreateCommitsThenResets(job("ftjob-tck-lost", "validating_files", request.idempotencyKey()),
        job("ftjob-tck-duplicate", "validating_files", request.idempotencyKey()), request.idempotencyKey());
  }

  @Override
  public Map<String, Class<? extends JobStatus>> rawStatuses() {
    Map<String, Class<? extends JobStatus>> m = new LinkedHashMap<>();
    m.put("validating_files", JobStatus.Validating.class);
    m.put("queued", JobStatus.Queued.class);
    m.put("pending", JobStatus.Queued.class);
    m.put("running", JobStatus.Running.class);
    m.put("paused", JobStatus.Paused.class);
    m.put("succeeded", JobStatus.Succeeded.class);
    m.put("failed", JobStatus.Failed.class);
    m.put("cancelled", JobStatus.Cancelled.class);
    return m;
  }

  @Override
  public String unknownRawStatus() {
    return "reticulating_splines";
  }

  private static Map<String, Object> jobIn(String id, String status) {
    Map<String, Object> j = job(id, status);
    if (status.equals("succeeded")) {
      j = with(j, "fine_tuned_model", "ft:" + OpenAiWireMock.BASE_MODEL + ":org-test::" + id, "finished_at", T0 + 600);
    }
    if (status.equals("failed")) {
      j = with(j, "error", Map.of("message", "Training file has too few examples", "code", "invalid_training_file",
          "param", "training_file"));
    }
    return j;
  }

  @Override
  public String jobReporting(String rawStatus) {
    String id = "ftjob-tck-" + rawStatus;
    wm.stubJobStates(id, List.of(jobIn(id, rawStatus)));
    return id;
  }

  /**
   * A running job as a scenario: cancel → cancelled (a second cancel is refused with 400, as the API
   * refuses to cancel a finished job); pause → paused; resume → running.
   */
  @Override
  public String runningJob() {
    String id = "ftjob-tck-running";
    String s = "job-" + id;
    String jobPath = wm.path("/fine_tuning/jobs/" + id);
    wm.server().stubFor(get(urlPathEqualTo(jobPath)).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willReturn(ok(jobIn(id, "running"))));
    wm.server().stubFor(post(urlPathEqualTo(jobPath + "/cancel")).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("cancelled").willReturn(ok(jobIn(id, "cancelled"))));
    wm.server().stubFor(post(urlPathEqualTo(jobPath + "/pause")).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("paused").willReturn(ok(jobIn(id, "paused"))));
    wm.server().stubFor(get(urlPathEqualTo(jobPath)).inScenario(s).whenScenarioStateIs("paused")
        .willReturn(ok(jobIn(id, "paused"))));
    wm.server().stubFor(post(urlPathEqualTo(jobPath + "/resume")).inScenario(s).whenScenarioStateIs("paused")
        .willSetStateTo(Scenario.STARTED).willReturn(ok(jobIn(id, "running"))));
    wm.server().stubFor(get(urlPathEqualTo(jobPath)).inScenario(s).whenScenarioStateIs("cancelled")
        .willReturn(ok(jobIn(id, "cancelled"))));
    wm.server().stubFor(post(urlPathEqualTo(jobPath + "/cancel")).inScenario(s).whenScenarioStateIs("cancelled")
        .willReturn(refused("Job " + id + " has already been cancelled.")));
    return id;
  }

  @Override
  public String succeededJob() {
    String id = "ftjob-tck-succeeded";
    wm.stubJobStates(id, List.of(jobIn(id, "succeeded")));
    wm.server().stubFor(post(urlPathEqualTo(wm.path("/fine_tuning/jobs/" + id + "/cancel")))
        .willReturn(refused("Job " + id + " has already completed.")));
    return id;
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder refused(String message) {
    return aResponse().withStatus(400).withHeader("Content-Type", "application/json").withHeader("x-request-id", "req_400")
        .withBody(json(OpenAiWireMock.error(message, "invalid_request_error", null)));
  }

  // ------------------------------------------------------------ history

  private static final String HISTORY_JOB = "ftjob-tck-history";

  /** Events newest first (as the API lists them): two before {@link #appendHistory}, two more after. */
  @Override
  public String jobWithHistory() {
    String s = "history";
    String events = wm.path("/fine_tuning/jobs/" + HISTORY_JOB + "/events");
    List<Map<String, Object>> before = List.of(metricsEvent("ev-2", T0 + 60, 1, 1.5, 0.5),
        event("ev-1", T0, "info", "Created fine-tuning job: " + HISTORY_JOB));
    List<Map<String, Object>> after = List.of(metricsEvent("ev-4", T0 + 180, 2, 1.0, 0.7),
        event("ev-3", T0 + 120, "info", "Step 2/100"), before.get(0), before.get(1));
    wm.server().stubFor(get(urlPathEqualTo(events)).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willReturn(ok(page(before, false))));
    wm.server().stubFor(get(urlPathEqualTo(events)).inScenario(s).whenScenarioStateIs("more")
        .willReturn(ok(page(after, false))));
    wm.stubJobStates(HISTORY_JOB, List.of(jobIn(HISTORY_JOB, "running")));
    return HISTORY_JOB;
  }

  @Override
  public void appendHistory(String jobId) {
    wm.server().setScenarioState("history", "more");
  }

  // ------------------------------------------------------------ capabilities

  @Override
  public String chatModel() {
    wm.stubChat(OpenAiWireMock.BASE_MODEL, "hello");
    return OpenAiWireMock.BASE_MODEL;
  }

  /**
   * A tuned model to deploy (only azure offers Deployments): Azure names tuned models {@code <base>.ft-<id>}.
   * Azure Resource Manager's deployments of it, under the names the contract uses, walk the documented
   * lifecycle ({@link AzureArmStubs#stubLifecycle}).
   */
  @Override
  public String deployableModel() {
    String model = OpenAiWireMock.BASE_MODEL + ".ft-0123456789abcdef";
    AzureArmStubs arm = new AzureArmStubs(wm);
    arm.stubLifecycle("tck-deployment", model);
    arm.stubLifecycle("tck-twice", model);
    return model;
  }

  @Override
  public String jobWithCheckpoints() {
    String id = "ftjob-tck-checkpoints";
    wm.stubCheckpoints(id, List.of(OpenAiWireMock.checkpoint("ckpt-2", id, 20, 0.5, 0.6),
        OpenAiWireMock.checkpoint("ckpt-1", id, 10, 0.9, 1.0)));
    return id;
  }

  /** The signing key of the {@code whsec_} secret the openai provider is configured with. */
  private static final byte[] WEBHOOK_KEY = "tck-openai-webhook-signing-key-0".getBytes(StandardCharsets.UTF_8);
  private static final String WEBHOOK_SECRET = "whsec_" + Base64.getEncoder().encodeToString(WEBHOOK_KEY);

  /**
   * A {@code fine_tuning.job.succeeded} event signed the Standard Webhooks way openai-java verifies:
   * {@code webhook-id}, {@code webhook-timestamp} (epoch seconds) and {@code webhook-signature}
   * {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">} with the key behind the {@code whsec_} secret
   * set as the provider's {@code webhookSecret} (so the contract verifies with the configured secret).
   */
  @Override
  public SignedDelivery signedWebhook(String jobId) {
    Instant now = Instant.ofEpochSecond(T0 + 3600);
    String id = "msg_tck_" + jobId;
    byte[] body = ("{\"id\":\"evt_tck\",\"object\":\"event\",\"type\":\"fine_tuning.job.succeeded\","
        + "\"created_at\":" + now.getEpochSecond() + ",\"data\":{\"id\":\"" + jobId + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
    return new SignedDelivery(Map.of("webhook-id", id, "webhook-timestamp", Long.toString(now.getEpochSecond()),
        "webhook-signature", OpenAiWebhooksTest.signature(WEBHOOK_KEY, id, now.getEpochSecond(), body)), body, now);
  }

  @Override
  public void close() {
    AzureArmStubs.uninstall();
    wm.close();
  }
}
