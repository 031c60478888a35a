package dev.tunekit.spi;

import java.util.List;

/**
 * A run was refused after its (free) upload and before its (paid) job was created: the provider's
 * {@linkplain PriceQuotes price quote} was above the run's {@code maxPrice}, or the provider said the account may
 * not proceed. No job was created; the uploaded files are kept and reused by the next run with the same data.
 * Like every {@link PreflightException}, it is definite: fix the problem and start a new run.
 */
public class PriceRefusedException extends PreflightException {
  private static final long serialVersionUID = 1L;
  private final PriceQuote quote;

  /**
   * @param runId the run recorded as REJECTED
   * @param provider the provider's name, for the message
   * @param quote the provider's quote
   * @param problem why the quote refuses the job
   */
  public PriceRefusedException(String runId, String provider, PriceQuote quote, PreflightProblem problem) {
    super("Run " + runId + " was refused before its job was created: " + problem + ". Its training files were"
        + " uploaded to " + provider + " (free; they are reused), but no job was created. Fix it and start a new"
        + " run.", runId, List.of(problem));
    this.quote = quote;
  }

  /** The provider's quote that refused the job. */
  public PriceQuote quote() {
    return quote;
  }
}
