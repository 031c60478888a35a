package dev.tunekit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one file of the provider switch: files for two providers differ in the provider: line only. */
class OneScriptConfigTest {
  @TempDir Path dir;

  @Test
  void filesForTwoProvidersDifferInTheProviderLineOnly() throws Exception {
    var sections = OneScript.sections(Map.of());
    List<String> local = Files.readAllLines(OneScript.config(dir.resolve("a"), "local", sections));
    List<String> vertex = Files.readAllLines(OneScript.config(dir.resolve("b"), "vertex", sections));

    assertThat(local).hasSameSizeAs(vertex);
    assertThat(local.subList(1, local.size())).isEqualTo(vertex.subList(1, vertex.size()));
    assertThat(local.get(0)).isEqualTo("provider: local");
    assertThat(vertex.get(0)).isEqualTo("provider: vertex");
    assertThat(sections.keySet()).containsExactly("local", "openai", "azure", "bedrock", "vertex", "together");
    assertThat(String.join("\n", local)).contains("    model: \"gemini-2.5-flash\"").contains("${BEDROCK_ROLE_ARN}");
  }

  @Test
  void aSectionWithoutModelIsRefused() {
    assertThatThrownBy(() -> OneScript.config(dir, "x", Map.of("x", Map.of("apiKey", "k"))))
        .hasMessageContaining("section x needs a model");
  }
}
