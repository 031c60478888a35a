package dev.tunekit.internal.ledger;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The built-in dialect: one SQLite file in WAL mode. A write transaction is {@code BEGIN IMMEDIATE}, which
 * takes the file's only write lock, so a claim's read-then-write needs no row lock and a migration no lock
 * of its own. The schema version is {@code PRAGMA user_version}.
 */
final class SqliteDialect implements LedgerDialect {
  static final SqliteDialect INSTANCE = new SqliteDialect();

  private SqliteDialect() {}

  @Override
  public String name() {
    return "SQLite";
  }

  @Override
  public boolean acceptsUrl(String url) {
    return url.regionMatches(true, 0, "jdbc:sqlite:", 0, 12);
  }

  @Override
  public boolean acceptsProduct(String productName) {
    return "SQLite".equalsIgnoreCase(productName);
  }

  @Override
  public String lockRow() {
    return "";
  }

  @Override
  public int schemaVersion(Connection c) throws SQLException {
    return Jdbc.one(c, "PRAGMA user_version", rs -> rs.getInt(1)).orElse(0);
  }

  @Override
  public void lockMigration(Connection c) {
    // BEGIN IMMEDIATE already holds the write lock
  }

  @Override
  public void migrate(Connection c, int from, int to) throws SQLException {
    Schema.migrateSqlite(c, from);
  }
}
