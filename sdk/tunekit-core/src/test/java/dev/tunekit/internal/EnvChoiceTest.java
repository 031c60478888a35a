package dev.tunekit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.spi.EnvConvention;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvChoiceTest {
  private static final List<EnvConvention> CONVENTIONS = List.of(
      EnvConvention.of("openai", List.of("OPENAI_API_KEY"),
          Map.of("apiKey", "OPENAI_API_KEY", "baseUrl", "OPENAI_BASE_URL"), ""),
      EnvConvention.of("fireworks", List.of("FIREWORKS_API_KEY", "FIREWORKS_ACCOUNT_ID"),
          Map.of("apiKey", "FIREWORKS_API_KEY", "accountId", "FIREWORKS_ACCOUNT_ID"), ""),
      EnvConvention.of("bedrock", List.of("AWS_REGION"), Map.of("region", "AWS_REGION"),
          "credentials from the AWS default chain"));

  @Test
  void noVariablesChooseLocalAndSaySo() {
    EnvChoice c = EnvChoice.choose(CONVENTIONS, Map.of("PATH", "/bin"));
    assertThat(c.provider()).isEqualTo("local");
    assertThat(c.settings()).isEmpty();
    assertThat(c.reason()).contains("no provider's environment variables are set", "openai (OPENAI_API_KEY)",
        "fireworks (FIREWORKS_API_KEY + FIREWORKS_ACCOUNT_ID)");
  }

  @Test
  void oneProvidersVariablesChooseItWithReferencesNotValues() {
    EnvChoice c = EnvChoice.choose(CONVENTIONS, Map.of("OPENAI_API_KEY", "sk-secret-1", "OPENAI_BASE_URL", "http://x"));
    assertThat(c.provider()).isEqualTo("openai");
    assertThat(c.settings()).containsExactly(Map.entry("apiKey", "${OPENAI_API_KEY}"),
        Map.entry("baseUrl", "${OPENAI_BASE_URL}"));
    assertThat(c.reason()).isEqualTo("OPENAI_API_KEY is set").doesNotContain("sk-secret-1");
  }

  @Test
  void aConventionAppliesOnlyWhenAllItsRequiredVariablesAreSet() {
    assertThat(EnvChoice.choose(CONVENTIONS, Map.of("FIREWORKS_API_KEY", "fw-1")).provider()).isEqualTo("local");
    EnvChoice c = EnvChoice.choose(CONVENTIONS, Map.of("FIREWORKS_API_KEY", "fw-1", "FIREWORKS_ACCOUNT_ID", "acme"));
    assertThat(c.provider()).isEqualTo("fireworks");
    assertThat(c.reason()).isEqualTo("FIREWORKS_API_KEY and FIREWORKS_ACCOUNT_ID are set");
    assertThat(EnvChoice.choose(CONVENTIONS, Map.of("AWS_REGION", "us-east-1")).reason())
        .isEqualTo("AWS_REGION is set; credentials from the AWS default chain");
  }

  @Test
  void twoProvidersAreRefusedWithWhatWasFoundAndHowToChoose() {
    assertThatThrownBy(() -> EnvChoice.choose(CONVENTIONS, Map.of("OPENAI_API_KEY", "sk-secret-1",
        "AWS_REGION", "us-east-1")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("2 providers: openai (OPENAI_API_KEY), bedrock (AWS_REGION)")
        .hasMessageContaining("set TUNEKIT_PROVIDER to one of openai, bedrock")
        .hasMessageNotContaining("sk-secret-1");
  }

  @Test
  void tunekitProviderWinsAndKeepsThatProvidersVariables() {
    EnvChoice c = EnvChoice.choose(CONVENTIONS, Map.of("OPENAI_API_KEY", "sk-secret-1", "AWS_REGION", "us-east-1",
        "TUNEKIT_PROVIDER", " bedrock "));
    assertThat(c.provider()).isEqualTo("bedrock");
    assertThat(c.settings()).containsExactly(Map.entry("region", "${AWS_REGION}"));
    assertThat(c.reason()).startsWith("TUNEKIT_PROVIDER=bedrock").contains("AWS_REGION");
    EnvChoice other = EnvChoice.choose(CONVENTIONS, Map.of("TUNEKIT_PROVIDER", "together"));
    assertThat(other.provider()).isEqualTo("together");
    assertThat(other.settings()).isEmpty();
  }
}
