package dev.tunekit.model;

import java.util.OptionalDouble;

/**
 * Training metrics at one step. Absent values are empty (validation metrics are reported on few
 * steps by most providers).
 *
 * @param step the training step (1-based as the provider reports it)
 * @param trainLoss training loss at that step
 * @param validLoss validation loss at that step, if computed
 * @param trainAccuracy training token accuracy, if reported
 * @param validAccuracy validation token accuracy, if reported
 */
public record MetricPoint(
    long step,
    OptionalDouble trainLoss,
    OptionalDouble validLoss,
    OptionalDouble trainAccuracy,
    OptionalDouble validAccuracy) {

  /** A point with only a training loss. */
  public static MetricPoint trainLoss(long step, double loss) {
    return new MetricPoint(step, OptionalDouble.of(loss), OptionalDouble.empty(),
        OptionalDouble.empty(), OptionalDouble.empty());
  }
}
