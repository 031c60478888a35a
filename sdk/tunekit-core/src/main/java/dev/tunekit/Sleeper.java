package dev.tunekit;

import dev.tunekit.error.TunekitException;

import java.time.Duration;

/** Waits. Injected so that retries and polling run in milliseconds in tests. */
@FunctionalInterface
public interface Sleeper {
  /** The real one. */
  Sleeper SYSTEM = d -> Thread.sleep(Math.max(0, d.toMillis()));

  void sleep(Duration duration) throws InterruptedException;

  /** Sleeps, turning an interrupt into a {@link TunekitException} (with the interrupt flag kept). */
  default void sleepUninterruptibly(Duration duration) {
    try {
      sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TunekitException("Interrupted while waiting; the run is safe in the ledger: resume it later.", e);
    }
  }
}
