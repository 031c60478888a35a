package dev.tunekit.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.dataset.ConversionRefusedException;
import dev.tunekit.dataset.DatasetConverter;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.dataset.ModelCatalog;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The dataset formats Bedrock model customization trains on, their converters from Tunekit's neutral
 * chat JSONL, and Bedrock's model catalog ({@code models.json} next to this class). Contributed to the
 * core by {@link BedrockProviderFactory} as a {@link dev.tunekit.dataset.DatasetContributor}.
 */
final class BedrockFormats {
  /** {@code bedrock-conversation-2024} (Nova, Claude and Llama 3.2+ families). */
  static final DatasetFormat CONVERSATION = new DatasetFormat("bedrock-conversation-2024",
      "Amazon Bedrock conversation JSONL: {\"schemaVersion\":\"bedrock-conversation-2024\",\"system\":[...],"
          + "\"messages\":[...]} per line");
  /** Prompt/completion for the non-conversational models (Titan Text, Llama 3.1). */
  static final DatasetFormat PROMPT_COMPLETION = new DatasetFormat("bedrock-prompt-completion",
      "Amazon Bedrock prompt/completion JSONL (Titan Text, Llama 3.1): {\"prompt\":...,\"completion\":...} per line");
  static final String SCHEMA_VERSION = "bedrock-conversation-2024";

  /** Bedrock's model catalog, read once. */
  static final ModelCatalog CATALOG = ModelCatalog.fromResource(BedrockFormats.class, "models.json");

  /** Each catalog model's training format ({@code "format"} in {@code models.json}), by fine-tuning id. */
  static final Map<String, DatasetFormat> CATALOG_FORMATS = readFormats();

  /** The catalog ids that take reinforcement fine-tuning ({@code "reinforcement": true} in {@code models.json}). */
  static final Set<String> CATALOG_RFT = readReinforcement();

  private BedrockFormats() {}

