package dev.tunekit.dataset;

import dev.tunekit.error.InvalidInputException;
import java.util.Objects;

/**
 * What a dataset is validated for: the provider and base model (which decide the tokenizer, the
 * per-example token limit, the minimum number of examples and the price), the epochs the cost
 * estimate assumes, and how many findings of one code the report keeps.
 *
 * <pre>{@code
 * ValidationOptions.openai("gpt-4o-mini-2024-07-18").withEpochs(3)
 * }</pre>
 *
 * @param provider the provider name whose rules apply ({@code openai}, {@code azure}, {@code bedrock},
 *     {@code local}, ...)
 * @param model the target base model (decides the context limit, tokenizer and price)
 * @param epochs epochs for the cost estimate; 0 means the provider's default (OpenAI's default-epoch
 *     rule for OpenAI)
 * @param maxFindingsPerCode how many findings of one code the report lists (all are counted)
 */
public record ValidationOptions(String provider, String model, int epochs, int maxFindingsPerCode) {
  /** Findings kept per code unless told otherwise. */
  public static final int DEFAULT_MAX_FINDINGS_PER_CODE = 20;

  /** Canonical constructor. */
  public ValidationOptions {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    if (epochs < 0 || epochs > 50) {
      throw new InvalidInputException("epochs must be between 1 and 50 (or 0 for the provider default), was "
          + epochs);
    }
    if (maxFindingsPerCode < 1) {
      throw new InvalidInputException("maxFindingsPerCode must be at least 1, was " + maxFindingsPerCode);
    }
  }

  /** Validation for a provider and model with default epochs and finding cap. */
  public ValidationOptions(String provider, String model) {
    this(provider, model, 0, DEFAULT_MAX_FINDINGS_PER_CODE);
  }

  /** Validation for an OpenAI model. */
  public static ValidationOptions openai(String model) {
    return new ValidationOptions("openai", model);
  }

  /** Validation for an Amazon Bedrock base model (for example {@code amazon.nova-lite-v1:0:300k}). */
  public static ValidationOptions bedrock(String model) {
    return new ValidationOptions("bedrock", model);
  }

  /** The same options with the number of epochs the cost estimate assumes (1 to 50). */
  public ValidationOptions withEpochs(int epochs) {
    if (epochs < 1) {
      throw new InvalidInputException("epochs must be between 1 and 50, was " + epochs);
    }
    return new ValidationOptions(provider, model, epochs, maxFindingsPerCode);
  }

  /** The same options keeping at most {@code max} findings per code in the report. */
  public ValidationOptions withMaxFindingsPerCode(int max) {
    return new ValidationOptions(provider, model, epochs, max);
  }
}
