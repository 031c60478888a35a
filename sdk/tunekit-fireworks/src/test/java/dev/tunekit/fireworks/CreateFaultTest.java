package dev.tunekit.fireworks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tunekit.testing.SharedServer;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fault suite on job creation, through the engine ({@code Tunekit.builder()}, the retry layer and the
 * ledger): the first {@code POST /supervisedFineTuningJobs} fails with 500, 503, 429, a reset before the job is
 * stored, or a reset or a 500 after it is stored (commit, then drop). The job id is chosen from the run's key, so
 * the fake behaves as Fireworks does: once the job exists, {@code GET} by that id finds it and a second create with
 * that id is refused with 409. Every run ends trained, with the job of the derived id, and Fireworks holds exactly
 * one job: every create asked for the same id, and no create was answered with a new job after the first.
 */
class CreateFaultTest {
  @RegisterExtension
  static final SharedServer<FireworksFakes> SERVER = new SharedServer<>(FireworksFakes::new, f -> f.wm.resetAll());
  FireworksFakes fakes;
  @TempDir Path tmp;

  @BeforeEach
  void reset() {
    fakes = SERVER.get();
  }

  static ResponseDefinitionBuilder fault(String kind) {
    return switch (kind) {
      case "reset" -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
      default -> aResponse().withStatus(Integer.parseInt(kind)).withHeader("Content-Type", "application/json")
          .withBody(FireworksFakes.error(kind.equals("429") ? 8 : 14, "injected"));
    };
  }

  /** The job the fake holds, named after the id in the request (a template over the query or the path). */
  private static ResponseDefinitionBuilder jobNamedFrom(String idExpression, String state) {
    return okJson(FireworksFakes.job(idExpression, state, ",\"completedTime\":\"2026-11-02T10:06:00Z\""))
        .withTransformers("response-template");
  }

  @ParameterizedTest(name = "{0}, stored before the failure: {1}")
  @CsvSource({"500, true", "503, false", "429, false", "reset, false", "reset, true"})
  void aFailedCreate_isRetriedAfterALookup_andCreatesExactlyOneJob(String kind, boolean committed) throws Exception {
    String jobs = FireworksFakes.API + "/supervisedFineTuningJobs";
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets")).willReturn(okJson(FireworksFakes.dataset("tk-ds", "UPLOADING"))));
    fakes.wm.stubFor(post(urlPathMatching(FireworksFakes.API + "/datasets/[a-z0-9-]+:upload")).willReturn(okJson(FireworksFakes.uploaded("train.jsonl"))));
    fakes.wm.stubFor(get(urlPathMatching(FireworksFakes.API + "/datasets/[a-z0-9-]+")).willReturn(okJson(FireworksFakes.dataset("tk-ds", "READY"))));
    fakes.wm.stubFor(post(urlPathEqualTo(jobs)).inScenario("create").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo(committed ? "created" : "failed-once").willReturn(fault(kind)));
    fakes.wm.stubFor(post(urlPathEqualTo(jobs)).inScenario("create").whenScenarioStateIs("failed-once")
        .willSetStateTo("created").willReturn(jobNamedFrom("{{request.query.supervisedFineTuningJobId}}", "JOB_STATE_CREATING")));
    // Fireworks refuses a second job with the same id.
    fakes.wm.stubFor(post(urlPathEqualTo(jobs)).inScenario("create").whenScenarioStateIs("created")
        .willReturn(aResponse().withStatus(409).withHeader("Content-Type", "application/json")
            .withBody(FireworksFakes.error(6, "supervised fine-tuning job already exists"))));
    for (String state : new String[] {Scenario.STARTED, "failed-once"}) {
      fakes.wm.stubFor(get(urlPathMatching(jobs + "/.*")).inScenario("create").whenScenarioStateIs(state)
          .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
              .withBody(FireworksFakes.error(5, "not found"))));
    }
    fakes.wm.stubFor(get(urlPathMatching(jobs + "/.*")).inScenario("create").whenScenarioStateIs("created")
        .willReturn(jobNamedFrom("{{request.pathSegments.[4]}}", "JOB_STATE_COMPLETED")));

    Path data = dev.tunekit.testing.ChatData.write(tmp.resolve("train.jsonl"), 12);
    Tunekit.Builder b = Tunekit.builder().provider("fireworks");
    for (Map.Entry<String, Object> e : fakes.settings().entrySet()) {
      b.setting(e.getKey(), e.getValue());
    }
    RunResult result;
    try (Tunekit tk = b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(4, Duration.ofMillis(1), Duration.ofMillis(5), 2.0)
        .polling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(20)).build()) {
      result = tk.fineTune().model(FireworksFakes.BASE_MODEL).trainingData(data).hyperparameters(h -> h.epochs(2))
          .start().await();
    }
    assertThat(result.state()).as("%s", result).isEqualTo(RunState.TRAINED);
    assertThat(result.fineTunedModel()).contains(FireworksFakes.OUTPUT_MODEL);
    List<LoggedRequest> creates = fakes.wm.findAll(postRequestedFor(urlPathEqualTo(jobs)));
    List<String> ids = creates.stream().map(r -> r.queryParameter("supervisedFineTuningJobId").firstValue()).distinct().toList();
    assertThat(ids).as("every create asked for the one id derived from the run's key").hasSize(1);
    assertThat(result.job().orElseThrow().id()).isEqualTo(ids.get(0));
    assertThat(creates).as("creates: a lost one is found by GET, never sent again").hasSize(committed ? 1 : 2);
  }

  /** Preflight through the engine: a run without accountId and with an out-of-range rank stops before any request. */
  @org.junit.jupiter.api.Test
  void aRunWithoutAnAccountId_stopsInPreflight_beforeAnyUpload() throws Exception {
    Path data = dev.tunekit.testing.ChatData.write(tmp.resolve("train.jsonl"), 12);
    Tunekit.Builder b = Tunekit.builder().provider("fireworks");
    fakes.settings().forEach((k, v) -> {
      if (!k.equals("accountId")) {
        b.setting(k, v);
      }
    });
    try (Tunekit tk = b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work")).build()) {
      dev.tunekit.spi.PreflightException e = org.assertj.core.api.Assertions.catchThrowableOfType(() -> tk.fineTune()
          .model("llama-v3p1-8b-instruct").trainingData(data).hyperparameters(h -> h.epochs(2).extra("loraRank", 128))
          .start(), dev.tunekit.spi.PreflightException.class);
      assertThat(e).as("start() refused in preflight").isNotNull();
      assertThat(e.problems()).extracting(dev.tunekit.spi.PreflightProblem::where)
          .containsExactlyInAnyOrder("providers.fireworks.accountId", "hyperparameters.loraRank");
      assertThat(e.getMessage()).doesNotContain(FireworksFakes.KEY);
    }
    assertThat(fakes.wm.getAllServeEvents()).as("nothing was sent to Fireworks").isEmpty();
  }
}
