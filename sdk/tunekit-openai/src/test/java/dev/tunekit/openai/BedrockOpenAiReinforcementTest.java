package dev.tunekit.openai;

import static dev.tunekit.openai.OpenAiWireMock.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.RewardGrader;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reinforcement fine-tuning on {@code bedrock-openai}: the OpenAI-shaped method with Bedrock's Lambda grader
 * ({@code method: {type: reinforcement, reinforcement: {grader: {type: lambda, lambda: {function: ARN}},
 * hyperparameters}}}); on {@code openai} an exact match as its {@code string_check} grader (o4-mini); and the
 * preflight of every OpenAI flavor.
 */
class BedrockOpenAiReinforcementTest {
  static final String ARN = "arn:aws:lambda:us-west-2:123456789012:function:score-answer";
  /** FineTuneReinforcementMethod's properties in openai-openapi.yaml (grader required). */
  static final Set<String> METHOD_KEYS = Set.of("grader", "hyperparameters");
  /** FineTuneReinforcementHyperparameters' properties in openai-openapi.yaml. */
  static final Set<String> HYPERPARAMETER_KEYS = Set.of("batch_size", "learning_rate_multiplier", "n_epochs",
      "reasoning_effort", "compute_multiplier", "eval_interval", "eval_samples");

  OpenAiWireMock api;

