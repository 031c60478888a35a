package dev.tunekit.kubeflow;

import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tunekit.RunState;
import dev.tunekit.spi.Deployment;
import dev.tunekit.testing.OneScript;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider switch on {@code kubeflow}: the test kit's one script, on the {@code tunekit.yaml} with a section for
 * every provider where {@code provider: kubeflow} is the only line that chooses, tunes the section's {@code model:}
 * against the CRUD mock API server (a stand-in controller completes the TrainJob) and asks the tuned adapter through the
 * OpenAI-compatible server of {@code servingUrl} (WireMock), by the name of its directory.
 */
class OneScriptKubeflowTest {
  @TempDir Path dir;

  @Test
  void theOneScriptRunsOnKubeflow() throws Exception {
    WireMockServer vllm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    vllm.start();
    try (KubeflowFakes fakes = new KubeflowFakes(); AutoCloseable controller = fakes.completingController()) {
      vllm.stubFor(post(urlPathEqualTo("/v1/chat/completions")).willReturn(okJson("{\"id\":\"chat-1\",\"object\":"
          + "\"chat.completion\",\"created\":1762077600,\"model\":\"adapter\",\"choices\":[{\"index\":0,\"message\":"
          + "{\"role\":\"assistant\",\"content\":\"Open Settings, then Reset password.\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}")));
      Map<String, Object> kubeflow = new LinkedHashMap<>(fakes.settings());
      kubeflow.put("model", KubeflowFakes.BASE_MODEL);
      kubeflow.put("servingUrl", "http://127.0.0.1:" + vllm.port() + "/v1");
      Path yaml = OneScript.config(dir, "kubeflow", OneScript.sections(Map.of("kubeflow", kubeflow)));

      OneScript.Outcome o = OneScript.run(yaml, dev.tunekit.testing.ChatData.write(dir.resolve("train.jsonl"), 12));

      assertThat(o.provider()).isEqualTo("kubeflow");
      assertThat(o.state()).isEqualTo(RunState.TRAINED);
      assertThat(o.baseModel()).isEqualTo(KubeflowFakes.BASE_MODEL);
      assertThat(o.tunedModel()).as("the adapter's directory under outputDir")
          .matches(Pattern.quote(KubeflowFakes.OUTPUT) + "/tk-[a-z0-9-]+");
      assertThat(o.deployment()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(o.answer()).isEqualTo("Open Settings, then Reset password.");
      assertThat(fakes.trainJobs()).hasSize(1);
      String adapter = o.tunedModel().substring(KubeflowFakes.OUTPUT.length() + 1);
      vllm.verify(1, postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
          .withRequestBody(matchingJsonPath("$.model", matching(Pattern.quote(adapter)))));
    } finally {
      vllm.stop();
    }
  }
}
