package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunState;
import dev.tunekit.spi.Deployment;
import dev.tunekit.testing.OneScript;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider switch on {@code openai}: the test kit's one script, on the {@code tunekit.yaml} with a
 * section for every provider where {@code provider: openai} is the only line that chooses, tunes the
 * section's {@code model:} against WireMock speaking OpenAI's documented shapes.
 */
class OneScriptOpenAiTest {
  @TempDir Path dir;

  @Test
  void theOneScriptRunsOnOpenAi() throws Exception {
    try (OpenAiWireMock api = OpenAiWireMock.start()) {
      new WorkflowStubs(api).stubSucceedingRun();
      Path yaml = OneScript.config(dir, "openai", OneScript.sections(Map.of("openai",
          Map.of("model", OpenAiWireMock.BASE_MODEL, "apiKey", OpenAiWireMock.CANARY_KEY, "baseUrl", api.baseUrl()))));

      OneScript.Outcome o = OneScript.run(yaml, WorkflowStubs.chatDataset(dir.resolve("train.jsonl"), 12));

      assertThat(o).isEqualTo(new OneScript.Outcome("openai", RunState.TRAINED, OpenAiWireMock.BASE_MODEL,
          WorkflowStubs.TUNED, Deployment.State.ACTIVE, "ok"));
      api.server().verify(1, postRequestedFor(urlPathEqualTo(api.path(WorkflowStubs.JOBS))));
    }
  }
}
