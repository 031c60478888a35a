package dev.tunekit.internal.ledger;

import dev.tunekit.postgres.PostgresLedgerDialect;
import dev.tunekit.postgres.TestPostgres;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tunekit.RunState;
import dev.tunekit.error.TunekitException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

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

  /**
   * PostgreSQL's own default is to wait for a row lock forever: a claimer behind an instance stuck inside
   * its transaction would hang, holding its own instance's writes. The ledger bounds the wait as SQLite's
   * busy timeout does (15 s; 300 ms here) and fails with the ledger's message.
   */
  @Test
  void aClaimWaitsForAnotherInstancesRowLockOnlyAsLongAsTheLockTimeout() throws Exception {
    String url = TestPostgres.freshDatabase();
    try (Ledger ledger = Ledger.open(url, Map.of(), Clock.systemUTC(), "test");
        Connection stuck = DriverManager.getConnection(url)) {
      ledger.insertRun("r1", "fake", "base", "key-r1", "{\"v\":1}", RunState.CREATED);
      ledger.db().lockTimeoutMs = 300;
      stuck.setAutoCommit(false);
      try (Statement s = stuck.createStatement()) {
        s.execute("SELECT id FROM runs WHERE id = 'r1' FOR UPDATE"); // another instance, stuck mid-transaction
      }
      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThatThrownBy(() -> ledger.claimSubmit("r1",
          Duration.ofMinutes(5))).isInstanceOf(TunekitException.class).hasMessageContaining("lock timeout"));
      stuck.rollback();
      assertThat(ledger.claimSubmit("r1", Duration.ofMinutes(5))).isInstanceOf(Ledger.Claim.Claimed.class);
    }
  }

  /** A schema-3 PostgreSQL ledger (before the dataset hash columns) is migrated to 4, its runs' hashes filled. */
  @Test
  void aV3LedgerIsMigratedTo4_itsRunsHashesFromTheirPrepareLine() throws Exception {
    String url = TestPostgres.freshDatabase();
    String t = "1".repeat(64);
    try (Ledger ledger = Ledger.open(url, Map.of(), Clock.systemUTC(), "test")) {
      ledger.insertRun("r1", "ray", "base", "key-r1", "{\"v\":1}", RunState.UPLOADED);
      ledger.log("r1", "prepare", "neutral-chat training 30 examples sha256=" + t);
    }
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.executeUpdate("ALTER TABLE runs DROP COLUMN training_sha256, DROP COLUMN validation_sha256");
      s.executeUpdate("DELETE FROM tunekit_schema");
      s.executeUpdate("INSERT INTO tunekit_schema (version, migrated_at) VALUES (3, now())");
    }
    try (Ledger ledger = Ledger.open(url, Map.of(), Clock.systemUTC(), "test")) {
      assertThat(ledger.datasetHashes("r1")).containsExactly(t);
      assertThat(ledger.db().read(ledger.db().dialect()::schemaVersion)).isEqualTo(4);
    }
  }
}
