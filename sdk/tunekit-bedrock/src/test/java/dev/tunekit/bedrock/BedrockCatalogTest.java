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

  /**
   * Every model of the catalog, by its id and each alias: the format the provider uploads (its
   * {@code trainingFormat}) is the catalog's {@code format}, the family agrees, and the factory has a
   * converter that turns a chat example into it. Llama 3.1 trains on prompt/completion per the Bedrock user
   * guide (https://docs.aws.amazon.com/bedrock/latest/userguide/model-customization-prepare.html: Llama 3.1
   * 8B/70B Instruct are listed as non-conversational, Llama 3.2 as Converse format); the provider uploaded
   * the conversation schema for it before.
   */
  @Test
  void theProviderUploadsEachCatalogModelInTheCatalogsFormat() throws Exception {
    com.fasterxml.jackson.databind.JsonNode root;
    try (var in = BedrockFormats.class.getResourceAsStream("models.json")) {
      root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
    }
    BedrockProviderFactory factory = new BedrockProviderFactory();
    com.fasterxml.jackson.databind.JsonNode chat = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}");
    java.util.List<String> checked = new java.util.ArrayList<>();
    try (BedrockProvider p = Fixtures.provider(dir, Fixtures.settings("http://127.0.0.1:9", "http://127.0.0.1:9"))) {
      for (com.fasterxml.jackson.databind.JsonNode m : root.path("models")) {
        String expected = m.path("format").asText();
        java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of(m.path("id").asText()));
        m.path("aliases").forEach(a -> names.add(a.asText()));
        for (String name : names) {
          dev.tunekit.dataset.DatasetFormat f = p.trainingFormat(name, dev.tunekit.dataset.DatasetKind.CHAT);
          assertThat(f.id()).as("format the provider uploads for %s", name).isEqualTo(expected);
          assertThat(ModelFamily.of(name).format.id()).as("family format of %s", name).isEqualTo(expected);
          assertThat(factory.converter(f)).as("converter to %s", expected).isPresent();
          assertThat(factory.converter(f).orElseThrow().convert(chat).toString()).as(name)
              .contains(expected.equals("bedrock-prompt-completion") ? "\"completion\":\"a\"" : "\"schemaVersion\"");
          checked.add(name);
        }
      }
    }
    assertThat(checked).contains("llama3.1-8b", "meta.llama3-1-70b-instruct-v1:0:128k", "nova-micro")
        .hasSizeGreaterThanOrEqualTo(BedrockFormats.CATALOG.modelIds().size());
  }
}
