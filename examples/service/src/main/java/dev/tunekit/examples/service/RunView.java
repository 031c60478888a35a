package dev.tunekit.examples.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A run as the API shows it. The list ({@code GET /api/runs}) fills the first fields; one run
 * ({@code GET /api/runs/{id}}) adds its progress, training curve, baseline-vs-tuned scores, gate and report link.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(
    String id,
    String provider,
    String state,
    boolean terminal,
    boolean driving,
    String baseModel,
    String tunedModel,
    String jobId,
    String jobStatus,
    String error,
    String createdAt,
    String updatedAt,
    Progress progress,
    List<Point> metrics,
    String metricsError,
    Score baseline,
    Score tuned,
    Double gateRequired,
    Gate gate,
    String reportUrl) {

  /** Training progress: the last step reported and the job's total, when known. */
  public record Progress(long step, Long totalSteps) {}

  /** One training step: its loss and, every few steps, the validation loss. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Point(long step, Double trainLoss, Double validLoss) {}

  /** An evaluation's pass rate on the held-out suite, with its 95% interval. */
  public record Score(String model, int passed, int total, double rate, double low, double high) {}

  /** The gate's decision. */
  public record Gate(String gate, boolean passed, String message) {}
}
