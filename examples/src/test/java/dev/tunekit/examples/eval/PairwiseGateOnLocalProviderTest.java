package dev.tunekit.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.FineTune;
import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.eval.EvalCache;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.GateResult;
import dev.tunekit.eval.HumanLabel;
import dev.tunekit.eval.PairwiseJudge;
import dev.tunekit.eval.PairwiseJudge.Preference;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatResponse;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's gate with a pairwise judge ({@code FineTune.pairwiseJudge}) on the embedded {@code local} provider: the
 * widget-format example, a deterministic judge that prefers the answer with a widget block, calibrated on labels it
 * agrees with (κ = 1) or contradicts (κ &lt; 0).
 */
class PairwiseGateOnLocalProviderTest {
  private static final Pattern ANSWERS = Pattern.compile("## Answer A\n(.*)\n\n## Answer B\n(.*)\n$", Pattern.DOTALL);

  @TempDir Path dir;
  private Path train;
  private final AtomicInteger judgeCalls = new AtomicInteger();

  /** Prefers the answer that holds a widget block; a tie when both or neither do. */
  private final ChatModel widgetJudge = request -> {
    judgeCalls.incrementAndGet();
    Matcher m = ANSWERS.matcher(request.messages().get(1).content());
    if (!m.find()) {
      throw new IllegalStateException("unexpected judge prompt");
    }
    boolean a = m.group(1).contains(":::widget");
    boolean b = m.group(2).contains(":::widget");
    return new ChatResponse("widget-judge", "{\"winner\":\"" + (a == b ? "tie" : a ? "A" : "B")
        + "\",\"reason\":\"widget block\"}", "stop", 0, 0);
  };

  private static List<HumanLabel> labels(boolean agreeing) {
    String widget = "Here it is.\n:::widget card\n{}\n:::";
    return List.of(
        new HumanLabel("1", "q1", Optional.empty(), "plain", widget, agreeing ? Preference.TUNED : Preference.BASELINE),
        new HumanLabel("2", "q2", Optional.empty(), widget, "plain", agreeing ? Preference.BASELINE : Preference.TUNED),
        new HumanLabel("3", "q3", Optional.empty(), "plain", "plain too", agreeing ? Preference.TIE : Preference.TUNED));
  }

  @BeforeEach
  void data() throws Exception {
    train = dir.resolve("widget-chat-train.jsonl");
    try (InputStream in = WidgetChatEval.trainingData().openStream()) {
      Files.copy(in, train);
    }
  }

  private Tunekit open() {
    return Tunekit.builder().provider("local").workDir(dir.resolve("work")).setting("stepDelay", "0ms")
        .polling(java.time.Duration.ofMillis(50), java.time.Duration.ofMillis(200), java.time.Duration.ofMinutes(2)).build();
  }

  private FineTune tune(Tunekit tk) {
    return tk.fineTune().model("local-base").trainingData(train).suffix("widgets")
        .evaluateWith(WidgetChatEval.suite()).baselinePrompt(WidgetChatEval.SYSTEM_PROMPT).gate(0.05);
  }

  /** One Tunekit for the three cases: opening the local provider is most of the cost. */
  @Test
  void theRunsGateWithAPairwiseJudge() {
    try (Tunekit tk = open()) {
      anUncalibratedJudgeIsRefusedBeforeAnythingIsUploaded(tk);
      theGatePassesWhenThePassRateAndATrustedJudgeBothDo_andTheJudgeIsInTheReports_andNotAskedTwice(tk);
      aJudgeBelowTheRequiredKappaBlocksTheGateWithPairwiseReportsMessage_withoutBeingAsked(tk);
    }
  }

  private void theGatePassesWhenThePassRateAndATrustedJudgeBothDo_andTheJudgeIsInTheReports_andNotAskedTwice(
      Tunekit tk) {
    PairwiseJudge judge = PairwiseJudge.of(widgetJudge, "widget-judge", "Prefer the reply with a widget block.")
        .calibrate(labels(true));
    assertThat(judge.agreement().orElseThrow().kappa()).isEqualTo(1.0);
    judgeCalls.set(0);
    {
      var run = tune(tk).pairwiseJudge(judge, 0.05, 0.6).start();
      RunResult result = run.await(RunListener.none());

      assertThat(result.state()).as(String.valueOf(result)).isEqualTo(RunState.GATE_PASSED);
      GateResult gate = result.gate().orElseThrow();
      assertThat(gate.passed()).isTrue();
      assertThat(gate.gate()).contains("tuned beats baseline").contains("; and judge widget-judge prefers tuned over"
          + " baseline by ≥ 5.0 points, judge κ ≥ 0.60");
      assertThat(gate.message()).startsWith("pass rate: ").contains(" | pairwise judge: tuned preferred on ")
          .contains("judge agreement 3 of 3 human labels (100.0%), κ = 1.00");
      int cases = WidgetChatEval.suite().size();
      assertThat(judgeCalls.get()).as("both orders of every case, once").isEqualTo(2 * cases);

      EvalComparison cmp = run.evaluation().orElseThrow();
      assertThat(cmp.toMarkdown()).contains("pairwise judge: tuned preferred on");
      assertThat(cmp.toJson()).contains("pairwise judge: tuned preferred on");
      assertThat(run.deploy().inferenceModel()).isEqualTo(result.fineTunedModel().orElseThrow());

      // The run's evaluation cache holds the judge's replies: asking again about the same pairs costs nothing.
      try (EvalCache cache = EvalCache.inDirectory(dir.resolve("work/eval-cache"))) {
        PairwiseJudge again = PairwiseJudge.of(widgetJudge, "widget-judge", "Prefer the reply with a widget block.")
            .cachedIn(cache);
        assertThat(again.compare(cmp).tunedWins()).isPositive();
      }
      assertThat(judgeCalls.get()).isEqualTo(2 * cases);
    }
  }

