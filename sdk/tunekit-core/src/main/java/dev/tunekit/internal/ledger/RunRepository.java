package dev.tunekit.internal.ledger;

import dev.tunekit.RunState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code runs} table: one row per run, its state moved only by compare-and-set on {@code version}. */
public final class RunRepository {
  private final Jdbc db;
  private final Clock clock;

  RunRepository(Jdbc db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** A column value written only where the row has none yet ({@code COALESCE(column, ?)}). */
  public record IfAbsent(Object value) {}

  /** A column value written when it is not null, else the row's value is kept ({@code COALESCE(?, column)}). */
  public record OrKeep(Object value) {}

  void insert(Connection c, String id, String provider, String baseModel, String key, String spec, RunState state)
      throws SQLException {
    long now = clock.millis();
    Jdbc.update(c, "INSERT INTO runs (id, provider, base_model, idempotency_key, spec, state, version, created_at,"
        + " updated_at) VALUES (?,?,?,?,?,?,0,?,?)", id, provider, baseModel, key, spec, state.name(), now, now);
  }

  public Optional<Ledger.RunRow> find(String id) {
    return db.read(c -> Jdbc.one(c, "SELECT * FROM runs WHERE id = ?", RunRepository::row, id));
  }

  public List<Ledger.RunRow> all() {
    return db.read(c -> Jdbc.query(c, "SELECT * FROM runs ORDER BY created_at DESC, id DESC", RunRepository::row));
  }

  /**
   * Moves the run from {@code from} at {@code version} to {@code to}, writing {@code sets} too (column →
   * value; an {@link IfAbsent} value keeps a present one). Returns false when 0 rows matched: another
   * writer moved the run first, and the caller re-reads.
   */
  boolean compareAndSet(Connection c, String id, RunState from, long version, RunState to, Map<String, Object> sets)
      throws SQLException {
    StringBuilder sql = new StringBuilder("UPDATE runs SET state = ?, version = version + 1, updated_at = ?");
    List<Object> args = new ArrayList<>(List.of(to.name(), clock.millis()));
    appendSets(sql, args, sets);
    sql.append(" WHERE id = ? AND state = ? AND version = ?");
    args.add(id);
    args.add(from.name());
    args.add(version);
    return Jdbc.update(c, sql.toString(), args.toArray()) == 1;
  }

  /** Appends {@code , column = ?} for each entry ({@link IfAbsent} and {@link OrKeep} keep a value that is there). */
  private static void appendSets(StringBuilder sql, List<Object> args, Map<String, Object> sets) {
    sets.forEach((column, value) -> {
      if (value instanceof IfAbsent a) {
        sql.append(", ").append(column).append(" = COALESCE(").append(column).append(", ?)");
        args.add(a.value());
      } else if (value instanceof OrKeep k) {
        sql.append(", ").append(column).append(" = COALESCE(?, ").append(column).append(')');
        args.add(k.value());
      } else {
        sql.append(", ").append(column).append(" = ?");
        args.add(value);
      }
    });
  }

  /** Writes columns that are not the state (job status, model, error) without moving the run. */
  void set(Connection c, String id, Map<String, Object> sets) throws SQLException {
    if (sets.isEmpty()) {
      return;
    }
    StringBuilder sql = new StringBuilder("UPDATE runs SET updated_at = ?");
    List<Object> args = new ArrayList<>(List.of(clock.millis()));
    appendSets(sql, args, sets);
    sql.append(" WHERE id = ?");
    args.add(id);
    Jdbc.update(c, sql.toString(), args.toArray());
  }

  /** The job status last recorded for a run (raw spelling), if any: a cheap read for waiters between polls. */
  public Optional<String> jobStatusOf(String runId) {
    return db.read(c -> Jdbc.one(c, "SELECT job_status FROM runs WHERE id = ?", rs -> rs.getString(1), runId));
  }

  /** The run whose job has this provider job id, if any. */
  public Optional<String> runOfJob(String jobId) {
    return db.read(c -> Jdbc.one(c, "SELECT id FROM runs WHERE job_id = ? ORDER BY created_at LIMIT 1",
        rs -> rs.getString(1), jobId));
  }

  static Ledger.RunRow row(ResultSet rs) throws SQLException {
    return new Ledger.RunRow(rs.getString("id"), rs.getString("provider"), rs.getString("base_model"),
        rs.getString("idempotency_key"), rs.getString("spec"), RunState.valueOf(rs.getString("state")),
        rs.getLong("version"), rs.getString("job_id"), rs.getString("job_status"), rs.getString("fine_tuned_model"),
        rs.getString("training_file_id"), rs.getString("validation_file_id"), rs.getInt("submit_attempts"),
        rs.getString("error"), Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")));
  }
}
