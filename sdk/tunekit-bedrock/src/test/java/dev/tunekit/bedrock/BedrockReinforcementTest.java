package dev.tunekit.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.Tunekit;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.RewardGrader;
import dev.tunekit.spi.TrainingMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.bedrock.model.CreateModelCustomizationJobRequest;
import software.amazon.awssdk.services.bedrock.model.CustomizationType;
import software.amazon.awssdk.services.bedrock.model.ReasoningEffort;

/**
 * Reinforcement fine-tuning on Bedrock's own API: CreateModelCustomizationJob with customizationType
 * REINFORCEMENT_FINE_TUNING and customizationConfig.rftConfig (the Lambda grader and RFTHyperParameters), for the
 * models the catalog marks; every other model, grader kind and hyperparameter is refused before any request.
 */
class BedrockReinforcementTest {
  static final String ARN = "arn:aws:lambda:us-east-1:123456789012:function:score-answer";
  static final String RFT_MODEL = "amazon.nova-2-lite-v1:0:256k";
  private static LoopbackAws aws;
  private static BedrockStubs bedrock;
  @TempDir Path tmp;

  @BeforeAll
  static void startAws() throws Exception {
    aws = new LoopbackAws();
    bedrock = new BedrockStubs(aws.wm);
  }

  @AfterAll
  static void stopAws() throws Exception {
    aws.close();
  }

  @BeforeEach
  void fresh() {
    aws.reset();
  }

  private Path prompts(int n) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add("{\"messages\":[{\"role\":\"user\",\"content\":\"What is " + i + " + 1?\"}],\"reference_answer\":\""
          + (i + 1) + "\"}");
    }
    return Files.write(tmp.resolve("prompts.jsonl"), lines);
  }

  private static JobRequest request(String model, Hyperparameters h) {
    return JobRequest.builder().runId("run-1").idempotencyKey("k").baseModel(model)
        .method(TrainingMethod.REINFORCEMENT).trainingFileId("s3://b/t.jsonl").validationFileId(Optional.empty())
        .hyperparameters(h).grader(RewardGrader.lambda(ARN)).build();
  }

  @Test
  void theCreateRequestCarriesTheRftConfigWithTheLambdaGraderAndItsHyperparameters() {
    try (BedrockProvider p = Fixtures.provider(tmp, new LinkedHashMap<>(aws.settings()))) {
      CreateModelCustomizationJobRequest r = p.toCreateRequest(request("nova-2-lite", Hyperparameters.builder()
          .epochs(2).batchSize(16).extra("learningRate", "0.00001").extra("reasoningEffort", "high")
          .extra("trainingSamplePerPrompt", 4).extra("maxPromptLength", "2048").build()));
      assertThat(r.customizationType()).isEqualTo(CustomizationType.REINFORCEMENT_FINE_TUNING);
      assertThat(r.baseModelIdentifier()).isEqualTo(RFT_MODEL);
      assertThat(r.customizationConfig().rftConfig().graderConfig().lambdaGrader().lambdaArn()).isEqualTo(ARN);
      var hp = r.customizationConfig().rftConfig().hyperParameters();
      assertThat(hp.epochCount()).isEqualTo(2);
      assertThat(hp.batchSize()).isEqualTo(16);
      assertThat(hp.learningRate()).isEqualTo(0.00001f);
      assertThat(hp.reasoningEffort()).isEqualTo(ReasoningEffort.HIGH);
      assertThat(hp.trainingSamplePerPrompt()).isEqualTo(4);
      assertThat(hp.maxPromptLength()).isEqualTo(2048);
      assertThat(r.hasHyperParameters()).as("RFT's values go in rftConfig, not the string map").isFalse();
      assertThat(r.clientRequestToken()).isNotBlank(); // idempotency as for every method
      assertThat(p.trainingFormat(RFT_MODEL, DatasetKind.PROMPTS)).isEqualTo(DatasetFormat.PROMPT_JSONL);
      assertThatThrownBy(() -> p.toCreateRequest(request(RFT_MODEL, Hyperparameters.builder().extra("beta", 1).build())))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("no hyperparameter beta");
    }
  }

  @Test
  void preflightRefusesModelsTheCatalogDoesNotMark_andHyperparametersRftDoesNotHave() {
    try (BedrockProvider p = Fixtures.provider(tmp, new LinkedHashMap<>(aws.settings()))) {
      JobPlan ok = JobPlan.builder().baseModel("nova-2-lite").method(TrainingMethod.REINFORCEMENT)
          .grader(RewardGrader.lambda(ARN)).trainingExamples(100).build();
      assertThat(p.preflight(ok)).isEmpty();
      List<PreflightProblem> micro = p.preflight(JobPlan.builder().baseModel(Fixtures.NOVA)
          .method(TrainingMethod.REINFORCEMENT).grader(RewardGrader.lambda(ARN)).trainingExamples(100).build());
      assertThat(micro).extracting(PreflightProblem::where).containsExactly("method");
      assertThat(micro.get(0).problem()).contains("reinforcement fine-tuning is not offered for " + Fixtures.NOVA);
      assertThat(micro.get(0).fix()).contains(RFT_MODEL);
      List<PreflightProblem> bad = p.preflight(JobPlan.builder().baseModel(RFT_MODEL).method(TrainingMethod.REINFORCEMENT)
          .grader(RewardGrader.lambda(ARN)).trainingExamples(60).hyperparameters(Hyperparameters.builder()
              .learningRateMultiplier(0.5).extra("reasoningEffort", "max").extra("evalInterval", 0)
              .extra("learningRateWarmupSteps", 5).build()).build());
      assertThat(bad).extracting(PreflightProblem::where).containsExactlyInAnyOrder(
          "hyperparameters.learningRateMultiplier", "hyperparameters.reasoningEffort", "hyperparameters.evalInterval",
          "hyperparameters.learningRateWarmupSteps", "trainingData");
    }
    assertThat(aws.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void aWholeRunUploadsThePromptsAndCreatesTheRftJob() throws Exception {
    bedrock.createSucceeds();
    Tunekit.Builder b = Tunekit.builder().provider("bedrock");
    aws.settings().forEach(b::setting);
    try (Tunekit tk = b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(3, Duration.ofMillis(1), Duration.ofMillis(10), 2.0).build()) {
      tk.fineTune().model("nova-2-lite").trainingData(prompts(100)).grader(RewardGrader.lambda(ARN)).start();
    }
    List<JsonNode> creates = bedrock.createBodies();
    assertThat(creates).hasSize(1);
    JsonNode body = creates.get(0);
    assertThat(body.path("customizationType").asText()).isEqualTo("REINFORCEMENT_FINE_TUNING");
    assertThat(body.path("customizationConfig")).isEqualTo(new ObjectMapper().readTree(
        "{\"rftConfig\":{\"graderConfig\":{\"lambdaGrader\":{\"lambdaArn\":\"" + ARN + "\"}},\"hyperParameters\":{}}}"));
    assertThat(body.has("hyperParameters")).isFalse();
  }
}
