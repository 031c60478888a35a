package dev.tunekit.eval;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.eval.PairwiseJudge.Preference;
import dev.tunekit.eval.PairwiseJudge.Verdict;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link PairwiseJudge} decided on every case of a baseline/tuned comparison.
 *
 * @param baseline the baseline target's name
 * @param tuned the tuned target's name
 * @param judgeModel the judge's model id
 * @param verdicts one per case both targets answered, in suite order
 * @param unanswered the cases either target has no answer for (not judged)
 * @param agreement the judge's agreement with human labels, when it was calibrated
 */
public record PairwiseReport(String baseline, String tuned, String judgeModel, List<Verdict> verdicts,
    List<String> unanswered, Optional<JudgeAgreement> agreement) {

  /** Canonical constructor. */
  public PairwiseReport {
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(tuned, "tuned");
    Objects.requireNonNull(judgeModel, "judgeModel");
    verdicts = List.copyOf(verdicts);
    unanswered = List.copyOf(unanswered);
    Objects.requireNonNull(agreement, "agreement");
  }

  /** Cases on which both orders preferred the tuned answer. */
  public int tunedWins() {
    return count(Preference.TUNED);
  }

  /** Cases on which both orders preferred the baseline's answer. */
  public int baselineWins() {
    return count(Preference.BASELINE);
  }

  /** Ties, including the {@link #inconsistent()} cases. */
  public int ties() {
    return count(Preference.TIE);
  }

  /** Cases on which the two orders disagreed (counted as ties): a sign of position bias. */
  public int inconsistent() {
    return (int) verdicts.stream().filter(v -> !v.consistent()).count();
  }

  private int count(Preference p) {
    return (int) verdicts.stream().filter(v -> v.preference() == p).count();
  }

  /** (tuned wins − baseline wins) / judged cases, from −1 to 1; 0 when nothing was judged. */
  public double margin() {
    return verdicts.isEmpty() ? 0.0 : (double) (tunedWins() - baselineWins()) / verdicts.size();
  }

  /** For instance {@code tuned preferred on 30, baseline on 4, 26 ties (5 inconsistent) of 60 cases: +43.3 points}. */
  public String format() {
    return String.format(Locale.ROOT, "%s preferred on %d, %s on %d, %d ties (%d inconsistent between orders) of %d"
        + " cases: %+.1f points", tuned, tunedWins(), baseline, baselineWins(), ties(), inconsistent(),
        verdicts.size(), margin() * 100);
  }

  /**
   * Gate: the judge prefers the tuned answers by at least {@code minMargin} ({@link #margin()}; 0.10 = ten
   * points), and the judge is trusted: it was calibrated on human labels with a Cohen's kappa of at least
   * {@code minKappa}. Blocks, with the reason, when the judge is not calibrated, when its kappa is lower or
   * undefined, when a case has no answer from either target, or when nothing was judged.
   */
  public GateResult checkTunedPreferred(double minMargin, double minKappa) {
    if (!(minMargin >= -1 && minMargin <= 1) || !(minKappa >= -1 && minKappa <= 1)) {
      throw new InvalidInputException("minMargin and minKappa must be between -1 and 1, got " + minMargin + " and "
          + minKappa);
    }
    String gate = String.format(Locale.ROOT, "judge %s prefers %s over %s by ≥ %.1f points, judge κ ≥ %.2f",
        judgeModel, tuned, baseline, minMargin * 100, minKappa);
    if (agreement.isEmpty()) {
      return new GateResult(gate, false, "the judge's agreement with people is unknown; calibrate it first"
          + " (judge.calibrate(HumanLabel.load(file))) on pairs a person labelled");
    }
    JudgeAgreement a = agreement.get();
    if (!a.meets(minKappa)) {
      return new GateResult(gate, false, String.format(Locale.ROOT, "the judge agrees with %s, below the required"
          + " κ ≥ %.2f: it cannot gate a promotion. Sharpen the criteria or use a stronger judge model, then"
          + " calibrate again", a.format(), minKappa));
    }
    if (!unanswered.isEmpty()) {
      return new GateResult(gate, false, unanswered.size() + " case(s) lack an answer from a target ("
          + String.join(", ", unanswered.stream().limit(5).toList()) + (unanswered.size() > 5 ? ", …" : "")
          + "); run the evaluation again once the errors are fixed");
    }
    if (verdicts.isEmpty()) {
      return new GateResult(gate, false, "no case was judged; nothing to compare");
    }
    String figures = format() + "; judge agreement " + a.format();
    if (margin() + 1e-9 >= minMargin) {
      return new GateResult(gate, true, figures);
    }
    return new GateResult(gate, false, figures + String.format(Locale.ROOT, "; needs %+.1f points", minMargin * 100));
  }
}
