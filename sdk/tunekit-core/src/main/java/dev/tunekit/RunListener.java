package dev.tunekit;

import dev.tunekit.internal.ConsoleListener;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;

import dev.tunekit.spi.RemoteJob;
import java.io.PrintStream;

/**
 * Receives a run's progress while {@link Run#await(RunListener)} waits, and, given to
 * {@link FineTune#submit(RunListener, java.util.concurrent.Executor)}, the moves of its background steps
 * ({@link #onState}, {@link #onFailed}). Every method has an empty default, so a lambda-free anonymous class
 * or {@link #console()} is all most callers need. Called on the waiting thread (for {@code submit}, on the
 * thread that made the move: the caller's, then the executor's); an exception thrown by a listener is logged
 * and ignored.
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

  /**
   * The run moved to {@code run.state()}: with {@link FineTune#submit}, called for every move up to SUBMITTED
   * (VALIDATED on the caller's thread, before {@code submit} returns; BASELINE_EVALUATED, UPLOADED, SUBMITTED, or
   * REJECTED on a refused price quote, from the background).
   */
  default void onState(RunInfo run) {}

  /**
   * The background steps of {@link FineTune#submit} stopped before the job was created: {@code run} is the run as
   * the ledger has it afterwards (its state is where it stopped, {@link RunInfo#error()} says why) and
   * {@code failure} is what {@link Run#submitted()} and {@link Run#await()} then throw; it says whether
   * {@code tk.resume(id)} continues the run ({@link dev.tunekit.error.TunekitException#resumeRunId()}) or it must
   * be started anew. {@code run} is null only if the ledger could not be read.
   */
  default void onFailed(RunInfo run, dev.tunekit.error.TunekitException failure) {}

  /**
   * The provider is failing and Tunekit paused its calls to it (the circuit breaker opened): the run is not
   * failing, it waits and tries again at {@code until}. Called again if that trial call fails too. A direct
   * call outside a run ({@code tk.chat}, a single read) fails fast instead, with a
   * {@link dev.tunekit.error.CircuitOpenException}.
   */
  default void onProviderPaused(String provider, java.time.Instant until) {}

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
