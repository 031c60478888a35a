package dev.tunekit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.eval.PairwiseJudge.Preference;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairwiseJudgeTest {
  @TempDir Path dir;

  private static final Preference T = Preference.TUNED;
  private static final Preference B = Preference.BASELINE;
  private static final Preference X = Preference.TIE;

  private static final EvalSuite SUITE = EvalSuite.of("numbers", IntStream.range(0, 10)
      .mapToObj(i -> EvalCase.of("c" + i, "question " + i, "answer " + i)).toList()).withGrader(Graders.exactMatch());

  private static final Pattern SECTION = Pattern.compile("## (Reference answer|Answer A|Answer B)\\n(.*)\\n");

  /** A deterministic judge: prefers the answer equal to the reference; both or neither right → {@code onTie}. */
  private static ChatModel fairJudge(String onTie, AtomicInteger calls) {
    return r -> {
      calls.incrementAndGet();
      String ref = null;
      String a = null;
      String b = null;
      for (Matcher m = SECTION.matcher(r.messages().get(1).content()); m.find(); ) {
        switch (m.group(1)) {
          case "Reference answer" -> ref = m.group(2);
          case "Answer A" -> a = m.group(2);
          default -> b = m.group(2);
        }
      }
      boolean aRight = a.equals(ref);
      boolean bRight = b.equals(ref);
      String winner = aRight == bRight ? onTie : aRight ? "A" : "B";
      return new ChatResponse("judge", "{\"winner\":\"" + winner + "\",\"reason\":\"compared with the reference\"}",
          "stop", 1, 1);
    };
  }

  private static ChatModel knows(Set<Integer> right) {
    return r -> {
      String q = r.messages().get(r.messages().size() - 1).content();
      int i = Integer.parseInt(q.substring(q.lastIndexOf(' ') + 1));
      return new ChatResponse(r.model(), right.contains(i) ? "answer " + i : "no idea", "stop", 1, 1);
    };
  }

  /** Baseline right on 0–4 and 9, tuned right on 0–8: tuned better on 5–8, baseline on 9, ties 0–4. */
  private static EvalComparison comparison() {
    return EvalRunner.create().compare(SUITE, EvalTarget.of("baseline", knows(Set.of(0, 1, 2, 3, 4, 9)), "base"),
        EvalTarget.of("tuned", knows(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8)), "ft"));
  }

  @Test
  void kappaMatchesHandComputedValues() {
    // 10 pairs. judge T T T T T B B B X X, human T T T T B B B X X T: 7 agree (pₒ = 0.7);
    // judge T5 B3 X2, human T5 B3 X2 → pₑ = (25 + 9 + 4) / 100 = 0.38; κ = 0.32 / 0.62 = 16/31.
    JudgeAgreement a = JudgeAgreement.of(List.of(T, T, T, T, T, B, B, B, X, X), List.of(T, T, T, T, B, B, B, X, X, T));
    assertThat(a.cases()).isEqualTo(10);
    assertThat(a.agreed()).isEqualTo(7);
    assertThat(a.percentAgreement()).isEqualTo(0.7);
    assertThat(a.kappa()).isEqualTo(16.0 / 31.0);
    assertThat(a.format()).isEqualTo("7 of 10 human labels (70.0%), κ = 0.52");

    // The textbook 2×2 case: 50 pairs, both "tuned" 20, judge tuned/human baseline 5, judge baseline/human
    // tuned 10, both baseline 15: pₒ = 0.7, pₑ = 0.5·0.6 + 0.5·0.4 = 0.5, κ = 0.2 / 0.5 = 0.4.
    List<Preference> judge = new ArrayList<>();
    List<Preference> human = new ArrayList<>();
    add(judge, human, T, T, 20);
    add(judge, human, T, B, 5);
    add(judge, human, B, T, 10);
    add(judge, human, B, B, 15);
    assertThat(JudgeAgreement.of(judge, human).kappa()).isCloseTo(0.4, within(1e-15));

    // Agreement at chance level is 0, total disagreement on two balanced labels is −1, perfect is 1.
    assertThat(JudgeAgreement.of(List.of(T, T, B, B), List.of(T, B, T, B)).kappa()).isEqualTo(0.0);
    assertThat(JudgeAgreement.of(List.of(T, B), List.of(B, T)).kappa()).isEqualTo(-1.0);
    assertThat(JudgeAgreement.of(List.of(T, B, X), List.of(T, B, X)).kappa()).isEqualTo(1.0);
    // Everything in one label on both sides: chance agreement is 1, kappa undefined, and no threshold is met.
    JudgeAgreement degenerate = JudgeAgreement.of(List.of(X, X, X), List.of(X, X, X));
    assertThat(degenerate.kappa()).isNaN();
    assertThat(degenerate.meets(-1.0)).isFalse();
    assertThat(degenerate.format()).endsWith("κ = undefined");

    assertThatThrownBy(() -> JudgeAgreement.of(List.of(T), List.of(T, B)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("1 and 2");
  }

  private static void add(List<Preference> judge, List<Preference> human, Preference j, Preference h, int n) {
    judge.addAll(Collections.nCopies(n, j));
    human.addAll(Collections.nCopies(n, h));
  }

  @Test
  void asksInBothOrdersAndCountsWinsAndTies() {
    AtomicInteger calls = new AtomicInteger();
    PairwiseReport r = PairwiseJudge.of(fairJudge("tie", calls), "judge", "Prefer the correct answer")
        .compare(comparison());

    assertThat(calls.get()).isEqualTo(20);
    assertThat(r.tunedWins()).isEqualTo(4);
    assertThat(r.baselineWins()).isEqualTo(1);
    assertThat(r.ties()).isEqualTo(5);
    assertThat(r.inconsistent()).isZero();
    assertThat(r.margin()).isCloseTo(0.3, within(1e-12));
    assertThat(r.verdicts().get(9).preference()).isEqualTo(B);
    assertThat(r.format()).isEqualTo(
        "tuned preferred on 4, baseline on 1, 5 ties (0 inconsistent between orders) of 10 cases: +30.0 points");
  }

  @Test
  void theTwoOrdersNeutraliseAPositionBiasedJudge() {
    // A judge that always answers "A": asked once, it would hand every case to whichever side is shown first.
    ChatModel alwaysA = req -> new ChatResponse("judge", "{\"winner\":\"A\",\"reason\":\"the first one\"}", "stop", 1, 1);
    PairwiseReport biased = PairwiseJudge.of(alwaysA, "judge", "Prefer the correct answer").compare(comparison());
    assertThat(biased.tunedWins()).isZero();
    assertThat(biased.baselineWins()).isZero();
    assertThat(biased.ties()).isEqualTo(10);
    assertThat(biased.inconsistent()).isEqualTo(10);
    assertThat(biased.verdicts()).allMatch(v -> v.baselineFirst() == B && v.tunedFirst() == T);

    // A judge that is right when one answer is right but says "A" when it cannot tell: its real preferences
    // survive, its position bias on the hard cases becomes reported, inconsistent ties.
    PairwiseReport partly = PairwiseJudge.of(fairJudge("A", new AtomicInteger()), "judge", "Prefer the correct answer")
        .compare(comparison());
    assertThat(partly.tunedWins()).isEqualTo(4);
    assertThat(partly.baselineWins()).isEqualTo(1);
    assertThat(partly.ties()).isEqualTo(5);
    assertThat(partly.inconsistent()).isEqualTo(5);
  }

  @Test
  void anUnparsableVerdictIsAClearErrorNamingTheCaseAndTheOrder() {
    for (String reply : List.of("The first answer is better.", "{\"winner\":\"A\"}",
        "{\"winner\":\"first\",\"reason\":\"x\"}", "{\"winner\":\"A\",\"reason\":\"x\",\"score\":1}",
        "{\"winner\":\"A\",\"reason\":\"x\"} trailing", "```json\n{\"winner\":\"A\",\"reason\":\"x\"}\n```")) {
      ChatModel judge = req -> new ChatResponse("judge", reply, "stop", 1, 1);
      assertThatThrownBy(() -> PairwiseJudge.of(judge, "judge", "c")
          .judge(EvalCase.of("q7", "question", "ref"), "a", "b"))
          .as(reply)
          .isInstanceOf(TunekitException.class)
          .hasMessageContaining("case 'q7' (baseline as A)")
          .hasMessageContaining("{\"winner\":\"A\"|\"B\"|\"tie\",\"reason\":\"…\"}");
    }
    assertThatThrownBy(() -> PairwiseJudge.of(req -> null, "judge", " "))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("criteria");
  }

  @Test
  void thePromptShowsCriteriaReferenceAndBothAnswersUnderDocumentedHeadings() {
    PairwiseJudge judge = PairwiseJudge.of(req -> null, "judge-model", "Prefer correct queries.");
    var request = judge.request(EvalCase.of("c", "How many?", "FIND x"), "first", "second");
    assertThat(request.model()).isEqualTo("judge-model");
    assertThat(request.messages().get(0).content()).isEqualTo(PairwiseJudge.SYSTEM_PROMPT);
    assertThat(request.messages().get(1).content()).isEqualTo("""
        ## Criteria
        Prefer correct queries.

        ## Conversation
        [user] How many?

        ## Reference answer
        FIND x

        ## Answer A
        first

        ## Answer B
        second
        """);
  }

  @Test
  void theGateRefusesAnUncalibratedOrPoorlyAgreeingJudge() throws Exception {
    EvalComparison cmp = comparison();
    PairwiseJudge fair = PairwiseJudge.of(fairJudge("tie", new AtomicInteger()), "judge", "Prefer the correct answer");

    GateResult uncalibrated = fair.compare(cmp).checkTunedPreferred(0.1, 0.6);
    assertThat(uncalibrated.passed()).isFalse();
    assertThat(uncalibrated.message()).contains("agreement with people is unknown").contains("calibrate");

    // Labels: the person prefers the correct answer, except on the last pair, where they saw a tie.
    Path labels = dir.resolve("labels.jsonl");
    Files.writeString(labels, String.join("\n",
        label("h1", "answer 1", "no idea", "baseline"),
        label("h2", "no idea", "answer 2", "tuned"),
        label("h3", "answer 3", "answer 3", "tie"),
        label("h4", "no idea", "answer 4", "tuned"),
        label("h5", "no idea", "no idea", "tie"),
        label("h6", "answer 6", "no idea", "tuned")) + "\n");
    PairwiseJudge calibrated = fair.calibrate(labels);
    // Judge B T X T X B vs human B T X T X T: 5 of 6; judge B2 T2 X2, human B1 T3 X2 → Σ = 2 + 6 + 4 = 12;
    // κ = (6·5 − 12) / (36 − 12) = 18/24 = 0.75.
    JudgeAgreement a = calibrated.agreement().orElseThrow();
    assertThat(a.agreed()).isEqualTo(5);
    assertThat(a.kappa()).isEqualTo(0.75);

    GateResult passes = calibrated.compare(cmp).checkTunedPreferred(0.1, 0.6);
    assertThat(passes.passed()).as(passes.message()).isTrue();
    assertThat(passes.message()).contains("+30.0 points").contains("5 of 6 human labels (83.3%), κ = 0.75");

    GateResult strict = calibrated.compare(cmp).checkTunedPreferred(0.1, 0.8);
    assertThat(strict.passed()).isFalse();
    assertThat(strict.message()).contains("below the required κ ≥ 0.80").contains("cannot gate a promotion");

    GateResult margin = calibrated.compare(cmp).checkTunedPreferred(0.5, 0.6);
    assertThat(margin.passed()).isFalse();
    assertThat(margin.message()).contains("needs +50.0 points");
  }

  private static String label(String id, String baseline, String tuned, String label) {
    String n = id.substring(1);
    return "{\"id\":\"" + id + "\",\"question\":\"question " + n + "\",\"expected\":\"answer " + n
        + "\",\"baseline\":\"" + baseline + "\",\"tuned\":\"" + tuned + "\",\"label\":\"" + label + "\"}";
  }

  @Test
  void badLabelFilesNameTheFileAndLine() throws Exception {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, label("h1", "a", "b", "tuned") + "\n\n" + label("h2", "a", "b", "better") + "\n");
    assertThatThrownBy(() -> HumanLabel.load(f)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(f + ":3: 'label' must be baseline, tuned or tie");
    Files.writeString(f, "{\"id\":\"h1\",\"question\":\"q\",\"baseline\":\"a\",\"tuned\":\"b\",\"label\":\"tie\",\"who\":1}\n");
    assertThatThrownBy(() -> HumanLabel.load(f)).hasMessageStartingWith(f + ":1: unknown key 'who'");
    Files.writeString(f, label("h1", "a", "b", "tuned") + "\n" + label("h1", "a", "b", "tuned") + "\n");
    assertThatThrownBy(() -> HumanLabel.load(f)).hasMessageStartingWith(f + ":2: duplicate id 'h1'");
  }
}
