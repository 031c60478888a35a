package dev.tunekit.dataset;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a provider module contributes to datasets: the model catalog (ids, aliases, limits, prices) for
 * each provider type it implements, and the formats it trains on with their converters. Found with
 * {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.tunekit.dataset.DatasetContributor}, and {@code provides} it in a
 * module-info); Tunekit's core names no provider.
 *
 * <p><b>Why a separate service and not methods on the provider factory.</b> Validation, cost
 * estimates and conversion run without a {@code Tunekit} instance and without credentials (the
 * {@code validate.jsh} script, {@link Dataset#validate(ValidationOptions)}), so they are looked up on
 * their own. Keeping this interface in {@code dev.tunekit.dataset} also keeps the package graph
 * acyclic: the SPI package already depends on this one (for {@link DatasetFormat}), so this package
 * must not depend on the SPI's factory. A provider module's factory usually implements both
 * interfaces, so one {@link #names()} answers for its provider types and its data.
 *
 * <p>Lookups follow the "not mine" pattern: {@link #catalog(String)} and {@link #converter(DatasetFormat)}
 * answer empty for what the contributor does not know, and Tunekit asks the next one; when nobody
 * answers, the error lists every contributor it asked.
 */
public interface DatasetContributor {

  /** The provider types this contributor describes, as in {@code provider:} or a section's {@code type:}. */
  Set<String> names();

  /**
   * The model catalog for provider type {@code type} (one of {@link #names()}), or empty when this
   * contributor has none for it (models are then unknown: no limits and no price are checked).
   */
  default Optional<ModelCatalog> catalog(String type) {
    return Optional.empty();
  }

  /** The non-neutral formats this contributor can write, for listings and error messages. */
  default List<DatasetFormat> formats() {
    return List.of();
  }

  /** A converter to {@code format}, or empty when the format is not this contributor's. */
  default Optional<DatasetConverter> converter(DatasetFormat format) {
    return Optional.empty();
  }
}
