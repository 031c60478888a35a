package dev.tunekit.eval;

import dev.tunekit.error.InvalidInputException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How well a {@link PairwiseJudge} agrees with human labels on the same pairs: percent agreement and
 * Cohen's kappa over the three preferences (baseline, tuned, tie).
 *
 * <p>Kappa is {@code (pₒ − pₑ) / (1 − pₑ)}, where {@code pₒ} is the share of pairs on which judge and
 * human agree and {@code pₑ} the agreement expected by chance from each side's label frequencies. It is
 * computed from the integer counts as {@code (n·a − Σ jₖhₖ) / (n² − Σ jₖhₖ)} ({@code a} agreements,
 * {@code jₖ} and {@code hₖ} how often the judge and the human chose preference {@code k}), so the only
 * rounding is the final division. When both sides put every pair in one and the same preference, chance
 * agreement is 1 and kappa is undefined: {@link #kappa()} is then {@code NaN}, and a gate that requires a
 * minimum kappa refuses the judge.
 *
 * @param cases how many labelled pairs were judged
 * @param agreed on how many the judge's preference equals the human's
 * @param kappa Cohen's kappa, from −1 to 1 ({@code NaN} when undefined, see above)
 */
public record JudgeAgreement(int cases, int agreed, double kappa) {

  /** Canonical constructor: checks the counts. */
  public JudgeAgreement {
    if (cases < 1 || agreed < 0 || agreed > cases) {
      throw new InvalidInputException("agreement needs 1 or more cases and 0..cases agreements, got "
          + agreed + " of " + cases);
    }
  }

  /**
   * The agreement between {@code judge} and {@code human}, position by position.
   *
   * @throws InvalidInputException when the lists are empty or of different sizes
   */
  public static JudgeAgreement of(List<PairwiseJudge.Preference> judge, List<PairwiseJudge.Preference> human) {
    Objects.requireNonNull(judge, "judge");
    Objects.requireNonNull(human, "human");
    if (judge.isEmpty() || judge.size() != human.size()) {
      throw new InvalidInputException("agreement needs as many judge verdicts as human labels (and at least one),"
          + " got " + judge.size() + " and " + human.size());
    }
    int k = PairwiseJudge.Preference.values().length;
    long[] j = new long[k];
    long[] h = new long[k];
    int agreed = 0;
    for (int i = 0; i < judge.size(); i++) {
      j[judge.get(i).ordinal()]++;
      h[human.get(i).ordinal()]++;
      if (judge.get(i) == human.get(i)) {
        agreed++;
      }
    }
    long n = judge.size();
    long chance = 0;
    for (int c = 0; c < k; c++) {
      chance += j[c] * h[c];
    }
    double kappa = n * n == chance ? Double.NaN : (double) (n * agreed - chance) / (double) (n * n - chance);
    return new JudgeAgreement((int) n, agreed, kappa);
  }

  /** The share of pairs on which judge and human agree, from 0 to 1. */
  public double percentAgreement() {
    return (double) agreed / cases;
  }

  /** Whether kappa is defined and at least {@code minKappa}. */
  public boolean meets(double minKappa) {
    return !Double.isNaN(kappa) && kappa + 1e-12 >= minKappa;
  }

  /** For instance {@code 10 of 12 human labels (83.3%), κ = 0.74}. */
  public String format() {
    return String.format(Locale.ROOT, "%d of %d human labels (%.1f%%), κ = %s", agreed, cases,
        percentAgreement() * 100, Double.isNaN(kappa) ? "undefined" : String.format(Locale.ROOT, "%.2f", kappa));
  }

  @Override
  public String toString() {
    return "JudgeAgreement[" + format() + "]";
  }
}
