package dev.tunekit.dataset;

import static dev.tunekit.dataset.DatasetFiles.okThen;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetReportTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0} examples -> {1} epochs")
  @CsvSource({"1,25", "3,25", "5,20", "10,10", "33,3", "34,3", "1000,3", "8333,3", "8334,2", "9000,2", "20000,1",
      "100000,1"})
  void scaledDefaultEpochRuleFollowsTheCookbook(long examples, int epochs) {
    assertThat(CostEstimate.scaledDefaultEpochs(examples)).isEqualTo(epochs);
  }

  @Test
  void costIsBillingTokensTimesDefaultEpochsTimesThePrice() throws Exception {
    DatasetReport r = Dataset.of(okThen(dir, 10)).validate("gpt-4o-mini");
    CostEstimate c = r.cost().orElseThrow();
    assertThat(c.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(c.epochs()).isEqualTo(10);
    assertThat(c.epochsSource()).contains("test default-epoch rule"); // the catalog names its rule
    assertThat(c.billingTokensPerEpoch()).isEqualTo(r.tokens().totalTokens());
    assertThat(c.trainedTokens()).isEqualTo(r.tokens().totalTokens() * 10);
    assertThat(c.pricePerMillionTokens()).isEqualByComparingTo("3.00");
    assertThat(c.total()).isEqualByComparingTo(BigDecimal.valueOf(c.trainedTokens() * 3L)
        .divide(BigDecimal.valueOf(1_000_000), 2, java.math.RoundingMode.HALF_UP));
    assertThat(c.assumptions()).anyMatch(a -> a.contains("o200k_base")).anyMatch(a -> a.contains("min(65536"));
  }

  @Test
  void setEpochsOverrideTheDefaultRule() throws Exception {
    DatasetReport r = Dataset.of(okThen(dir, 10)).validate(new ValidationOptions("test-hosted", "gpt-4.1-mini").withEpochs(2));
    assertThat(r.cost().orElseThrow().epochs()).isEqualTo(2);
    assertThat(r.cost().orElseThrow().epochsSource()).isEqualTo("set");
  }

  @Test
  void aCatalogWithEstimatedTokensUsesTheModelsDefaultEpochsAndSaysSo() throws Exception {
    DatasetReport r = Dataset.of(okThen(dir, 10)).validate(new ValidationOptions("test-estimated", "nova-lite"));
    CostEstimate c = r.cost().orElseThrow();
    assertThat(c.epochs()).isEqualTo(2);
    assertThat(c.assumptions()).anyMatch(a -> a.contains("estimate")).anyMatch(a -> a.contains("not confirmed"));
  }

  @Test
  void gpt35UsesCl100kBase() throws Exception {
    DatasetReport r = Dataset.of(okThen(dir, 10)).validate("gpt-3.5-turbo");
    assertThat(r.tokens().encoding()).isEqualTo("cl100k_base");
    assertThat(r.tokens().contextLimit()).isEqualTo(16_385);
  }

  @Test
  void fineTunedModelNamesResolveToTheirBaseModel() throws Exception {
    DatasetReport r = Dataset.of(okThen(dir, 10)).validate("ft:gpt-4o-mini-2024-07-18:acme::abc123");
    assertThat(r.cost().orElseThrow().model()).isEqualTo("gpt-4o-mini-2024-07-18");
  }

  @Test
  void statisticsCoverMinMeanPercentilesAndAssistantTokens() throws Exception {
    String longer = DatasetFiles.OK.replace("\"Hello\"", "\"" + "word ".repeat(50) + "\"");
    DatasetReport r = Dataset.of(okThen(dir, 10, longer)).validate("gpt-4o-mini");
    TokenStats t = r.tokens();
    assertThat(t.countedExamples()).isEqualTo(11);
    assertThat(t.messages()).isEqualTo(33);
    assertThat(t.min()).isLessThan(t.max());
    assertThat(t.p50()).isEqualTo(t.min());
    assertThat(t.p95()).isEqualTo(t.max());
    assertThat(t.mean()).isEqualTo((double) t.totalTokens() / 11);
    ChatTokens o200k = ChatTokens.forEncoding("o200k_base");
    assertThat(t.assistantTokens()).isEqualTo(10L * o200k.text("Hello") + o200k.text("word ".repeat(50)));
    // 3 messages x 3 + role and content tokens + 3 priming
    long expectedMin = 3 * 3 + o200k.text("system") + o200k.text("You are terse.") + o200k.text("user")
        + o200k.text("Hi") + o200k.text("assistant") + o200k.text("Hello") + 3;
    assertThat(t.min()).isEqualTo(expectedMin);
  }

  @Test
  void printShowsTheVerdictStatisticsCostAndFindings() throws Exception {
    DatasetReport r = Dataset.of(okThen(dir, 10, "oops")).validate("gpt-4o-mini");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    r.print(new PrintStream(buf, true, StandardCharsets.UTF_8));
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("NOT READY").contains("1 error(s)").contains("line 11")
        .contains("invalid_json").contains("p95").contains("Cost").contains("USD");
    assertThat(Dataset.of(okThen(dir, 10)).validate("gpt-4o-mini").toText()).contains("READY: no errors");
  }

  @Test
  void toJsonCarriesTheSameFacts() throws Exception {
    DatasetReport r = Dataset.of(okThen(dir, 10, "oops")).validate("gpt-4o-mini");
    JsonNode j = new ObjectMapper().readTree(r.toJson());
    assertThat(j.get("ready").asBoolean()).isFalse();
    assertThat(j.get("examples").asLong()).isEqualTo(11);
    assertThat(j.get("findings").get(0).get("code").asText()).isEqualTo("invalid_json");
    assertThat(j.get("findings").get(0).get("line").asLong()).isEqualTo(11);
    assertThat(j.get("findingCounts").get("invalid_json").asLong()).isEqualTo(1);
    assertThat(j.get("tokens").get("total").asLong()).isEqualTo(r.tokens().totalTokens());
    assertThat(j.get("cost").get("total").decimalValue()).isEqualByComparingTo(r.cost().orElseThrow().total());
  }

  @Test
  void theFourArgumentConstructorStillWorksForCallersThatBuildReports() {
    DatasetReport r = new DatasetReport("x.jsonl", DatasetKind.CHAT, 3,
        java.util.List.of(new Finding(Finding.Severity.WARNING, 2, "blank_line", "blank")));
    assertThat(r.hasErrors()).isFalse();
    assertThat(r.count("blank_line")).isEqualTo(1);
    assertThat(r.cost()).isEmpty();
  }
}
