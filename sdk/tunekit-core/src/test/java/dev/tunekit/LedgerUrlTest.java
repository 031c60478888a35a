package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.internal.ConfigLoader;
import dev.tunekit.internal.ledger.JdbcUrls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger: jdbc:...} chooses a ledger on a database server. Core has no PostgreSQL dialect on its
 * class path, so here a postgres URL must fail clearly (what to add to the pom, where the URL was written)
 * and a password in the URL must never be shown. The PostgreSQL side runs in tunekit-postgres.
 */
class LedgerUrlTest {
  private static final String SECRET = "hunter2-s3cret";
  @TempDir Path dir;

  @Test
  void aPostgresLedgerWithoutTheModuleNamesTheDependencyToAddAndTheLineAndHidesThePassword() throws IOException {
    Path file = dir.resolve("tunekit.yaml");
    Files.writeString(file, "provider: fake\nledger: jdbc:postgresql://db.example:5432/tk?user=svc&password=" + SECRET
        + "\nproviders:\n  fake: { apiKey: k }\n");
    Fixtures.register("url-1");

    assertThatThrownBy(() -> Tunekit.builder().configFile(file).env(Map.of()).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("tunekit.yaml:2")
        .hasMessageContaining("<artifactId>tunekit-postgres</artifactId>")
        .hasMessageContaining("jdbc:postgresql://db.example:5432/tk?user=svc&password=***")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void theEnvironmentsLedgerUrlIsUsedByTheBuilderAndNamedInTheError() {
    Fixtures.register("url-2");
    assertThatThrownBy(() -> Tunekit.builder().provider("fake").setting("apiKey", "k")
        .env(Map.of(ConfigLoader.ENV_LEDGER, "jdbc:postgresql://svc:" + SECRET + "@db.example/tk")).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("TUNEKIT_LEDGER: ")
        .hasMessageContaining("jdbc:postgresql://svc:***@db.example/tk")
        .hasMessageContaining("tunekit-postgres")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void anUnknownDatabaseSaysWhichLedgersThereAre() {
    Fixtures.register("url-3");
    assertThatThrownBy(() -> Tunekit.builder().provider("fake").setting("apiKey", "k")
        .env(Map.of(ConfigLoader.ENV_LEDGER, "jdbc:mysql://db.example/tk?password=" + SECRET)).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("SQLite file")
        .hasMessageContaining("jdbc:postgresql://host/db")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void theConfigShowsTheUrlRedactedAndAFileLedgerStaysAFile() throws IOException {
    Path file = dir.resolve("tunekit.yaml");
    Files.writeString(file, "provider: local\nledger: jdbc:postgresql://db/tk?password=" + SECRET + "\n");
    var c = ConfigLoader.load(file, Map.of());
    assertThat(c.ledgerUrl()).endsWith(SECRET); // handed to the driver as written
    assertThat(c.toString()).contains("ledger=jdbc:postgresql://db/tk?password=***").doesNotContain(SECRET);
    assertThat(ConfigLoader.load(file, Map.of(ConfigLoader.ENV_LEDGER, "other.db")).ledgerUrl()).isNull();
  }

  @Test
  void everyPasswordSpellingIsRedacted() {
    assertThat(JdbcUrls.redact("jdbc:postgresql://h/db?user=u&password=p1&ssl=true"))
        .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
    assertThat(JdbcUrls.redact("jdbc:postgresql://u:p2@h:5432/db")).isEqualTo("jdbc:postgresql://u:***@h:5432/db");
    assertThat(JdbcUrls.redact("jdbc:postgresql://h/db?PASSWORD=p3")).isEqualTo("jdbc:postgresql://h/db?PASSWORD=***");
    assertThat(JdbcUrls.redact("jdbc:postgresql://h/db?sslpassword=p4")).isEqualTo("jdbc:postgresql://h/db?sslpassword=***");
    assertThat(JdbcUrls.redact("jdbc:postgresql://h/db")).isEqualTo("jdbc:postgresql://h/db");
    assertThat(JdbcUrls.isJdbcUrl(" JDBC:postgresql://h/db")).isTrue();
    assertThat(JdbcUrls.isJdbcUrl("ledger.db")).isFalse();
  }
}
