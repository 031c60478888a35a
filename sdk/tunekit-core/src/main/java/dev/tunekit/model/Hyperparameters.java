package dev.tunekit.model;

import dev.tunekit.error.InvalidInputException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Neutral training hyperparameters. Unset values are left to the provider's defaults (and, for cost
 * estimates, to the model catalog's default epochs). Provider-specific settings go in {@link #extras()} by
 * their provider name (for example {@code learningRateWarmupSteps}) and are passed through.
 */
public final class Hyperparameters {
  private static final Hyperparameters DEFAULTS = builder().build();
  private final Integer epochs;
  private final Integer batchSize;
  private final Double learningRateMultiplier;
  private final Long seed;
  private final Map<String, Object> extras;

  private Hyperparameters(Builder b) {
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.learningRateMultiplier = b.learningRateMultiplier;
    this.seed = b.seed;
    this.extras = Map.copyOf(b.extras);
  }

  /** Provider defaults for everything. */
  public static Hyperparameters defaults() {
    return DEFAULTS;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with these values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.epochs = epochs;
    b.batchSize = batchSize;
    b.learningRateMultiplier = learningRateMultiplier;
    b.seed = seed;
    b.extras.putAll(extras);
    return b;
  }

  /** Number of epochs, if set. */
  public OptionalInt epochs() {
    return epochs == null ? OptionalInt.empty() : OptionalInt.of(epochs);
  }

  /** Batch size, if set. */
  public OptionalInt batchSize() {
    return batchSize == null ? OptionalInt.empty() : OptionalInt.of(batchSize);
  }

  /** Learning-rate multiplier or learning rate (as the provider defines it), if set. */
  public OptionalDouble learningRateMultiplier() {
    return learningRateMultiplier == null ? OptionalDouble.empty() : OptionalDouble.of(learningRateMultiplier);
  }

  /** Training seed, if set. */
  public OptionalLong seed() {
    return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
  }

  /** Provider-specific settings passed through by name. */
  public Map<String, Object> extras() {
    return extras;
  }

  /** One provider-specific setting. */
  public Optional<Object> extra(String name) {
    return Optional.ofNullable(extras.get(name));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hyperparameters h && java.util.Objects.equals(epochs, h.epochs)
        && java.util.Objects.equals(batchSize, h.batchSize)
        && java.util.Objects.equals(learningRateMultiplier, h.learningRateMultiplier)
        && java.util.Objects.equals(seed, h.seed) && extras.equals(h.extras);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(epochs, batchSize, learningRateMultiplier, seed, extras);
  }

  @Override
  public String toString() {
    return "Hyperparameters{epochs=" + epochs + ", batchSize=" + batchSize
        + ", learningRateMultiplier=" + learningRateMultiplier + ", seed=" + seed + ", extras=" + extras + "}";
  }

  /** Builder for {@link Hyperparameters}. */
  public static final class Builder {
    private Integer epochs;
    private Integer batchSize;
    private Double learningRateMultiplier;
    private Long seed;
    private final Map<String, Object> extras = new LinkedHashMap<>();

    private Builder() {}

    /** Number of epochs (1 to 50). */
    public Builder epochs(int epochs) {
      if (epochs < 1 || epochs > 50) {
        throw new InvalidInputException("epochs must be between 1 and 50, was " + epochs);
      }
      this.epochs = epochs;
      return this;
    }

    /** Batch size (at least 1). */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new InvalidInputException("batchSize must be at least 1, was " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** Learning-rate multiplier (greater than 0). */
    public Builder learningRateMultiplier(double multiplier) {
      if (!(multiplier > 0) || Double.isInfinite(multiplier)) {
        throw new InvalidInputException("learningRateMultiplier must be a positive number, was " + multiplier);
      }
      this.learningRateMultiplier = multiplier;
      return this;
    }

    /** Training seed. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** A provider-specific setting, passed through by name. */
    public Builder extra(String name, Object value) {
      extras.put(java.util.Objects.requireNonNull(name, "name"), java.util.Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The immutable hyperparameters. */
    public Hyperparameters build() {
      return new Hyperparameters(this);
    }
  }
}
