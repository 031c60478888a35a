package dev.tunekit.internal.ledger;

import dev.tunekit.postgres.PostgresLedgerDialect;
import dev.tunekit.postgres.TestPostgres;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;

/**
 * The ledger contract on a real PostgreSQL (started once per JVM): each store a new database, the
 * ledgers opened by URL as {@code ledger: jdbc:postgresql://...} opens them.
 */
class PostgresLedgerTest extends LedgerContract {
  @Override
  protected Function<Clock, Ledger> freshStore() {
    String url = TestPostgres.freshDatabase();
    return clock -> Ledger.open(url, Map.of(), clock, "test");
  }

  @Override
  protected Jdbc freshJdbc() {
    String url = TestPostgres.freshDatabase();
    return new Jdbc(JdbcUrls.redact(url), new PostgresLedgerDialect(), () -> DriverManager.getConnection(url), true);
  }
}