  private void aJudgeBelowTheRequiredKappaBlocksTheGateWithPairwiseReportsMessage_withoutBeingAsked(Tunekit tk) {
    PairwiseJudge judge = PairwiseJudge.of(widgetJudge, "widget-judge", "Prefer the reply with a widget block.")
        .calibrate(labels(false));
    judgeCalls.set(0);
    {
      var run = tune(tk).pairwiseJudge(judge, 0.05, 0.6).start();
      RunResult result = run.await(RunListener.none());

      assertThat(result.state()).isEqualTo(RunState.GATE_BLOCKED);
      assertThat(result.gate().orElseThrow().message()).startsWith("blocked by the pairwise judge. pass rate: ")
          .contains("| pairwise judge: the judge agrees with 0 of 3 human labels").contains("below the required κ ≥ 0.60");
      assertThat(result.failureReason().orElseThrow()).contains("below the required κ ≥ 0.60");
      assertThat(judgeCalls.get()).as("a judge that cannot gate is not asked").isZero();
      assertThat(run.evaluation().orElseThrow().toMarkdown()).contains("below the required κ ≥ 0.60");
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class);
    }
  }

  private void anUncalibratedJudgeIsRefusedBeforeAnythingIsUploaded(Tunekit tk) {
    PairwiseJudge judge = PairwiseJudge.of(widgetJudge, "widget-judge", "Prefer the reply with a widget block.");
    {
      assertThatThrownBy(() -> tune(tk).pairwiseJudge(judge, 0.05, 0.6).start())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("the pairwise judge widget-judge is not calibrated")
          .hasMessageContaining("κ ≥ 0.60; nothing was uploaded")
          .hasMessageContaining("judge.calibrate(Path.of(\"judge-labels.jsonl\"))");
      assertThat(tk.runs()).isEmpty();
      assertThatThrownBy(() -> tk.fineTune().model("local-base").trainingData(train)
          .evaluateWith(WidgetChatEval.suite()).pairwiseJudge(judge.calibrate(labels(true)), 0.05, 0.6).start())
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("add .gate(minImprovement)");
    }
  }

  /**
   * Resume safety: the judge fails on its fifth call (the process could as well have been killed there), the run
   * stays EVALUATED with the reason; a second Tunekit on the same workDir resumes it with the judge and asks only
   * what the run's evaluation cache does not hold.
   */
  @Test
  void aRunResumedWhileItsJudgeWasAskingAsksOnlyTheMissingPairs() {
    AtomicInteger fails = new AtomicInteger(0);
    ChatModel flaky = request -> {
      if (judgeCalls.get() == 4 && fails.getAndDecrement() > 0) {
        throw new dev.tunekit.error.TunekitException("judge unavailable");
      }
      return widgetJudge.chat(request);
    };
    PairwiseJudge judge = PairwiseJudge.of(flaky, "widget-judge", "Prefer the reply with a widget block.")
        .calibrate(labels(true));
    judgeCalls.set(0);
    fails.set(1);
    String id;
    try (Tunekit tk = open()) {
      var run = tune(tk).pairwiseJudge(judge, 0.05, 0.6).start();
      id = run.id();
      try {
        run.await(RunListener.none());
      } catch (RuntimeException stopped) {
        assertThat(stopped).hasMessageContaining("judge unavailable");
      }
      assertThat(run.info().state()).isEqualTo(RunState.EVALUATED);
      assertThat(run.gate()).isEmpty();
    }
    assertThat(judgeCalls.get()).isEqualTo(4);
    int cases = WidgetChatEval.suite().size();
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.resume(id, WidgetChatEval.suite())).as("without the judge the gate waits")
          .hasMessageContaining("its gate requires a pairwise judge").hasMessageContaining("tk.resume(\"" + id
          + "\", suite, judge)");
      assertThat(tk.run(id).gate()).isEmpty();
      var run = tk.resume(id, WidgetChatEval.suite(), judge);
      assertThat(run.gate().orElseThrow().passed()).isTrue();
      assertThat(run.info().state()).isEqualTo(RunState.GATE_PASSED);
    }
    assertThat(judgeCalls.get()).as("4 cached replies, then the rest").isEqualTo(2 * cases);
  }
}
