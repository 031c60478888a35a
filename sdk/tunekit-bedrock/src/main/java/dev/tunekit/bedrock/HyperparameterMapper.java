package dev.tunekit.bedrock;

import dev.tunekit.model.Hyperparameters;
import dev.tunekit.error.InvalidInputException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns neutral hyperparameters into the string map {@code CreateModelCustomizationJob} takes, and
 * rejects what the base model's family would reject — before any remote call, so a typo never costs
 * a failed paid job. Neutral names map as: epochs → {@code epochCount}, batchSize → {@code batchSize},
 * learningRateMultiplier → {@code learningRate} (Nova, Titan, Llama) or {@code learningRateMultiplier}
 * (Claude 3 Haiku). Extras are passed through by their Bedrock names and range-checked. The neutral
 * seed has no Bedrock equivalent and is not sent.
 */
final class HyperparameterMapper {
  /** Extras that configure distillation rather than training; never sent as hyperparameters. */
  static final Set<String> DISTILLATION_KEYS = Set.of("teacherModelIdentifier", "maxResponseLengthForInference");

  private HyperparameterMapper() {}

  static Map<String, String> map(String baseModel, Hyperparameters hp) {
    ModelFamily family = ModelFamily.of(baseModel);
    Map<String, String> out = new LinkedHashMap<>();
    hp.epochs().ifPresent(v -> put(family, baseModel, out, "epochCount", v, "epochs"));
    hp.batchSize().ifPresent(v -> put(family, baseModel, out, "batchSize", v, "batchSize"));
    hp.learningRateMultiplier().ifPresent(v -> put(family, baseModel, out, family.learningRateKey(), v, "learningRateMultiplier"));
    for (Map.Entry<String, Object> e : hp.extras().entrySet()) {
      String key = e.getKey();
      if (DISTILLATION_KEYS.contains(key)) {
        continue;
      }
      if (out.containsKey(key)) {
        throw new InvalidInputException("hyperparameter " + key + " is set twice (as a neutral value and as an extra);"
            + " keep one of them");
      }
      Object v = e.getValue();
      if (v instanceof Number n) {
        put(family, baseModel, out, key, n.doubleValue(), key);
      } else {
        String s = String.valueOf(v).trim();
        double d;
        try {
          d = Double.parseDouble(s);
        } catch (NumberFormatException ex) {
          if (family == ModelFamily.OTHER) {
            out.put(key, s); // unknown family: Bedrock validates it
            continue;
          }
          if (!family.accepts(key)) {
            put(family, baseModel, out, key, Double.NaN, key); // throws "not supported"
          }
          throw new InvalidInputException("hyperparameter " + key + " must be a number for " + baseModel + ", was '" + s + "'");
        }
        put(family, baseModel, out, key, d, key);
      }
    }
    return out;
  }

  private static void put(ModelFamily family, String baseModel, Map<String, String> out, String key, double v, String neutralName) {
    if (!family.accepts(key)) {
      Set<String> allowed = new TreeSet<>(family.ranges.keySet());
      throw new InvalidInputException("hyperparameter " + neutralName + " is not supported when tuning " + baseModel
          + " on Bedrock (it takes " + String.join(", ", allowed) + "); remove it for this provider");
    }
    ModelFamily.Range r = family.ranges.get(key);
    if (r != null && !r.contains(v)) {
      String shown = neutralName.equals(key) ? key : neutralName + " (Bedrock " + key + ")";
      throw new InvalidInputException("hyperparameter " + shown + " must be " + (r.integer() ? "a whole number " : "")
          + "between " + r + " for " + baseModel + ", was " + ModelFamily.Range.fmt(v)
          + "; choose a value in range (see the Bedrock guide, Custom model hyperparameters)");
    }
    out.put(key, format(v, r != null && r.integer()));
  }

  private static String format(double v, boolean integer) {
    if (integer || (v == Math.rint(v) && Math.abs(v) < 1e15 && v >= 1)) {
      return String.valueOf((long) v);
    }
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