  private static Set<String> readReinforcement() {
    Set<String> out = new java.util.TreeSet<>();
    try (InputStream in = BedrockFormats.class.getResourceAsStream("models.json")) {
      for (JsonNode m : new ObjectMapper().readTree(in).path("models")) {
        if (m.path("reinforcement").asBoolean(false)) {
          out.add(m.path("id").asText());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tunekit-bedrock models.json", e); // not a TunekitException: packaging bug
    }
    return Set.copyOf(out);
  }

  /**
   * The training format the catalog gives {@code model} (an id, alias or foundation-model ARN); empty when
   * the catalog does not list it. The catalog is the one place a model's format is written down: the
   * provider uploads in this format, and {@link ModelFamily}'s format only serves models it does not list.
   */
  static Optional<DatasetFormat> catalogFormat(String model) {
    return BedrockPreflight.catalogId(model).map(CATALOG_FORMATS::get);
  }

  private static Map<String, DatasetFormat> readFormats() {
    Map<String, DatasetFormat> out = new LinkedHashMap<>();
    try (InputStream in = BedrockFormats.class.getResourceAsStream("models.json")) {
      JsonNode root = new ObjectMapper().readTree(in);
      for (JsonNode m : root.path("models")) {
        String format = m.path("format").asText();
        DatasetFormat f = format.equals(CONVERSATION.id()) ? CONVERSATION
            : format.equals(PROMPT_COMPLETION.id()) ? PROMPT_COMPLETION : null;
        if (f == null) {
          // not a TunekitException: a broken resource in this jar is a packaging bug, caught by BedrockCatalogTest
          throw new IllegalStateException("models.json: model " + m.path("id").asText() + " has format '" + format
              + "', which tunekit-bedrock has no converter for");
        }
        out.put(m.path("id").asText(), f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tunekit-bedrock models.json", e); // not a TunekitException: packaging bug
    }
    return Map.copyOf(out);
  }

  static Optional<DatasetConverter> converter(DatasetFormat format) {
    if (format.equals(CONVERSATION)) {
      return Optional.of(new Conversation());
    }
    if (format.equals(PROMPT_COMPLETION)) {
      return Optional.of(new PromptCompletion());
    }
    return Optional.empty();
  }

  private abstract static class Base implements DatasetConverter {
    @Override
    public Optional<String> refusal(DatasetKind kind) {
      return kind == DatasetKind.CHAT ? Optional.empty() : Optional.of(
          "the Bedrock formats have no preference pairs: the non_preferred_output of every example would be lost");
    }

    /** Splits off leading system messages and checks that nothing Bedrock cannot hold is present. */
    List<JsonNode> turns(JsonNode root, List<String> system) {
      DatasetFormat format = format();
      for (String key : List.of("tools", "functions")) {
        if (root.has(key)) {
          throw new ConversionRefusedException("it defines \"" + key + "\", which " + format + " cannot hold");
        }
      }
      List<JsonNode> turns = new ArrayList<>();
      for (JsonNode m : root.path("messages")) {
        String role = m.path("role").asText();
        if (m.has("tool_calls") || m.has("function_call") || role.equals("tool") || role.equals("function")) {
          throw new ConversionRefusedException("it has tool calls or tool results, which " + format + " cannot hold");
        }
        if (m.has("name")) {
          throw new ConversionRefusedException("a message has a \"name\", which " + format + " cannot hold");
        }
        if (m.has("weight") && m.path("weight").asDouble(1) == 0) {
          throw new ConversionRefusedException("an assistant message has weight 0, and " + format
              + " trains on every assistant message");
        }
        if (role.equals("system")) {
          if (!turns.isEmpty()) {
            throw new ConversionRefusedException("a system message follows the conversation's start; " + format
                + " takes system text only before the first turn");
          }
          system.add(m.path("content").asText());
        } else {
          turns.add(m);
        }
      }
      for (int t = 0; t < turns.size(); t++) {
        String expected = t % 2 == 0 ? "user" : "assistant";
        String role = turns.get(t).path("role").asText();
        if (!role.equals(expected)) {
          throw new ConversionRefusedException("turn " + (t + 1) + " is " + role + " where " + expected
              + " was expected; " + format + " needs user and assistant turns alternating, starting with user");
        }
      }
      if (turns.isEmpty() || turns.size() % 2 != 0) {
        throw new ConversionRefusedException("the conversation must end with an assistant turn");
      }
      return turns;
    }
  }

  /** Chat JSONL to {@code bedrock-conversation-2024}: system blocks, then text content blocks per turn. */
  static final class Conversation extends Base {
    @Override
    public DatasetFormat format() {
      return CONVERSATION;
    }

    @Override
    public JsonNode convert(JsonNode root) {
      List<String> system = new ArrayList<>();
      List<JsonNode> turns = turns(root, system);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.put("schemaVersion", SCHEMA_VERSION);
      if (!system.isEmpty()) {
        ArrayNode s = out.putArray("system");
        system.forEach(text -> s.addObject().put("text", text));
      }
      ArrayNode ms = out.putArray("messages");
      for (JsonNode m : turns) {
        ObjectNode o = ms.addObject();
        o.put("role", m.path("role").asText());
        o.putArray("content").addObject().put("text", m.path("content").asText());
      }
      return out;
    }
  }

  /**
   * Chat JSONL to prompt/completion: exactly one exchange; system messages are placed before the user
   * text in the prompt, separated by a blank line.
   */
  static final class PromptCompletion extends Base {
    @Override
    public DatasetFormat format() {
      return PROMPT_COMPLETION;
    }

    @Override
    public JsonNode convert(JsonNode root) {
      List<String> system = new ArrayList<>();
      List<JsonNode> turns = turns(root, system);
      if (turns.size() != 2) {
        throw new ConversionRefusedException("it has " + turns.size() / 2 + " user/assistant exchanges; "
            + format() + " holds exactly one prompt and one completion");
      }
      StringBuilder prompt = new StringBuilder();
      for (String s : system) {
        prompt.append(s).append("\n\n");
      }
      prompt.append(turns.get(0).path("content").asText());
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.put("prompt", prompt.toString());
      out.put("completion", turns.get(1).path("content").asText());
      return out;
    }
  }
}
