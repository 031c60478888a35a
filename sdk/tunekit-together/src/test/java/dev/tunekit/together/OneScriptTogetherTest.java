package dev.tunekit.together;

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
 * The provider switch on {@code together}: the test kit's one script, on the {@code tunekit.yaml} with a section
 * for every provider where {@code provider: together} is the only line that chooses, tunes
 * {@code meta-llama/Meta-Llama-3.1-8B-Instruct-Reference} (the section's {@code model:}) against WireMock speaking
 * Together's files, fine-tunes and OpenAI-compatible chat shapes.
 */
class OneScriptTogetherTest {
  @TempDir Path dir;

  @Test
  void theOneScriptRunsOnTogether() throws Exception {
    try (TogetherFakes fakes = new TogetherFakes()) {
      fakes.wm.stubFor(get(urlPathEqualTo("/v1/files")).willReturn(okJson("{\"data\":[]}")));
      fakes.wm.stubFor(post(urlPathEqualTo("/v1/files/upload")).willReturn(okJson(TogetherFakes.file("file-1", "train.jsonl", 1))));
      fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes")).willReturn(okJson("{\"data\":[]}"))); // no job under the key yet
      fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes")).inScenario("create").whenScenarioStateIs(Scenario.STARTED)
          .willSetStateTo("created").willReturn(okJson(TogetherFakes.job("ft-one", "pending", "one-script-tk", ""))));
      fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes/ft-one")).willReturn(okJson(TogetherFakes.completed("ft-one", "one-script-tk"))));
      fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes/ft-one/events")).willReturn(okJson("{\"data\":["
          + TogetherFakes.event("job_complete", "Job finished", 0, "2026-11-02T10:04:00Z") + "]}")));
      fakes.wm.stubFor(post(urlPathEqualTo("/v1/chat/completions"))
          .willReturn(okJson(TogetherFakes.chat(TogetherFakes.OUTPUT_MODEL, "Open Settings, then Reset password."))));
      Map<String, Object> together = new LinkedHashMap<>(fakes.settings());
      together.put("model", TogetherFakes.BASE_MODEL);
      Path yaml = OneScript.config(dir, "together", OneScript.sections(Map.of("together", together)));

      OneScript.Outcome o = OneScript.run(yaml, dev.tunekit.testing.ChatData.write(dir.resolve("train.jsonl"), 12));

      assertThat(o).isEqualTo(new OneScript.Outcome("together", RunState.TRAINED, TogetherFakes.BASE_MODEL,
          TogetherFakes.OUTPUT_MODEL, Deployment.State.ACTIVE, "Open Settings, then Reset password."));
      fakes.wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/fine-tunes")));
      fakes.wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
    }
  }
}
