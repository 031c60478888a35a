package dev.tunekit.internal.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ledger's tables and their migrations. Version 4 records a run's dataset hashes in columns of {@code runs}
 * ({@code training_sha256}, {@code validation_sha256}) instead of only in its log's {@code prepare} line; a v3
 * ledger's runs get them from that line ({@link #recordPreparedHashes}). Version 3 makes the run an explicit state machine: a
 * {@code version} column for compare-and-set moves, the {@code run_transitions} history, and the new
 * states (a v2 ledger's states are mapped: SUCCEEDED becomes TRAINED, then EVALUATED, GATE_PASSED,
 * GATE_BLOCKED or DEPLOYED from what its evaluation and deployment tables record).
 */
final class Schema {
  /**
   * 2: webhook ids (replay protection). 3: run state machine (version, run_transitions, new states). 4: the dataset
   * hashes a run prepared, in columns.
   */
  static final int VERSION = 4;

  private Schema() {}

  /**
   * Brings the ledger's schema to {@link #VERSION} through its database's dialect, once even when several
   * processes open it at once (the dialect's migration lock, then the version re-read under it). A ledger
   * written by a newer Tunekit is refused.
   */
  static void migrate(Jdbc db) {
    LedgerDialect dialect = db.dialect();
    int version = db.read(dialect::schemaVersion);
    if (version > VERSION) {
      throw db.failure(new SQLException("ledger schema version " + version + " is newer than this Tunekit ("
          + VERSION + "); upgrade Tunekit"));
    }
    if (version == VERSION) {
      return;
    }
    db.write(c -> {
      dialect.lockMigration(c);
      int v = dialect.schemaVersion(c); // re-read under the lock
      if (v < VERSION) {
        dialect.migrate(c, v, VERSION);
      }
      return null;
    });
  }

