package dev.tunekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a Tunekit comes to its PostgreSQL ledger: a service's DataSource, or {@code ledger:} with credentials from the environment. */
class PostgresLedgerSelectionTest {
  @TempDir Path dir;

  private Tunekit.Builder builder() {
    return Tunekit.builder().provider("openai-compatible").setting("baseUrl", "http://127.0.0.1:9/v1")
        .setting("apiKey", "unused").workDir(dir.resolve("work"));
  }

  @Test
  void aServicesDataSourceHoldsTheLedgerWhichHasNoFile() {
    String db = TestPostgres.freshDatabaseName();
    try (Tunekit tk = builder().env(Map.of()).ledger(TestPostgres.dataSource(db)).build()) {
      assertThat(tk.ledgerLocation()).startsWith("jdbc:postgresql://").contains(db);
      assertThat(tk.runs()).isEmpty();
      assertThat(tk.toString()).contains("ledger=jdbc:postgresql://");
      assertThatThrownBy(tk::ledger).isInstanceOf(TunekitException.class).hasMessageContaining("tk.ledgerLocation()");
    }
    try (Tunekit again = builder().env(Map.of()).ledger(TestPostgres.dataSource(db)).build()) {
      assertThat(again.runs()).as("a second open finds the schema migrated").isEmpty();
    }
  }

  @Test
  void theUserAndPasswordComeFromTheEnvironmentAndThePasswordIsNeverShown() throws Exception {
    String url = TestPostgres.freshDatabase().replaceFirst("\\?user=postgres$", "");
    assertThat(url).doesNotContain("user=");
    Path config = dir.resolve("tunekit.yaml");
    Files.writeString(config, "provider: openai-compatible\nledger: " + url + "\nworkDir: " + dir.resolve("work")
        + "\nproviders:\n  openai-compatible: { baseUrl: \"http://127.0.0.1:9/v1\", apiKey: unused }\n");

    try (Tunekit tk = Tunekit.builder().configFile(config)
        .env(Map.of("TUNEKIT_LEDGER_USER", "postgres", "TUNEKIT_LEDGER_PASSWORD", "pw-from-env")).build()) {
      assertThat(tk.runs()).isEmpty();
      assertThat(tk.toString()).doesNotContain("pw-from-env");
    }
    // The wrong user: a clear failure naming the ledger, no password in it.
    assertThatThrownBy(() -> Tunekit.builder().configFile(config)
        .env(Map.of("TUNEKIT_LEDGER_USER", "nobody_here", "TUNEKIT_LEDGER_PASSWORD", "pw-from-env")).build())
        .isInstanceOf(TunekitException.class)
        .hasMessageContaining("Cannot open the run ledger " + url)
        .hasMessageContaining("nobody_here")
        .hasMessageNotContaining("pw-from-env");
    // A password in the URL is redacted in the same message.
    Files.writeString(config, Files.readString(config).replace(url, url + "?user=nobody_here&password=pw-in-url"));
    assertThatThrownBy(() -> Tunekit.builder().configFile(config).env(Map.of()).build())
        .isInstanceOf(TunekitException.class)
        .hasMessageContaining("password=***")
        .hasMessageNotContaining("pw-in-url");
  }
}
