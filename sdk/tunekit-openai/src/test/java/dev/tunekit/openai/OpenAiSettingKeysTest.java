package dev.tunekit.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misspelt keys and sections of the OpenAI family are errors with file:line and the nearest key (issue 11.3). */
class OpenAiSettingKeysTest {
  @TempDir Path dir;

  private void fails(String yaml, int line, String... fragments) throws Exception {
    Path f = Files.writeString(dir.resolve("tunekit.yaml"), yaml);
    assertThatThrownBy(() -> Tunekit.builder().configFile(f).env(Map.of()).build())
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.location()).contains(f + ":" + line);
          assertThat(e.getMessage()).contains(fragments).doesNotContain("sk-do-not-print");
        });
  }

  @Test
  void openAiApikeyIsNotReadAsAMissingApiKey() throws Exception {
    fails("provider: openai\nproviders:\n  openai:\n    apikey: sk-do-not-print\n", 4,
        "providers.openai.apikey", "Did you mean apiKey");
  }

  @Test
  void azureDeploymnetIsNotIgnored() throws Exception {
    fails("""
        provider: azure
        providers:
          azure:
            endpoint: https://x.openai.azure.com
            apiKey: sk-do-not-print
            deploymnet: my-model
        """, 6, "unknown setting 'deploymnet'", "Known settings:", "endpoint");
  }

  @Test
  void openAiCompatibleSectionWithATypeIsCheckedAgainstThatType() throws Exception {
    fails("""
        provider: vllm
        providers:
          vllm:
            type: openai-compatible
            baseurl: http://localhost:1/v1
        """, 5, "for provider vllm (type openai-compatible)", "Did you mean baseUrl");
  }

  @Test
  void aMisspeltOpenAiSectionIsNotReadAsAMissingKey() throws Exception {
    fails("provider: openai\nproviders:\n  opneai: { apiKey: sk-do-not-print }\n", 3,
        "providers.opneai", "Did you mean openai?");
  }

  @Test
  void theReadmeConfigWithEveryProviderSectionStillBuilds() throws Exception {
    Path f = Files.writeString(dir.resolve("tunekit.yaml"), """
        provider: openai
        ledger: l.db
        providers:
          openai:  { apiKey: "${OPENAI_API_KEY}", baseUrl: "https://api.openai.com/v1" }
          azure:   { apiKey: "${AZURE_OPENAI_API_KEY}", endpoint: "https://my-resource.openai.azure.com" }
          bedrock: { region: us-east-1, bucket: my-training-bucket, roleArn: "${BEDROCK_ROLE_ARN}" }
          vllm:    { type: openai-compatible, baseUrl: "http://gpu-box:8000/v1" }
        """);
    try (Tunekit tk = Tunekit.builder().configFile(f).env(Map.of("OPENAI_API_KEY", "sk-x")).build()) {
      assertThat(tk).isNotNull();
    }
  }
}
