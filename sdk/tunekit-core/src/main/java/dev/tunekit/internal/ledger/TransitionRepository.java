package dev.tunekit.internal.ledger;

import dev.tunekit.RunState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;

/** The {@code run_transitions} table: every move of every run, appended in the move's transaction. */
public final class TransitionRepository {
  private final Jdbc db;
  private final Clock clock;

  TransitionRepository(Jdbc db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  void append(Connection c, String runId, RunState from, String event, RunState to, String cause) throws SQLException {
    Jdbc.update(c, "INSERT INTO run_transitions (run_id, from_state, event, to_state, cause, at) VALUES (?,?,?,?,?,?)",
        runId, from == null ? null : from.name(), event, to.name(), cause, clock.millis());
  }

  /** The run's moves, oldest first, as {@code FROM -EVENT-> TO} (FROM is {@code *} for the first). */
  public List<String> history(String runId) {
    return db.read(c -> Jdbc.query(c, "SELECT from_state, event, to_state FROM run_transitions WHERE run_id = ?"
        + " ORDER BY seq", rs -> (rs.getString(1) == null ? "*" : rs.getString(1)) + " -" + rs.getString(2) + "-> "
        + rs.getString(3), runId));
  }
}
