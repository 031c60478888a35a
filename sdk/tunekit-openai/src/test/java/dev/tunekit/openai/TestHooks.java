package dev.tunekit.openai;

import dev.tunekit.testing.FakeClock;
import dev.tunekit.testing.RecordingSleeper;
import dev.tunekit.internal.Internals;
import dev.tunekit.Tunekit;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Test helpers for workflow tests in this module: fake time for {@link Tunekit.Builder} (so retry
 * waits and polling are recorded instead of slept) and read access to a run's ledger entries through
 * {@link Internals}.
 */
public final class TestHooks {
  private TestHooks() {}

  /**
   * Time that moves only when the workflow sleeps: every wait (a retry backoff, a Retry-After, a
   * poll interval) is recorded, advances the clock and returns at once. Built on tunekit-testing's
   * {@link FakeClock} and {@link RecordingSleeper}.
   */
  public static final class FakeTime {
    private final FakeClock clock = new FakeClock();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);

    /** Gives {@code builder} this clock and sleeper, and an empty environment (no TUNEKIT_* overrides). */
    public Tunekit.Builder install(Tunekit.Builder builder) {
      // No webhook wake-up checks between polls (ledgerPoll of a day): each recorded wait is a whole
      // poll interval or retry wait, not half-second slices of one.
      return builder.env(Map.of()).leases(null, Duration.ofDays(1)).clock(clock).sleeper(sleeper);
    }

    /** Every wait so far, in order. */
    public List<Duration> sleeps() {
      return List.copyOf(sleeper.sleeps);
    }

    /** Forgets the waits recorded so far. */
    public void clearSleeps() {
      sleeper.sleeps.clear();
    }
  }

  /** The idempotency key the ledger holds for {@code runId} (what job creation puts in metadata). */
  public static String idempotencyKey(Tunekit tk, String runId) {
    return Internals.workflow(tk).row(runId).idempotencyKey();
  }

  /** The ledger's step log of {@code runId}, as {@code "step detail"} lines, oldest first. */
  public static List<String> ledgerLog(Tunekit tk, String runId) {
    return Internals.workflow(tk).ledger().logOf(runId);
  }
}
