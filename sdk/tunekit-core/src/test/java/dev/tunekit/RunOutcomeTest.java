package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.TunekitException;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.Grade;
import dev.tunekit.eval.Grader;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.testing.FakeProvider.Op;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How a run that ended short says so: {@link RunResult#failureReason()} and its toString, and
 * {@link Run#deploy()} on a failed, cancelled, rejected or gate-blocked run (state, reason, what to do,
 * in the first line), and {@link Tunekit#runs()} rendered as a table.
 */
class RunOutcomeTest extends FakeProviderTest {

  private static final Grader ANY = Grader.named("any", (c, out) -> Grade.pass("answered"));

  private static EvalSuite suite() {
    return EvalSuite.of("sql", EvalCase.of("c1", "question 1", "SELECT 1"), EvalCase.of("c2", "question 2", "SELECT 2"))
        .withGrader(ANY);
  }

  private static String firstLine(Throwable e) {
    return e.getMessage().lines().findFirst().orElse("");
  }

  @Test
  void aFailedRunCarriesTheProvidersReasonAndCodeAndDeploySaysItFailed() {
    fake.script(new JobStatus.Failed("failed", "training file has 3 invalid lines", Optional.of("invalid_training_file")));
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      RunResult r = run.await();

      assertThat(r.state()).isEqualTo(RunState.FAILED);
      assertThat(r.failureReason()).contains("training file has 3 invalid lines (invalid_training_file)");
      assertThat(r.toString()).contains(run.id(), "FAILED", "training file has 3 invalid lines")
          .doesNotContain("MetricPoint");

      assertThatThrownBy(run::deploy).isInstanceOf(TunekitException.class).satisfies(e -> {
        assertThat(firstLine(e)).contains(run.id(), "FAILED", "training file has 3 invalid lines", "start a new run")
            .doesNotContain("Wait for it with run.await()");
      });
      assertThat(fake.calls(Op.DEPLOY)).isZero();
    }
  }

  @Test
  void aCancelledRunSaysSoOnDeploy() {
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      run.cancel();
      RunResult r = run.await();

      assertThat(r.failureReason()).get().asString().containsIgnoringCase("cancelled");
      assertThatThrownBy(run::deploy).satisfies(e ->
          assertThat(firstLine(e)).contains(run.id(), "CANCELLED", "start a new run"));
    }
  }

  @Test
  void aRejectedRunCarriesThePreflightMessageAndDeploySaysItWasRejected() {
    fake.preflightWith(plan -> List.of(new PreflightProblem("model", "'nope' is unknown", "use m-1")));
    try (Tunekit tk = open()) {
      PreflightException pe = org.assertj.core.api.Assertions.catchThrowableOfType(
          () -> tk.fineTune().model("nope").trainingData(train).start(), PreflightException.class);
      Run run = tk.run(pe.runId().orElseThrow());
      RunResult r = run.await();

      assertThat(r.state()).isEqualTo(RunState.REJECTED);
      assertThat(r.failureReason()).get().asString().contains("'nope' is unknown");
      assertThat(r.toString()).contains("REJECTED", "'nope' is unknown");
      assertThatThrownBy(run::deploy).satisfies(e ->
          assertThat(firstLine(e)).contains(run.id(), "REJECTED", "nothing was uploaded", "'nope' is unknown"));
    }
  }

  @Test
  void aGateBlockedRunCarriesTheGateFiguresAndDeployNamesTheState() {
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("m").trainingData(train).evaluateWith(suite()).gate(0.05).start();
      RunResult r = run.await();

      assertThat(r.state()).isEqualTo(RunState.GATE_BLOCKED);
      assertThat(r.failureReason()).get().asString().contains("needs +5.0 points");
      assertThat(r.toString()).contains("GATE_BLOCKED", "needs +5.0 points");
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class).satisfies(e ->
          assertThat(firstLine(e)).contains(run.id(), "GATE_BLOCKED", "needs +5.0 points"));
    }
  }

  @Test
  void aSucceededRunHasNoFailureReason() {
    try (Tunekit tk = open()) {
      RunResult r = tk.fineTune().model("m").trainingData(train).start().await();
      assertThat(r.state()).isEqualTo(RunState.TRAINED);
      assertThat(r.failureReason()).isEmpty();
      assertThat(r.toString()).contains("TRAINED", r.fineTunedModel().orElseThrow());
    }
  }

  @Test
  void runsRenderAsATableAndStayAList() {
    try (Tunekit tk = open()) {
      Run a = tk.fineTune().model("m").trainingData(train).start();
      a.await();
      Run b = tk.fineTune().model("m2").trainingData(train).start();
      b.cancel();

      List<RunInfo> runs = tk.runs();
      assertThat(runs).hasSize(2).extracting(RunInfo::id).containsExactlyInAnyOrder(a.id(), b.id());
      assertThat(runs.get(0)).isInstanceOf(RunInfo.class);
      assertThatThrownBy(() -> runs.add(runs.get(0))).isInstanceOf(UnsupportedOperationException.class);

      List<String> lines = runs.toString().lines().toList();
      assertThat(lines.get(0)).contains("RUN", "PROVIDER", "STATE", "BASE MODEL", "TUNED MODEL", "CREATED", "UPDATED");
      assertThat(lines).hasSize(3);
      assertThat(lines).anySatisfy(l -> assertThat(l).contains(a.id(), "fake", "TRAINED", "m",
          a.fineTunedModel().orElseThrow()));
      assertThat(lines).anySatisfy(l -> assertThat(l).contains(b.id(), "CANCELLED", "m2"));
      // columns line up: every row starts its STATE column where the header does
      int stateCol = lines.get(0).indexOf("STATE");
      assertThat(lines.subList(1, 3)).allSatisfy(l ->
          assertThat(l.substring(stateCol)).matches("(TRAINED|CANCELLED).*"));
    }
  }

  @Test
  void anEmptyLedgerSaysSo() {
    try (Tunekit tk = open()) {
      assertThat(tk.runs()).isEmpty();
      assertThat(tk.runs().toString()).contains("no runs");
    }
  }
}
