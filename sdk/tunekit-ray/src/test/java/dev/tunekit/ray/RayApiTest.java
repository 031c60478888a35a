package dev.tunekit.ray;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.testing.SharedServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What goes over the wire to Ray and how its answers are read, one call at a time. */
class RayApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TRAIN = "gcs://_ray_pkg_0123456789abcdef0123456789abcdef.zip";
  private static final String VALID = "gcs://_ray_pkg_fedcba9876543210fedcba9876543210.zip";
  @RegisterExtension
  static final SharedServer<RayFakes> SERVER = new SharedServer<>(RayFakes::new, f -> f.wm.resetAll());
  RayFakes fakes;
  @TempDir Path dir;

  @BeforeEach
  void reset() {
    fakes = SERVER.get();
  }

  private static JobRequest request(Hyperparameters hp) {
    return JobRequest.builder().runId("run-1").idempotencyKey("run-1-key").baseModel(RayFakes.BASE_MODEL)
        .method(TrainingMethod.SUPERVISED).trainingFileId(TRAIN).validationFileId(VALID).hyperparameters(hp)
        .putMetadata("team", "search").build();
  }

  @Test
  void theSubmit_carriesTheTrainersCommandLine_theRuntimeEnv_theGpus_andTheRunInMetadata() throws Exception {
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.PACKAGES + ".*")).willReturn(aResponse().withStatus(200)));
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).willReturn(okJson("{\"submission_id\":\"tunekit-run-1-key\"}")));
    fakes.wm.stubFor(get(urlPathEqualTo(RayFakes.JOBS + "tunekit-run-1-key"))
        .willReturn(okJson(RayFakes.job("tunekit-run-1-key", "PENDING", ""))));
    Hyperparameters hp = Hyperparameters.builder().epochs(2).batchSize(8).learningRateMultiplier(0.5).seed(7)
        .extra("loraR", 32).extra("gradient_accumulation_steps", 4).extra("peft.target_modules", "it's all").build();

    var job = fakes.provider(dir).createJob(request(hp));

    assertThat(job.id()).isEqualTo("tunekit-run-1-key");
    assertThat(job.status()).isInstanceOf(JobStatus.Queued.class);
    JsonNode body = JSON.readTree(fakes.wm.findAll(postRequestedFor(urlPathEqualTo(RayFakes.JOBS))).get(0).getBodyAsString());
    assertThat(body.path("submission_id").asText()).isEqualTo("tunekit-run-1-key");
    assertThat(body.path("entrypoint").asText()).isEqualTo("python tunekit_ray_launch.py --base-model "
        + RayFakes.BASE_MODEL + " --train-file @tunekit_data_0123456789abcdef0123456789abcdef/data.jsonl"
        + " --validation-file @tunekit_data_fedcba9876543210fedcba9876543210/data.jsonl --output-dir "
        + RayFakes.OUTPUT + "/tunekit-run-1-key --method sft --epochs 2 --batch-size 8 --learning-rate-multiplier 0.5"
        + " --seed 7 --extra gradient_accumulation_steps=4 --lora-r 32 --extra 'peft.target_modules=it'\\''s all'");
    JsonNode env = body.path("runtime_env");
    assertThat(env.path("working_dir").asText()).matches("gcs://_ray_pkg_[0-9a-f]{32}\\.zip");
    assertThat(env.path("py_modules").toString()).isEqualTo("[\"" + TRAIN + "\",\"" + VALID + "\"]");
    assertThat(env.path("pip").toString()).isEqualTo("[\"trl==1.13.0\",\"peft==0.21.0\"]");
    assertThat(body.path("entrypoint_num_gpus").asDouble()).isEqualTo(1.0);
    assertThat(body.path("metadata").path("tunekit_run_id").isMissingNode()).isTrue();
    assertThat(body.path("metadata").path("team").asText()).isEqualTo("search");
    assertThat(body.path("metadata").path(JobRequest.IDEMPOTENCY_METADATA_KEY).asText()).isEqualTo("run-1-key");
    assertThat(body.path("metadata").path("tunekit_output").asText()).isEqualTo(RayFakes.OUTPUT + "/tunekit-run-1-key");
  }

  @Test
  void aSubmitRefusedBecauseTheIdExists_readsTheJobInstead() {
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.PACKAGES + ".*")).willReturn(aResponse().withStatus(200)));
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).willReturn(RayFakes.text(400,
        "Job with submission_id tunekit-run-1-key already exists. Please use a different submission_id.")));
    fakes.wm.stubFor(get(urlPathEqualTo(RayFakes.JOBS + "tunekit-run-1-key"))
        .willReturn(okJson(RayFakes.job("tunekit-run-1-key", "RUNNING", ""))));

    assertThat(fakes.provider(dir).createJob(request(Hyperparameters.defaults())).status())
        .isInstanceOf(JobStatus.Running.class);
  }

  @Test
  void anotherBadRequest_isAClearErrorWithRaysText() {
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.PACKAGES + ".*")).willReturn(aResponse().withStatus(200)));
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).willReturn(RayFakes.text(400,
        "Traceback (most recent call last):\nTypeError: runtime_env: unknown field 'image_uri'")));

    ProviderException e = catchThrowableOfType(() -> fakes.provider(dir).createJob(request(Hyperparameters.defaults())),
        ProviderException.class);

    assertThat(e.getMessage()).contains("400").contains("unknown field 'image_uri'");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void aDatasetPackageRayNoLongerHolds_stopsTheSubmit_sayingWhy() {
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.PACKAGES + ".*")).willReturn(RayFakes.text(404, "Package does not exist")));
    fakes.wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.put(urlPathMatching(RayFakes.PACKAGES + ".*"))
        .willReturn(aResponse().withStatus(200)));

    ProviderException e = catchThrowableOfType(() -> fakes.provider(dir).createJob(request(Hyperparameters.defaults())),
        ProviderException.class);

    assertThat(e.getMessage()).contains(TRAIN).contains("no longer holds");
    fakes.wm.verify(0, postRequestedFor(urlPathEqualTo(RayFakes.JOBS)));
  }

  @Test
  void anOpenDashboard_getsNoAuthorizationHeader_andATokenIsSentAsBearer_neverShown() {
    fakes.wm.stubFor(get(urlPathEqualTo(RayFakes.JOBS + "j0")).willReturn(RayFakes.text(401,
        "Unauthorized: ray-secret-token-123 is not valid")));
    var open = fakes.provider(dir);
    catchThrowableOfType(() -> open.job("j0"), ProviderException.class);
    Map<String, Object> withToken = new java.util.LinkedHashMap<>(fakes.settings());
    withToken.put("token", "ray-secret-token-123");
    var closed = new RayProvider(RayConfig.from(ProviderSettings.of("ray", "tunekit.yaml", dir, withToken)));
    ProviderException e = catchThrowableOfType(() -> closed.job("j0"), ProviderException.class);

    var requests = fakes.wm.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
        urlPathEqualTo(RayFakes.JOBS + "j0")));
    assertThat(requests.get(0).containsHeader("Authorization")).as("an open dashboard gets no header").isFalse();
    assertThat(requests.get(1).getHeader("Authorization")).isEqualTo("Bearer ray-secret-token-123");
    assertThat(e.getMessage()).contains("401").doesNotContain("ray-secret-token-123");
    assertThat(closed.toString()).doesNotContain("ray-secret-token-123");
  }

  @Test
  void aFailedJob_carriesTheTrainersLastErrorLine_andRaysErrorType() {
    fakes.wm.stubFor(get(urlPathEqualTo(RayFakes.JOBS + "j1")).willReturn(okJson(RayFakes.failed("j1"))));

    JobStatus.Failed f = (JobStatus.Failed) fakes.provider(dir).job("j1").status();

    assertThat(f.reason()).startsWith("--lora-r 0 is outside 1..1024; choose a rank in that range")
        .contains("exit code 2");
    assertThat(f.code()).contains("JOB_ENTRYPOINT_COMMAND_ERROR");
  }

  @Test
  void theLog_isReadFromTheCursor_andAnUnfinishedLineWaitsForTheNextPoll() {
    String path = RayFakes.JOBS + "j2";
    fakes.wm.stubFor(get(urlPathEqualTo(path)).willReturn(okJson(RayFakes.job("j2", "RUNNING", ""))));
    String whole = "{\"tunekit\":\"metric\",\"step\":1,\"epoch\":0.1,\"train_loss\":2.0}\n";
    String half = "{\"tunekit\":\"metric\",\"step\":2,\"epo";
    fakes.wm.stubFor(get(urlPathEqualTo(path + "/logs")).inScenario("log").willSetStateTo("2")
        .willReturn(okJson("{\"logs\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(whole + half) + "}")));
    fakes.wm.stubFor(get(urlPathEqualTo(path + "/logs")).inScenario("log").whenScenarioStateIs("2").willReturn(okJson(
        "{\"logs\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(whole + half + "ch\":0.2,\"train_loss\":1.8}\n"
            + "tunekit_train: error: CUDA out of memory\n") + "}")));
    var p = fakes.provider(dir);

    Page<MetricPoint> first = p.metrics("j2", Optional.empty());
    assertThat(first.items()).extracting(MetricPoint::step).containsExactly(1L);
    assertThat(first.next()).contains(new Cursor(Integer.toString(whole.length())));
    Page<JobEvent> events = p.events("j2", first.next());
    assertThat(events.items()).extracting(JobEvent::level, JobEvent::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("error", "CUDA out of memory"));
  }

  @Test
  void aPoll_readsTheJobAndItsLogOnce_forItsStatusEventsAndMetrics() {
    String path = RayFakes.JOBS + "j3";
    fakes.wm.stubFor(get(urlPathEqualTo(path)).willReturn(okJson(RayFakes.job("j3", "RUNNING", ""))));
    fakes.wm.stubFor(get(urlPathEqualTo(path + "/logs")).willReturn(okJson(RayFakes.logs(
        "{\"tunekit\":\"metric\",\"step\":1,\"epoch\":0.1,\"train_loss\":2.0}"))));
    var p = fakes.provider(dir);

    dev.tunekit.spi.JobProgress poll = p.progress("j3", Optional.empty(), Optional.empty());

    assertThat(poll.metrics().items()).extracting(MetricPoint::step).containsExactly(1L);
    assertThat(poll.events().next()).isEqualTo(poll.metrics().next());
    fakes.wm.verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo(path + "/logs")));
    fakes.wm.verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo(path)));
  }

  @Test
  void preflight_namesEverySettingAndRangeTheTrainerWouldRefuse_andSendsNothing() {
    var p = new RayProvider(RayConfig.from(ProviderSettings.of("ray", "tunekit.yaml", dir,
        Map.of("dashboardUrl", "ray-head:8265", "servingUrl", "http://127.0.0.1:" + fakes.wm.port() + "/v1"))));
    JobPlan plan = JobPlan.builder().baseModel("local-base").method(TrainingMethod.REINFORCEMENT).kind(DatasetKind.CHAT)
        .hyperparameters(Hyperparameters.builder().batchSize(2000).learningRateMultiplier(0.5)
            .extra("learningRate", 2).extra("loraR", 0).extra("loraDropout", 1).extra("quantization", "8bit").build())
        .trainingExamples(12).build();

    List<PreflightProblem> problems = p.preflight(plan);

    assertThat(problems).extracting(PreflightProblem::where).containsExactlyInAnyOrder("providers.ray.dashboardUrl",
        "providers.ray.outputDir", "model", "method", "hyperparameters.batchSize",
        "hyperparameters.learningRate", "hyperparameters.learningRate", "hyperparameters.loraR",
        "hyperparameters.loraDropout", "hyperparameters.quantization");
    assertThat(problems.stream().filter(x -> x.where().equals("model")).findFirst().orElseThrow().fix())
        .contains("Hugging Face id").contains("Qwen/");
    assertThat(fakes.wm.getAllServeEvents()).as("nothing was sent").isEmpty();
  }

  @Test
  void aPlainPlan_passesPreflight() {
    JobPlan plan = JobPlan.builder().baseModel(RayFakes.BASE_MODEL).method(TrainingMethod.DPO)
        .kind(DatasetKind.PREFERENCE).hyperparameters(Hyperparameters.builder().epochs(2).extra("loraR", 16).build())
        .trainingExamples(12).build();
    assertThat(fakes.provider(dir).preflight(plan)).isEmpty();
  }
}
