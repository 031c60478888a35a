package dev.tunekit.spi;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A provider's own price for one planned job, asked for after the upload (uploads are free) and before the
 * paid create ({@link PriceQuotes}). The engine records it with the run and refuses the create when it is above
 * the run's {@code maxPrice} or the provider says the account may not proceed.
 *
 * @param amount the estimated total charge
 * @param currency ISO currency code, such as {@code USD}
 * @param trainedTokens tokens the provider expects to train on, when it says
 * @param allowedToProceed whether the provider says the account may start this job (credit limit, balance)
 * @param source where the figure came from, such as {@code "together POST /fine-tunes/estimate-price"}
 */
public record PriceQuote(BigDecimal amount, String currency, OptionalLong trainedTokens, boolean allowedToProceed,
    String source) {

  /** Canonical constructor. */
  public PriceQuote {
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(trainedTokens, "trainedTokens");
    Objects.requireNonNull(source, "source");
  }

  /** One line for people: {@code 12.34 USD for 1200000 tokens (source), allowed to proceed}. */
  public String describe() {
    return amount.toPlainString() + " " + currency
        + (trainedTokens.isPresent() ? " for " + trainedTokens.getAsLong() + " trained tokens" : "")
        + " (" + source + ")" + (allowedToProceed ? "" : ", NOT allowed to proceed");
  }
}
