package dev.tunekit.ray;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.RunState;
import dev.tunekit.spi.Deployment;
import dev.tunekit.testing.OneScript;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider switch on {@code ray}: the test kit's one script, on the {@code tunekit.yaml} with a section for every
 * provider (the kit's and this one) where {@code provider: ray} is the only line that chooses, tunes
 * {@code Qwen/Qwen2.5-0.5B-Instruct} (the section's {@code model:}) against a WireMock Ray dashboard (package store,
 * Jobs API, log) and asks the tuned adapter through the OpenAI-compatible server of {@code servingUrl}, by the name of
 * its directory. The adapter needs no deployment from this provider: the serving engine loads it.
 */
class OneScriptRayTest {
  @TempDir Path dir;

  @Test
  void theOneScriptRunsOnRay() throws Exception {
    try (RayFakes fakes = new RayFakes()) {
      String job = RayFakes.JOBS + "tunekit-[^/]+";
      // Ray's package store: a package exists once it was put (the code package and the data package apart).
      String code = RayFakes.PACKAGES + Packages.codeName(Packages.code());
      for (String[] p : new String[][] {{"code", java.util.regex.Pattern.quote(code), "1"},
          {"data", RayFakes.PACKAGES + ".*", "5"}}) {
        int priority = Integer.parseInt(p[2]);
        fakes.wm.stubFor(get(urlPathMatching(p[1])).atPriority(priority).inScenario(p[0])
            .whenScenarioStateIs(Scenario.STARTED).willReturn(RayFakes.text(404, "Package does not exist")));
        fakes.wm.stubFor(put(urlPathMatching(p[1])).atPriority(priority).inScenario(p[0]).willSetStateTo("stored")
            .willReturn(aResponse().withStatus(200)));
        fakes.wm.stubFor(get(urlPathMatching(p[1])).atPriority(priority).inScenario(p[0]).whenScenarioStateIs("stored")
            .willReturn(aResponse().withStatus(200)));
      }
      fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).willReturn(okJson(
          "{\"submission_id\":\"{{jsonPath request.body '$.submission_id'}}\"}").withTransformers("response-template")));
      fakes.wm.stubFor(get(urlPathMatching(job)).willReturn(okJson(RayFakes.job("{{request.pathSegments.[2]}}",
          "SUCCEEDED", "")).withTransformers("response-template")));
      fakes.wm.stubFor(get(urlPathMatching(job + "/logs")).willReturn(okJson(RayFakes.logs(
          "{\"tunekit\":\"metric\",\"step\":1,\"epoch\":1.0,\"train_loss\":1.5}",
          "{\"tunekit\":\"model\",\"path\":\"" + RayFakes.OUTPUT + "/x\"}"))));
      fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.CHAT))
          .willReturn(okJson(RayFakes.chat("adapter", "Open Settings, then Reset password."))));
      Map<String, Object> ray = new LinkedHashMap<>(fakes.settings());
      ray.put("model", RayFakes.BASE_MODEL);
      Path yaml = OneScript.config(dir, "ray", OneScript.sections(Map.of("ray", ray)));

      OneScript.Outcome o = OneScript.run(yaml, dev.tunekit.testing.ChatData.write(dir.resolve("train.jsonl"), 12));

      assertThat(o.provider()).isEqualTo("ray");
      assertThat(o.state()).isEqualTo(RunState.TRAINED);
      assertThat(o.baseModel()).isEqualTo(RayFakes.BASE_MODEL);
      assertThat(o.tunedModel()).as("the adapter's directory under outputDir").matches(
          java.util.regex.Pattern.quote(RayFakes.OUTPUT) + "/tunekit-[A-Za-z0-9_-]+");
      assertThat(o.deployment()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(o.answer()).isEqualTo("Open Settings, then Reset password.");
      fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(RayFakes.JOBS)));
      // The data package and the code package, each once.
      fakes.wm.verify(2, putRequestedFor(urlPathMatching(RayFakes.PACKAGES + "_ray_pkg_[0-9a-f]{32}\\.zip")));
      String adapter = o.tunedModel().substring(RayFakes.OUTPUT.length() + 1);
      fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(RayFakes.CHAT)).withRequestBody(matchingJsonPath("$.model",
          matching(java.util.regex.Pattern.quote(adapter)))));
    }
  }
}
