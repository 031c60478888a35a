package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunState;
import dev.tunekit.spi.Deployment;
import dev.tunekit.testing.OneScript;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider switch on {@code azure}: the test kit's one script, on the {@code tunekit.yaml} with a
 * section for every provider where {@code provider: azure} is the only line that chooses, tunes the
 * section's {@code model:} on the Azure OpenAI v1 data plane, deploys it through Azure Resource Manager
 * and asks the deployment, all on one WireMock speaking the documented shapes (a fixed ARM token
 * stands in for DefaultAzureCredential).
 */
class OneScriptAzureTest {
  @TempDir Path dir;

  @AfterEach
  void uninstall() {
    AzureArmStubs.uninstall();
  }

  @Test
  void theOneScriptRunsOnAzure() throws Exception {
    AzureArmStubs.install();
    try (OpenAiWireMock wm = OpenAiWireMock.startAzure()) {
      new WorkflowStubs(wm).stubSucceedingRun();
      AzureWorkflowTest.stubArmLifecycle(wm);
      AzureWorkflowTest.stubChatByModel(wm, "base answer", "Open Settings, then Reset password.");
      Map<String, Object> azure = new LinkedHashMap<>(new AzureArmStubs(wm).settings());
      azure.put("model", OpenAiWireMock.BASE_MODEL);
      azure.put("endpoint", wm.rootUrl());
      azure.put("apiKey", OpenAiWireMock.CANARY_KEY);
      Path yaml = OneScript.config(dir, "azure", OneScript.sections(Map.of("azure", azure)));

      OneScript.Outcome o = OneScript.run(yaml, WorkflowStubs.chatDataset(dir.resolve("train.jsonl"), 12));

      assertThat(o).isEqualTo(new OneScript.Outcome("azure", RunState.TRAINED, OpenAiWireMock.BASE_MODEL,
          WorkflowStubs.TUNED, Deployment.State.ACTIVE, "Open Settings, then Reset password."));
      wm.server().verify(1, postRequestedFor(urlPathEqualTo(wm.path(WorkflowStubs.JOBS))));
      wm.server().verify(1, putRequestedFor(urlPathMatching(AzureWorkflowTest.DEPLOYMENTS)));
    }
  }
}
