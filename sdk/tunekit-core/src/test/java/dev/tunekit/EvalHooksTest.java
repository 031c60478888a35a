package dev.tunekit;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.TunekitException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.EvalReport;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.GateResult;
import dev.tunekit.eval.Grade;
import dev.tunekit.eval.Grader;
import dev.tunekit.spi.Deployment;
import dev.tunekit.testing.FakeProvider;
import dev.tunekit.testing.FakeProvider.Op;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Eval hooks on runs, against the FakeProvider, whose chat answers {@code "<model> says: <last message>"}:
 * graders below tell the tuned model ({@code ft:…}) from the base model by that prefix.
 */
class EvalHooksTest extends FakeProviderTest {
  private static final String BASE = "gpt-4o-mini";
  private static final String TUNED = "ft:gpt-4o-mini:fake:ftjob-1";


  /** Passes exactly the answers of the tuned model: the tuned model wins every case. */
  private static final Grader TUNED_ONLY = Grader.named("tuned-only",
      (c, out) -> Grade.of(out.startsWith("ft:"), out.startsWith("ft:") ? "tuned answer" : "base answer"));

  /** Passes every answer: the tuned model cannot beat the baseline. */
  private static final Grader ANY = Grader.named("any", (c, out) -> Grade.pass("answered"));

  private static EvalSuite suite(Grader grader) {
    return EvalSuite.of("sql", EvalCase.of("c1", "question 1", "SELECT 1"), EvalCase.of("c2", "question 2", "SELECT 2"),
        EvalCase.of("c3", "question 3", "SELECT 3")).withGrader(grader);
  }

  private FineTune tune(Tunekit tk) {
    return tk.fineTune().model(BASE).trainingData(train);
  }

  @Test
  void baselineIsEvaluatedAndRecordedBeforeTheFirstUpload() {
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(TUNED_ONLY))
          .baselinePrompt("You write SQL.").baselineExample("all orders", "SELECT * FROM orders")
          .start();

      List<Op> calls = fake.callLog();
      assertThat(calls).contains(Op.CHAT, Op.UPLOAD);
      assertThat(calls.lastIndexOf(Op.CHAT)).isLessThan(calls.indexOf(Op.UPLOAD));
      assertThat(fake.calls(Op.CHAT)).isEqualTo(3);
      assertThat(fake.chatRequests()).allSatisfy(r -> {
        assertThat(r.model()).isEqualTo(BASE);
        assertThat(r.messages()).extracting(m -> m.role() + ":" + m.content()).startsWith(
            "system:You write SQL.", "user:all orders", "assistant:SELECT * FROM orders");
      });

