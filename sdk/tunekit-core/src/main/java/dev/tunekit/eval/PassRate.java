package dev.tunekit.eval;

import dev.tunekit.error.InvalidInputException;
/**
 * A pass rate with its 95 % Wilson score interval. Errors are counted but kept out of the rate: an
 * error is neither a pass nor a fail.
 *
 * @param passed cases (or grades) that passed
 * @param failed cases (or grades) that failed
 * @param errors cases (or grades) that could not be judged
 * @param rate passed / (passed + failed); {@code NaN} when nothing was judged
 * @param low lower bound of the 95 % Wilson interval (0 when nothing was judged)
 * @param high upper bound of the 95 % Wilson interval (1 when nothing was judged)
 */
public record PassRate(int passed, int failed, int errors, double rate, double low, double high) {
  /** The z value of a two-sided 95 % interval. */
  static final double Z95 = 1.959963984540054;

  /** Computes the rate and its 95 % Wilson score interval. */
  public static PassRate of(int passed, int failed, int errors) {
    if (passed < 0 || failed < 0 || errors < 0) {
      throw new InvalidInputException("counts must not be negative");
    }
    int n = passed + failed;
    if (n == 0) {
      return new PassRate(passed, failed, errors, Double.NaN, 0.0, 1.0);
    }
    double p = passed / (double) n;
    double z2 = Z95 * Z95;
    double denom = 1 + z2 / n;
    double center = (p + z2 / (2.0 * n)) / denom;
    double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
    return new PassRate(passed, failed, errors, p, Math.max(0.0, center - half), Math.min(1.0, center + half));
  }

  /** Cases (or grades) judged: passed + failed. */
  public int judged() {
    return passed + failed;
  }

  /** Everything counted, errors included. */
  public int total() {
    return passed + failed + errors;
  }

  /** Like {@code 83.3% [71.2–91.0] (25/30, 2 errors)}. */
  public String format() {
    if (judged() == 0) {
      return "n/a (0 judged" + (errors > 0 ? ", " + errors + " errors" : "") + ")";
    }
    return String.format(java.util.Locale.ROOT, "%.1f%% [%.1f–%.1f] (%d/%d%s)", rate * 100, low * 100,
        high * 100, passed, judged(), errors > 0 ? ", " + errors + (errors == 1 ? " error" : " errors") : "");
  }
}
