package dev.tunekit.internal.engine;

import dev.tunekit.RunState;
import dev.tunekit.error.TunekitException;
import java.util.List;

/**
 * A move the run's transition table does not allow: a bug in Tunekit or a ledger edited by hand. The
 * message starts with the stable code {@code [TK-RUN-001]} and lists the run's history.
 */
public final class IllegalRunTransitionException extends TunekitException {
  private static final long serialVersionUID = 1L;
  /** The stable code at the start of the message. */
  public static final String CODE = "[TK-RUN-001]";
  private final transient List<String> history;

  public IllegalRunTransitionException(String runId, RunState from, RunEvent event, List<String> history) {
    super(CODE + " run " + runId + " cannot take " + event + " from " + from + " (not in the run transition table,"
        + " docs/run-states.md). History: " + (history.isEmpty() ? "(none)" : String.join(" → ", history)));
    this.history = List.copyOf(history);
  }

  /** The run's recorded transitions, oldest first, as {@code FROM -EVENT-> TO}. */
  public List<String> history() {
    return history;
  }
}