      EvalReport baseline = run.baselineReport().orElseThrow();
      assertThat(baseline.target()).isEqualTo("baseline");
      assertThat(baseline.model()).isEqualTo(BASE);
      assertThat(baseline.passRate().passed()).isZero();
      assertThat(baseline.passRate().failed()).isEqualTo(3);
      assertThat(run.evaluation()).isEmpty();
      assertThat(run.gate()).isEmpty();
      assertThat(tk.workflow().ledger().logOf(run.id())).extracting(l -> l.split(" ")[0])
          .containsSubsequence("validate", "eval.start", "eval", "upload.start", "submit.done");
    }
  }

  @Test
  void theRunsReportPageShowsTheGateTheRunAndItsTrainingConfigurationButNoSecret() {
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(TUNED_ONLY)).gate(0.05).validationSplit(0.1, 7).suffix("sql")
          .baselinePrompt("You write SQL.")
          .hyperparameters(h -> h.epochs(3).learningRateMultiplier(0.5)
              .extra("callbackToken", dev.tunekit.model.Secret.of("sk-canary-4b3a2c")))
          .start();
      RunResult result = run.await();
      assertThat(result.succeeded()).isTrue();

      for (EvalComparison cmp : List.of(result.evaluation().orElseThrow(), run.evaluation().orElseThrow())) {
        dev.tunekit.eval.RunContext ctx = cmp.run().orElseThrow();
        assertThat(ctx.runId()).isEqualTo(run.id());
        assertThat(ctx.baseModel()).isEqualTo(BASE);
        assertThat(ctx.fineTunedModel()).contains(TUNED);
        assertThat(ctx.trainingExamples()).hasValue(18);
        assertThat(ctx.validationExamples()).hasValue(2);
        assertThat(cmp.gate()).isEqualTo(run.gate());
        String html = cmp.toHtml();
        assertThat(html).contains("<div class=\"decision promoted\"><b>Promoted</b>")
            .contains("<th>difference</th><td class=\"num\">+100.0 points</td>")
            .contains("<th>margin required</th><td class=\"num\">+5.0 points</td>")
            .contains("<th>run id</th><td>" + run.id() + "</td>")
            .contains("<th>provider</th><td>fake</td>")
            .contains("<th>base model</th><td>" + BASE + "</td>")
            .contains("<th>fine-tuned model</th><td>" + TUNED + "</td>")
            .contains("<th>training data</th><td>train.jsonl (18 examples)</td>")
            .contains("<th>validation data</th><td>10% of train.jsonl held out (seed 7) (2 examples)</td>")
            .contains("<th>epochs</th><td>3</td>").contains("<th>learningRateMultiplier</th><td>0.5</td>")
            .contains("<th>suffix</th><td>sql</td>")
            .contains("<pre>question 2</pre>").contains("<th>baseline prompt</th>").contains("You write SQL.");
        assertThat(html + cmp.toJson()).doesNotContain("sk-canary-4b3a2c");
        assertThat(cmp.toJson()).contains("\"runId\" : \"" + run.id() + "\"").contains("\"decision\" : \"promoted\"");
      }
    }
  }

  @Test
  void successEvaluatesTheTunedModelAndRecordsBothReportsAndTheGate() {
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(TUNED_ONLY)).gate(0.05).start();
      RunResult result = run.await();

      assertThat(result.succeeded()).isTrue();
      EvalComparison cmp = result.evaluation().orElseThrow();
      assertThat(cmp.reports()).extracting(EvalReport::target).containsExactly("baseline", "tuned");
      assertThat(cmp.report("tuned").model()).isEqualTo(TUNED);
      assertThat(cmp.report("tuned").passRate().passed()).isEqualTo(3);
      assertThat(cmp.baseline().passRate().passed()).isZero();
      assertThat(cmp.flips()).hasSize(3).allMatch(f -> f.improved());
      assertThat(cmp.report("tuned").trainingMetrics()).extracting(MetricPoint::step).containsExactly(1L, 2L, 3L);
      assertThat(cmp.toHtml()).contains("Training and validation loss: tuned");
      GateResult gate = result.gate().orElseThrow();
      assertThat(gate.passed()).isTrue();
      assertThat(gate.message()).contains("+100.0 points");

      // What the ledger holds, as another handle reads it.
      Run again = tk.run(run.id());
      assertThat(again.evaluation().orElseThrow().report("tuned").passRate().passed()).isEqualTo(3);
      assertThat(again.gate()).contains(gate);
      List<String> stored = tk.workflow().ledger().evalResults(run.id());
      assertThat(stored).hasSize(3);
      assertThat(EvalReport.fromJson(stored.get(0)).target()).isEqualTo("baseline");
      assertThat(EvalReport.fromJson(stored.get(1)).target()).isEqualTo("tuned");
      assertThat(stored.get(2)).contains("\"passed\":true").contains("\"minImprovement\":0.05");

      // Baseline (3 calls, before upload) then tuned (3 calls, after success).
      List<Op> calls = fake.callLog();
      assertThat(calls.subList(calls.lastIndexOf(Op.JOB), calls.size())).contains(Op.CHAT);
      assertThat(fake.calls(Op.CHAT)).isEqualTo(6);

      Deployment d = run.deploy();
      assertThat(d.state()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(fake.calls(Op.DEPLOY)).isEqualTo(1);
    }
  }

  @Test
  void failedGateBlocksDeployWithTheGatesMessage() {
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(ANY)).gate(0.05).start();
      ByteArrayOutputStream console = new ByteArrayOutputStream();
      RunResult result = run.await(RunListener.console(new PrintStream(console, true, StandardCharsets.UTF_8)));
      assertThat(result.succeeded()).isTrue();
      assertThat(result.gate()).get().extracting(GateResult::passed).isEqualTo(false);
      String printed = console.toString(StandardCharsets.UTF_8);
      assertThat(printed).contains("Run " + run.id() + " succeeded").contains(result.evaluation().orElseThrow().format())
          .contains("Gate BLOCKED: tuned beats baseline by ≥ 5.0 points");

      assertThatThrownBy(run::deploy).isInstanceOfSatisfying(GateFailedException.class, e -> {
        assertThat(e.result()).isEqualTo(run.gate().orElseThrow());
        assertThat(e.getMessage()).contains("promotion blocked").contains("tuned beats baseline by ≥ 5.0 points")
            .contains("+0.0 points").contains("needs +5.0 points");
      });
      assertThat(fake.calls(Op.DEPLOY)).isZero();
      assertThat(tk.workflow().ledger().deploymentOf(run.id())).isEmpty();
    }
  }

  @Test
  void withoutAGateAnEvaluatedRunDeploysWhateverTheScores() {
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(ANY)).start();
      RunResult result = run.await();
      assertThat(result.evaluation()).isPresent();
      assertThat(result.gate()).isEmpty();
      assertThat(run.deploy().state()).isEqualTo(Deployment.State.ACTIVE);
    }
  }

  @Test
  void resumingASucceededRunInAnotherProcessDoesNotEvaluateAgain() {
    String runId;
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(TUNED_ONLY)).gate(0.05).start();
      run.await();
      runId = run.id();
    }
    int chats = fake.calls(Op.CHAT);
    assertThat(chats).isEqualTo(6);
    try (Tunekit tk = open()) {
      RunResult again = tk.resume(runId, suite(TUNED_ONLY)).await();
      assertThat(again.evaluation()).isPresent();
      assertThat(again.gate()).get().extracting(GateResult::passed).isEqualTo(true);
      RunResult withoutSuite = tk.resume(runId).await();
      assertThat(withoutSuite.evaluation().orElseThrow().report("tuned").passRate().passed()).isEqualTo(3);
      assertThat(tk.run(runId).evaluate(suite(TUNED_ONLY)).report("tuned").model()).isEqualTo(TUNED);
      assertThat(tk.run(runId).deploy().state()).isEqualTo(Deployment.State.ACTIVE);
    }
    assertThat(fake.calls(Op.CHAT)).isEqualTo(chats);
    assertThat(fake.calls(Op.UPLOAD)).isEqualTo(1);
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
  }

  @Test
  void aRunThatSucceededInAProcessWithoutTheSuiteIsEvaluatedOnDemandAndThenDeploys() {
    String runId;
    try (Tunekit tk = open()) {
      runId = tune(tk).evaluateWith(suite(TUNED_ONLY)).gate(0.05).start().id();
    }
    try (Tunekit tk = open()) {
      Run run = tk.resume(runId);
      RunResult result = run.await();
      assertThat(result.succeeded()).isTrue();
      assertThat(result.evaluation()).isEmpty();
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class)
          .hasMessageContaining("is not evaluated yet").hasMessageContaining("run.evaluate(suite)");
      assertThat(fake.calls(Op.DEPLOY)).isZero();

      EvalComparison cmp = run.evaluate(suite(TUNED_ONLY));
      assertThat(cmp.report("tuned").passRate().passed()).isEqualTo(3);
      assertThat(cmp.report("tuned").trainingMetrics()).hasSize(3);
      assertThat(run.gate()).get().extracting(GateResult::passed).isEqualTo(true);
      assertThat(run.deploy().state()).isEqualTo(Deployment.State.ACTIVE);
    }
    assertThat(fake.calls(Op.CHAT)).isEqualTo(6);
  }

  @Test
  void aDifferentSuiteIsRefusedOnResumeNamingBothFingerprints() {
    String runId;
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(TUNED_ONLY)).start();
      runId = run.id();
    }
    try (Tunekit tk = open()) {
      EvalSuite other = suite(ANY);
      assertThatThrownBy(() -> tk.resume(runId, other)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining(suite(TUNED_ONLY).fingerprint()).hasMessageContaining(other.fingerprint());
    }
  }

  @Test
  void baselineFirstFalseUploadsAtOnceAndEvaluatesBothAfterTraining() {
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(TUNED_ONLY)).baselineFirst(false).gate(0.05).start();
      assertThat(fake.calls(Op.CHAT)).isZero();
      assertThat(run.baselineReport()).isEmpty();
      assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);

      RunResult result = run.await();
      assertThat(result.evaluation().orElseThrow().reports()).extracting(EvalReport::model).containsExactly(BASE, TUNED);
      assertThat(result.gate()).get().extracting(GateResult::passed).isEqualTo(true);
      assertThat(run.baselineReport()).isPresent();
      List<Op> calls = fake.callLog();
      assertThat(calls.indexOf(Op.CHAT)).isGreaterThan(calls.indexOf(Op.CREATE_JOB));
    }
  }

  @Test
  void aBaselineEvaluationWithErrorsStopsTheRunBeforeAnythingIsUploaded() {
    fake.failNext(Op.CHAT, 3, () -> FakeProvider.http(400));
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tune(tk).evaluateWith(suite(TUNED_ONLY)).start())
          .isInstanceOf(TunekitException.class)
          .hasMessageContaining("3 of 3 case(s) errored").hasMessageContaining("Nothing was uploaded")
          .hasMessageContaining("tk.resume(");
      RunInfo info = tk.runs().get(0);
      assertThat(info.state()).isEqualTo(RunState.VALIDATED); // validated; the baseline is not evaluated
      assertThat(tk.run(info.id()).baselineReport()).isEmpty();
      assertThat(fake.calls(Op.UPLOAD)).isZero();
      assertThat(fake.calls(Op.CREATE_JOB)).isZero();

      // The cause is gone: resuming evaluates the baseline, then uploads and submits.
      int before = fake.calls(Op.CHAT);
      Run run = tk.resume(info.id());
      assertThat(fake.calls(Op.CHAT)).isGreaterThan(before);
      assertThat(run.baselineReport()).isPresent();
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
    }
  }

  @Test
  void onAProviderThatServesOnlyDeploymentsTheTunedModelIsEvaluatedThroughItsDeployment() {
    fake.servesTunedModelsOnlyThroughDeployments();
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(TUNED_ONLY)).gate(0.05).deployBeforeEvaluation(true).start();
      RunResult result = run.await();

      String deployed = "ft:deployed:tunekit-" + run.id();
      assertThat(result.evaluation().orElseThrow().report("tuned").model()).isEqualTo(deployed);
      assertThat(result.gate()).get().extracting(GateResult::passed).isEqualTo(true);
      List<Op> calls = fake.callLog();
      assertThat(calls.indexOf(Op.DEPLOY)).isLessThan(calls.lastIndexOf(Op.CHAT));
      assertThat(calls.indexOf(Op.DEPLOY)).isGreaterThan(calls.indexOf(Op.CREATE_JOB));

      Deployment d = run.deploy();
      assertThat(d.inferenceModel()).isEqualTo(deployed);
      assertThat(fake.calls(Op.DEPLOY)).isEqualTo(1);
      assertThat(fake.undeployed()).isEmpty();
    }
  }

  @Test
  void aDeploymentMadeForEvaluationIsRemovedWhenTheGateBlocks() {
    fake.servesTunedModelsOnlyThroughDeployments();
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(ANY)).gate(0.05).deployBeforeEvaluation(true).start();
      RunResult result = run.await();

      assertThat(result.gate()).get().extracting(GateResult::passed).isEqualTo(false);
      assertThat(fake.undeployed()).containsExactly("dep-tunekit-" + run.id());
      assertThat(tk.workflow().ledger().deploymentOf(run.id())).get()
          .extracting(Deployment::state).isEqualTo(Deployment.State.DELETED);
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class).hasMessageContaining("needs +5.0 points");
      assertThat(fake.calls(Op.DEPLOY)).isEqualTo(1);
    }
  }

  @Test
  void aTunedEvaluationWithErrorsIsReportedButNotRecordedAndDoesNotUnlockDeploy() {
    fake.servesTunedModelsOnlyThroughDeployments();
    try (Tunekit tk = open()) {
      Run run = tune(tk).evaluateWith(suite(TUNED_ONLY)).gate(0.05).start();
      RunResult result = run.await();

      EvalReport tuned = result.evaluation().orElseThrow().report("tuned");
      assertThat(tuned.errors()).hasSize(3);
      assertThat(tuned.errors().get(0).error()).get().asString().contains("is not deployed");
      assertThat(result.gate()).get().satisfies(g -> {
        assertThat(g.passed()).isFalse();
        assertThat(g.message()).contains("errored case");
      });
      assertThat(run.evaluation()).isEmpty();
      assertThat(run.gate()).isEmpty();
      assertThat(tk.workflow().ledger().logOf(run.id())).anyMatch(l -> l.startsWith("eval.incomplete"));
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class)
          .hasMessageContaining("is not evaluated yet");
      assertThat(fake.calls(Op.DEPLOY)).isZero();
    }
  }

  @Test
  void aCustomBaselineTargetIsComparedUnderItsOwnName() {
    try (Tunekit tk = open()) {
      EvalTarget bigger = EvalTarget.of("gpt-4o", tk.chatModel("gpt-4o"), "gpt-4o").withSystemPrompt("Be precise.");
      Run run = tune(tk).evaluateWith(suite(TUNED_ONLY)).baseline(bigger).gate(0.0).start();
      assertThat(run.baselineReport().orElseThrow().model()).isEqualTo("gpt-4o");
      RunResult result = run.await();
      assertThat(result.evaluation().orElseThrow().reports()).extracting(EvalReport::target)
          .containsExactly("gpt-4o", "tuned");
      assertThat(result.gate().orElseThrow().gate()).contains("tuned beats gpt-4o");
    }
  }

  @Test
  void evalSettingsWithoutASuiteOrInConflictAreRefusedBeforeAnythingHappens() {
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tune(tk).gate(0.05).start()).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("a gate was set without an eval suite").hasMessageContaining(".evaluateWith(suite)");
      assertThatThrownBy(() -> tune(tk).evaluateWith(suite(ANY)).baselinePrompt("p")
          .baseline(EvalTarget.of("b", tk.chatModel("m"), "m")).start())
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("not both");
      assertThatThrownBy(() -> tune(tk).baseline(EvalTarget.of("tuned", tk.chatModel("m"), "m")))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("cannot be named 'tuned'");
      assertThatThrownBy(() -> tune(tk).gate(5)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("[-1, 1]");
      assertThatThrownBy(() -> tune(tk).evaluateWith(EvalSuite.of("s", EvalCase.of("c", "q", "a"))))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("has no graders");
      assertThat(tk.runs()).isEmpty();
    }
    assertThat(fake.callLog()).isEmpty();
  }

  @Test
  void aRunWithoutASuiteBehavesExactlyAsBefore() {
    try (Tunekit tk = open()) {
      Run run = tune(tk).start();
      RunResult result = run.await();
      assertThat(result.succeeded()).isTrue();
      assertThat(result.evaluation()).isEmpty();
      assertThat(result.gate()).isEmpty();
      assertThat(run.baselineReport()).isEmpty();
      assertThat(run.evaluation()).isEmpty();
      assertThat(run.deploy().state()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(tk.workflow().ledger().evalResults(run.id())).isEmpty();
      assertThat(tk.workflow().ledger().logOf(run.id())).noneMatch(l -> l.startsWith("eval"));
    }
    assertThat(fake.calls(Op.CHAT)).isZero();
    assertThat(Files.exists(dir.resolve("work").resolve("eval-cache"))).isFalse();
  }

  @Test
  void runWithoutASuiteCanStillBeEvaluatedAfterwardsAgainstTheBareBaseModel() {
    try (Tunekit tk = open()) {
      Run run = tune(tk).start();
      run.await();
      EvalComparison cmp = run.evaluate(suite(TUNED_ONLY));
      assertThat(cmp.reports()).extracting(EvalReport::model).containsExactly(BASE, TUNED);
      assertThat(run.evaluation()).isPresent();
      assertThat(run.gate()).isEmpty();
      assertThat(fake.chatRequests()).allSatisfy(r -> assertThat(r.messages()).hasSize(1));
      run.evaluate(suite(TUNED_ONLY));
      assertThat(fake.calls(Op.CHAT)).isEqualTo(6);
    }
  }
}
