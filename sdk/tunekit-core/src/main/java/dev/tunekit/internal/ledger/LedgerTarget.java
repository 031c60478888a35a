package dev.tunekit.internal.ledger;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Where a Tunekit opens its ledger: an SQLite file, a JDBC URL (credentials from the URL or the
 * environment), or a service's {@link DataSource}. Its {@link #toString()} never shows a password.
 */
public final class LedgerTarget {
  private final Path file;
  private final String url;
  private final Map<String, String> env;
  private final String where;
  private final DataSource dataSource;

  private LedgerTarget(Path file, String url, Map<String, String> env, String where, DataSource dataSource) {
    this.file = file;
    this.url = url;
    this.env = env;
    this.where = where;
    this.dataSource = dataSource;
  }

  /** An SQLite file. */
  public static LedgerTarget file(Path file) {
    return new LedgerTarget(Objects.requireNonNull(file, "file"), null, Map.of(), null, null);
  }

  /** A JDBC URL written at {@code where} ({@code tunekit.yaml:3}, {@code TUNEKIT_LEDGER}); {@code env} holds the credentials. */
  public static LedgerTarget url(String url, Map<String, String> env, String where) {
    return new LedgerTarget(null, Objects.requireNonNull(url, "url").trim(), Map.copyOf(env), where, null);
  }

  /** A service's pool. */
  public static LedgerTarget dataSource(DataSource dataSource) {
    return new LedgerTarget(null, null, Map.of(), null, Objects.requireNonNull(dataSource, "dataSource"));
  }

  /** Opens (and migrates) the ledger. */
  public Ledger open(Clock clock) {
    if (file != null) {
      return Ledger.open(file, clock);
    }
    if (url != null) {
      return Ledger.open(url, env, clock, where);
    }
    return Ledger.open(dataSource, clock);
  }

  @Override
  public String toString() {
    return file != null ? file.toString() : url != null ? JdbcUrls.redact(url) : "DataSource";
  }
}
