package dev.tunekit.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.dataset.CostEstimate;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.dataset.ValidationOptions;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI's model catalog, contributed by {@link OpenAiProviderFactory} and found by the core with
 * ServiceLoader: the figures the core's dataset tests checked when the catalog lived in the core.
 */
class OpenAiCatalogTest {
  static final String OK = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
      + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello\"}]}";
  @TempDir Path dir;

  Path ten() throws Exception {
    return Files.writeString(dir.resolve("d.jsonl"), (OK + "\n").repeat(10), StandardCharsets.UTF_8);
  }

  @Test
  void theFactoryContributesTheCatalogForOpenAiAndAzureOnly() {
    OpenAiProviderFactory f = new OpenAiProviderFactory();
    assertThat(f.catalog("openai")).isPresent();
    assertThat(f.catalog("azure")).containsSame(f.catalog("openai").orElseThrow());
    assertThat(f.catalog("openai-compatible")).isEmpty();
    assertThat(f.formats()).isEmpty(); // trains on the neutral formats as they are
  }

  @Test
  void trainsOnTheNeutralFormats() {
    assertThat(DatasetFormat.neutral(DatasetKind.CHAT)).isEqualTo(DatasetFormat.CHAT_JSONL);
  }

  @Test
  void costIsBillingTokensTimesDefaultEpochsTimesThePrice() throws Exception {
    DatasetReport r = Dataset.of(ten()).validate("gpt-4o-mini");
    CostEstimate c = r.cost().orElseThrow();
    assertThat(c.provider()).isEqualTo("openai");
    assertThat(c.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(c.epochs()).isEqualTo(10);
    assertThat(c.epochsSource()).contains("OpenAI default-epoch rule");
    assertThat(c.billingTokensPerEpoch()).isEqualTo(r.tokens().totalTokens());
    assertThat(c.trainedTokens()).isEqualTo(r.tokens().totalTokens() * 10);
    assertThat(c.pricePerMillionTokens()).isEqualByComparingTo("3.00");
    assertThat(c.total()).isEqualByComparingTo(BigDecimal.valueOf(c.trainedTokens() * 3L)
        .divide(BigDecimal.valueOf(1_000_000), 2, java.math.RoundingMode.HALF_UP));
    assertThat(c.assumptions()).anyMatch(a -> a.contains("o200k_base")).anyMatch(a -> a.contains("min(65536"))
        .anyMatch(a -> a.contains("from Tunekit's openai data file"))
        .noneMatch(a -> a.contains("are an estimate"));
  }

  @Test
  void azureUsesOpenAisListPricesAndSaysItMayBillDifferently() throws Exception {
    CostEstimate c = Dataset.of(ten()).validate(new ValidationOptions("azure", "gpt-4o-mini")).cost().orElseThrow();
    assertThat(c.pricePerMillionTokens()).isEqualByComparingTo("3.00");
    assertThat(c.assumptions()).contains("OpenAI list prices; azure may bill differently");
  }

  @Test
  void gpt35UsesCl100kBaseAndNanoHasA32kLimit() throws Exception {
    assertThat(Dataset.of(ten()).validate("gpt-3.5-turbo").tokens().encoding()).isEqualTo("cl100k_base");
    assertThat(Dataset.of(ten()).validate("gpt-3.5-turbo").tokens().contextLimit()).isEqualTo(16_385);
    assertThat(Dataset.of(ten()).validate("gpt-4.1-nano-2025-04-14").tokens().contextLimit()).isEqualTo(32_768);
  }

  @Test
  void fineTunedModelNamesResolveToTheirBaseModel() throws Exception {
    DatasetReport r = Dataset.of(ten()).validate("ft:gpt-4o-mini-2024-07-18:acme::abc123");
    assertThat(r.cost().orElseThrow().model()).isEqualTo("gpt-4o-mini-2024-07-18");
  }

  @Test
  void fewerThanTenExamplesIsAnError() throws Exception {
    Path nine = Files.writeString(dir.resolve("n.jsonl"), (OK + "\n").repeat(9), StandardCharsets.UTF_8);
    DatasetReport r = Dataset.of(nine).validate(new ValidationOptions("openai", "gpt-4o-mini"));
    assertThat(r.count("too_few_examples")).isEqualTo(1);
    assertThat(r.findings()).anyMatch(f -> f.message().contains("openai needs at least 10"));
  }

  @Test
  void openAiCompatibleServersHaveNoCatalogSoModelsAreUnknown() throws Exception {
    DatasetReport r = Dataset.of(ten()).validate(new ValidationOptions("openai-compatible", "my-model"));
    assertThat(r.count("unknown_model")).isEqualTo(1);
    assertThat(r.cost()).isEmpty();
  }
}
