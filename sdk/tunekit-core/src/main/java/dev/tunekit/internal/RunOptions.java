package dev.tunekit.internal;

import dev.tunekit.dataset.CostEstimate;
import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.error.TunekitException;
import dev.tunekit.internal.ledger.StoredJson;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.PriceQuote;
import dev.tunekit.spi.PriceQuotes;
import dev.tunekit.spi.StartFromCheckpoint;
import dev.tunekit.spi.TuningProvider;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The provider-neutral run options the engine checks itself: the price cap ({@code maxPrice}) against the
 * catalog's offline estimate and the provider's remote quote, and the start checkpoint ({@code fromCheckpoint})
 * against the provider's capability. Kept apart from {@link Workflow}, which calls it at preflight and
 * just before the paid create.
 */
final class RunOptions {
  /** The run log step under which a price quote is recorded (as stored JSON). */
  static final String QUOTE_STEP = "price.quote";
  static final String USD = "USD";

  private RunOptions() {}

  /** Preflight problems of the run's own options (empty when it sets neither). */
  static List<PreflightProblem> problems(TuningProvider provider, RunSpec spec, DatasetReport report,
      boolean datasetErrors) {
    List<PreflightProblem> out = new ArrayList<>();
    if (spec.fromCheckpoint() != null) {
      Optional<StartFromCheckpoint> c = provider.capability(StartFromCheckpoint.class);
      if (c.isEmpty()) {
        out.add(new PreflightProblem("fromCheckpoint", "provider " + provider.name() + " cannot start a job from a"
            + " checkpoint (it has no StartFromCheckpoint capability)", "drop fromCheckpoint, or choose a provider"
            + " that can start from a checkpoint"));
      } else {
        out.addAll(c.get().checkCheckpoint(spec.fromCheckpoint()));
      }
    }
    if (spec.maxPrice() != null && !datasetErrors) {
      BigDecimal max = spec.maxPrice();
      Optional<CostEstimate> cost = report.cost();
      if (cost.isEmpty()) {
        out.add(new PreflightProblem("maxPrice", "no training price is known for model " + spec.model()
            + " on provider " + provider.name() + ", so the cap of " + max.toPlainString() + " USD cannot be checked"
            + " and would not apply", "remove maxPrice, or tune a model whose price the provider's catalog lists"
            + " (the dataset report shows a cost estimate when it does)"));
      } else if (!USD.equals(cost.get().currency())) {
        out.add(new PreflightProblem("maxPrice", "the catalog prices model " + spec.model() + " in "
            + cost.get().currency() + ", and maxPrice is in USD: the cap cannot be compared",
            "remove maxPrice for this model"));
      } else if (cost.get().total().compareTo(max) > 0) {
        CostEstimate c = cost.get();
        out.add(new PreflightProblem("maxPrice", "the estimated training cost is " + c.total().toPlainString()
            + " USD (" + c.epochs() + " epochs x " + c.billingTokensPerEpoch() + " tokens at "
            + c.pricePerMillionTokens().toPlainString() + " USD per 1M, from the " + c.provider()
            + " catalog), above maxPrice " + max.toPlainString() + " USD", "raise maxPrice, train fewer epochs,"
            + " or use less training data, and start a new run"));
      }
    }
    return out;
  }

  /**
   * Asks the provider for its quote of {@code request}, when it quotes prices. Returns the quote to record, or
   * empty when the provider does not quote (or, without a cap, the quote failed: it is informational then).
   * With a cap, a failed quote is rethrown: the job is not created without one.
   */
  static Optional<PriceQuote> quote(TuningProvider provider, JobRequest request, BigDecimal maxPrice,
      java.util.function.Consumer<String> note) {
    Optional<PriceQuotes> q = provider.capability(PriceQuotes.class);
    if (q.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(q.get().quote(request));
    } catch (TunekitException e) {
      if (maxPrice != null) {
        throw new TunekitException("The price quote failed, and with maxPrice set the job is not created without"
            + " one (nothing was created): " + e.getMessage(), e);
      }
      note.accept(e.getMessage());
      return Optional.empty();
    }
  }

  /** The problem with {@code quote}, if the job must not be created: not allowed, another currency, above the cap. */
  static Optional<PreflightProblem> refusal(PriceQuote quote, BigDecimal maxPrice) {
    if (!quote.allowedToProceed()) {
      return Optional.of(new PreflightProblem("price quote", "the provider says this account may not proceed with"
          + " the job (" + quote.describe() + ")", "check the account's credit limit and balance with the"
          + " provider, or shrink the job, and start a new run"));
    }
    if (maxPrice == null) {
      return Optional.empty();
    }
    if (!USD.equals(quote.currency())) {
      return Optional.of(new PreflightProblem("maxPrice", "the provider quoted " + quote.describe()
          + ", not in USD: maxPrice cannot be compared", "remove maxPrice for this provider and start a new run"));
    }
    if (quote.amount().compareTo(maxPrice) > 0) {
      return Optional.of(new PreflightProblem("maxPrice", "the provider quoted " + quote.describe()
          + ", above maxPrice " + maxPrice.toPlainString() + " USD", "raise maxPrice, train fewer epochs, or use less training data, and start a new"
          + " run"));
    }
    return Optional.empty();
  }

  /** A quote as the run log stores it. */
  record StoredQuote(String amount, String currency, Long trainedTokens, boolean allowedToProceed,
      String source) {}

  static String toJson(PriceQuote q) {
    return StoredJson.write(new StoredQuote(q.amount().toPlainString(), q.currency(),
        q.trainedTokens().isPresent() ? q.trainedTokens().getAsLong() : null, q.allowedToProceed(), q.source()));
  }

  /** The last quote in a run's log lines ({@code step detail}), if any. */
  static Optional<PriceQuote> lastQuote(List<String> logLines) {
    for (int i = logLines.size() - 1; i >= 0; i--) {
      String line = logLines.get(i);
      if (line.startsWith(QUOTE_STEP + " ")) {
        StoredQuote s = StoredJson.read(line.substring(QUOTE_STEP.length() + 1), StoredQuote.class, "price quote");
        return Optional.of(new PriceQuote(new BigDecimal(s.amount()), s.currency(), s.trainedTokens() == null ? OptionalLong.empty()
            : OptionalLong.of(s.trainedTokens()), s.allowedToProceed(), s.source()));
      }
    }
    return Optional.empty();
  }
}
