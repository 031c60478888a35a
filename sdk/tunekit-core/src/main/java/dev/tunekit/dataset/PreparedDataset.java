package dev.tunekit.dataset;

import java.util.Objects;
import java.util.Optional;

/**
 * The files a run uploads: training data and, when split or given, validation data.
 *
 * @param training the training file
 * @param validation the validation file, if any
 */
public record PreparedDataset(ConvertedFile training, Optional<ConvertedFile> validation) {
  /** Canonical constructor. */
  public PreparedDataset {
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(validation, "validation");
  }
}
