package dev.tunekit.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tunekit.fromEnv's rules with the real providers' declared conventions, the environment injected. */
class FromEnvTest {
  @TempDir Path dir;

  private Tunekit fromEnv(Map<String, String> env) {
    return Tunekit.builder().env(env).workDir(dir).providerFromEnv().build();
  }

  @Test
  void openAisVariablesChooseOpenAiAndSayWhy() {
    try (Tunekit tk = fromEnv(Map.of("OPENAI_API_KEY", "sk-test-secret-123", "OPENAI_BASE_URL", "http://127.0.0.1:9/v1"))) {
      assertThat(tk.provider()).isEqualTo("openai");
      assertThat(tk.providerChoice().reason()).isEqualTo("OPENAI_API_KEY is set");
      assertThat(tk.toString() + tk.providerChoice()).doesNotContain("sk-test-secret-123");
    }
  }

  @Test
  void fireworksNeedsBothOfItsVariables() {
    try (Tunekit tk = fromEnv(Map.of("FIREWORKS_API_KEY", "fw-secret", "FIREWORKS_ACCOUNT_ID", "acme",
        "TUNEKIT_PROVIDER", "fireworks"))) {
      assertThat(tk.provider()).isEqualTo("fireworks");
      assertThat(tk.providerChoice().reason()).startsWith("TUNEKIT_PROVIDER=fireworks (with FIREWORKS_API_KEY");
    }
  }

  @Test
  void twoProvidersInTheEnvironmentAreRefusedUntilTunekitProviderChooses() {
    Map<String, String> both = Map.of("OPENAI_API_KEY", "sk-test-secret-123", "TOGETHER_API_KEY", "tg-secret-456");
    assertThatThrownBy(() -> fromEnv(both))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("openai (OPENAI_API_KEY)").hasMessageContaining("together (TOGETHER_API_KEY)")
        .hasMessageContaining("set TUNEKIT_PROVIDER to one of")
        .hasMessageNotContaining("sk-test-secret-123").hasMessageNotContaining("tg-secret-456");
    Map<String, String> chosen = new java.util.HashMap<>(both);
    chosen.put("TUNEKIT_PROVIDER", "together");
    try (Tunekit tk = fromEnv(chosen)) {
      assertThat(tk.provider()).isEqualTo("together");
      assertThat(tk.providerChoice().reason()).isEqualTo("TUNEKIT_PROVIDER=together (with TOGETHER_API_KEY)");
    }
  }

  @Test
  void azureAndAwsAndGoogleConventionsAreDeclared() {
    assertThatThrownBy(() -> fromEnv(Map.of("AZURE_OPENAI_API_KEY", "az-secret", "AZURE_OPENAI_ENDPOINT",
        "https://x.openai.azure.com", "AWS_REGION", "us-east-1", "GOOGLE_CLOUD_PROJECT", "p")))
        .hasMessageContaining("3 providers")
        .hasMessageContaining("azure (AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT)")
        .hasMessageContaining("bedrock (AWS_REGION)").hasMessageContaining("vertex (GOOGLE_CLOUD_PROJECT)")
        .hasMessageNotContaining("az-secret");
  }
}
