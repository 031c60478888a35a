package dev.tunekit.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.dataset.CostEstimate;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.dataset.ValidationOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bedrock's model catalog, contributed by {@link BedrockProviderFactory} and found by the core with
 * ServiceLoader (moved from the core's dataset tests).
 */
class BedrockCatalogTest {
  @TempDir Path dir;

  @Test
  void usesTheModelsDefaultEpochsAndSaysTokensAreAnEstimate() throws Exception {
    DatasetReport r = Dataset.of(BedrockFormatsTest.okThen(dir, 10)).validate(new ValidationOptions("bedrock", "nova-lite"));
    CostEstimate c = r.cost().orElseThrow();
    assertThat(c.epochs()).isEqualTo(2);
    assertThat(c.model()).isEqualTo("amazon.nova-lite-v1:0:300k");
    assertThat(c.assumptions()).anyMatch(a -> a.contains("estimate")).anyMatch(a -> a.contains("not confirmed"))
        .anyMatch(a -> a.contains("from Tunekit's bedrock data file"));
  }

  @Test
  void modelsHaveTheirOwnMinimum() throws Exception {
    DatasetReport r = Dataset.of(BedrockFormatsTest.okThen(dir, 12))
        .validate(new ValidationOptions("bedrock", "anthropic.claude-3-haiku-20240307-v1:0"));
    assertThat(r.count("too_few_examples")).isEqualTo(1);
    assertThat(r.findings()).anyMatch(f -> f.message().contains("at least 32"));
  }

  @Test
  void singleTurnModelsRejectMultiTurnExamples() throws Exception {
    String twoTurns = "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"},"
        + "{\"role\":\"user\",\"content\":\"q2\"},{\"role\":\"assistant\",\"content\":\"a2\"}]}";
    DatasetReport r = Dataset.of(BedrockFormatsTest.okThen(dir, 10, twoTurns))
        .validate(new ValidationOptions("bedrock", "llama3.2-1b"));
    assertThat(r.findings()).anyMatch(f -> f.code().equals("multi_turn_unsupported") && f.line() == 11);
  }

  @Test
  void everyCatalogFormatIsOneTheFactoryContributes() {
    // the catalog's "format" fields name formats by id; ModelFamily picks them in code
    assertThat(new BedrockProviderFactory().formats()).extracting(f -> f.id())
        .contains("bedrock-conversation-2024", "bedrock-prompt-completion");
    assertThat(ModelFamily.of("amazon.titan-text-express-v1:0:8k").format).isEqualTo(BedrockFormats.PROMPT_COMPLETION);
  }
}
