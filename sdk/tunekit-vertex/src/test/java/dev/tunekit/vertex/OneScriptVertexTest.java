package dev.tunekit.vertex;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.RunState;
import dev.tunekit.spi.Deployment;
import dev.tunekit.testing.OneScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider switch on {@code vertex}: the test kit's one script, on the {@code tunekit.yaml} with a
 * section for every provider where {@code provider: vertex} is the only line that chooses, tunes
 * {@code gemini-2.5-flash} (the section's {@code model:}) against WireMock speaking the tuningJobs and
 * generateContent shapes and Google's in-memory Cloud Storage. The section's {@code type: vertex-fake}
 * is the real provider with a fixed token instead of Application Default Credentials.
 */
class OneScriptVertexTest {
  @TempDir Path dir;

  @Test
  void theOneScriptRunsOnVertex() throws Exception {
    try (VertexFakes fakes = new VertexFakes()) {
      FakeVertexFactory.storage = new FlakyStorage();
      fakes.wm.stubFor(get(urlPathEqualTo(VertexFakes.JOBS)).willReturn(okJson("{}"))); // no job under the key yet
      fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.JOBS)).inScenario("create").whenScenarioStateIs(Scenario.STARTED)
          .willSetStateTo("created").willReturn(okJson(VertexFakes.job("one", "JOB_STATE_PENDING", ""))));
      fakes.wm.stubFor(get(urlPathEqualTo("/v1/" + VertexFakes.JOB_PREFIX + "one"))
          .willReturn(okJson(VertexFakes.succeeded("one"))));
      fakes.wm.stubFor(post(urlPathEqualTo("/v1/" + VertexFakes.ENDPOINT + ":generateContent"))
          .willReturn(okJson(VertexFakes.generateContent("Open Settings, then Reset password."))));
      Map<String, Object> vertex = new LinkedHashMap<>(fakes.settings());
      vertex.put("type", "vertex-fake");
      vertex.put("model", "gemini-2.5-flash");
      Path yaml = OneScript.config(dir, "vertex", OneScript.sections(Map.of("vertex", vertex)));

      OneScript.Outcome o = OneScript.run(yaml, dev.tunekit.testing.ChatData.write(dir.resolve("train.jsonl"), 12));

      assertThat(o).isEqualTo(new OneScript.Outcome("vertex", RunState.TRAINED, "gemini-2.5-flash",
          VertexFakes.ENDPOINT, Deployment.State.ACTIVE, "Open Settings, then Reset password."));
      fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(VertexFakes.JOBS)));
    }
  }
}
