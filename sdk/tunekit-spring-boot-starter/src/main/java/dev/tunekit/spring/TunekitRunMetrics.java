package dev.tunekit.spring;

import dev.tunekit.RunInfo;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Gauges {@code tunekit.runs} (tags {@code state}, {@code provider}): how many runs of the ledger are in each
 * {@link RunState}. The ledger is read at most once per refresh interval, however often the gauges are scraped.
 */
public final class TunekitRunMetrics implements MeterBinder {
  private final Tunekit tunekit;
  private final long refreshNanos;
  private Map<RunState, Long> counts = new EnumMap<>(RunState.class);
  private long readAt;
  private boolean read;

  /**
   * @param tunekit the Tunekit whose ledger is counted
   * @param refresh how long counts are reused
   */
  public TunekitRunMetrics(Tunekit tunekit, Duration refresh) {
    this.tunekit = tunekit;
    this.refreshNanos = refresh.toNanos();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (RunState state : RunState.values()) {
      Gauge.builder("tunekit.runs", this, m -> m.count(state))
          .tag("state", state.name()).tag("provider", tunekit.provider())
          .description("Runs in the Tunekit ledger, by state").register(registry);
    }
  }

  /** Runs in {@code state}, from counts at most one refresh interval old; NaN when the ledger cannot be read. */
  synchronized double count(RunState state) {
    long now = System.nanoTime();
    if (!read || now - readAt >= refreshNanos) {
      try {
        Map<RunState, Long> c = new EnumMap<>(RunState.class);
        for (RunInfo r : tunekit.runs()) {
          c.merge(r.state(), 1L, Long::sum);
        }
        counts = c;
      } catch (RuntimeException e) {
        return Double.NaN;
      }
      readAt = now;
      read = true;
    }
    return counts.getOrDefault(state, 0L);
  }
}
