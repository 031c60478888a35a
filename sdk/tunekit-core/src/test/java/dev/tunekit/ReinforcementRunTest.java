package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.RewardGrader;
import dev.tunekit.spi.TrainingMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reinforcement fine-tuning through the neutral API: prompt data chooses the method, the grader travels from
 * {@code FineTune.grader} (or the section's {@code grader:}) through the ledger to the plan and the request, and
 * the neutral rules (a grader is needed, and fits prompt data only) reject a run before anything is sent.
 */
class ReinforcementRunTest extends FakeProviderTest {
  static final String ARN = "arn:aws:lambda:us-east-1:123456789012:function:score-answer";

  Path prompts() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      lines.add("{\"messages\":[{\"role\":\"user\",\"content\":\"q" + i + "\"}],\"reference_answer\":\"a" + i + "\"}");
    }
    return Files.write(dir.resolve("prompts.jsonl"), lines);
  }

  @Test
  void promptDataTrainsWithReinforcement_andTheGraderReachesThePlanAndTheRequest() throws Exception {
    try (Tunekit tk = open()) {
      tk.fineTune().model("m").trainingData(prompts()).grader(RewardGrader.lambda(ARN)).start();
    }
    JobPlan plan = fake.preflightPlans().get(0);
    assertThat(plan.method()).isEqualTo(TrainingMethod.REINFORCEMENT);
    assertThat(plan.kind()).isEqualTo(DatasetKind.PROMPTS);
    assertThat(plan.grader()).contains(new RewardGrader.Lambda(ARN));
    JobRequest request = fake.createdJobs().get(0);
    assertThat(request.method()).isEqualTo(TrainingMethod.REINFORCEMENT);
    assertThat(request.grader()).contains(new RewardGrader.Lambda(ARN)); // read back from the ledger's run spec
    assertThat(request.toString()).contains("grader=Lambda[functionArn=" + ARN + "]");
    assertThat(DatasetFormat.neutral(plan.kind())).isEqualTo(DatasetFormat.PROMPT_JSONL);
  }

  @Test
  void theRunsReportNamesItsMethodAndGrader() throws Exception {
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("m").trainingData(prompts()).grader(RewardGrader.lambda(ARN))
          .evaluateWith(dev.tunekit.eval.EvalSuite.of("s", dev.tunekit.eval.EvalCase.of("c1", "q", "a"))
              .withGrader(dev.tunekit.eval.Graders.exactMatch()))
          .baselinePrompt("Answer.").start();
      RunResult result = run.await();
      assertThat(result.succeeded()).as("%s", result).isTrue();
      var settings = run.evaluation().orElseThrow().run().orElseThrow().settings();
      assertThat(settings).containsEntry("method", "reinforcement").containsEntry("grader", "lambda " + ARN);
    }
  }

  @Test
  void theSectionsGraderServesARunThatNamesNone() throws Exception {
    try (Tunekit tk = Fixtures.builder(dir, instance, clock, sleeper).setting("grader", ARN).build()) {
      tk.fineTune().model("m").trainingData(prompts()).method(TrainingMethod.REINFORCEMENT).start();
    }
    assertThat(fake.createdJobs().get(0).grader()).contains(RewardGrader.lambda(ARN));
  }

  @Test
  void aReinforcementRunWithoutAGraderIsRejectedBeforeAnythingIsSent() throws Exception {
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("m").trainingData(prompts()).start(),
          PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("grader: reinforcement fine-tuning needs a reward grader",
          "RewardGrader.lambda(", "'grader:'");
      assertThat(fake.callLog()).isEmpty();
      assertThat(tk.run(e.runId().orElseThrow()).state()).isEqualTo(RunState.REJECTED);
    }
  }

  @Test
  void aMalformedSectionGraderIsAProblemNamingTheSetting() throws Exception {
    try (Tunekit tk = Fixtures.builder(dir, instance, clock, sleeper).setting("grader", "score-answer").build()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("m").trainingData(prompts()).start(),
          PreflightException.class);
      assertThat(e.getMessage()).contains("providers.fake.grader: is not an AWS Lambda function ARN",
          "arn:aws:lambda:<region>");
      assertThat(fake.callLog()).isEmpty();
    }
  }

  @Test
  void graderAndPromptsFitReinforcementOnly() throws Exception {
    try (Tunekit tk = open()) {
      PreflightException chatWithRft = catchThrowableOfType(() -> tk.fineTune().model("m").trainingData(train)
          .method(TrainingMethod.REINFORCEMENT).grader(RewardGrader.lambda(ARN)).start(), PreflightException.class);
      assertThat(chatWithRft.getMessage()).contains("method: reinforcement fine-tuning trains on prompts, but the"
          + " training data holds chat examples");
      PreflightException graderOnSft = catchThrowableOfType(() -> tk.fineTune().model("m").trainingData(train)
          .grader(RewardGrader.lambda(ARN)).start(), PreflightException.class);
      assertThat(graderOnSft.getMessage()).contains("grader: a reward grader is used only by reinforcement");
      PreflightException promptsWithSft = catchThrowableOfType(() -> tk.fineTune().model("m").trainingData(prompts())
          .method(TrainingMethod.SUPERVISED).start(), PreflightException.class);
      assertThat(promptsWithSft.getMessage()).contains("holds reinforcement prompts", "method SUPERVISED cannot");
      assertThat(fake.callLog()).isEmpty();
    }
  }

  @Test
  void anExactMatchGraderTravelsThroughTheLedger_andNamesAPlainField() throws Exception {
    try (Tunekit tk = open()) {
      tk.fineTune().model("m").trainingData(prompts()).grader(RewardGrader.exactMatch("reference_answer")).start();
    }
    assertThat(fake.createdJobs().get(0).grader()).contains(new RewardGrader.ExactMatch("reference_answer"));
    assertThatThrownBy(() -> RewardGrader.exactMatch("item.answer")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not a field name");
  }

  @Test
  void aLambdaArnIsCheckedWhenItIsMade() {
    assertThat(RewardGrader.lambda(" " + ARN + ":live ").kind()).isEqualTo("lambda");
    assertThat(RewardGrader.lambda("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f_1")).isNotNull();
    for (String bad : List.of("score-answer", "arn:aws:lambda:us-east-1:12345:function:f",
        "arn:aws:iam::123456789012:role/r", "arn:aws:lambda:us-east-1:123456789012:layer:f")) {
      assertThatThrownBy(() -> RewardGrader.lambda(bad)).as(bad).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("is not an AWS Lambda function ARN")
          .hasMessageContaining("arn:aws:lambda:us-east-1:123456789012:function:score-answer");
    }
  }
}
