package dev.tunekit.dataset;

import java.util.Objects;

/**
 * What a dataset is validated for.
 *
 * @param provider the provider name whose rules apply ({@code openai}, {@code bedrock}, ...)
 * @param model the target base model (decides the context limit, tokenizer and price)
 */
public record ValidationOptions(String provider, String model) {
  /** Canonical constructor. */
  public ValidationOptions {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
  }

  /** Validation for an OpenAI model. */
  public static ValidationOptions openai(String model) {
    return new ValidationOptions("openai", model);
  }
}
