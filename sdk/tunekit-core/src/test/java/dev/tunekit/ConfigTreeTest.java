package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.internal.Config;
import dev.tunekit.internal.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Tunekit.Builder#configTree}: a framework's parsed tree is read exactly as tunekit.yaml is. */
class ConfigTreeTest {
  @TempDir Path dir;

  private static Map<String, Object> tree(String retryKey) {
    return Map.of(
        "provider", "fake",
        "ledger", "l.db",
        "providers", Map.of("fake", Map.of("apiKey", "${KEY}", "instance", "x", "models", List.of("a", "b"))),
        "resilience", Map.of("retry", Map.of(retryKey, "3", "initialBackoff", "1s")),
        "polling", Map.of("timeout", "2h"));
  }

  @Test
  void aTreeGivesTheSameConfigAsTheSameYamlFile() {
    Path file = Fixtures.write(dir.resolve("tunekit.yaml"), """
        provider: fake
        ledger: l.db
        providers:
          fake: { apiKey: "${KEY}", instance: x, models: [a, b] }
        resilience:
          retry: { maxAttempts: 3, initialBackoff: 1s }
        polling: { timeout: 2h }
        """);
    Config fromFile = ConfigLoader.load(file, Map.of("KEY", "sk-1"));
    Config fromTree = ConfigLoader.fromTree(tree("maxAttempts"), "tunekit.", "Spring properties tunekit.*", Map.of(),
        Map.of("KEY", "sk-1"), dir);
    assertThat(fromTree.provider()).isEqualTo(fromFile.provider());
    assertThat(fromTree.providerValues()).isEqualTo(fromFile.providerValues());
    assertThat(fromTree.ledger()).isEqualTo(fromFile.ledger());
    assertThat(fromTree.workDir()).isEqualTo(fromFile.workDir());
    assertThat(fromTree.resilience()).isEqualTo(fromFile.resilience());
    assertThat(fromTree.polling()).isEqualTo(fromFile.polling());
  }

  @Test
  void errorsNameThePropertyWithItsPrefixAndWhereItWasWritten() {
    assertThatThrownBy(() -> ConfigLoader.fromTree(tree("maxAtempts"), "tunekit.", "Spring properties tunekit.*",
        Map.of("resilience.retry.maxAtempts", "application.yml:7"), Map.of("KEY", "k"), dir))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.getMessage()).contains("tunekit.resilience.retry.maxAtempts: unknown setting 'maxAtempts'")
              .contains("did you mean maxAttempts?");
          assertThat(e.location()).contains("application.yml:7");
        });
    assertThatThrownBy(() -> ConfigLoader.fromTree(tree("maxAttempts"), "tunekit.", "Spring properties tunekit.*",
        Map.of(), Map.of(), dir))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.getMessage()).contains("KEY is not set").contains("tunekit.providers.fake.apiKey");
          assertThat(e.location()).contains("Spring properties tunekit.*");
        });
  }

  @Test
  void theBuilderBuildsATunekitFromATreeAndNamesWhereTheProviderWasChosen() {
    Fixtures.register("tree");
    try (Tunekit tk = Tunekit.builder()
        .configTree(Map.of("provider", "fake", "workDir", "w", "providers", Map.of("fake",
            Map.of("apiKey", "sk-secret-1", "instance", "tree"))), "tunekit.", "Spring properties tunekit.*",
            Map.of("provider", "tunekit.provider (application.yml:1)"), dir)
        .env(Map.of()).build()) {
      assertThat(tk.provider()).isEqualTo("fake");
      assertThat(tk.ledger()).isEqualTo(dir.resolve("w/ledger.db"));
      assertThat(tk.providerChoice().reason()).contains("tunekit.provider (application.yml:1)");
      assertThat(tk.resilience().circuitBreakers().find("fake")).isPresent();
      assertThat(tk.resilience().retries().find("fake")).isPresent();
      assertThat(tk.toString()).doesNotContain("sk-secret-1");
    } finally {
      dev.tunekit.testing.FakeProvider.unregister("tree");
    }
  }

  @Test
  void aNullValueIsReadAsAnEmptyYamlValueNotAnError() {
    Map<String, Object> tree = new java.util.HashMap<>();
    tree.put("provider", "fake");
    tree.put("workDir", null);
    assertThat(Tunekit.builder().configTree(tree, "tunekit.", "t", Map.of(), dir)).isNotNull();
    assertThat(ConfigLoader.fromTree(tree, "tunekit.", "t", Map.of(), Map.of(), dir).workDir())
        .isEqualTo(dir.resolve(".tunekit"));
  }

  @Test
  void aNegativeCloseWaitIsAClearError() {
    assertThatThrownBy(() -> Tunekit.builder().closeWait(java.time.Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("closeWait must not be negative");
  }
}
