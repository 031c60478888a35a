package dev.tunekit.internal.engine;

import dev.tunekit.RunState;
import dev.tunekit.internal.RunSpec;
import dev.tunekit.internal.ledger.Ledger;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves runs through {@link RunTransitions} in the ledger, and drives a run as far as it can go now.
 *
 * <p>{@link #fire} is the only way a run's state changes: it checks the table, then makes the move as
 * one transaction (compare-and-set on the run's state and version, plus an append to
 * {@code run_transitions}). When another writer moved the run first it re-reads and tries again; an
 * event the run has already absorbed (it is at the event's target or past it) is a no-op, so every step
 * is idempotent against the ledger.
 *
 * <p>{@link #drive} is the one function behind {@code run.await()}, a webhook that reports a job's end,
 * and {@code tk.resume(id)} in any process: from the recorded state it runs the next steps (upload and
 * submit; evaluate a trained model; decide the gate) until the run waits for the provider, needs
 * something this process lacks (the eval suite), or rests. All three therefore reach the same end.
 */
public final class RunMachine {
  private static final Logger LOG = LoggerFactory.getLogger(RunMachine.class);
  private static final int MAX_ROUNDS = 32;

  private final Ledger ledger;
  private volatile java.util.function.Consumer<String> onMove = id -> {};

  public RunMachine(Ledger ledger) {
    this.ledger = ledger;
  }

  /** Called with the run's id after each move this machine makes (on the moving thread; must not throw). */
  public void onMove(java.util.function.Consumer<String> hook) {
    this.onMove = java.util.Objects.requireNonNull(hook, "hook");
  }

  /** The steps {@link #drive} runs; the workflow implements them (they call the provider). */
  public interface Steps<E> {
    /** From CREATED up to SUBMITTED: validate, evaluate the baseline, upload, submit. */
    void toSubmission(String runId);

    /** From TRAINED or EVALUATION_FAILED: evaluate the tuned model (if the run has a suite and this process has it). */
    Optional<E> evaluate(String runId);

    /** From EVALUATED: decide the gate, if the run has one. */
    void gate(String runId);
  }

  /**
   * What {@link #drive} reached.
   *
   * @param state the run's state afterwards
   * @param evaluated the evaluation this call made, if any (it may be incomplete, hence not recorded)
   */
  public record Drive<E>(RunState state, Optional<E> evaluated) {}

  /** Runs the run's next steps until it waits, rests or needs what this process lacks. */
  public <E> Drive<E> drive(String runId, Steps<E> steps) {
    Optional<E> evaluated = Optional.empty();
    boolean evaluatedHere = false;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      RunState before = row(runId).state();
      switch (before) {
        case CREATED, VALIDATED, BASELINE_EVALUATED, UPLOADED -> steps.toSubmission(runId);
        case TRAINED, EVALUATION_FAILED -> {
          if (evaluatedHere) {
            return new Drive<>(before, evaluated); // one attempt per drive: a failure waits for the next one
          }
          evaluatedHere = true;
          Optional<E> e = steps.evaluate(runId);
          if (e.isPresent()) {
            evaluated = e;
          }
        }
        case EVALUATED -> steps.gate(runId);
        default -> {
          return new Drive<>(before, evaluated); // SUBMITTED waits for the job; the rest are over or wait for the user
        }
      }
      RunState after = row(runId).state();
      if (after == before) {
        return new Drive<>(after, evaluated); // the step could not move it (no suite, no gate, nothing to do)
      }
    }
    throw new IllegalStateException("run " + runId + " did not settle after " + MAX_ROUNDS + " steps: "
        + ledger.history(runId));
  }

  /**
   * Moves the run by {@code event}, writing {@code sets} with the move. Returns true when it moved,
   * false when the run had absorbed the event already.
   *
   * @throws IllegalRunTransitionException when the table has no such move from the run's state
   */
  public boolean fire(String runId, RunEvent event, String cause, Map<String, Object> sets) {
    return move(runId, event, cause, sets, false);
  }

  /**
   * {@link #fire} for something the provider reported (a job's status): when the run's state does not
   * take the event (it was cancelled meanwhile, say), nothing moves and false is returned.
   */
  public boolean observe(String runId, RunEvent event, String cause, Map<String, Object> sets) {
    return move(runId, event, cause, sets, true);
  }

  private boolean move(String runId, RunEvent event, String cause, Map<String, Object> sets, boolean lenient) {
    while (true) {
      Ledger.RunRow row = row(runId);
      Optional<RunTransitions.Transition> t = RunTransitions.find(row.state(), event, gated(row));
      if (t.isEmpty()) {
        if (RunTransitions.alreadyPast(row.state(), event)) {
          return false;
        }
        if (lenient) {
          LOG.debug("Run {} is {}: {} does not move it", runId, row.state(), event);
          return false;
        }
        throw new IllegalRunTransitionException(runId, row.state(), event, ledger.history(runId));
      }
      if (ledger.move(runId, row.state(), row.version(), event.name(), t.get().to(), cause, sets)) {
        onMove.accept(runId);
        return true;
      }
      // 0 rows updated: another writer moved the run first. Re-read and decide again.
    }
  }

  private Ledger.RunRow row(String runId) {
    return ledger.run(runId).orElseThrow(() -> new Ledger.NotFoundInLedger(runId));
  }

  /** Whether the run sets a promotion gate (from its stored spec). */
  public static boolean gated(Ledger.RunRow row) {
    RunSpec spec = RunSpec.fromJson(row.spec());
    return spec.eval() != null && spec.eval().gate().isPresent();
  }
}
