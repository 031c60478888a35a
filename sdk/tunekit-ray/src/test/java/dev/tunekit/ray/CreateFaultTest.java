package dev.tunekit.ray;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.testing.SharedServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fault suite on job submission, through the engine ({@code Tunekit.builder()}, the retry layer and the ledger):
 * the first {@code POST /api/jobs/} fails with 500 (a traceback in text, as Ray answers an agent's failure), 503, a
 * reset before the job is stored, or a reset or a 500 after it is stored (commit, then drop); and the dashboard
 * restarting (the submit is stored, its answer is lost, and the dashboard answers 503 and then resets while it comes
 * back). The fake behaves as Ray does: once the job exists, {@code GET /api/jobs/{id}} finds it and a second submit
 * with that id is refused with 400 "already exists". Every run ends trained, and Ray holds exactly one job.
 */
class CreateFaultTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final SharedServer<RayFakes> SERVER = new SharedServer<>(RayFakes::new, f -> f.wm.resetAll());
  RayFakes fakes;
  @TempDir Path tmp;

  @BeforeEach
  void reset() {
    fakes = SERVER.get();
  }

  static ResponseDefinitionBuilder fault(String kind) {
    return switch (kind) {
      case "reset", "restart" -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
      case "500" -> RayFakes.text(500, "Traceback (most recent call last):\n  File \"job_head.py\", line 281, in"
          + " submit_job\nRuntimeError: Request failed with status code 500: injected.");
      default -> RayFakes.text(Integer.parseInt(kind), "injected");
    };
  }

  @ParameterizedTest(name = "{0}, stored before the failure: {1}")
  @CsvSource({"500, true", "503, false", "reset, false", "reset, true", "restart, true"})
  void aFailedSubmit_isRetriedAfterALookup_andSubmitsExactlyOneJob(String kind, boolean committed) throws Exception {
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.PACKAGES + ".*")).willReturn(aResponse().withStatus(200)));
    fakes.wm.stubFor(put(urlPathMatching(RayFakes.PACKAGES + ".*")).willReturn(aResponse().withStatus(200)));
    String job = RayFakes.JOBS + "[^/]+";
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).inScenario("submit").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo(committed ? (kind.equals("restart") ? "restarting" : "created") : "failed-once")
        .willReturn(fault(kind)));
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).inScenario("submit").whenScenarioStateIs("failed-once")
        .willSetStateTo("created").willReturn(okJson("{\"submission_id\":\"{{jsonPath request.body '$.submission_id'}}\"}")
            .withTransformers("response-template")));
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).inScenario("submit").whenScenarioStateIs("created")
        .willReturn(RayFakes.text(400, "Job with submission_id {{jsonPath request.body '$.submission_id'}} already"
            + " exists. Please use a different submission_id.").withTransformers("response-template")));
    for (String state : new String[] {Scenario.STARTED, "failed-once"}) {
      fakes.wm.stubFor(get(urlPathMatching(job)).inScenario("submit").whenScenarioStateIs(state)
          .willReturn(RayFakes.text(404, "Job {{request.pathSegments.[2]}} does not exist").withTransformers("response-template")));
    }
    // The dashboard restarting: a 503 from the proxy in front of it, then a reset, then it answers again.
    fakes.wm.stubFor(get(urlPathMatching(job)).inScenario("submit").whenScenarioStateIs("restarting")
        .willSetStateTo("restarting-2").willReturn(RayFakes.text(503, "upstream connect error")));
    fakes.wm.stubFor(get(urlPathMatching(job)).inScenario("submit").whenScenarioStateIs("restarting-2")
        .willSetStateTo("created").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    fakes.wm.stubFor(get(urlPathMatching(job)).inScenario("submit").whenScenarioStateIs("created")
        .willReturn(okJson(RayFakes.job("{{request.pathSegments.[2]}}", "SUCCEEDED", "")).withTransformers("response-template")));
    fakes.wm.stubFor(get(urlPathMatching(job + "/logs")).willReturn(okJson(RayFakes.logs(
        "{\"tunekit\":\"metric\",\"step\":1,\"epoch\":1.0,\"train_loss\":1.5}"))));

    Path data = dev.tunekit.testing.ChatData.write(tmp.resolve("train.jsonl"), 12);
    Tunekit.Builder b = Tunekit.builder().provider("ray");
    fakes.settings().forEach(b::setting);
    RunResult result;
    try (Tunekit tk = b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(4, Duration.ofMillis(1), Duration.ofMillis(5), 2.0)
        .polling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(20)).build()) {
      result = tk.fineTune().model(RayFakes.BASE_MODEL).trainingData(data).hyperparameters(h -> h.epochs(2))
          .start().await();
    }
    assertThat(result.state()).as("%s", result).isEqualTo(RunState.TRAINED);
    List<LoggedRequest> submits = fakes.wm.findAll(postRequestedFor(urlPathEqualTo(RayFakes.JOBS)));
    List<String> ids = submits.stream().map(r -> submissionId(r.getBodyAsString())).distinct().toList();
    assertThat(ids).as("every submit asked for the one id derived from the run's key").hasSize(1);
    assertThat(result.job().orElseThrow().id()).isEqualTo(ids.get(0));
    assertThat(result.fineTunedModel()).contains(RayFakes.OUTPUT + "/" + ids.get(0));
    assertThat(submits).as("submits: a lost one is found by GET, never sent again").hasSize(committed ? 1 : 2);
  }

  private static String submissionId(String body) {
    try {
      return JSON.readTree(body).path("submission_id").asText();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
