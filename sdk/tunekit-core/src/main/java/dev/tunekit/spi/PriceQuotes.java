package dev.tunekit.spi;

/**
 * The capability to quote a job's price remotely, from the uploaded files, before it is created. The engine
 * asks once per submission, after the upload and before {@link TuningProvider#createJob}; nothing is created
 * when the quote is above the run's {@code maxPrice} or {@link PriceQuote#allowedToProceed()} is false.
 * A quote must not create, start or reserve anything.
 */
public interface PriceQuotes extends Capability {
  /** The provider's price for creating {@code request} (its files are uploaded already). */
  PriceQuote quote(JobRequest request);
}