  @BeforeEach
  void start() {
    api = OpenAiWireMock.start();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private static TuningProvider provider(String flavor, Map<String, Object> values) {
    return new OpenAiProviderFactory().create(
        ProviderSettings.of(flavor, "tunekit.yaml", Path.of("target", "tunekit-work"), values));
  }

  static JobRequest request(Hyperparameters h) {
    return OpenAiLifecycleTest.request(TrainingMethod.REINFORCEMENT).toBuilder().hyperparameters(h)
        .grader(RewardGrader.lambda(ARN)).build();
  }

  @Test
  void theCreateCallSendsTheReinforcementMethodWithTheLambdaGrader() throws Exception {
    api.stubCreateJob(job("ftjob-rft", "validating_files"));
    try (TuningProvider p = provider("bedrock-openai", Map.of("baseUrl", api.baseUrl(), "apiKey",
        BedrockOpenAiTest.BEDROCK_KEY, "timeout", "10s"))) {
      p.createJob(request(Hyperparameters.builder().epochs(2).batchSize(8).learningRateMultiplier(0.5)
          .extra("compute_multiplier", "2.5").extra("reasoning_effort", "low").extra("eval_interval", 10).build()));
    }
    JsonNode body = WorkflowStubs.body(api.requests("POST", "/fine_tuning/jobs").get(0));
    JsonNode method = body.path("method");
    assertThat(method.path("type").asText()).isEqualTo("reinforcement");
    assertThat(method.has("supervised") || method.has("dpo")).isFalse();
    JsonNode rft = method.path("reinforcement");
    assertThat(iterable(rft)).isSubsetOf(METHOD_KEYS).contains("grader");
    assertThat(rft.path("grader")).isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        "{\"type\":\"lambda\",\"lambda\":{\"function\":\"" + ARN + "\"}}"));
    JsonNode hp = rft.path("hyperparameters");
    assertThat(iterable(hp)).isSubsetOf(HYPERPARAMETER_KEYS);
    assertThat(hp.path("n_epochs").asInt()).isEqualTo(2);
    assertThat(hp.path("batch_size").asInt()).isEqualTo(8);
    assertThat(hp.path("learning_rate_multiplier").asDouble()).isEqualTo(0.5);
    assertThat(hp.path("compute_multiplier").isNumber()).as("a number, not the text of tunekit.yaml").isTrue();
    assertThat(hp.path("compute_multiplier").asDouble()).isEqualTo(2.5);
    assertThat(hp.path("reasoning_effort").asText()).isEqualTo("low");
    assertThat(hp.path("eval_interval").asInt()).isEqualTo(10);
    assertThat(body.has("suffix")).isFalse();
    assertThat(body.path("metadata").path(JobRequest.IDEMPOTENCY_METADATA_KEY).asText())
        .isEqualTo(OpenAiLifecycleTest.KEY); // found again after an unknown outcome, as for every method
  }

  @Test
  void preflightTakesReinforcementWhereTheFlavorOffersIt_andOnlyTheGradersAndHyperparametersItHas() {
    JobPlan good = JobPlan.builder().baseModel(BedrockOpenAiTest.MODEL).method(TrainingMethod.REINFORCEMENT)
        .grader(RewardGrader.lambda(ARN)).hyperparameters(Hyperparameters.builder().epochs(2)
            .extra("compute_multiplier", 1.5).extra("eval_samples", "auto").build()).build();
    Map<String, Object> bedrock = Map.of("region", "us-west-2", "apiKey", BedrockOpenAiTest.BEDROCK_KEY);
    try (TuningProvider p = provider("bedrock-openai", bedrock)) {
      assertThat(p.preflight(good)).isEmpty();
      assertThat(p.preflight(JobPlan.builder().baseModel(BedrockOpenAiTest.MODEL).method(TrainingMethod.REINFORCEMENT)
          .grader(RewardGrader.lambda(ARN)).trainingExamples(99).build()))
          .extracting(PreflightProblem::where, PreflightProblem::problem).containsExactly(org.assertj.core.groups.Tuple
              .tuple("trainingData", "the training file to upload has 99 prompt(s) (after the validation split);"
                  + " Bedrock's reinforcement fine-tuning takes 100 to 20000"));
      assertThat(p.preflight(JobPlan.builder().baseModel(BedrockOpenAiTest.MODEL).method(TrainingMethod.REINFORCEMENT)
          .grader(RewardGrader.lambda(ARN)).trainingExamples(100).build())).isEmpty();
      List<PreflightProblem> bad = p.preflight(JobPlan.builder().baseModel(BedrockOpenAiTest.MODEL)
          .method(TrainingMethod.REINFORCEMENT).grader(RewardGrader.lambda(ARN))
          .hyperparameters(Hyperparameters.builder().extra("beta", 0.1).extra("reasoning_effort", "max")
              .extra("compute_multiplier", 0).extra("eval_interval", "often").build()).build());
      assertThat(bad).extracting(PreflightProblem::where).containsExactlyInAnyOrder("hyperparameters.beta",
          "hyperparameters.reasoning_effort", "hyperparameters.compute_multiplier", "hyperparameters.eval_interval");
      assertThat(bad.stream().filter(x -> x.where().equals("hyperparameters.beta")).findFirst().orElseThrow().problem())
          .contains("reinforcement fine-tuning has no hyperparameter beta");
    }
    try (TuningProvider openai = provider("openai", Map.of("apiKey", "sk-test"));
        TuningProvider azure = provider("azure", Map.of("apiKey", "k", "endpoint", "https://x.openai.azure.com"))) {
      JobPlan.Builder onOpenAi = JobPlan.builder().baseModel("o4-mini-2025-04-16").method(TrainingMethod.REINFORCEMENT)
          .grader(RewardGrader.exactMatch("reference_answer")).plannedAt(java.time.Instant.parse("2026-12-01T00:00:00Z"));
      assertThat(openai.preflight(onOpenAi.build())).isEmpty();
      assertThat(openai.preflight(onOpenAi.baseModel("gpt-4o-mini-2024-07-18").build()))
          .extracting(PreflightProblem::where, PreflightProblem::problem).containsExactly(org.assertj.core.groups.Tuple
              .tuple("method", "OpenAI offers reinforcement fine-tuning for o4-mini-2025-04-16, not gpt-4o-mini-2024-07-18"));
      assertThat(openai.preflight(onOpenAi.baseModel("o4-mini-2025-04-16").grader(RewardGrader.lambda(ARN)).build()))
          .extracting(PreflightProblem::where).containsExactly("grader");
      // From 2027-01-06 OpenAI takes no new job, reinforcement included.
      assertThat(openai.preflight(onOpenAi.grader(RewardGrader.exactMatch("reference_answer"))
          .plannedAt(java.time.Instant.parse("2027-01-06T00:00:00Z")).build())).isNotEmpty();
      assertThat(azure.preflight(onOpenAi.plannedAt(java.time.Instant.parse("2026-12-01T00:00:00Z")).build()))
          .extracting(PreflightProblem::where, PreflightProblem::problem).containsExactly(org.assertj.core.groups.Tuple
              .tuple("method", "azure fine-tuning has the SUPERVISED and DPO methods, not REINFORCEMENT (in Tunekit)"));
    }
    try (TuningProvider p = provider("bedrock-openai", bedrock)) {
      assertThat(p.preflight(JobPlan.builder().baseModel(BedrockOpenAiTest.MODEL).method(TrainingMethod.REINFORCEMENT)
          .grader(RewardGrader.exactMatch("reference_answer")).build())).extracting(PreflightProblem::where)
          .containsExactly("grader");
    }
    assertThat(api.server().getAllServeEvents()).isEmpty(); // offline
  }

  @Test
  void onOpenAiAnExactMatchGoesAsItsStringCheckGrader() throws Exception {
    api.stubCreateJob(job("ftjob-rft", "validating_files"));
    try (TuningProvider p = new OpenAiProviderFactory().create(api.settings("openai", Map.of()))) {
      p.createJob(OpenAiLifecycleTest.request(TrainingMethod.REINFORCEMENT).toBuilder().baseModel("o4-mini-2025-04-16")
          .hyperparameters(Hyperparameters.builder().epochs(1).extra("reasoning_effort", "medium").build())
          .grader(RewardGrader.exactMatch("reference_answer")).build());
    }
    JsonNode rft = WorkflowStubs.body(api.requests("POST", "/fine_tuning/jobs").get(0)).path("method");
    assertThat(rft.path("type").asText()).isEqualTo("reinforcement");
    assertThat(iterable(rft.path("reinforcement"))).isSubsetOf(METHOD_KEYS);
    // GraderStringCheck in openai-openapi.yaml: type, name, input, reference, operation, all required.
    assertThat(rft.path("reinforcement").path("grader")).isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree("{\"type\":\"string_check\",\"name\":\"exact_match\",\"input\":\"{{sample.output_text}}\","
            + "\"reference\":\"{{item.reference_answer}}\",\"operation\":\"eq\"}"));
    assertThat(rft.path("reinforcement").path("hyperparameters").path("reasoning_effort").asText()).isEqualTo("medium");
  }

  @Test
  void aReinforcementRequestWithoutAGraderNeverLeavesTheMachine() {
    try (TuningProvider p = provider("bedrock-openai", Map.of("baseUrl", api.baseUrl(), "apiKey",
        BedrockOpenAiTest.BEDROCK_KEY))) {
      assertThatThrownBy(() -> p.createJob(OpenAiLifecycleTest.request(TrainingMethod.REINFORCEMENT)))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("needs a reward grader");
    }
    assertThat(api.count("POST", "/fine_tuning/jobs")).isZero();
  }

  private static List<String> iterable(JsonNode n) {
    List<String> out = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
