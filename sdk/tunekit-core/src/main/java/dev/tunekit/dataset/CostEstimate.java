package dev.tunekit.dataset;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * An estimate of what training on a dataset costs: billing tokens per epoch × epochs × the price per
 * trained token from the provider's model catalog. An estimate, not a quote: {@link #assumptions()} says
 * what it rests on.
 *
 * @param provider the provider whose price applies
 * @param model the model whose price applies
 * @param epochs epochs assumed
 * @param epochsSource how the epochs were chosen (set, the model's default, or the catalog's scaled default rule)
 * @param billingTokensPerEpoch tokens billed per epoch
 * @param trainedTokens billing tokens × epochs
 * @param pricePerMillionTokens price per 1M trained tokens
 * @param currency ISO currency code
 * @param total the estimated charge, rounded to cents
 * @param assumptions what the estimate assumes, in plain words
 */
public record CostEstimate(
    String provider,
    String model,
    int epochs,
    String epochsSource,
    long billingTokensPerEpoch,
    long trainedTokens,
    BigDecimal pricePerMillionTokens,
    String currency,
    BigDecimal total,
    List<String> assumptions) {

  /** Canonical constructor. */
  public CostEstimate {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(pricePerMillionTokens, "pricePerMillionTokens");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(total, "total");
    assumptions = List.copyOf(assumptions);
  }

  /**
   * The scaled default-epoch rule of the fine-tuning cookbook ({@code chat_finetuning_data_prep}): 3
   * epochs; if examples × 3 is under 100, {@code min(25, 100 / examples)}; if over 25,000,
   * {@code max(1, 25,000 / examples)}. Used when a model's catalog entry sets no default epochs.
   *
   * @param examples number of training examples (at least 1)
   * @return the epochs the rule gives when none are set
   */
  public static int scaledDefaultEpochs(long examples) {
    if (examples < 1) {
      return 3;
    }
    if (examples * 3 < 100) {
      return (int) Math.min(25, 100 / examples);
    }
    if (examples * 3 > 25_000) {
      return (int) Math.max(1, 25_000 / examples);
    }
    return 3;
  }
}
