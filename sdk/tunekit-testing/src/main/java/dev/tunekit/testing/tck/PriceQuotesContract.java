package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PriceQuote;
import dev.tunekit.spi.PriceQuotes;
import dev.tunekit.spi.RemoteFile;
import org.junit.jupiter.api.Test;

/** Rules for the {@link PriceQuotes} capability. */
public interface PriceQuotesContract extends CapabilityContract {

  /**
   * A quote is a price, not a job: its amount is not negative, it names a currency, and no job exists for the
   * request's key afterwards. If this fails, check that {@code quote} calls the provider's estimate (never its
   * create) and reads the amount and currency it answers with.
   */
  @Test
  default void optional_priceQuotes_quoteCreatesNothing() {
    PriceQuotes quotes = require(PriceQuotes.class);
    RemoteFile file = uploadedChatFile("quote");
    JobRequest request = TckValues.jobRequest(fixture().baseModel(), file.id());
    fixture().acceptQuote(request);
    PriceQuote quote = quotes.quote(request);
    assertThat(quote.amount().signum()).as("sign of the quoted amount %s", quote.amount()).isNotNegative();
    assertThat(quote.currency()).as("currency of the quote").isNotBlank();
    assertThat(provider().findJob(request.idempotencyKey())).as("a job for the quoted request's key").isEmpty();
  }
}