  /** SQLite: from {@code from} to the current schema, recorded in {@code PRAGMA user_version}. */
  static void migrateSqlite(Connection c, int from) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (from < 2) {
        createV2(s);
      }
      if (from < 3) {
        toV3(c, s);
      }
      toV4(c, s);
      s.executeUpdate("PRAGMA user_version = " + VERSION);
    }
  }

  private static void createV2(Statement s) throws SQLException {
    s.executeUpdate("CREATE TABLE IF NOT EXISTS runs ("
        + "id TEXT PRIMARY KEY, provider TEXT NOT NULL, base_model TEXT NOT NULL,"
        + " idempotency_key TEXT NOT NULL UNIQUE, spec TEXT NOT NULL, state TEXT NOT NULL,"
        + " job_id TEXT, job_status TEXT, fine_tuned_model TEXT, training_file_id TEXT, validation_file_id TEXT,"
        + " submit_attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_host TEXT, lease_pid INTEGER,"
        + " lease_until INTEGER, error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)");
    s.executeUpdate("CREATE TABLE IF NOT EXISTS uploads ("
        + "provider TEXT NOT NULL, sha256 TEXT NOT NULL, file_name TEXT NOT NULL, size_bytes INTEGER NOT NULL,"
        + " file_id TEXT, attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_host TEXT, lease_pid INTEGER,"
        + " lease_until INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
        + " PRIMARY KEY (provider, sha256))");
    s.executeUpdate("CREATE TABLE IF NOT EXISTS run_log ("
        + "seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES runs(id), at INTEGER NOT NULL,"
        + " step TEXT NOT NULL, detail TEXT)");
    s.executeUpdate("CREATE TABLE IF NOT EXISTS deployments ("
        + "run_id TEXT PRIMARY KEY REFERENCES runs(id), deployment_id TEXT NOT NULL, model_id TEXT NOT NULL,"
        + " inference_model TEXT NOT NULL, state TEXT NOT NULL, raw_state TEXT NOT NULL, updated_at INTEGER NOT NULL)");
    s.executeUpdate("CREATE TABLE IF NOT EXISTS eval_results ("
        + "seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES runs(id), name TEXT NOT NULL,"
        + " report TEXT NOT NULL, at INTEGER NOT NULL)");
    s.executeUpdate("CREATE INDEX IF NOT EXISTS run_log_by_run ON run_log(run_id, seq)");
    s.executeUpdate("CREATE TABLE IF NOT EXISTS webhooks (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL)");
    s.executeUpdate("CREATE INDEX IF NOT EXISTS runs_by_job ON runs(job_id)");
  }

  private static void toV3(Connection c, Statement s) throws SQLException {
    s.executeUpdate("ALTER TABLE runs ADD COLUMN version INTEGER NOT NULL DEFAULT 0");
    s.executeUpdate("CREATE TABLE run_transitions ("
        + "seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES runs(id), from_state TEXT,"
        + " event TEXT NOT NULL, to_state TEXT NOT NULL, cause TEXT, at INTEGER NOT NULL)");
    s.executeUpdate("CREATE INDEX run_transitions_by_run ON run_transitions(run_id, seq)");
    // Map v2 states (what v2 inferred from nulls across tables becomes an explicit state).
    String has = "EXISTS (SELECT 1 FROM eval_results e WHERE e.run_id = runs.id AND e.name = ";
    s.executeUpdate("UPDATE runs SET state = 'TRAINED' WHERE state = 'SUCCEEDED'");
    s.executeUpdate("UPDATE runs SET state = 'BASELINE_EVALUATED' WHERE state = 'CREATED' AND " + has
        + "'tunekit:baseline')");
    s.executeUpdate("UPDATE runs SET state = 'EVALUATED' WHERE state = 'TRAINED' AND " + has + "'tunekit:baseline')"
        + " AND " + has + "'tunekit:tuned')");
    s.executeUpdate("UPDATE runs SET state = CASE WHEN (SELECT json_extract(e.report, '$.passed') FROM eval_results e"
        + " WHERE e.run_id = runs.id AND e.name = 'tunekit:gate' ORDER BY e.seq LIMIT 1) = 1 THEN 'GATE_PASSED'"
        + " ELSE 'GATE_BLOCKED' END WHERE state = 'EVALUATED' AND " + has + "'tunekit:gate')");
    s.executeUpdate("UPDATE runs SET state = 'DEPLOYED' WHERE EXISTS (SELECT 1 FROM deployments d WHERE d.run_id ="
        + " runs.id AND d.state = 'ACTIVE') AND (state = 'GATE_PASSED' OR (state IN ('TRAINED', 'EVALUATED')"
        + " AND json_extract(spec, '$.eval.minImprovement') IS NULL))");
    Jdbc.update(c, "INSERT INTO run_transitions (run_id, from_state, event, to_state, cause, at)"
        + " SELECT id, NULL, 'MIGRATE', state, 'ledger schema 2 → 3', updated_at FROM runs");
  }

  /** SQLite and PostgreSQL alike: the hash columns, filled for the runs already prepared. */
  static void toV4(Connection c, Statement s) throws SQLException {
    s.executeUpdate("ALTER TABLE runs ADD COLUMN training_sha256 TEXT");
    s.executeUpdate("ALTER TABLE runs ADD COLUMN validation_sha256 TEXT");
    recordPreparedHashes(c);
  }

  /**
   * For each run without recorded hashes, the hashes of its first {@code prepare} log line (written by every Tunekit
   * before schema 4: {@code ... sha256=<64 hex>[, validation ... sha256=<64 hex>]}), the data the run uploaded.
   */
  static void recordPreparedHashes(Connection c) throws SQLException {
    List<String[]> lines = Jdbc.query(c, "SELECT l.run_id, l.detail FROM run_log l JOIN runs r ON r.id = l.run_id"
        + " WHERE l.step = 'prepare' AND r.training_sha256 IS NULL ORDER BY l.seq",
        rs -> new String[] {rs.getString(1), rs.getString(2)});
    Map<String, String> first = new LinkedHashMap<>();
    for (String[] l : lines) {
      first.putIfAbsent(l[0], l[1] == null ? "" : l[1]);
    }
    for (Map.Entry<String, String> e : first.entrySet()) {
      List<String> hashes = new ArrayList<>();
      Matcher m = Pattern.compile("sha256=([0-9a-f]{64})").matcher(e.getValue());
      while (m.find()) {
        hashes.add(m.group(1));
      }
      if (!hashes.isEmpty()) {
        Jdbc.update(c, "UPDATE runs SET training_sha256 = ?, validation_sha256 = ? WHERE id = ?", hashes.get(0),
            hashes.size() > 1 ? hashes.get(1) : null, e.getKey());
      }
    }
  }
}
