package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.Graders;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.testing.FakeProvider.Op;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Preflight: the provider's offline checks run before the baseline evaluation and before any upload;
 * one error lists every problem and the run is REJECTED with nothing sent.
 */
class PreflightTest extends FakeProviderTest {

  private static EvalSuite suite() {
    return EvalSuite.of("s", EvalCase.of("c1", "q1", "a1"), EvalCase.of("c2", "q2", "a2")).withGrader(Graders.exactMatch());
  }

  @Test
  void problemsRejectTheRunBeforeTheBaselineAndTheUpload_listingEveryProblem() {
    fake.preflightWith(plan -> List.of(
        new PreflightProblem("model", "'" + plan.baseModel() + "' is unknown", "use m-1"),
        new PreflightProblem("hyperparameters.epochs", "must be 1 to 5, was 9", "choose a value in range")));
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("nope").trainingData(train)
          .hyperparameters(h -> h.epochs(9)).evaluateWith(suite()).baselinePrompt("Answer.").gate(0.05).start(),
          PreflightException.class);

      assertThat(e).isNotNull();
      assertThat(e.problems()).hasSize(2);
      assertThat(e.getMessage()).contains("2 problems for provider", "Nothing was sent",
          "model: 'nope' is unknown; use m-1", "hyperparameters.epochs: must be 1 to 5, was 9; choose a value in range")
          .doesNotContain("resume");
      assertThat(e.resumeRunId()).isEmpty();
      assertThat(fake.callLog()).isEmpty(); // no upload, no baseline chat, no job
      String runId = e.runId().orElseThrow();
      assertThat(tk.run(runId).state()).isEqualTo(RunState.REJECTED);
      assertThat(tk.workflow().ledger().run(runId).orElseThrow().error()).contains("'nope' is unknown");
    }
  }

  @Test
  void theProviderSeesThePlanAsItWillBeUploaded() {
    try (Tunekit tk = open()) {
      tk.fineTune().model("m").trainingData(train).validationSplit(0.2, 7).hyperparameters(h -> h.batchSize(4))
          .suffix("x").start();
    }
    JobPlan plan = fake.preflightPlans().get(0);
    assertThat(plan.baseModel()).isEqualTo("m");
    assertThat(plan.method()).isEqualTo(TrainingMethod.SUPERVISED);
    assertThat(plan.trainingExamples()).isEqualTo(16); // 20 examples, 4 held out
    assertThat(plan.validationExamples()).isEqualTo(4);
    assertThat(plan.hyperparameters().batchSize()).hasValue(4);
    assertThat(plan.suffix()).contains("x");
    assertThat(plan.deploysBeforeEvaluation()).isFalse();
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
  }

  @Test
  void theProviderSeesThatTheRunWillDeployBeforeEvaluating() {
    // So a provider can refuse, before paying for training, a deployment it could not make (missing settings).
    try (Tunekit tk = open()) {
      tk.fineTune().model("m").trainingData(train).suffix("d")
          .evaluateWith(dev.tunekit.eval.EvalSuite.of("s", dev.tunekit.eval.EvalCase.of("c1", "q", "a"))
              .withGrader(dev.tunekit.eval.Graders.exactMatch()))
          .baselineFirst(false).deployBeforeEvaluation(true).start();
    }
    assertThat(fake.preflightPlans().get(0).deploysBeforeEvaluation()).isTrue();
  }

  @Test
  void datasetErrorsAreListedWithTheProvidersProblemsInOneError() throws Exception {
    fake.preflightWith(plan -> List.of(new PreflightProblem("model", "unknown", "use m-1")));
    Files.writeString(train, "{\"messages\": []}\n", java.nio.file.StandardOpenOption.APPEND);
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("nope").trainingData(train).start(),
          PreflightException.class);
      assertThat(e.datasetReport()).isPresent();
      assertThat(e.getMessage()).contains("model: unknown; use m-1", "train.jsonl:21");
      assertThat(fake.callLog()).isEmpty();
    }
  }
}
