package dev.tunekit;

import dev.tunekit.internal.ConsoleListener;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;

import dev.tunekit.spi.RemoteJob;
import java.io.PrintStream;

/**
 * Receives a run's progress while {@link Run#await(RunListener)} waits. Every method has an empty
 * default, so a lambda-free anonymous class or {@link #console()} is all most callers need. Called on
 * the waiting thread; an exception thrown by a listener is logged and ignored.
 */
public interface RunListener {

  /** The job's status changed (called once at the start with the current status). */
  default void onStatus(RemoteJob job) {}

  /** A new job event, each event once (de-duplicated by id), oldest first. */
  default void onEvent(JobEvent event) {}

  /** A new metric point, each step once, in step order. */
  default void onMetric(MetricPoint point) {}

  /** The run ended. */
  default void onFinished(RunResult result) {}

  /** A listener that does nothing. */
  static RunListener none() {
    return new RunListener() {};
  }

  /**
   * Draws progress on standard output: a bar (when the provider reports {@code Step n/N}), the job
   * state, the step and the latest training and validation loss. Redrawn in place on a terminal, one
   * line per change otherwise, so it stays readable in a log file. At the end it prints the run's
   * outcome and, for an evaluated run, the baseline-vs-tuned comparison and the gate decision
   * ({@link #progress()} leaves those two out).
   */
  static RunListener console() {
    return new ConsoleListener(System.out, System.console() != null);
  }

  /** Like {@link #console()}, writing to {@code out}, one line per change. */
  static RunListener console(PrintStream out) {
    return new ConsoleListener(out, false);
  }

  /**
   * Like {@link #console()}, but the end is one line (the run's state, model, final loss and time):
   * for code that presents the evaluation and the gate itself, so they are not printed twice.
   */
  static RunListener progress() {
    return new ConsoleListener(System.out, System.console() != null, false);
  }

  /** Like {@link #progress()}, writing to {@code out}, one line per change. */
  static RunListener progress(PrintStream out) {
    return new ConsoleListener(out, false, false);
  }
}
