package dev.tunekit.dataset;

import dev.tunekit.error.InvalidInputException;
import java.util.Objects;

/**
 * What a dataset is validated for: the provider type and base model (which decide the tokenizer, the
 * per-example token limit, the minimum number of examples and the price, from the model catalog the
 * provider's module contributes), the epochs the cost estimate assumes, and how many findings of one
 * code the report keeps.
 *
 * <pre>{@code
 * ValidationOptions.forModel("my-base-model").withEpochs(3)   // the catalog that lists the model
 * new ValidationOptions("my-provider-type", "my-base-model")  // that provider type's catalog
 * }</pre>
 *
 * @param provider the provider type whose catalog applies, as in {@code provider:} or a provider section's
 *     {@code type:}; empty to use the first catalog on the class path that lists the model
 * @param model the target base model (decides the context limit, tokenizer and price)
 * @param epochs epochs for the cost estimate; 0 means the model's default (or the catalog's scaled
 *     default rule when the model has none)
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

  /** Validation for a provider type and model with default epochs and finding cap. */
  public ValidationOptions(String provider, String model) {
    this(provider, model, 0, DEFAULT_MAX_FINDINGS_PER_CODE);
  }

  /** Validation for a model with the first catalog on the class path that lists it (by id or alias). */
  public static ValidationOptions forModel(String model) {
    return new ValidationOptions("", model);
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
