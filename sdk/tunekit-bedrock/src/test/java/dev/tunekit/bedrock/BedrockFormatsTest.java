package dev.tunekit.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.PreparedDataset;
import dev.tunekit.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bedrock's formats, contributed through {@link BedrockProviderFactory} and found by the core's
 * {@code Dataset.prepare} with {@link java.util.ServiceLoader} (moved from the core's DatasetPrepareTest).
 */
class BedrockFormatsTest {
  static final String OK = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
      + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello\"}]}";
  static final String PREF = "{\"input\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]},"
      + "\"preferred_output\":[{\"role\":\"assistant\",\"content\":\"Hello!\"}],"
      + "\"non_preferred_output\":[{\"role\":\"assistant\",\"content\":\"Go away\"}]}";
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  static Path lines(Path dir, String... lines) throws Exception {
    return Files.writeString(dir.resolve("data.jsonl"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  static Path okThen(Path dir, int count, String... extra) throws Exception {
    String[] all = new String[count + extra.length];
    java.util.Arrays.fill(all, 0, count, OK);
    System.arraycopy(extra, 0, all, count, extra.length);
    return lines(dir, all);
  }

  @Test
  void theFactoryContributesBothFormatsAndTheCatalog() {
    BedrockProviderFactory f = new BedrockProviderFactory();
    assertThat(f.formats()).extracting(DatasetFormat::id)
        .containsExactly("bedrock-conversation-2024", "bedrock-prompt-completion");
    assertThat(f.converter(BedrockFormats.CONVERSATION)).isPresent();
    assertThat(f.converter(DatasetFormat.CHAT_JSONL)).isEmpty();
    assertThat(f.catalog("bedrock")).isPresent();
    assertThat(f.catalog("openai")).isEmpty();
  }

  @Test
  void preferencePairsCannotBecomeBedrock() throws Exception {
    Path src = lines(dir, PREF, PREF);
    assertThatThrownBy(() -> Dataset.of(src).prepare(BedrockFormats.CONVERSATION, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("preference");
  }

  @Test
  void bedrockConversationHasSchemaVersionSystemAndContentBlocks() throws Exception {
    PreparedDataset p = Dataset.of(okThen(dir, 10)).prepare(BedrockFormats.CONVERSATION, dir.resolve("o"));
    JsonNode first = JSON.readTree(Files.readAllLines(p.training().path()).get(0));
    assertThat(first.get("schemaVersion").asText()).isEqualTo("bedrock-conversation-2024");
    assertThat(first.get("system").get(0).get("text").asText()).isEqualTo("You are terse.");
    assertThat(first.get("messages")).hasSize(2);
    assertThat(first.get("messages").get(0).get("role").asText()).isEqualTo("user");
    assertThat(first.get("messages").get(0).get("content").get(0).get("text").asText()).isEqualTo("Hi");
    assertThat(first.get("messages").get(1).get("content").get(0).get("text").asText()).isEqualTo("Hello");
    assertThat(p.training().format()).isEqualTo(BedrockFormats.CONVERSATION);
  }

  @Test
  void toolsCannotGoToBedrockAndTheRefusalSaysWhyAndWhere() throws Exception {
    String tool = "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"messages\":"
        + "[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}";
    Path src = okThen(dir, 4, tool);
    assertThatThrownBy(() -> Dataset.of(src).prepare(BedrockFormats.CONVERSATION, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("losing information").hasMessageContaining("tools")
        .satisfies(e -> assertThat(((InvalidInputException) e).location()).contains(src + ":5"));
    assertThat(dir.resolve("o").resolve("train.jsonl")).doesNotExist();
  }

  @Test
  void weightZeroAndNamesCannotGoToBedrock() throws Exception {
    String weighted = "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\","
        + "\"weight\":0},{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"b\"}]}";
    assertThatThrownBy(() -> Dataset.of(okThen(dir, 1, weighted)).prepare(BedrockFormats.CONVERSATION, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("weight 0");
    String named = OK.replace("\"role\":\"user\"", "\"role\":\"user\",\"name\":\"bob\"");
    assertThatThrownBy(() -> Dataset.of(okThen(dir, 1, named)).prepare(BedrockFormats.PROMPT_COMPLETION, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("\"name\"");
  }

  @Test
  void titanTakesOneExchangeWithTheSystemTextBeforeThePrompt() throws Exception {
    PreparedDataset p = Dataset.of(okThen(dir, 3)).prepare(BedrockFormats.PROMPT_COMPLETION, dir.resolve("o"));
    JsonNode first = JSON.readTree(Files.readAllLines(p.training().path()).get(0));
    assertThat(first.get("prompt").asText()).isEqualTo("You are terse.\n\nHi");
    assertThat(first.get("completion").asText()).isEqualTo("Hello");
    assertThat(first.size()).isEqualTo(2);
  }

  @Test
  void titanRefusesMultiTurnConversations() throws Exception {
    String twoTurns = "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"},"
        + "{\"role\":\"user\",\"content\":\"q2\"},{\"role\":\"assistant\",\"content\":\"a2\"}]}";
    assertThatThrownBy(() -> Dataset.of(okThen(dir, 2, twoTurns)).prepare(BedrockFormats.PROMPT_COMPLETION, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("exactly one prompt");
  }

  @Test
  void bedrockRefusesConversationsThatDoNotAlternate() throws Exception {
    String twoUsers = "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"user\",\"content\":\"q2\"},"
        + "{\"role\":\"assistant\",\"content\":\"a\"}]}";
    assertThatThrownBy(() -> Dataset.of(okThen(dir, 2, twoUsers)).prepare(BedrockFormats.CONVERSATION, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("alternating");
  }
}
