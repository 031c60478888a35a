package dev.tunekit.internal.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The {@code eval_results} table: a run's baseline and tuned reports and its gate, under fixed names,
 * first writer wins. Written only by the engine (nothing public writes here), as versioned JSON
 * ({@link StoredJson}).
 */
public final class EvaluationRepository {
  private final Jdbc db;
  private final Clock clock;

  EvaluationRepository(Jdbc db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Records {@code json} under {@code name} unless the run has a result of that name; returns whether it did. */
  boolean recordOnce(Connection c, String runId, String name, String json) throws SQLException {
    return Jdbc.update(c, "INSERT INTO eval_results (run_id, name, report, at) SELECT ?,?,?,? WHERE NOT EXISTS"
        + " (SELECT 1 FROM eval_results WHERE run_id = ? AND name = ?)", runId, name, json, clock.millis(), runId,
        name) > 0;
  }

  /** The first result recorded under {@code name} for the run, if any. */
  public Optional<String> first(String runId, String name) {
    return db.read(c -> Jdbc.one(c, "SELECT report FROM eval_results WHERE run_id = ? AND name = ? ORDER BY seq"
        + " LIMIT 1", rs -> rs.getString(1), runId, name));
  }

  public List<String> all(String runId) {
    return db.read(c -> Jdbc.query(c, "SELECT report FROM eval_results WHERE run_id = ? ORDER BY seq",
        rs -> rs.getString(1), runId));
  }
}
