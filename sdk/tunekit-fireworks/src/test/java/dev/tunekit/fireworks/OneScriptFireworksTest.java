package dev.tunekit.fireworks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
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
 * The provider switch on {@code fireworks}: the test kit's one script, on the {@code tunekit.yaml} with a section
 * for every provider (the kit's six and this one) where {@code provider: fireworks} is the only line that chooses,
 * tunes {@code accounts/fireworks/models/llama-v3p1-8b-instruct} (the section's {@code model:}) against WireMock
 * speaking Fireworks' datasets, supervised fine-tuning jobs, deployments and OpenAI-compatible chat. The tuned
 * model is asked through its deployment.
 */
class OneScriptFireworksTest {
  @TempDir Path dir;

  @Test
  void theOneScriptRunsOnFireworks() throws Exception {
    try (FireworksFakes fakes = new FireworksFakes()) {
      String jobs = FireworksFakes.API + "/supervisedFineTuningJobs";
      fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets")).willReturn(okJson(FireworksFakes.dataset("tk-ds", "UPLOADING"))));
      fakes.wm.stubFor(post(urlPathMatching(FireworksFakes.API + "/datasets/[a-z0-9-]+:upload")).willReturn(okJson(FireworksFakes.uploaded("train.jsonl"))));
      fakes.wm.stubFor(get(urlPathMatching(FireworksFakes.API + "/datasets/[a-z0-9-]+")).willReturn(okJson(FireworksFakes.dataset("tk-ds", "READY"))));
      fakes.wm.stubFor(post(urlPathEqualTo(jobs)).willReturn(okJson(FireworksFakes.job(
          "{{request.query.supervisedFineTuningJobId}}", "JOB_STATE_CREATING", "")).withTransformers("response-template")));
      fakes.wm.stubFor(get(urlPathMatching(jobs + "/.*")).willReturn(okJson(FireworksFakes.completed("{{request.pathSegments.[4]}}"))
          .withTransformers("response-template")));
      String deployments = FireworksFakes.API + "/deployments";
      fakes.wm.stubFor(get(urlPathMatching(deployments + "/.*")).inScenario("deploy").whenScenarioStateIs(Scenario.STARTED)
          .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json").withBody(FireworksFakes.error(5, "not found"))));
      fakes.wm.stubFor(post(urlPathEqualTo(deployments)).inScenario("deploy").willSetStateTo("created")
          .willReturn(okJson(FireworksFakes.deployment("d", FireworksFakes.OUTPUT_MODEL, "CREATING"))));
      fakes.wm.stubFor(get(urlPathMatching(deployments + "/.*")).inScenario("deploy").whenScenarioStateIs("created")
          .willReturn(okJson(FireworksFakes.deployment("d", FireworksFakes.OUTPUT_MODEL, "READY"))));
      fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.CHAT))
          .willReturn(okJson(FireworksFakes.chat(FireworksFakes.OUTPUT_MODEL, "Open Settings, then Reset password."))));
      Map<String, Object> fireworks = new LinkedHashMap<>(fakes.settings());
      fireworks.put("model", FireworksFakes.BASE_MODEL);
      Path yaml = OneScript.config(dir, "fireworks", OneScript.sections(Map.of("fireworks", fireworks)));

      OneScript.Outcome o = OneScript.run(yaml, dev.tunekit.testing.ChatData.write(dir.resolve("train.jsonl"), 12));

      assertThat(o).isEqualTo(new OneScript.Outcome("fireworks", RunState.TRAINED, FireworksFakes.BASE_MODEL,
          FireworksFakes.OUTPUT_MODEL, Deployment.State.ACTIVE, "Open Settings, then Reset password."));
      fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(jobs)));
      fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(deployments))
          .withRequestBody(equalToJson("{\"baseModel\":\"" + FireworksFakes.OUTPUT_MODEL + "\"}", true, true)));
      // The tuned model is asked through its deployment: <model>#accounts/<account>/deployments/<id from the run>.
      fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(FireworksFakes.CHAT)).withRequestBody(matchingJsonPath("$.model",
          matching(java.util.regex.Pattern.quote(FireworksFakes.OUTPUT_MODEL) + "#accounts/acme/deployments/tunekit-run-[a-z0-9-]+"))));
    }
  }
}
