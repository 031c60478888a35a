package dev.tunekit.dataset;

import java.math.BigDecimal;
import java.util.List;

/**
 * What Tunekit knows about one base model on one provider type, resolved from the provider's
 * {@link ModelCatalog}. Package-private: the public surface is the report.
 *
 * @param provider the provider type the dataset is validated for; empty for structural checks only
 * @param id the model id as the catalog names it
 * @param known whether the model was found in a catalog (else every limit below is a default)
 * @param encoding tiktoken encoding name used to count tokens
 * @param contextTokens per-example token limit, or 0 when unknown
 * @param minExamples fewest examples the provider accepts
 * @param maxExamples most examples the provider accepts, or 0 when unknown
 * @param defaultEpochs the provider's default epochs for this model, or 0 to use the scaled default rule
 * @param pricePerMillion training price per 1M trained tokens, or null when unknown
 * @param currency currency of the price
 * @param singleTurnOnly whether the model accepts only one user turn per example
 * @param confirmed whether the numbers were confirmed against the cited sources
 * @param notes free-text notes from the catalog
 * @param asOf when the catalog's numbers were taken
 * @param sources where the numbers come from
 * @param catalog the catalog the numbers come from, or null when there is none
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
    List<String> sources,
    ModelCatalog catalog) {

  /** Structural checks only: no model limits, no price. Used by {@code prepare}. */
  static ModelSpec structural() {
    return new ModelSpec("", "", false, "o200k_base", 0, 1, 0, 0, null, "USD", false, true, "", "",
        List.of(), null);
  }

  /** A model no catalog describes ({@code catalog} may be null: then no provider data at all). */
  static ModelSpec unknown(String provider, String model, ModelCatalog catalog) {
    return new ModelSpec(provider, model, false, "o200k_base", 0, catalog == null ? 1 : catalog.minExamples(), 0, 0,
        null, "USD", false, false, "", catalog == null ? "" : catalog.asOf(),
        catalog == null ? List.of() : catalog.sources(), catalog);
  }

  /** Whether this is the structural-only spec (no model, no provider). */
  boolean structuralOnly() {
    return id.isEmpty();
  }
}
