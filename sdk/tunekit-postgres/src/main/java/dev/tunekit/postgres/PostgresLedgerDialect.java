package dev.tunekit.postgres;

import dev.tunekit.internal.ledger.LedgerDialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The run ledger on PostgreSQL. Transactions interleave here (READ COMMITTED), so what SQLite gets from
 * its single write lock comes from row locks: a claim reads the run or upload row {@code FOR UPDATE}, and a
 * second claimer waits for the first one's commit, then sees its lease. Moves of a run's state are a
 * compare-and-set on its {@code version} ({@code UPDATE ... WHERE version = ?}), which PostgreSQL
 * re-checks on the newest row after waiting, so the loser updates 0 rows. Row locks rather than advisory
 * locks: they live exactly as long as the claim's transaction, need no key scheme, and cannot be leaked by
 * a pooled connection; the one advisory lock, transaction-scoped, guards the migration, which has no row
 * to lock before the tables exist.
 *
 * <p>The schema is created at the current version in one transaction (PostgreSQL's DDL is
 * transactional) and the version kept in {@code tunekit_schema}; later versions add steps to {@link
 * #migrate}. Not an API: registered with {@link java.util.ServiceLoader} for tunekit-core's ledger.
 */
public final class PostgresLedgerDialect implements LedgerDialect {
  /** The key of the transaction-scoped advisory lock that serialises migrations ("tunekit" in ASCII). */
  static final long MIGRATION_LOCK = 0x74756e656b6974L;

  @Override
  public String name() {
    return "PostgreSQL";
  }

  @Override
  public boolean acceptsUrl(String url) {
    return url.regionMatches(true, 0, "jdbc:postgresql:", 0, 16);
  }

  @Override
  public boolean acceptsProduct(String productName) {
    return "PostgreSQL".equalsIgnoreCase(productName);
  }

  @Override
  public String lockRow() {
    return " FOR UPDATE";
  }

  /** As SQLite's busy timeout: a claim waits this long for another instance's row lock, then fails (and is retried). */
  @Override
  public void beginWrite(Connection c, int timeoutMs) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL lock_timeout = " + Math.max(1, timeoutMs)); // this transaction only: a pool's session is untouched
    }
  }

  @Override
  public int schemaVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('tunekit_schema') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return 0;
      }
    }
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(version) FROM tunekit_schema")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  @Override
  public void lockMigration(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
    }
  }

  @Override
  public void migrate(Connection c, int from, int to) throws SQLException {
    if (to != 4) {
      throw new SQLException("this PostgreSQL ledger dialect knows schema versions up to 4, not " + to
          + "; use the tunekit-postgres of the same version as tunekit-core");
    }
    try (Statement s = c.createStatement()) {
      if (from < 3) { // PostgreSQL ledgers start at version 3: SQLite's versions 1 and 2 never existed here
        createV3(s);
      }
      LedgerDialect.migrateToV4(c); // 4: the runs' dataset hashes in columns, as SQLite's
      s.executeUpdate("INSERT INTO tunekit_schema (version, migrated_at) VALUES (" + to + ", now())");
    }
  }

  private static void createV3(Statement s) throws SQLException {
    s.executeUpdate("CREATE TABLE tunekit_schema (version INTEGER PRIMARY KEY, migrated_at TIMESTAMPTZ NOT NULL)");
    s.executeUpdate("CREATE TABLE runs ("
        + "id TEXT PRIMARY KEY, provider TEXT NOT NULL, base_model TEXT NOT NULL,"
        + " idempotency_key TEXT NOT NULL UNIQUE, spec TEXT NOT NULL, state TEXT NOT NULL,"
        + " job_id TEXT, job_status TEXT, fine_tuned_model TEXT, training_file_id TEXT, validation_file_id TEXT,"
        + " submit_attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_host TEXT, lease_pid BIGINT,"
        + " lease_until BIGINT, error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
        + " version BIGINT NOT NULL DEFAULT 0)");
    s.executeUpdate("CREATE TABLE uploads ("
        + "provider TEXT NOT NULL, sha256 TEXT NOT NULL, file_name TEXT NOT NULL, size_bytes BIGINT NOT NULL,"
        + " file_id TEXT, attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_host TEXT, lease_pid BIGINT,"
        + " lease_until BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
        + " PRIMARY KEY (provider, sha256))");
    s.executeUpdate("CREATE TABLE run_log ("
        + "seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs(id),"
        + " at BIGINT NOT NULL, step TEXT NOT NULL, detail TEXT)");
    s.executeUpdate("CREATE TABLE deployments ("
        + "run_id TEXT PRIMARY KEY REFERENCES runs(id), deployment_id TEXT NOT NULL, model_id TEXT NOT NULL,"
        + " inference_model TEXT NOT NULL, state TEXT NOT NULL, raw_state TEXT NOT NULL, updated_at BIGINT NOT NULL)");
    s.executeUpdate("CREATE TABLE eval_results ("
        + "seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs(id),"
        + " name TEXT NOT NULL, report TEXT NOT NULL, at BIGINT NOT NULL)");
    s.executeUpdate("CREATE INDEX run_log_by_run ON run_log(run_id, seq)");
    s.executeUpdate("CREATE TABLE webhooks (id TEXT PRIMARY KEY, received_at BIGINT NOT NULL)");
    s.executeUpdate("CREATE INDEX runs_by_job ON runs(job_id)");
    s.executeUpdate("CREATE TABLE run_transitions ("
        + "seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs(id),"
        + " from_state TEXT, event TEXT NOT NULL, to_state TEXT NOT NULL, cause TEXT, at BIGINT NOT NULL)");
    s.executeUpdate("CREATE INDEX run_transitions_by_run ON run_transitions(run_id, seq)");
  }
}
