package dev.tunekit.fireworks;

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

/** Fireworks' offline preflight: every rule names where the problem is and how to fix it, and nothing is sent. */
class FireworksPreflightTest {
  @TempDir Path dir;

  private FireworksConfig config(Map<String, Object> settings) {
    return FireworksConfig.from(ProviderSettings.of("fireworks", "tunekit.yaml", dir, settings));
  }

  private List<PreflightProblem> check(UnaryOperator<JobPlan.Builder> plan) {
    return FireworksPreflight.check(config(Map.of("apiKey", "k", "accountId", "acme")), plan.apply(JobPlan.builder()
        .baseModel(FireworksFakes.BASE_MODEL).method(TrainingMethod.SUPERVISED).trainingExamples(100).validationExamples(0))
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
    assertThat(check(p -> p.validationExamples(10).hyperparameters(hp(h -> h.epochs(3).batchSize(16)
        .extra("learningRate", 1e-4).extra("loraRank", 16).extra("maxContextLength", 8192).extra("earlyStop", true)
        .extra("learningRateWarmupSteps", 10).extra("gradientAccumulationSteps", 2))).suffix("support-bot"))).isEmpty();
  }

  @Test
  void aShortId_resolvesToItsModel() {
    assertThat(check(p -> p.baseModel("llama-v3p1-8b-instruct"))).isEmpty();
  }

  @Test
  void anUnknownModel_isRefused_withTheCatalogsModels() {
    List<PreflightProblem> ps = check(p -> p.baseModel("gpt-4o-mini"));
    assertThat(where(ps)).containsExactly("model");
    assertThat(ps.get(0).fix()).contains("accounts/fireworks/models/qwen2p5-7b-instruct", "models.json");
  }

  @Test
  void outOfRangeHyperparameters_areEachNamed() {
    List<PreflightProblem> ps = check(p -> p.hyperparameters(hp(h -> h.epochs(11).batchSize(2048).learningRateMultiplier(2)
        .seed(7).extra("learningRate", 0.5).extra("loraRank", 12).extra("maxContextLength", 200_000)
        .extra("gradientAccumulationSteps", 0).extra("loraR", 8))));
    assertThat(where(ps)).containsExactlyInAnyOrder("hyperparameters.epochs", "hyperparameters.batchSize",
        "hyperparameters.learningRateMultiplier", "hyperparameters.seed", "hyperparameters.learningRate",
        "hyperparameters.loraRank", "hyperparameters.maxContextLength", "hyperparameters.gradientAccumulationSteps",
        "hyperparameters.loraR");
    assertThat(ps.stream().filter(p -> p.where().equals("hyperparameters.loraRank")).findFirst().orElseThrow().problem())
        .contains("[4, 8, 16, 32, 64]");
  }

  @Test
  void theLoraRank_isCappedByTheModel() {
    assertThat(where(check(p -> p.baseModel("llama-v3p1-70b-instruct").hyperparameters(hp(h -> h.extra("loraRank", 64))))))
        .containsExactly("hyperparameters.loraRank");
    assertThat(check(p -> p.baseModel("llama-v3p1-70b-instruct").hyperparameters(hp(h -> h.extra("loraRank", 32))))).isEmpty();
  }

  @Test
  void earlyStopping_needsValidationData_andABoolean() {
    assertThat(where(check(p -> p.hyperparameters(hp(h -> h.extra("earlyStop", true)))))).containsExactly("hyperparameters.earlyStop");
    assertThat(where(check(p -> p.validationExamples(5).hyperparameters(hp(h -> h.extra("earlyStop", "sometimes"))))))
        .containsExactly("hyperparameters.earlyStop");
  }

  @Test
  void onlySupervisedChatData_isTuned() {
    assertThat(where(check(p -> p.method(TrainingMethod.DPO).kind(DatasetKind.PREFERENCE)))).containsExactly("method");
    assertThat(where(check(p -> p.kind(DatasetKind.PREFERENCE)))).containsExactly("method");
    assertThat(where(check(p -> p.method(TrainingMethod.REINFORCEMENT).kind(DatasetKind.PROMPTS)
        .grader(dev.tunekit.spi.RewardGrader.lambda("arn:aws:lambda:us-east-1:123456789012:function:f")))))
        .containsExactly("method");
  }

  @Test
  void aSuffix_mustLeaveRoomForTheKeysTag() {
    assertThat(where(check(p -> p.suffix("a-very-long-suffix-for-a-support-bot-v2-x")))).containsExactly("suffix");
    assertThat(check(p -> p.suffix("Support Bot v2"))).isEmpty();
  }

  @Test
  void tooFewExamples_areRefused() {
    assertThat(where(check(p -> p.trainingExamples(2)))).containsExactly("trainingData");
    assertThat(check(p -> p.trainingExamples(3))).isEmpty();
  }

  @Test
  void aMissingApiKeyAndAccount_areNamedWithTheirFile_andHowToSetThem() {
    List<PreflightProblem> ps = FireworksPreflight.check(config(Map.of()), JobPlan.builder()
        .baseModel(FireworksFakes.BASE_MODEL).method(TrainingMethod.SUPERVISED).build());
    assertThat(ps).extracting(PreflightProblem::where).containsExactly("providers.fireworks.apiKey",
        "providers.fireworks.accountId");
    assertThat(ps).allSatisfy(p -> assertThat(p.location()).isEqualTo("tunekit.yaml"));
    assertThat(ps.get(0).fix()).contains("${FIREWORKS_API_KEY}");
    assertThat(ps.get(1).fix()).contains("${FIREWORKS_ACCOUNT_ID}");
  }
}
