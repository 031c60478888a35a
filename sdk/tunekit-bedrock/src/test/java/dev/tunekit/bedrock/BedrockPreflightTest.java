package dev.tunekit.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.Graders;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.PreflightProblem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preflight on Bedrock: the model (aliases resolved to the fine-tuning id), hyperparameter ranges,
 * {@code roleArn}, {@code bucket} and {@code region} syntax and the model's fewest examples are checked
 * before the baseline and the upload; a bad plan is rejected with one error listing every problem, and
 * neither the Bedrock endpoint nor S3 sees a request.
 */
class BedrockPreflightTest {
  private static LoopbackAws aws;

  @TempDir Path tmp;
  private Path data;

  @BeforeAll
  static void startAws() throws Exception {
    aws = new LoopbackAws();
  }

  @AfterAll
  static void stopAws() throws Exception {
    aws.close();
  }

  @BeforeEach
  void freshWorld() throws Exception {
    aws.reset();
    data = Datasets.chat(tmp.resolve("support.jsonl"), 12);
  }

  private Tunekit open(Consumer<Map<String, Object>> edit) {
    Map<String, Object> settings = new LinkedHashMap<>(aws.settings());
    edit.accept(settings);
    Tunekit.Builder b = Tunekit.builder().provider("bedrock");
    settings.forEach(b::setting);
    return b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(3, Duration.ofMillis(1), Duration.ofMillis(10), 2.0).build();
  }

  private static EvalSuite suite() {
    return EvalSuite.of("s", EvalCase.of("c1", "q1", "a1"), EvalCase.of("c2", "q2", "a2")).withGrader(Graders.exactMatch());
  }

  private static void assertNoRequest() {
    assertThat(aws.wm.getAllServeEvents()).isEmpty(); // Bedrock control plane and runtime (no baseline chat)
    assertThat(aws.allCalls()).isZero(); // S3
  }

  @Test
  void badHyperparametersAndMalformedSettingsAreAllListedInOneErrorWithoutARequest() {
    try (Tunekit tk = open(s -> {
      s.put("roleArn", "arn:aws:iam::1234:role/TunekitBedrockTest"); // 4-digit account
      s.put("bucket", "Tunekit_Test");
      s.put("region", "useast1");
    })) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model(Fixtures.NOVA).trainingData(data)
          .hyperparameters(h -> h.epochs(9).learningRateMultiplier(0.5)).evaluateWith(suite()).baselinePrompt("Answer.")
          .start(), PreflightException.class);

      assertThat(e).isNotNull();
      assertThat(e.problems()).extracting(PreflightProblem::where).containsExactly("hyperparameters.epochs",
          "hyperparameters.learningRateMultiplier", "providers.bedrock.roleArn",
          "providers.bedrock.bucket", "providers.bedrock.region");
      assertThat(e.getMessage()).contains("5 problems", "between 1..5", "was 9", "is not an IAM role ARN",
          "'Tunekit_Test' is not a valid S3 bucket name", "'useast1' is not an AWS region code");
      assertThat(e.location()).contains("Tunekit.builder()"); // where the settings were read from
      assertThat(e.getMessage()).contains("Tunekit.builder(): providers.bedrock.roleArn: is not an IAM role ARN");
      assertNoRequest();
      assertThat(tk.run(e.runId().orElseThrow()).state()).isEqualTo(RunState.REJECTED);
    }
  }

  @Test
  void anUnknownModelAndAMissingRoleAreRefusedWithoutARequest() {
    try (Tunekit tk = open(s -> s.remove("roleArn"))) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("amazon.nova-mikro-v1:0").trainingData(data)
          .start(), PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("'amazon.nova-mikro-v1:0' is not a base model Bedrock can fine-tune",
          "amazon.nova-micro-v1:0:128k", "roleArn: is required to create a customization job");
      assertNoRequest();
    }
  }

  @Test
  void tooFewExamplesForTheModelAfterTheSplitAreRefusedWithoutARequest() throws Exception {
    // Claude 3 Haiku needs 32: 40 pass validation, but 30 would be uploaded for training.
    Path forty = Datasets.chat(tmp.resolve("forty.jsonl"), 40);
    try (Tunekit tk = open(s -> {})) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("claude-3-haiku").trainingData(forty)
          .validationSplit(0.25, 7).start(), PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("has 30 example(s) (after the validation split)", "needs at least 32");
      assertNoRequest();
    }
  }

  @Test
  void aliasesResolveToTheCatalogsFineTuningId() throws Exception {
    try (BedrockProvider p = Fixtures.provider(tmp, new LinkedHashMap<>(aws.settings()))) {
      for (String alias : new String[] {"nova-micro", "amazon.nova-micro-v1:0", Fixtures.NOVA,
          "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0:128k"}) {
        assertThat(p.preflight(JobPlan.builder().baseModel(alias).trainingExamples(12)
            .hyperparameters(Hyperparameters.builder().epochs(2).build()).build())).as(alias).isEmpty();
      }
      // Out of Nova's range through the alias too: the alias is Nova's family, not "any other model".
      assertThat(p.preflight(JobPlan.builder().baseModel("nova-micro")
          .hyperparameters(Hyperparameters.builder().epochs(9).build()).build()))
          .extracting(PreflightProblem::where).containsExactly("hyperparameters.epochs");
      assertThat(p.toCreateRequest(Fixtures.request("k1", Hyperparameters.defaults()).toBuilder()
          .baseModel("amazon.nova-micro-v1:0").build()).baseModelIdentifier()).isEqualTo(Fixtures.NOVA);
      assertThat(p.trainingFormat("titan-text-express", DatasetKind.CHAT)).isEqualTo(BedrockFormats.PROMPT_COMPLETION);
    }
    assertNoRequest();
  }
}
