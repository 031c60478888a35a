package dev.tunekit.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TrainingMethod;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offline checks before any upload: catalog, ranges, dataset rules and settings, all at once. */
class VertexPreflightTest {
  @TempDir Path dir;

  VertexConfig config(Map<String, Object> overrides) {
    Map<String, Object> s = new HashMap<>(Map.of("project", "my-project-123", "bucket", "my-bucket"));
    s.putAll(overrides);
    s.values().removeIf(v -> v.equals(""));
    return VertexConfig.from(ProviderSettings.of("vertex", "tunekit.yaml", dir, s));
  }

  static JobPlan.Builder plan(String model) {
    return JobPlan.builder().baseModel(model).method(TrainingMethod.SUPERVISED).kind(DatasetKind.CHAT)
        .trainingExamples(500).validationExamples(50);
  }

  static List<String> where(List<PreflightProblem> problems) {
    return problems.stream().map(PreflightProblem::where).toList();
  }

  @Test
  void aPlainPlanForEveryCatalogModelAndAlias_passes() {
    for (String m : List.of("gemini-2.5-flash", "gemini-2.5-flash-001", "gemini-2.5-pro", "gemini-2.5-flash-lite")) {
      assertThat(VertexPreflight.check(config(Map.of()), plan(m).build())).as(m).isEmpty();
    }
  }

  @Test
  void reinforcementFineTuningIsRefusedOffline() {
    List<PreflightProblem> p = VertexPreflight.check(config(Map.of()), plan("gemini-2.5-flash")
        .method(TrainingMethod.REINFORCEMENT).kind(DatasetKind.PROMPTS)
        .grader(dev.tunekit.spi.RewardGrader.lambda("arn:aws:lambda:us-east-1:123456789012:function:f")).build());
    assertThat(where(p)).containsExactly("method");
    assertThat(p.get(0).problem()).contains("REINFORCEMENT");
  }

  @Test
  void aDiscontinuedModelIsRefusedOfflineWithTheDateAndCurrentOnes() {
    // Google's model pages: Gemini 2.0 Flash and Flash-Lite were discontinued on 2026-06-01.
    for (String m : List.of("gemini-2.0-flash", "gemini-2.0-flash-lite-001")) {
      List<PreflightProblem> p = VertexPreflight.check(config(Map.of()), plan(m).build());
      assertThat(where(p)).as(m).containsExactly("model");
      assertThat(p.get(0).problem()).contains("discontinued on 2026-06-01");
      assertThat(p.get(0).fix()).contains("gemini-2.5-flash").doesNotContain("gemini-2.0");
    }
  }

  @Test
  void everyProblemIsListed_withWhereAndHowToFix() {
    JobPlan bad = plan("gemini-1.0-pro").method(TrainingMethod.DPO).kind(DatasetKind.PREFERENCE)
        .hyperparameters(Hyperparameters.builder().epochs(3).learningRateMultiplier(11).batchSize(8)
            .extra("adapterSize", 3).extra("warmup", 0.1).build())
        .validationExamples(5001).build();
    List<PreflightProblem> p = VertexPreflight.check(config(Map.of("project", "My Project", "bucket", "",
        "location", "moon")), bad);
    assertThat(where(p)).containsExactlyInAnyOrder("model", "method",
        "hyperparameters.learningRateMultiplier", "hyperparameters.batchSize", "hyperparameters.warmup",
        "hyperparameters.adapterSize", "validationData", "providers.vertex.project", "providers.vertex.location",
        "providers.vertex.bucket");
    assertThat(p).allSatisfy(x -> assertThat(x.fix()).isNotBlank());
    assertThat(p.stream().filter(x -> x.where().equals("model")).findFirst().orElseThrow().fix())
        .contains("gemini-2.5-flash");
    assertThat(p.stream().filter(x -> x.where().startsWith("providers.")).map(x -> x.fileLocation().orElse("")))
        .containsOnly("tunekit.yaml");
  }

  @Test
  void adapterSize_isCheckedAgainstTheModelsOwnSizes() {
    JobPlan pro16 = plan("gemini-2.5-pro").hyperparameters(Hyperparameters.builder().extra("adapterSize", 16).build()).build();
    JobPlan flash16 = plan("gemini-2.5-flash").hyperparameters(Hyperparameters.builder().extra("adapterSize", "ADAPTER_SIZE_SIXTEEN").build()).build();
    assertThat(where(VertexPreflight.check(config(Map.of()), pro16))).containsExactly("hyperparameters.adapterSize");
    assertThat(VertexPreflight.check(config(Map.of()), flash16)).isEmpty();
  }

  @Test
  void tooFewTrainingExamples_isAProblem() {
    assertThat(where(VertexPreflight.check(config(Map.of()), plan("gemini-2.5-flash").trainingExamples(0).build())))
        .containsExactly("trainingData");
  }

  @Test
  void theFactoryContributesCatalogFormatAndConverter_andDeclaresItsSettings() {
    VertexProviderFactory f = new VertexProviderFactory();
    assertThat(f.catalog("vertex")).get().satisfies(c -> assertThat(c.modelIds()).contains("gemini-2.5-flash"));
    assertThat(f.catalog("openai")).isEmpty();
    assertThat(f.converter(GeminiFormat.FORMAT)).isPresent();
    assertThat(f.settingKeys("vertex").stream().map(s -> s.key()))
        .containsExactly("project", "location", "bucket", "prefix", "labels", "callTimeout", "endpoint");
    assertThat(GeminiFormat.LIMITS.maxValidationExamples()).isEqualTo(5000);
    assertThat(GeminiFormat.LIMITS.adapterSizes()).containsEntry("gemini-2.5-flash", List.of(1, 2, 4, 8, 16));
    // gemini-supervised-tuning: 2.5 Pro and 2.0 Flash / Flash-Lite list adapter sizes 1, 2, 4, 8 (no 16)
    assertThat(GeminiFormat.LIMITS.adapterSizes()).containsEntry("gemini-2.5-pro", List.of(1, 2, 4, 8))
        .containsEntry("gemini-2.0-flash-001", List.of(1, 2, 4, 8)).containsEntry("gemini-2.0-flash-lite-001", List.of(1, 2, 4, 8));
  }
}
