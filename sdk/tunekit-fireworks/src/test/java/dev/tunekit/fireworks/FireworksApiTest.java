package dev.tunekit.fireworks;

import static com.github.tomakehurst.wiremock.client.WireMock.aMultipart;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TrainingMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.tunekit.testing.Leaks;
import dev.tunekit.testing.SharedServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What goes on the wire (paths, query ids, bodies, headers, the multipart upload) and how Fireworks' answers are translated. */
class FireworksApiTest {
  @RegisterExtension
  static final SharedServer<FireworksFakes> SERVER = new SharedServer<>(FireworksFakes::new, f -> f.wm.resetAll());
  FireworksFakes fakes;
  static final String JOBS = FireworksFakes.API + "/supervisedFineTuningJobs";
  @TempDir Path dir;

  @BeforeEach
  void reset() {
    fakes = SERVER.get();
  }

  private static JobRequest.Builder request() {
    return JobRequest.builder().runId("run-1").idempotencyKey("run-1/submit").baseModel("llama-v3p1-8b-instruct")
        .method(TrainingMethod.SUPERVISED).trainingFileId("tk-ds1").hyperparameters(Hyperparameters.defaults());
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder status(int code, int grpc, String message) {
    return aResponse().withStatus(code).withHeader("Content-Type", "application/json").withBody(FireworksFakes.error(grpc, message));
  }

  @Test
  void create_choosesTheJobIdFromTheKey_andSendsTheDocumentedFields() {
    String id = Names.jobId("run-1/submit");
    fakes.wm.stubFor(post(urlPathEqualTo(JOBS)).willReturn(okJson(FireworksFakes.job(id, "JOB_STATE_CREATING", ""))));
    try (FireworksProvider p = fakes.provider(dir)) {
      var job = p.createJob(request().validationFileId("tk-ds2").suffix("Support Bot").hyperparameters(Hyperparameters.builder()
          .epochs(3).batchSize(16).extra("learningRate", 2e-4).extra("loraRank", 16).extra("maxContextLength", 8192)
          .extra("earlyStop", true).build()).build());
      assertThat(job.id()).isEqualTo(id);
      assertThat(job.status()).isEqualTo(new JobStatus.Queued("JOB_STATE_CREATING"));
      assertThat(job.metadata()).containsEntry(JobRequest.IDEMPOTENCY_METADATA_KEY, "run-1/submit")
          .containsEntry("estimatedCost", "1.25 USD");
    }
    assertThat(id).matches("tk-[0-9a-f]{20}");
    fakes.wm.verify(postRequestedFor(urlPathEqualTo(JOBS)).withQueryParam("supervisedFineTuningJobId", equalTo(id))
        .withHeader("Authorization", equalTo("Bearer " + FireworksFakes.KEY))
        .withRequestBody(equalToJson("{\"baseModel\":\"accounts/fireworks/models/llama-v3p1-8b-instruct\","
            + "\"dataset\":\"accounts/acme/datasets/tk-ds1\",\"evaluationDataset\":\"accounts/acme/datasets/tk-ds2\","
            + "\"outputModel\":\"accounts/acme/models/support-bot-" + id + "\",\"displayName\":\"tunekit run-1\","
            + "\"epochs\":3,\"batchSizeSamples\":16,\"learningRate\":2.0E-4,\"loraRank\":16,\"maxContextLength\":8192,"
            + "\"earlyStop\":true}")));
  }

  @Test
  void create_withoutALoraRank_sendsRank8_soFireworksNeverTrainsEveryWeight() {
    fakes.wm.stubFor(post(urlPathEqualTo(JOBS)).willReturn(okJson(FireworksFakes.job("tk-x", "JOB_STATE_CREATING", ""))));
    try (FireworksProvider p = fakes.provider(dir)) {
      p.createJob(request().build());
    }
    fakes.wm.verify(postRequestedFor(urlPathEqualTo(JOBS)).withRequestBody(equalToJson("{\"loraRank\":8}", true, true)));
  }

  @Test
  void create_refusedAsAlreadyExists_readsThatJob_insteadOfFailing() {
    String id = Names.jobId("run-1/submit");
    fakes.wm.stubFor(post(urlPathEqualTo(JOBS)).willReturn(status(409, 6, "supervised fine-tuning job " + id + " already exists")));
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/" + id)).willReturn(okJson(FireworksFakes.job(id, "JOB_STATE_RUNNING", ""))));
    try (FireworksProvider p = fakes.provider(dir)) {
      var job = p.createJob(request().build());
      assertThat(job.id()).isEqualTo(id);
      assertThat(job.status()).isEqualTo(new JobStatus.Running("JOB_STATE_RUNNING"));
    }
    fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(JOBS)));
  }

  @Test
  void findJob_isOneGetByTheDerivedId() {
    String id = Names.jobId("run-9/submit");
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/" + id)).willReturn(okJson(FireworksFakes.completed(id))));
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/" + Names.jobId("run-8/submit"))).willReturn(status(404, 5, "not found")));
    try (FireworksProvider p = fakes.provider(dir)) {
      assertThat(p.findJob("run-9/submit")).hasValueSatisfying(j -> {
        assertThat(j.id()).isEqualTo(id);
        assertThat(j.status()).isEqualTo(new JobStatus.Succeeded("JOB_STATE_COMPLETED", Optional.of(FireworksFakes.OUTPUT_MODEL)));
      });
      assertThat(p.findJob("run-8/submit")).isEmpty();
    }
  }

  @Test
  void upload_createsTheDatasetUnderTheContentsId_uploadsMultipart_andWaitsUntilReady() throws Exception {
    Path f = Files.writeString(dir.resolve("train.jsonl"), "{\"messages\":[]}\n\n{\"messages\":[]}\n");
    String sha = "ab12cd34" + "0".repeat(56);
    String id = Names.datasetId(sha);
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets")).willReturn(okJson(FireworksFakes.dataset(id, "UPLOADING"))));
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets/" + id + ":upload")).willReturn(okJson(FireworksFakes.uploaded("tk-ab12.jsonl"))));
    fakes.wm.stubFor(get(urlPathEqualTo(FireworksFakes.API + "/datasets/" + id)).inScenario("ready").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("ready").willReturn(okJson(FireworksFakes.dataset(id, "UPLOADING"))));
    fakes.wm.stubFor(get(urlPathEqualTo(FireworksFakes.API + "/datasets/" + id)).inScenario("ready").whenScenarioStateIs("ready")
        .willReturn(okJson(FireworksFakes.dataset(id, "READY"))));
    FileUpload upload = FileUpload.builder().path(f).fileName("tk-ab12.jsonl").sha256(sha).sizeBytes(Files.size(f))
        .format(DatasetFormat.neutral(DatasetKind.CHAT)).role(FileUpload.Role.TRAINING).build();
    try (FireworksProvider p = fakes.provider(dir)) {
      assertThat(p.upload(upload).id()).isEqualTo(id).isEqualTo("tk-ab12cd34000000000000");
      assertThat(p.findFile(upload)).as("READY now").isPresent();
    }
    fakes.wm.verify(postRequestedFor(urlPathEqualTo(FireworksFakes.API + "/datasets")).withRequestBody(equalToJson(
        "{\"datasetId\":\"" + id + "\",\"dataset\":{\"displayName\":\"tk-ab12.jsonl\",\"exampleCount\":\"2\",\"format\":\"CHAT\","
        + "\"userUploaded\":{}}}")));
    fakes.wm.verify(postRequestedFor(urlPathEqualTo(FireworksFakes.API + "/datasets/" + id + ":upload"))
        .withRequestBodyPart(aMultipart().withName("file").withBody(equalTo("{\"messages\":[]}\n\n{\"messages\":[]}\n")).build()));
  }

  @Test
  void upload_ofADatasetAnEarlierAttemptCreated_goesOn() throws Exception {
    Path f = Files.writeString(dir.resolve("train.jsonl"), "{\"messages\":[]}\n");
    String sha = "ff" + "0".repeat(62);
    String id = Names.datasetId(sha);
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets")).willReturn(status(409, 6, "dataset already exists")));
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets/" + id + ":upload")).willReturn(okJson(FireworksFakes.uploaded("x"))));
    fakes.wm.stubFor(get(urlPathEqualTo(FireworksFakes.API + "/datasets/" + id)).willReturn(okJson(FireworksFakes.dataset(id, "READY"))));
    FileUpload upload = FileUpload.builder().path(f).fileName("x.jsonl").sha256(sha).sizeBytes(Files.size(f))
        .format(DatasetFormat.neutral(DatasetKind.CHAT)).role(FileUpload.Role.TRAINING).build();
    try (FireworksProvider p = fakes.provider(dir)) {
      assertThat(p.upload(upload).id()).isEqualTo(id);
    }
  }

  @Test
  void aDatasetFireworksRefuses_failsAtOnce_withItsReason() throws Exception {
    Path f = Files.writeString(dir.resolve("train.jsonl"), "{\"messages\":[]}\n");
    String sha = "dd" + "0".repeat(62);
    String id = Names.datasetId(sha);
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets")).willReturn(okJson(FireworksFakes.dataset(id, "UPLOADING"))));
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets/" + id + ":upload")).willReturn(okJson(FireworksFakes.uploaded("x"))));
    fakes.wm.stubFor(get(urlPathEqualTo(FireworksFakes.API + "/datasets/" + id)).willReturn(okJson(FireworksFakes.dataset(id, "UPLOADING")
        .replace("\"format\"", "\"status\":{\"code\":\"INVALID_ARGUMENT\",\"message\":\"line 1: messages is empty\"},\"format\""))));
    FileUpload upload = FileUpload.builder().path(f).fileName("x.jsonl").sha256(sha).sizeBytes(Files.size(f))
        .format(DatasetFormat.neutral(DatasetKind.CHAT)).role(FileUpload.Role.TRAINING).build();
    try (FireworksProvider p = fakes.provider(dir)) {
      assertThatThrownBy(() -> p.upload(upload)).isInstanceOfSatisfying(ProviderException.class, e -> {
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains(id, "INVALID_ARGUMENT", "line 1: messages is empty");
      });
    }
    fakes.wm.verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo(FireworksFakes.API + "/datasets/" + id)));
  }

  @Test
  void aFileOverTheSingleUploadLimit_isRefused_beforeAnythingIsSent() throws Exception {
    Path f = Files.writeString(dir.resolve("big.jsonl"), "{\"messages\":[]}\n");
    FileUpload upload = FileUpload.builder().path(f).fileName("big.jsonl").sha256("cc" + "0".repeat(62))
        .sizeBytes(FireworksProvider.MAX_UPLOAD_BYTES + 1).format(DatasetFormat.neutral(DatasetKind.CHAT))
        .role(FileUpload.Role.TRAINING).build();
    try (FireworksProvider p = fakes.provider(dir)) {
      assertThatThrownBy(() -> p.upload(upload)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("150000000 bytes").hasMessageContaining("big.jsonl");
    }
    assertThat(fakes.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void errors_sayWhatHappened_andWhetherToRetry_neverTheKey() {
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/j401")).willReturn(status(401, 16, "invalid API key")));
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/j404")).willReturn(status(404, 5, "job not found")));
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/j429")).willReturn(status(429, 8, "slow down").withHeader("Retry-After", "7")));
    fakes.wm.stubFor(post(urlPathEqualTo(JOBS)).inScenario("c").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("500")
        .willReturn(status(400, 3, "epochs must be at most 10")));
    fakes.wm.stubFor(post(urlPathEqualTo(JOBS)).inScenario("c").whenScenarioStateIs("500")
        .willReturn(status(500, 13, "internal")));
    try (FireworksProvider p = fakes.provider(dir)) {
      assertThatThrownBy(() -> p.job("j401")).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("HTTP 401").hasMessageContaining("invalid API key").hasMessageContaining("FIREWORKS_API_KEY")
          .hasMessageNotContaining(FireworksFakes.KEY);
      assertThatThrownBy(() -> p.job("j404")).isInstanceOf(NotFoundException.class).hasMessageContaining("job not found");
      assertThatThrownBy(() -> p.job("j429")).isInstanceOfSatisfying(RateLimitedException.class, e -> {
        assertThat(e.retryable()).isTrue();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
      });
      assertThatThrownBy(() -> p.createJob(request().build())).isInstanceOfSatisfying(ProviderException.class, e -> {
        assertThat(e.retryable()).isFalse();
        assertThat(e.outcomeUnknown()).isFalse();
        assertThat(e.getMessage()).contains("POST /supervisedFineTuningJobs", "HTTP 400", "epochs must be at most 10");
      });
      assertThatThrownBy(() -> p.createJob(request().build())).isInstanceOfSatisfying(ProviderException.class, e -> {
        assertThat(e.retryable()).isTrue();
        assertThat(e.outcomeUnknown()).as("a 5xx on a create may come after the job was stored").isTrue();
      });
      assertThatThrownBy(() -> p.job("../datasets")).isInstanceOf(InvalidInputException.class);
      assertThat(p.toString()).doesNotContain(FireworksFakes.KEY);
    }
  }

  /** Every text a user may see of a failure: message, toString and the stack trace with its causes. */
  @Test
  void aKeyEchoedBackByFireworks_appearsInNoMessage_controlPlaneAndChat() {
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/echo")).willReturn(status(401, 16, "invalid API key " + FireworksFakes.KEY)));
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.CHAT)).willReturn(aResponse().withStatus(500)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"error\":{\"message\":\"server error for key " + FireworksFakes.KEY + "\",\"type\":\"server_error\"}}")));
    try (FireworksProvider p = fakes.provider(dir)) {
      Throwable control = org.assertj.core.api.Assertions.catchThrowable(() -> p.job("echo"));
      assertThat(control).isInstanceOf(AuthenticationException.class).hasMessageContaining("invalid API key");
      assertThat(Leaks.visibleText(control)).doesNotContain(FireworksFakes.KEY);
      Throwable chat = org.assertj.core.api.Assertions.catchThrowable(() -> p.chat(ChatRequest.of(FireworksFakes.BASE_MODEL,
          List.of(ChatMessage.user("How?")))));
      assertThat(chat).isInstanceOf(ProviderException.class).hasMessageContaining("server error for key");
      assertThat(Leaks.visibleText(chat)).doesNotContain(FireworksFakes.KEY);
    }
  }

  @Test
  void aRefusedConnection_wasNeverSent() {
    FireworksFakes dead = new FireworksFakes();
    var settings = dead.settings();
    dead.close();
    try (FireworksProvider p = new FireworksProvider(FireworksConfig.from(ProviderSettings.of("fireworks", "t", dir, settings)))) {
      assertThatThrownBy(() -> p.createJob(request().build())).isInstanceOfSatisfying(ProviderException.class, e -> {
        assertThat(e.retryable()).isTrue();
        assertThat(e.outcomeUnknown()).as("a refused connection sent nothing").isFalse();
      });
    }
  }

  @Test
  void chat_goesToTheInferenceEndpoint_withTheModelsFullName() {
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.CHAT)).willReturn(okJson(FireworksFakes.chat(FireworksFakes.BASE_MODEL, "Open Settings."))));
    try (FireworksProvider p = fakes.provider(dir)) {
      var r = p.chat(ChatRequest.of("llama-v3p1-8b-instruct", List.of(ChatMessage.user("How?"))));
      assertThat(r.content()).isEqualTo("Open Settings.");
      assertThat(r.finishReason()).isEqualTo("stop");
      assertThat(r.inputTokens()).isEqualTo(12);
    }
    fakes.wm.verify(postRequestedFor(urlPathEqualTo(FireworksFakes.CHAT))
        .withHeader("Authorization", equalTo("Bearer " + FireworksFakes.KEY))
        .withRequestBody(equalToJson("{\"model\":\"" + FireworksFakes.BASE_MODEL + "\"}", true, true)));
  }

  @Test
  void chat_isOneAttempt_theCoreRetries() {
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.CHAT)).willReturn(aResponse().withStatus(503)
        .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}")));
    try (FireworksProvider p = fakes.provider(dir)) {
      assertThatThrownBy(() -> p.chat(ChatRequest.of(FireworksFakes.BASE_MODEL, List.of(ChatMessage.user("How?")))))
          .isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.outcomeUnknown()).isFalse();
            assertThat(e.getMessage()).contains("HTTP 503", "overloaded");
          });
    }
    fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(FireworksFakes.CHAT)));
  }

  @Test
  void aMissingKeyOrAccount_failsTheCall_beforeAnythingIsSent() {
    String base = "http://127.0.0.1:" + fakes.wm.port() + "/v1";
    try (FireworksProvider p = new FireworksProvider(FireworksConfig.from(ProviderSettings.of("fireworks", "tunekit.yaml", dir,
        Map.of("baseUrl", base, "accountId", "acme"))))) {
      assertThatThrownBy(() -> p.job("tk-1")).hasMessageContaining("apiKey").hasMessageContaining("FIREWORKS_API_KEY");
    }
    try (FireworksProvider p = new FireworksProvider(FireworksConfig.from(ProviderSettings.of("fireworks", "tunekit.yaml", dir,
        Map.of("baseUrl", base, "apiKey", FireworksFakes.KEY))))) {
      assertThatThrownBy(() -> p.job("tk-1")).hasMessageContaining("accountId").hasMessageContaining("FIREWORKS_ACCOUNT_ID")
          .hasMessageNotContaining(FireworksFakes.KEY);
    }
    assertThat(fakes.wm.getAllServeEvents()).isEmpty();
    assertThatThrownBy(() -> FireworksConfig.from(ProviderSettings.of("fireworks", "tunekit.yaml", dir,
        Map.of("accountId", "accounts/acme")))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("accountId").hasMessageContaining("not accounts/<id>");
  }

  @Test
  void deploy_createsADedicatedDeploymentOfTheTunedModel_namedFromTheRun() {
    String id = "tunekit-run-1";
    String path = FireworksFakes.API + "/deployments";
    fakes.wm.stubFor(get(urlPathEqualTo(path + "/" + id)).inScenario("d").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(status(404, 5, "deployment not found")));
    fakes.wm.stubFor(post(urlPathEqualTo(path)).inScenario("d").willSetStateTo("made")
        .willReturn(okJson(FireworksFakes.deployment(id, FireworksFakes.OUTPUT_MODEL, "CREATING"))));
    fakes.wm.stubFor(get(urlPathEqualTo(path + "/" + id)).inScenario("d").whenScenarioStateIs("made")
        .willReturn(okJson(FireworksFakes.deployment(id, FireworksFakes.OUTPUT_MODEL, "READY"))));
    fakes.wm.stubFor(delete(urlPathEqualTo(path + "/" + id)).willReturn(status(404, 5, "gone already")));
    try (FireworksProvider p = fakes.provider(dir)) {
      assertThatThrownBy(() -> p.deploy(FireworksFakes.OUTPUT_MODEL, id, Map.of("replicas", 2)))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("minReplicaCount");
      Deployment d = p.deploy(FireworksFakes.OUTPUT_MODEL, id, Map.of("minReplicaCount", 1));
      assertThat(d.state()).isEqualTo(Deployment.State.CREATING);
      assertThat(d.inferenceModel()).isEqualTo(FireworksFakes.OUTPUT_MODEL + "#accounts/acme/deployments/" + id);
      Deployment again = p.deploy(FireworksFakes.OUTPUT_MODEL, id, Map.of());
      assertThat(again.state()).as("found by its name, not created twice").isEqualTo(Deployment.State.ACTIVE);
      assertThat(p.deployment(id).modelId()).isEqualTo(FireworksFakes.OUTPUT_MODEL);
      p.undeploy(id);
    }
    fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(path)).withQueryParam("deploymentId", equalTo(id))
        .withRequestBody(equalToJson("{\"baseModel\":\"" + FireworksFakes.OUTPUT_MODEL + "\",\"displayName\":\"" + id
            + "\",\"minReplicaCount\":1}")));
    fakes.wm.verify(deleteRequestedFor(urlPathEqualTo(path + "/" + id)));
  }

  @Test
  void theEstimatedCost_isInTheJobsMetadataAndEvents_andEventsOnlyGrow() {
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/tk-e")).willReturn(okJson(FireworksFakes.job("tk-e", "JOB_STATE_FAILED",
        ",\"jobProgress\":{\"percent\":50,\"epoch\":1}").replace("\"status\":{\"code\":\"OK\",\"message\":\"\"}",
        "\"status\":{\"code\":\"INVALID_ARGUMENT\",\"message\":\"bad line 7\"}"))));
    try (FireworksProvider p = fakes.provider(dir)) {
      var job = p.job("tk-e");
      assertThat(job.status()).isEqualTo(new JobStatus.Failed("JOB_STATE_FAILED", "bad line 7", Optional.of("INVALID_ARGUMENT")));
      assertThat(job.metadata()).containsEntry("estimatedCost", "1.25 USD").containsEntry("progressPercent", "50");
      assertThat(p.events("tk-e", Optional.empty()).items()).extracting(JobEvent::id, JobEvent::message).containsExactly(
          org.assertj.core.groups.Tuple.tuple("created", "Fireworks created fine-tuning job tk-e"),
          org.assertj.core.groups.Tuple.tuple("estimated-cost", "Fireworks estimates the cost of this job at 1.25 USD"),
          org.assertj.core.groups.Tuple.tuple("epoch-1", "training epoch 1 of 2"),
          org.assertj.core.groups.Tuple.tuple("epoch-2", "training epoch 2 of 2"),
          org.assertj.core.groups.Tuple.tuple("end-JOB_STATE_FAILED", "the job failed: bad line 7"));
    }
  }

  @Test
  void aPoll_readsTheJobOnce_forItsStatusEventsAndMetrics() {
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/tk-e")).willReturn(okJson(FireworksFakes.job("tk-e", "JOB_STATE_RUNNING",
        ",\"jobProgress\":{\"percent\":50,\"epoch\":1}"))));
    try (FireworksProvider p = fakes.provider(dir)) {
      dev.tunekit.spi.JobProgress poll = p.progress("tk-e", Optional.empty(), Optional.empty());
      assertThat(poll.job().status()).isEqualTo(new JobStatus.Running("JOB_STATE_RUNNING"));
      assertThat(poll.events().items()).extracting(JobEvent::id).contains("created", "epoch-1");
      assertThat(poll.metrics().items()).isNotEmpty();
      // the next poll passes the cursors on and gets nothing twice
      dev.tunekit.spi.JobProgress next = p.progress("tk-e", poll.events().next(), poll.metrics().next());
      assertThat(next.events().items()).isEmpty();
      assertThat(next.metrics().items()).isEmpty();
    }
    fakes.wm.verify(2, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo(JOBS + "/tk-e")));
  }

  @Test
  void aJobFireworksPaused_saysSoInAnEvent_withHowToResume() {
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/tk-p")).willReturn(okJson(FireworksFakes.job("tk-p", "JOB_STATE_PAUSED", "")
        .replace("\"status\":{\"code\":\"OK\",\"message\":\"\"}", "\"status\":{\"code\":\"OK\",\"message\":\"account suspended\"}"))));
    try (FireworksProvider p = fakes.provider(dir)) {
      assertThat(p.job("tk-p").status()).isEqualTo(new JobStatus.Paused("JOB_STATE_PAUSED"));
      assertThat(p.events("tk-p", Optional.empty()).items()).filteredOn(e -> e.id().startsWith("paused-")).singleElement()
          .satisfies(e -> {
            assertThat(e.level()).isEqualTo("warning");
            assertThat(e.message()).contains("account suspended", "resume tk-p");
          });
    }
  }

  @Test
  void aDeploymentAnEarlierAttemptCreated_isRead_notCreatedAgain() {
    String path = FireworksFakes.API + "/deployments";
    fakes.wm.stubFor(get(urlPathEqualTo(path + "/tunekit-run-2")).inScenario("d").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("exists").willReturn(status(404, 5, "deployment not found")));
    fakes.wm.stubFor(post(urlPathEqualTo(path)).willReturn(status(409, 6, "deployment already exists")));
    fakes.wm.stubFor(get(urlPathEqualTo(path + "/tunekit-run-2")).inScenario("d").whenScenarioStateIs("exists")
        .willReturn(okJson(FireworksFakes.deployment("tunekit-run-2", FireworksFakes.OUTPUT_MODEL, "READY"))));
    try (FireworksProvider p = fakes.provider(dir)) {
      assertThat(p.deploy(FireworksFakes.OUTPUT_MODEL, "tunekit-run-2", Map.of()).state()).isEqualTo(Deployment.State.ACTIVE);
    }
    fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(path)));
  }

  @Test
  void derivedIds_followTheIdRule_andAreStable() {
    for (String key : List.of("run-1/submit", "RUN 2 / SUBMIT", "x".repeat(300))) {
      assertThat(Names.jobId(key)).matches("[a-z][a-z0-9-]{0,61}[a-z0-9]").isEqualTo(Names.jobId(key));
      assertThat(Names.deploymentId("tunekit-" + key)).matches("[a-z][a-z0-9-]{0,61}[a-z0-9]");
      assertThat(Names.outputModel(key, Names.jobId(key))).matches("[a-z][a-z0-9-]{0,61}[a-z0-9]").endsWith(Names.jobId(key));
    }
    assertThat(Names.deploymentId("tunekit-run-20261203-070357-13fc69fb")).isEqualTo("tunekit-run-20261203-070357-13fc69fb");
    assertThat(Names.deploymentId("Tunekit Run 1")).isNotEqualTo(Names.deploymentId("tunekit-run-1")).startsWith("tunekit-run-1-tk-");
  }
}
