package dev.tunekit.bedrock;

import dev.tunekit.dataset.DatasetFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The base-model families Tunekit knows the customization hyperparameters of, with their documented
 * ranges. Ranges come from the Amazon Bedrock user guide, "Custom model hyperparameters" (pages
 * cm-hp-nova-mm, cm-hp-titan-text, cm-hp-anth-claude-3, cm-hp-meta-llama31/32), read in 2026. Where the
 * guide was silent the family is {@link #OTHER}: values pass through unchecked and Bedrock validates them.
 *
 * <p>Uncertain points, stated rather than guessed: Llama 3.3 is not listed in the guide; it is given
 * the Llama 3.1/3.2 ranges. Llama's {@code epochCount} limit of 10 is an adjustable quota, so a raised
 * quota is rejected here until the range is widened. Nova's guide lists no {@code batchSize}.
 */
enum ModelFamily {
  /** Amazon Nova Micro, Lite and Pro. */
  NOVA(BedrockFormats.CONVERSATION, true, Map.of(
      "epochCount", Range.ints(1, 5),
      "learningRate", Range.doubles(1e-6, 1e-4),
      "learningRateWarmupSteps", Range.ints(0, 100))),
  /** Amazon Titan Text Premier. */
  TITAN_PREMIER(BedrockFormats.PROMPT_COMPLETION, false, Map.of(
      "epochCount", Range.ints(1, 5),
      "batchSize", Range.ints(1, 1),
      "learningRate", Range.doubles(1e-7, 1e-5),
      "learningRateWarmupSteps", Range.ints(0, 20))),
  /** Amazon Titan Text Lite and Express. */
  TITAN_TEXT(BedrockFormats.PROMPT_COMPLETION, false, Map.of(
      "epochCount", Range.ints(1, 10),
      "batchSize", Range.ints(1, 64),
      "learningRate", Range.doubles(0.0, 1.0),
      "learningRateWarmupSteps", Range.ints(0, 250))),
  /** Anthropic Claude 3 Haiku. */
  CLAUDE_3_HAIKU(BedrockFormats.CONVERSATION, false, Map.of(
      "epochCount", Range.ints(1, 10),
      "batchSize", Range.ints(4, 256),
      "learningRateMultiplier", Range.doubles(0.1, 2.0),
      "earlyStoppingThreshold", Range.doubles(0.0, 0.1),
      "earlyStoppingPatience", Range.ints(1, 10))),
  /**
   * Meta Llama 3.1 (8B, 70B Instruct): a non-conversational model that trains on prompt/completion, per
   * the Bedrock user guide, "Prepare your training datasets for fine-tuning and continued pre-training"
   * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-customization-prepare.html), which lists
   * Llama 3.1 8B/70B Instruct among the non-conversational models and Llama 3.2 as Converse API format.
   */
  LLAMA_31(BedrockFormats.PROMPT_COMPLETION, false, Map.of(
      "epochCount", Range.ints(1, 10),
      "batchSize", Range.ints(1, 1),
      "learningRate", Range.doubles(5e-6, 0.1))),
  /** Meta Llama 3.2 (and, by assumption, 3.3): the Converse (conversation) format; Llama 3.1's ranges. */
  LLAMA_3(BedrockFormats.CONVERSATION, false, Map.of(
      "epochCount", Range.ints(1, 10),
      "batchSize", Range.ints(1, 1),
      "learningRate", Range.doubles(5e-6, 0.1))),
  /** Any other base model: hyperparameters are passed through and Bedrock checks them. */
  OTHER(BedrockFormats.CONVERSATION, false, Map.of());

  final DatasetFormat format;
  /** Whether a tuned model of this family can be served on demand (custom model deployment). */
  final boolean onDemandDeployment;
  /** Bedrock hyperparameter name to its allowed range. */
  final Map<String, Range> ranges;

  ModelFamily(DatasetFormat format, boolean onDemandDeployment, Map<String, Range> ranges) {
    this.format = format;
    this.onDemandDeployment = onDemandDeployment;
    this.ranges = ranges;
  }

  /** The family of a base model id or catalog alias, a foundation-model ARN or a custom-model ARN (which embeds its base). */
  static ModelFamily of(String model) {
    // A catalog alias (nova-micro, titan-text-express, llama3.1-8b) is its catalog entry's family.
    String m = BedrockPreflight.catalogId(model).orElse(model).toLowerCase(Locale.ROOT);
    if (m.contains("amazon.nova-")) {
      return NOVA;
    }
    if (m.contains("amazon.titan-text-premier")) {
      return TITAN_PREMIER;
    }
    if (m.contains("amazon.titan-text-")) {
      return TITAN_TEXT;
    }
    if (m.contains("anthropic.claude-3-haiku")) {
      return CLAUDE_3_HAIKU;
    }
    if (m.contains("meta.llama3-1-")) {
      return LLAMA_31;
    }
    if (m.contains("meta.llama3-")) {
      return LLAMA_3;
    }
    return OTHER;
  }

  /** The Bedrock hyperparameter the neutral learning rate maps to for this family. */
  String learningRateKey() {
    return this == CLAUDE_3_HAIKU ? "learningRateMultiplier" : "learningRate";
  }

  /** Whether this family takes {@code key} at all ({@link #OTHER} takes anything). */
  boolean accepts(String key) {
    return this == OTHER || ranges.containsKey(key);
  }

  /** An inclusive numeric range, integer-only or not. */
  record Range(double min, double max, boolean integer) {
    static Range ints(int min, int max) {
      return new Range(min, max, true);
    }

    static Range doubles(double min, double max) {
      return new Range(min, max, false);
    }

    boolean contains(double v) {
      return v >= min && v <= max && (!integer || v == Math.rint(v));
    }

    @Override
    public String toString() {
      return integer ? (long) min + ".." + (long) max : fmt(min) + ".." + fmt(max);
    }

    static String fmt(double d) {
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return String.valueOf(d);
      }
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d)
          : java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
  }
}
