package dev.tunekit.spi;

import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import java.util.Objects;

/**
 * One poll of a job: its state and what is new in its events and metrics since the cursors passed to
 * {@link TuningProvider#progress}.
 *
 * @param job the job's current state
 * @param events the events after the events cursor, oldest first, and the cursor to read on from
 * @param metrics the metric points after the metrics cursor, by step, and the cursor to read on from
 */
public record JobProgress(RemoteJob job, Page<JobEvent> events, Page<MetricPoint> metrics) {
  /** Canonical constructor. */
  public JobProgress {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(metrics, "metrics");
  }
}
