package dev.tunekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.eval.GateResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate of a run gated by its pass rate and a pairwise judge passes only when both do, and says which blocked. */
class JudgedGateTest {
  private static final GateResult RATE_OK = new GateResult("tuned beats baseline by ≥ 5.0 points", true, "+20 points");
  private static final GateResult RATE_NO = new GateResult("tuned beats baseline by ≥ 5.0 points", false, "+1 point");
  private static final GateResult JUDGE_OK = new GateResult("judge j prefers tuned", true, "tuned preferred on 5");
  private static final GateResult JUDGE_NO = new GateResult("judge j prefers tuned", false, "below the required κ");

  @Test
  void bothMustPass_andTheMessageNamesWhatBlockedAndGivesBothResults() {
    GateResult ok = EvalHook.both(RATE_OK, JUDGE_OK);
    assertThat(ok.passed()).isTrue();
    assertThat(ok.gate()).isEqualTo("tuned beats baseline by ≥ 5.0 points; and judge j prefers tuned");
    assertThat(ok.message()).isEqualTo("pass rate: +20 points | pairwise judge: tuned preferred on 5");

    assertThat(List.of(EvalHook.both(RATE_NO, JUDGE_OK), EvalHook.both(RATE_OK, JUDGE_NO),
        EvalHook.both(RATE_NO, JUDGE_NO))).extracting(GateResult::passed).containsOnly(false);
    assertThat(EvalHook.both(RATE_NO, JUDGE_OK).message()).startsWith("blocked by the pass rate. pass rate: +1 point");
    assertThat(EvalHook.both(RATE_OK, JUDGE_NO).message())
        .isEqualTo("blocked by the pairwise judge. pass rate: +20 points | pairwise judge: below the required κ");
    assertThat(EvalHook.both(RATE_NO, JUDGE_NO).message()).startsWith("blocked by the pass rate and the pairwise judge.");
  }

  @Test
  void aStoredSpecWithoutAJudge_readsBackUnjudged_andAJudgedOneKeepsItsThresholds() {
    RunSpec.Eval plain = new RunSpec.Eval("s", "f", true, 0.05, "baseline", "m", List.of(), false, false);
    RunSpec.Eval judged = new RunSpec.Eval("s", "f", true, 0.05, "baseline", "m", List.of(), false, false, 0.1, 0.6);
    RunSpec base = new RunSpec("m", "/t.jsonl", null, 0, 0, dev.tunekit.model.Hyperparameters.builder().build(), null,
        java.util.Map.of(), null, plain);
    assertThat(RunSpec.fromJson(base.toJson()).eval().judged()).isFalse();
    RunSpec withJudge = new RunSpec("m", "/t.jsonl", null, 0, 0, dev.tunekit.model.Hyperparameters.builder().build(),
        null, java.util.Map.of(), null, judged);
    RunSpec.Eval back = RunSpec.fromJson(withJudge.toJson()).eval();
    assertThat(back.judged()).isTrue();
    assertThat(back.judgeMinMargin()).isEqualTo(0.1);
    assertThat(back.judgeMinKappa()).isEqualTo(0.6);
  }
}
