package dev.tunekit.spi;

import dev.tunekit.model.MetricPoint;
import java.util.Objects;

/** A model checkpoint saved during training. Immutable; built with {@link #builder()}. */
public final class Checkpoint {
  private final String id;
  private final String model;
  private final MetricPoint metrics;

  private Checkpoint(Builder b) {
    this.id = Objects.requireNonNull(b.id, "Checkpoint.id is required");
    this.model = Objects.requireNonNull(b.model, "Checkpoint.model is required");
    this.metrics = Objects.requireNonNull(b.metrics, "Checkpoint.metrics is required");
  }

  /** A builder; every field is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this checkpoint's values. */
  public Builder toBuilder() {
    return new Builder().id(id).model(model).metrics(metrics);
  }

  /** The provider's checkpoint id. */
  public String id() {
    return id;
  }

  /** The model id that serves this checkpoint. */
  public String model() {
    return model;
  }

  /** The metrics at the checkpoint's step. */
  public MetricPoint metrics() {
    return metrics;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c && id.equals(c.id) && model.equals(c.model) && metrics.equals(c.metrics);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, model, metrics);
  }

  @Override
  public String toString() {
    return "Checkpoint[id=" + id + ", model=" + model + ", metrics=" + metrics + "]";
  }

  /** Builds a {@link Checkpoint}. */
  public static final class Builder {
    private String id;
    private String model;
    private MetricPoint metrics;

    private Builder() {}

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder metrics(MetricPoint metrics) {
      this.metrics = metrics;
      return this;
    }

    /** @throws NullPointerException naming the missing field */
    public Checkpoint build() {
      return new Checkpoint(this);
    }
  }
}
