package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.GateResult;
import dev.tunekit.eval.Grade;
import dev.tunekit.eval.Grader;
import dev.tunekit.internal.engine.IllegalRunTransitionException;
import dev.tunekit.internal.engine.RunEvent;
import dev.tunekit.internal.ledger.Ledger;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.Secret;
import dev.tunekit.testing.FakeProvider;
import dev.tunekit.testing.FakeProvider.Op;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The run as a state machine: every path that sees a job end (await, a webhook, tk.resume in another
 * process) drives it to the same state and gate; evaluation failures are a state with a reason; moves
 * are checked against the table and made by compare-and-set.
 */
class RunStateMachineTest extends FakeProviderTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Secret SECRET = Secret.of("whsec_" + Base64.getEncoder().encodeToString(KEY));
  private static final Grader TUNED_ONLY = Grader.named("tuned-only",
      (c, out) -> Grade.of(out.startsWith("ft:"), out.startsWith("ft:") ? "tuned answer" : "base answer"));

  private static EvalSuite suite() {
    return EvalSuite.of("sql", EvalCase.of("c1", "question 1", "SELECT 1"), EvalCase.of("c2", "question 2", "SELECT 2"),
        EvalCase.of("c3", "question 3", "SELECT 3")).withGrader(TUNED_ONLY);
  }

  private FineTune gated(Tunekit tk) {
    return tk.fineTune().model("gpt-4o-mini").trainingData(train).evaluateWith(suite()).gate(0.05);
  }

  private static String jobId(Run run) {
    return run.info().jobId().orElseThrow();
  }

  private static JobStatus succeeded(String jobId) {
    return new JobStatus.Succeeded("succeeded", Optional.of("ft:gpt-4o-mini:fake:" + jobId));
  }

  private WebhookResult deliverSucceeded(Tunekit tk, String jobId, String id) {
    byte[] body = WebhooksTest.event("fine_tuning.job.succeeded", jobId);
    long now = clock.instant().getEpochSecond();
    Map<String, String> h = new LinkedHashMap<>();
    h.put("webhook-id", id);
    h.put("webhook-timestamp", Long.toString(now));
    h.put("webhook-signature", WebhooksTest.signature(KEY, id, now, body));
    return tk.webhooks(SECRET).handle(h, body);
  }

  private static RunState settle(Run run) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (run.state() == RunState.TRAINED || run.state() == RunState.EVALUATED) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("run did not settle: " + run.state() + " " + run.info().error());
      }
      Thread.sleep(20);
    }
    return run.state();
  }

  @Test
  void awaitAWebhookAndAResumeInAnotherProcessAllReachTheSameStateAndGate() throws Exception {
    RunState viaAwait;
    GateResult gateViaAwait;
    RunState viaWebhook;
    GateResult gateViaWebhook;
    String resumedId;
    try (Tunekit tk = open()) {
      // 1. await() in the process that has the suite.
      Run a = gated(tk).start();
      RunResult r = a.await();
      viaAwait = r.state();
      gateViaAwait = r.gate().orElseThrow();
      assertThat(a.state()).isEqualTo(viaAwait);

      // 2. a webhook in the process that has the suite: the job's end drives the same steps.
      fake.script(new JobStatus.Running("running"), succeeded("ftjob-2"));
      Run b = gated(tk).suffix("b").start();
      fake.job(jobId(b)); // running
      WebhookResult w = deliverSucceeded(tk, jobId(b), "wh_b");
      assertThat(w).isInstanceOf(WebhookResult.Accepted.class);
      viaWebhook = settle(b);
      gateViaWebhook = b.gate().orElseThrow();

      // 3. started here; its job's end reaches a process without the suite, then a third resumes it with the suite.
      fake.script(new JobStatus.Running("running"), succeeded("ftjob-3"));
      Run c = gated(tk).suffix("c").start();
      fake.job(jobId(c));
      resumedId = c.id();
    }
    try (Tunekit serviceWithoutSuite = open()) {
      WebhookResult w = deliverSucceeded(serviceWithoutSuite, "ftjob-3", "wh_c");
      assertThat(w).isEqualTo(new WebhookResult.Accepted(resumedId, RunState.TRAINED));
      Run c = serviceWithoutSuite.run(resumedId);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (c.info().error().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(c.state()).isEqualTo(RunState.TRAINED);
      assertThat(c.info().error()).get().asString().contains("resume with the suite")
          .contains("tk.resume(\"" + resumedId + "\", suite)");
      assertThatThrownBy(c::deploy).isInstanceOf(GateFailedException.class);
    }
    RunState viaResume;
    GateResult gateViaResume;
    try (Tunekit later = open()) {
      Run c = later.resume(resumedId, suite());
      viaResume = c.state();
      gateViaResume = c.gate().orElseThrow();
      assertThat(c.info().error()).isEmpty();
      assertThat(later.workflow().ledger().history(resumedId)).endsWith("SUBMITTED -JOB_SUCCEEDED-> TRAINED",
          "TRAINED -EVALUATE-> EVALUATED", "EVALUATED -PASS_GATE-> GATE_PASSED");
    }
    assertThat(viaAwait).isEqualTo(RunState.GATE_PASSED);
    assertThat(viaWebhook).isEqualTo(viaAwait);
    assertThat(viaResume).isEqualTo(viaAwait);
    assertThat(gateViaWebhook).isEqualTo(gateViaAwait);
    assertThat(gateViaResume).isEqualTo(gateViaAwait);
  }

  @Test
  void aFailedEvaluationIsAVisibleStateWithItsReasonAndEvaluatingAgainMovesOn() {
    try (Tunekit tk = open()) {
      Run run = gated(tk).start(); // the baseline is evaluated before upload
      fake.failNext(Op.CHAT, 3, () -> FakeProvider.http(400));
      RunResult r = run.await();
      assertThat(r.state()).isEqualTo(RunState.EVALUATION_FAILED);
      assertThat(r.succeeded()).isTrue(); // training did succeed
      assertThat(r.error()).get().asString().contains("errored");
      assertThat(run.info().error()).isEqualTo(r.error());
      assertThat(tk.runs()).singleElement().extracting(RunInfo::state).isEqualTo(RunState.EVALUATION_FAILED);
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class);

      run.evaluate(suite());
      assertThat(run.state()).isEqualTo(RunState.GATE_PASSED);
      assertThat(run.info().error()).isEmpty();
      assertThat(tk.workflow().ledger().history(run.id())).containsSubsequence("TRAINED -FAIL_EVALUATION->"
          + " EVALUATION_FAILED", "EVALUATION_FAILED -EVALUATE-> EVALUATED", "EVALUATED -PASS_GATE-> GATE_PASSED");
      run.deploy();
      assertThat(run.state()).isEqualTo(RunState.DEPLOYED);
    }
  }

  @Test
  void anIllegalMoveThrowsWithAStableCodeAndTheRunsHistory() {
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).start();
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
      assertThatThrownBy(() -> tk.workflow().machine().fire(run.id(), RunEvent.PASS_GATE, "test", Map.of()))
          .isInstanceOf(IllegalRunTransitionException.class)
          .hasMessageStartingWith("[TK-RUN-001] run " + run.id() + " cannot take PASS_GATE from SUBMITTED")
          .hasMessageContaining("* -START-> CREATED → CREATED -VALIDATE-> VALIDATED")
          .hasMessageContaining("UPLOADED -SUBMIT-> SUBMITTED")
          .satisfies(e -> assertThat(((IllegalRunTransitionException) e).history()).hasSize(4));
      // An event the run has absorbed already is a no-op, not an error (steps are idempotent).
      assertThat(tk.workflow().machine().fire(run.id(), RunEvent.VALIDATE, "again", Map.of())).isFalse();
      assertThat(tk.workflow().ledger().history(run.id())).hasSize(4);
    }
  }

  @Test
  void aMoveThatLosesTheCompareAndSetChangesNothingAndTheEventIsReReadNotThrown() {
    try (Tunekit a = open(); Tunekit b = open()) {
      Run run = a.fineTune().model("gpt-4o-mini").trainingData(train).start();
      Ledger.RunRow seen = a.workflow().row(run.id()); // SUBMITTED at some version
      b.workflow().recordJob(run.id(), succeeded(jobId(run))); // another process moves it first
      assertThat(a.workflow().ledger().move(run.id(), seen.state(), seen.version(), "JOB_SUCCEEDED", RunState.TRAINED,
          "late", Map.of())).isFalse(); // 0 rows updated
      assertThat(a.workflow().machine().observe(run.id(), RunEvent.JOB_SUCCEEDED, "late", Map.of())).isFalse();
      assertThat(a.workflow().ledger().history(run.id())).filteredOn(h -> h.contains("JOB_SUCCEEDED")).hasSize(1);
      assertThat(a.workflow().row(run.id()).version()).isEqualTo(seen.version() + 1);
    }
  }

  @Test
  void aCustomBaselineSharingTheProvidersRateLimitGroupWithItsOwnLimitsDoesNotFailTheTunedEvaluation() {
    try (Tunekit tk = open()) {
      String group = tk.provider();
      EvalTarget baseline = EvalTarget.of("prompted", tk.chatModel("gpt-4o-mini"), "gpt-4o-mini")
          .withProvider(group).withRateLimit(6000).withMaxConcurrentCalls(2)
          .withSystemPrompt("You write SQL.");
      Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).evaluateWith(suite()).baseline(baseline)
          .gate(0.05).start();
      RunResult r = run.await();
      assertThat(r.error()).isEmpty();
      assertThat(r.state()).isEqualTo(RunState.GATE_PASSED);
      assertThat(r.evaluation().orElseThrow().report("tuned").passRate().passed()).isEqualTo(3);
      // A second run on the same runner, with the built-in baseline, keeps to the group's limits too.
      EvalTarget tuned = tk.workflow().evals().tunedTarget(new dev.tunekit.internal.EvalHook.Plan(suite(), baseline,
          null), "ft:x");
      assertThat(List.of(tuned.requestsPerMinute(), tuned.maxConcurrentCalls())).containsExactly(6000, 2);

      // A second run in the same Tunekit with the built-in baseline (the configured evaluation limits)
      // is evaluated too: a group's limits are per runner, and runs with other limits get their own.
      Run second = tk.fineTune().model("gpt-4o-mini").trainingData(train).evaluateWith(suite())
          .baselinePrompt("You write SQL.").gate(0.05).start();
      RunResult r2 = second.await();
      assertThat(r2.error()).as("second run's error").isEmpty();
      assertThat(r2.state()).isEqualTo(RunState.GATE_PASSED);
    }
  }
}
