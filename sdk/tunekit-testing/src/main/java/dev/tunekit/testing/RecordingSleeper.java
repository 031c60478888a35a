package dev.tunekit.testing;

import dev.tunekit.Sleeper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every wait and advances the fake clock by it, returning at once. */
public final class RecordingSleeper implements Sleeper {
  /** Every wait, in order. */
  public final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  private final FakeClock clock;

  /** Advances {@code clock} by each wait. */
  public RecordingSleeper(FakeClock clock) {
    this.clock = clock;
  }

  @Override
  public void sleep(Duration d) {
    sleeps.add(d);
    clock.advance(d);
  }

  /** The sum of all waits. */
  public Duration total() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }
}
