package dev.tunekit.spi;

import dev.tunekit.model.MetricPoint;
import java.util.Objects;

/**
 * A model checkpoint saved during training.
 *
 * @param id the provider's checkpoint id
 * @param model the model id that serves this checkpoint
 * @param metrics the metrics at the checkpoint's step
 */
public record Checkpoint(String id, String model, MetricPoint metrics) {
  /** Canonical constructor. */
  public Checkpoint {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(metrics, "metrics");
  }
}
