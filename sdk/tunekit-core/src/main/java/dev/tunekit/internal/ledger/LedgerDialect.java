package dev.tunekit.internal.ledger;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What differs between the databases a run ledger can live in: how to recognise one, how to lock what a
 * claim reads, and the schema with its version. SQLite is built in ({@link SqliteDialect}); another
 * database comes with a module that brings its JDBC driver and registers its dialect with {@link
 * java.util.ServiceLoader} ({@code META-INF/services/dev.tunekit.internal.ledger.LedgerDialect}), so core
 * keeps no driver but SQLite's on its class path. Not an API: the dialects ship with Tunekit.
 */
public interface LedgerDialect {
  /** The database's name for messages, such as {@code PostgreSQL}. */
  String name();

  /** Whether this dialect serves JDBC URLs such as {@code url} ({@code jdbc:postgresql:...}). */
  boolean acceptsUrl(String url);

  /** Whether this dialect serves a database whose JDBC metadata names it {@code productName}. */
  boolean acceptsProduct(String productName);

  /**
   * What a claim appends to the {@code SELECT} of the row it is about to update, inside the write
   * transaction: {@code " FOR UPDATE"} where concurrent transactions interleave, {@code ""} where the
   * transaction already holds the database's only write lock (SQLite's {@code BEGIN IMMEDIATE}).
   */
  String lockRow();

  /**
   * At the start of each write transaction: bounds how long its statements wait for another process's
   * lock to {@code timeoutMs}, after which the write fails (SQLite: the connection's busy timeout, set when
   * it is opened, so nothing to do).
   */
  default void beginWrite(Connection c, int timeoutMs) throws SQLException {}

  /** The ledger schema version this database holds (0: none yet). Runs outside any lock. */
  int schemaVersion(Connection c) throws SQLException;

  /**
   * Inside the migration's write transaction: waits until no other process migrates this ledger (a lock
   * held until the transaction ends), so two instances starting at once migrate it once.
   */
  void lockMigration(Connection c) throws SQLException;

  /**
   * Inside the migration's write transaction, after {@link #lockMigration}: brings the schema from
   * {@code from} (re-read under the lock, below {@code to}) to {@code to} and records {@code to}.
   */
  void migrate(Connection c, int from, int to) throws SQLException;

  /**
   * Schema 3 to 4, the same on every database: adds {@code runs.training_sha256} and {@code runs.validation_sha256}
   * and fills them for the runs already prepared, from their log. For a dialect's {@link #migrate}.
   */
  static void migrateToV4(Connection c) throws SQLException {
    try (java.sql.Statement s = c.createStatement()) {
      Schema.toV4(c, s);
    }
  }
}
