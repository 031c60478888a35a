package dev.tunekit.internal.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;

/** The {@code run_log} table: what happened to a run, step by step, for people and tests. */
public final class RunLog {
  private final Jdbc db;
  private final Clock clock;

  RunLog(Jdbc db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public void log(String runId, String step, String detail) {
    db.write(c -> append(c, runId, step, detail));
  }

  int append(Connection c, String runId, String step, String detail) throws SQLException {
    return Jdbc.update(c, "INSERT INTO run_log (run_id, at, step, detail) VALUES (?,?,?,?)", runId, clock.millis(),
        step, detail);
  }

  /** The log lines of a run, oldest first, as {@code step detail}. */
  public List<String> of(String runId) {
    return db.read(c -> Jdbc.query(c, "SELECT step, detail FROM run_log WHERE run_id = ? ORDER BY seq",
        rs -> rs.getString(1) + (rs.getString(2) == null ? "" : " " + rs.getString(2)), runId));
  }
}
