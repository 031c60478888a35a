package dev.tunekit.vertex;

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
import dev.tunekit.testing.SharedServer;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fault suite on job creation, through the engine ({@code Tunekit.builder()}, the retry layer and the
 * ledger): the first {@code tuningJobs.create} fails with 500, 503, 429, a reset before the job is stored, or
 * a reset after it is stored (commit, then drop). Vertex has no idempotency key, so the engine must look the
 * job up by its label before creating again. Every run ends trained, and Vertex holds exactly one job: a
 * second create after a committed one moves the scenario to "duplicate", which no case may reach.
 */
class CreateFaultTest {
  @RegisterExtension
  static final SharedServer<VertexFakes> SERVER = new SharedServer<>(VertexFakes::new, f -> f.wm.resetAll());
  VertexFakes fakes;
  @TempDir Path tmp;

  @BeforeEach
  void reset() {
    fakes = SERVER.get();
  }

  static ResponseDefinitionBuilder fault(String kind) {
    return switch (kind) {
      case "reset" -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
      default -> aResponse().withStatus(Integer.parseInt(kind)).withHeader("Content-Type", "application/json")
          .withBody("{\"error\":{\"code\":" + kind + ",\"message\":\"injected\",\"status\":\"UNAVAILABLE\"}}");
    };
  }

  @ParameterizedTest(name = "{0}, stored before the failure: {1}")
  @CsvSource({"500, true", "503, false", "429, false", "reset, false", "reset, true"})
  void aFailedCreate_isRetriedAfterALookup_andCreatesExactlyOneJob(String kind, boolean committed) throws Exception {
    FakeVertexFactory.storage = new FlakyStorage();
    String job = VertexFakes.JOB_PREFIX + "f1";
    // The job, once stored: listed under whatever key label the lookup asks for, and already succeeded.
    String listed = "{\"tuningJobs\":[" + VertexFakes.succeeded("f1").replace("\"tunekit-key\":\"x\"",
        "\"tunekit-key\":\"{{regexExtract request.query.filter '[a-z0-9]+$'}}\"") + "]}";
    fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.JOBS)).inScenario("create").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo(committed ? "created" : "failed-once").willReturn(fault(kind)));
    fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.JOBS)).inScenario("create").whenScenarioStateIs("failed-once")
        .willSetStateTo("created").willReturn(okJson(VertexFakes.job("f1", "JOB_STATE_PENDING", ""))));
    fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.JOBS)).inScenario("create").whenScenarioStateIs("created")
        .willSetStateTo("duplicate").willReturn(okJson(VertexFakes.job("f2", "JOB_STATE_PENDING", ""))));
    for (String state : new String[] {Scenario.STARTED, "failed-once"}) {
      fakes.wm.stubFor(get(urlPathEqualTo(VertexFakes.JOBS)).inScenario("create").whenScenarioStateIs(state)
          .willReturn(okJson("{}")));
    }
    for (String state : new String[] {"created", "duplicate"}) {
      fakes.wm.stubFor(get(urlPathEqualTo(VertexFakes.JOBS)).inScenario("create").whenScenarioStateIs(state)
          .willReturn(okJson(listed).withTransformers("response-template")));
    }
    fakes.wm.stubFor(get(urlPathMatching("/v1/" + VertexFakes.JOB_PREFIX + "f[12]")).willReturn(okJson(VertexFakes.succeeded("f1"))));

    Path data = dev.tunekit.testing.ChatData.write(tmp.resolve("train.jsonl"), 12);
    Tunekit.Builder b = Tunekit.builder().provider("vertex-fake");
    for (Map.Entry<String, Object> e : fakes.settings().entrySet()) {
      b.setting(e.getKey(), e.getValue());
    }
    try (Tunekit tk = b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(4, Duration.ofMillis(1), Duration.ofMillis(5), 2.0)
        .polling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(20)).build()) {
      RunResult result = tk.fineTune().model("gemini-2.5-flash").trainingData(data).hyperparameters(h -> h.epochs(2))
          .start().await();
      assertThat(result.state()).as("%s", result).isEqualTo(RunState.TRAINED);
      assertThat(result.fineTunedModel()).contains(VertexFakes.ENDPOINT);
      assertThat(result.job().orElseThrow().id()).isEqualTo(job);
    }
    assertThat(fakes.wm.getAllScenarios().getScenarios().get(0).getState()).as("jobs on Vertex: one, never two")
        .isEqualTo("created");
    fakes.wm.verify(committed ? 1 : 2, postRequestedFor(urlPathEqualTo(VertexFakes.JOBS)));
  }
}
