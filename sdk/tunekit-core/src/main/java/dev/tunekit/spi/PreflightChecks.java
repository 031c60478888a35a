package dev.tunekit.spi;

import dev.tunekit.model.Hyperparameters;
import java.util.List;
import java.util.Optional;

/**
 * Reading a provider's extra hyperparameters in {@link TuningProvider#preflight(JobPlan)} (and again when the job is
 * built): a value written as a number or as text ({@code learningRate: 1e-5}, {@code loraRank: "16"}) is read as a
 * number, and one that is not adds a {@link PreflightProblem} at {@code hyperparameters.<key>} instead of throwing,
 * so preflight reports every problem at once.
 */
public final class PreflightChecks {
  private PreflightChecks() {}

  /** The extra {@code key} as a number; empty when it is unset, or (with a problem added to {@code out}) not a number. */
  public static Optional<Double> number(Hyperparameters hp, String key, List<PreflightProblem> out) {
    Optional<Object> raw = hp.extra(key);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(raw.get() instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(raw.get()).trim()));
    } catch (NumberFormatException e) {
      out.add(new PreflightProblem("hyperparameters." + key, "'" + raw.get() + "' is not a number", "write a number"));
      return Optional.empty();
    }
  }

  /**
   * The extra {@code key} as a whole number (an {@code int}); empty when it is unset, or (with a problem added to
   * {@code out}) not a number or not whole.
   */
  public static Optional<Integer> whole(Hyperparameters hp, String key, List<PreflightProblem> out) {
    Optional<Double> d = number(hp, key, out);
    if (d.isPresent() && (d.get() != Math.rint(d.get()) || Math.abs(d.get()) > Integer.MAX_VALUE)) {
      out.add(new PreflightProblem("hyperparameters." + key, "'" + hp.extra(key).get() + "' is not a whole number",
          "write a whole number"));
      return Optional.empty();
    }
    return d.map(Double::intValue);
  }
}
