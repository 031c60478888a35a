package dev.tunekit.internal.engine;

import static dev.tunekit.RunState.BASELINE_EVALUATED;
import static dev.tunekit.RunState.CANCELLED;
import static dev.tunekit.RunState.CREATED;
import static dev.tunekit.RunState.DEPLOYED;
import static dev.tunekit.RunState.EVALUATED;
import static dev.tunekit.RunState.EVALUATION_FAILED;
import static dev.tunekit.RunState.FAILED;
import static dev.tunekit.RunState.GATE_BLOCKED;
import static dev.tunekit.RunState.GATE_PASSED;
import static dev.tunekit.RunState.REJECTED;
import static dev.tunekit.RunState.SUBMITTED;
import static dev.tunekit.RunState.TRAINED;
import static dev.tunekit.RunState.UPLOADED;
import static dev.tunekit.RunState.VALIDATED;

import dev.tunekit.RunState;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every legal move of a run, as data: one row per (from, event, guard) → to. Nothing else moves a run;
 * {@link RunMachine} refuses any other pair with {@link IllegalRunTransitionException}
 * ({@code [TK-RUN-001]}), and {@code RunStatesDiagramTest} draws this table into
 * {@code docs/run-states.md}, failing when the committed diagram differs.
 */
public final class RunTransitions {
  private RunTransitions() {}

  /** When a row applies: always, only for a run with a promotion gate, or only for one without. */
  public enum Guard {
    ALWAYS(""), GATED("gated"), UNGATED("no gate");

    private final String label;

    Guard(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    boolean admits(boolean gated) {
      return this == ALWAYS || (this == GATED) == gated;
    }
  }

  /** One legal move. */
  public record Transition(RunState from, RunEvent event, RunState to, Guard guard) {}

  /** The initial state of every run. */
  public static final RunState INITIAL = CREATED;

  /** The table, in the order it is drawn. */
  public static final List<Transition> TABLE = List.of(
      t(CREATED, RunEvent.VALIDATE, VALIDATED),
      t(CREATED, RunEvent.REJECT, REJECTED),
      t(CREATED, RunEvent.CANCEL, CANCELLED),
      t(VALIDATED, RunEvent.REJECT, REJECTED),
      t(VALIDATED, RunEvent.EVALUATE_BASELINE, BASELINE_EVALUATED),
      t(VALIDATED, RunEvent.UPLOAD, UPLOADED),
      t(VALIDATED, RunEvent.CANCEL, CANCELLED),
      t(BASELINE_EVALUATED, RunEvent.REJECT, REJECTED),
      t(BASELINE_EVALUATED, RunEvent.UPLOAD, UPLOADED),
      t(BASELINE_EVALUATED, RunEvent.CANCEL, CANCELLED),
      t(UPLOADED, RunEvent.SUBMIT, SUBMITTED),
      t(UPLOADED, RunEvent.REJECT, REJECTED),
      t(UPLOADED, RunEvent.CANCEL, CANCELLED),
      t(SUBMITTED, RunEvent.JOB_SUCCEEDED, TRAINED),
      t(SUBMITTED, RunEvent.JOB_FAILED, FAILED),
      t(SUBMITTED, RunEvent.JOB_CANCELLED, CANCELLED),
      t(TRAINED, RunEvent.EVALUATE, EVALUATED),
      t(TRAINED, RunEvent.FAIL_EVALUATION, EVALUATION_FAILED),
      new Transition(TRAINED, RunEvent.DEPLOY, DEPLOYED, Guard.UNGATED),
      t(EVALUATION_FAILED, RunEvent.EVALUATE, EVALUATED),
      t(EVALUATION_FAILED, RunEvent.FAIL_EVALUATION, EVALUATION_FAILED),
      new Transition(EVALUATION_FAILED, RunEvent.DEPLOY, DEPLOYED, Guard.UNGATED),
      new Transition(EVALUATED, RunEvent.PASS_GATE, GATE_PASSED, Guard.GATED),
      new Transition(EVALUATED, RunEvent.BLOCK_GATE, GATE_BLOCKED, Guard.GATED),
      new Transition(EVALUATED, RunEvent.DEPLOY, DEPLOYED, Guard.UNGATED),
      t(GATE_PASSED, RunEvent.DEPLOY, DEPLOYED));

  private static Transition t(RunState from, RunEvent event, RunState to) {
    return new Transition(from, event, to, Guard.ALWAYS);
  }

  /** The move {@code event} makes from {@code from} for a run that is {@code gated} (or not), if legal. */
  public static Optional<Transition> find(RunState from, RunEvent event, boolean gated) {
    return TABLE.stream().filter(t -> t.from() == from && t.event() == event && t.guard().admits(gated)).findFirst();
  }

  /**
   * Whether {@code event} is already absorbed in {@code state}: the state is a target of the event or
   * reachable from one (the event happened before, here or in another process). Such a repeat is a no-op.
   */
  public static boolean alreadyPast(RunState state, RunEvent event) {
    Set<RunState> seen = EnumSet.noneOf(RunState.class);
    Deque<RunState> todo = new ArrayDeque<>();
    TABLE.stream().filter(t -> t.event() == event).map(Transition::to).forEach(todo::add);
    while (!todo.isEmpty()) {
      RunState s = todo.pop();
      if (seen.add(s)) {
        TABLE.stream().filter(t -> t.from() == s).map(Transition::to).forEach(todo::add);
      }
    }
    return seen.contains(state);
  }

  /** Whether any row leaves {@code state} (for checking {@link RunState#isTerminal()} against the table). */
  public static boolean hasExit(RunState state) {
    return TABLE.stream().anyMatch(t -> t.from() == state && t.to() != state);
  }

  /** The table as a Mermaid state diagram (what docs/run-states.md shows). */
  public static String mermaid() {
    StringBuilder b = new StringBuilder("stateDiagram-v2\n");
    b.append("    [*] --> ").append(INITIAL).append('\n');
    for (Transition t : TABLE) {
      b.append("    ").append(t.from()).append(" --> ").append(t.to()).append(" : ")
          .append(t.event()).append(t.guard() == Guard.ALWAYS ? "" : " [" + t.guard().label() + "]").append('\n');
    }
    for (RunState s : RunState.values()) {
      if (s.isTerminal()) {
        b.append("    ").append(s).append(" --> [*]\n");
      }
    }
    return b.toString();
  }
}
