package dev.tunekit.dataset;

import java.math.BigDecimal;
import java.util.List;

/**
 * What Tunekit knows about one provider's base model, read from the provider's data file under
 * {@code dev/tunekit/dataset/models/}. Package-private: the public surface is the report.
 *
 * @param provider provider name
 * @param id the model id as the data file names it
 * @param known whether the model was found in the data file (else every limit below is a default)
 * @param encoding tiktoken encoding name used to count tokens
 * @param contextTokens per-example token limit, or 0 when unknown
 * @param minExamples fewest examples the provider accepts
 * @param maxExamples most examples the provider accepts, or 0 when unknown
 * @param defaultEpochs the provider's default epochs for this model, or 0 to use OpenAI's rule
 * @param pricePerMillion training price per 1M trained tokens, or null when unknown
 * @param currency currency of the price
 * @param singleTurnOnly whether the model accepts only one user turn per example
 * @param confirmed whether the numbers were confirmed against the cited sources
 * @param notes free-text notes from the data file
 * @param asOf when the data file's numbers were taken
 * @param sources where the numbers come from
 */
record ModelSpec(
    String provider,
    String id,
    boolean known,
    String encoding,
    int contextTokens,
    long minExamples,
    long maxExamples,
    int defaultEpochs,
    BigDecimal pricePerMillion,
    String currency,
    boolean singleTurnOnly,
    boolean confirmed,
    String notes,
    String asOf,
    List<String> sources) {

  /** Structural checks only: no model limits, no price. Used by {@code prepare}. */
  static ModelSpec structural() {
    return new ModelSpec("any", "any", false, "o200k_base", 0, 1, 0, 0, null, "USD", false, true, "", "",
        List.of());
  }
}
