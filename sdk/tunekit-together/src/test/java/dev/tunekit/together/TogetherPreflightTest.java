package dev.tunekit.together;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TrainingMethod;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Together's offline preflight: every rule names where the problem is and how to fix it, and nothing is sent. */
class TogetherPreflightTest {
  @TempDir Path dir;

  private TogetherConfig config(Map<String, Object> settings) {
    return TogetherConfig.from(ProviderSettings.of("together", "tunekit.yaml", dir, settings));
  }

  private List<PreflightProblem> check(UnaryOperator<JobPlan.Builder> plan) {
    return TogetherPreflight.check(config(Map.of("apiKey", "k")), plan.apply(JobPlan.builder()
        .baseModel(TogetherFakes.BASE_MODEL).method(TrainingMethod.SUPERVISED).trainingExamples(100).validationExamples(0))
        .build());
  }

  private static Hyperparameters hp(UnaryOperator<Hyperparameters.Builder> h) {
    return h.apply(Hyperparameters.builder()).build();
  }

  private static List<String> where(List<PreflightProblem> ps) {
    return ps.stream().map(PreflightProblem::where).toList();
  }

  @Test
  void aPlainPlan_withEveryKnobInRange_passes() {
    assertThat(check(p -> p.hyperparameters(hp(h -> h.epochs(3).batchSize(16).seed(7).extra("learningRate", 2e-5)
        .extra("loraR", 16).extra("loraAlpha", 32).extra("loraDropout", 0.05).extra("nCheckpoints", 2)
        .extra("warmupRatio", 0.1))).suffix("support-bot"))).isEmpty();
  }

  @Test
  void anAlias_resolvesToItsModel() {
    assertThat(check(p -> p.baseModel("meta-llama/Meta-Llama-3.1-8B-Instruct"))).isEmpty();
  }

  @Test
  void anUnknownModel_isRefused_withTheCatalogsModels() {
    List<PreflightProblem> ps = check(p -> p.baseModel("gpt-4o-mini"));
    assertThat(where(ps)).containsExactly("model");
    assertThat(ps.get(0).fix()).contains("Qwen/Qwen2.5-7B-Instruct", "models.json");
  }

  @Test
  void outOfRangeHyperparameters_areEachNamed() {
    List<PreflightProblem> ps = check(p -> p.hyperparameters(hp(h -> h.epochs(21).batchSize(64).learningRateMultiplier(2)
        .extra("learningRate", 0.5).extra("loraR", 128).extra("loraDropout", 1.0).extra("nCheckpoints", 0)
        .extra("warmupRatio", 2).extra("adapterSize", 4))));
    assertThat(where(ps)).containsExactlyInAnyOrder("hyperparameters.epochs", "hyperparameters.batchSize",
        "hyperparameters.learningRateMultiplier", "hyperparameters.learningRate", "hyperparameters.loraR",
        "hyperparameters.loraDropout", "hyperparameters.nCheckpoints", "hyperparameters.warmupRatio",
        "hyperparameters.adapterSize");
    assertThat(ps.stream().filter(p -> p.where().equals("hyperparameters.learningRateMultiplier")).findFirst().orElseThrow()
        .fix()).contains("learningRate");
  }

  @Test
  void loraParameters_withFullTraining_andAnUnknownType_areRefused() {
    assertThat(where(check(p -> p.hyperparameters(hp(h -> h.extra("trainingType", "full").extra("loraR", 8))))))
        .containsExactly("hyperparameters.loraR");
    assertThat(where(check(p -> p.hyperparameters(hp(h -> h.extra("trainingType", "qlora"))))))
        .containsExactly("hyperparameters.trainingType");
    assertThat(where(check(p -> p.hyperparameters(hp(h -> h.extra("loraR", "eight"))))))
        .containsExactly("hyperparameters.loraR");
  }

  @Test
  void evalsWithoutValidationData_areRefused() {
    assertThat(where(check(p -> p.hyperparameters(hp(h -> h.extra("nEvals", 5)))))).containsExactly("hyperparameters.nEvals");
    assertThat(check(p -> p.validationExamples(20).hyperparameters(hp(h -> h.extra("nEvals", 5))))).isEmpty();
  }

  @Test
  void theMethod_mustMatchTheDataset() {
    assertThat(where(check(p -> p.method(TrainingMethod.DPO).kind(DatasetKind.CHAT)))).containsExactly("method");
    assertThat(check(p -> p.method(TrainingMethod.DPO))).isEmpty();
    assertThat(where(check(p -> p.method(TrainingMethod.CONTINUED_PRE_TRAINING).kind(DatasetKind.CHAT))))
        .containsExactly("method");
    assertThat(where(check(p -> p.method(TrainingMethod.REINFORCEMENT).kind(DatasetKind.PROMPTS)
        .grader(dev.tunekit.spi.RewardGrader.lambda("arn:aws:lambda:us-east-1:123456789012:function:f")))))
        .containsExactly("method");
  }

  @Test
  void aSuffix_mustLeaveRoomForTheKeysTag() {
    assertThat(where(check(p -> p.suffix("a-very-long-suffix-for-a-bot")))).containsExactly("suffix");
    assertThat(where(check(p -> p.suffix("bot/v2")))).containsExactly("suffix");
  }

  @Test
  void tooFewExamples_areRefused() {
    assertThat(where(check(p -> p.trainingExamples(0)))).containsExactly("trainingData");
  }

  @Test
  void aMissingApiKey_isNamedWithItsFile_andHowToSetIt() {
    List<PreflightProblem> ps = TogetherPreflight.check(config(Map.of()), JobPlan.builder()
        .baseModel(TogetherFakes.BASE_MODEL).method(TrainingMethod.SUPERVISED).build());
    assertThat(ps).singleElement().satisfies(p -> {
      assertThat(p.location()).isEqualTo("tunekit.yaml");
      assertThat(p.where()).isEqualTo("providers.together.apiKey");
      assertThat(p.fix()).contains("${TOGETHER_API_KEY}");
    });
  }
}
