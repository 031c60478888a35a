package dev.tunekit.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.dataset.ConversionRefusedException;
import dev.tunekit.dataset.DatasetConverter;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.dataset.ModelCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gemini's supervised tuning JSONL, its converter from Tunekit's neutral chat JSONL, and the Vertex model
 * catalog ({@code models.json} next to this class). One line is
 * <pre>{"systemInstruction":{"role":"system","parts":[{"text":…}]},
 *  "contents":[{"role":"user","parts":[{"text":…}]},{"role":"model","parts":[{"text":…}]}]}</pre>
 * The converter refuses, with the reason (the core adds the line), whatever this format cannot hold: tool
 * calls and tool results, named messages, assistant weights of 0, preference pairs, a system message after
 * the conversation started, and turns that do not alternate user/model starting with user and ending with
 * model. Several leading system messages become several parts of the one {@code systemInstruction}.
 */
final class GeminiFormat {
  /** The format id Vertex trains every catalog model on. */
  static final DatasetFormat FORMAT = new DatasetFormat("gemini-tuning-jsonl",
      "Gemini supervised tuning JSONL: {\"systemInstruction\":{...},\"contents\":[{\"role\":\"user\"|\"model\","
          + "\"parts\":[{\"text\":...}]}]} per line");

  /** The catalog, read once. */
  static final ModelCatalog CATALOG = ModelCatalog.fromResource(GeminiFormat.class, "models.json");

  /** Provider data that the neutral catalog does not model: adapter sizes and ranges ({@code models.json}). */
  static final Limits LIMITS = Limits.read();

  private GeminiFormat() {}

  /** The limits of the catalog that preflight checks. */
  record Limits(long maxValidationExamples, long maxFileBytes, int minEpochs, int maxEpochs, double maxLrMultiplier,
      Map<String, List<Integer>> adapterSizes, Map<String, Long> maxExamples, Map<String, String> discontinued) {
    static Limits read() {
      try (InputStream in = GeminiFormat.class.getResourceAsStream("models.json")) {
        JsonNode root = new ObjectMapper().readTree(in);
        Map<String, List<Integer>> sizes = new LinkedHashMap<>();
        Map<String, Long> max = new LinkedHashMap<>();
        Map<String, String> gone = new LinkedHashMap<>();
        for (JsonNode m : root.path("models")) {
          List<Integer> s = new ArrayList<>();
          m.path("adapterSizes").forEach(n -> s.add(n.asInt()));
          sizes.put(m.path("id").asText(), List.copyOf(s));
          max.put(m.path("id").asText(), m.path("maxExamples").asLong(0));
          if (m.hasNonNull("discontinued")) {
            gone.put(m.path("id").asText(), m.path("discontinued").asText());
          }
          if (!m.path("format").asText().equals(FORMAT.id())) {
            // a packaging bug in this jar, caught by VertexCatalogTest; not a user error
            throw new IllegalStateException("models.json: model " + m.path("id").asText() + " has format '"
                + m.path("format").asText() + "', which tunekit-vertex has no converter for");
          }
        }
        return new Limits(root.path("maxValidationExamples").asLong(), root.path("maxFileBytes").asLong(),
            root.path("epochCount").path("min").asInt(1), root.path("epochCount").path("max").asInt(100),
            root.path("learningRateMultiplier").path("max").asDouble(10), Map.copyOf(sizes), Map.copyOf(max),
            Map.copyOf(gone));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read tunekit-vertex models.json", e); // packaging bug
      }
    }
  }

  static Optional<DatasetConverter> converter(DatasetFormat format) {
    return format.equals(FORMAT) ? Optional.of(new Converter()) : Optional.empty();
  }

  /** Chat JSONL to Gemini tuning JSONL. */
  static final class Converter implements DatasetConverter {
    @Override
    public DatasetFormat format() {
      return FORMAT;
    }

    @Override
    public Optional<String> refusal(DatasetKind kind) {
      return kind == DatasetKind.CHAT ? Optional.empty() : Optional.of(
          "Gemini supervised tuning has no preference pairs: the non_preferred_output of every example would be lost");
    }

    @Override
    public JsonNode convert(JsonNode root) {
      for (String key : List.of("tools", "functions")) {
        if (root.has(key)) {
          throw new ConversionRefusedException("it defines \"" + key + "\"; Tunekit does not convert tool"
              + " definitions to Gemini's format, so they would be lost");
        }
      }
      List<String> system = new ArrayList<>();
      List<JsonNode> turns = new ArrayList<>();
      for (JsonNode m : root.path("messages")) {
        String role = m.path("role").asText();
        if (m.has("tool_calls") || m.has("function_call") || role.equals("tool") || role.equals("function")) {
          throw new ConversionRefusedException("it has tool calls or tool results, which Tunekit does not convert"
              + " to Gemini's functionCall/functionResponse parts");
        }
        if (m.has("name")) {
          throw new ConversionRefusedException("a message has a \"name\", which Gemini's format cannot hold");
        }
        if (m.has("weight") && m.path("weight").asDouble(1) == 0) {
          throw new ConversionRefusedException("an assistant message has weight 0, and Gemini tuning trains on"
              + " every model turn");
        }
        if (!m.path("content").isTextual()) {
          throw new ConversionRefusedException("a " + role + " message's content is not plain text; only text"
              + " parts are converted");
        }
        switch (role) {
          case "system" -> {
            if (!turns.isEmpty()) {
              throw new ConversionRefusedException("a system message follows the conversation's start; Gemini"
                  + " takes system text only as the one systemInstruction before the first turn");
            }
            system.add(m.path("content").asText());
          }
          case "user", "assistant" -> turns.add(m);
          default -> throw new ConversionRefusedException("role '" + role + "' has no Gemini equivalent;"
              + " use system, user or assistant");
        }
      }
      for (int t = 0; t < turns.size(); t++) {
        String expected = t % 2 == 0 ? "user" : "assistant";
        String role = turns.get(t).path("role").asText();
        if (!role.equals(expected)) {
          throw new ConversionRefusedException("turn " + (t + 1) + " is " + role + " where " + expected
              + " was expected; Gemini needs user and model turns alternating, starting with user");
        }
      }
      if (turns.isEmpty() || turns.size() % 2 != 0) {
        throw new ConversionRefusedException("the conversation must end with an assistant (model) turn");
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      if (!system.isEmpty()) {
        ObjectNode si = out.putObject("systemInstruction");
        si.put("role", "system");
        ArrayNode parts = si.putArray("parts");
        system.forEach(text -> parts.addObject().put("text", text));
      }
      ArrayNode contents = out.putArray("contents");
      for (JsonNode m : turns) {
        ObjectNode c = contents.addObject();
        c.put("role", m.path("role").asText().equals("assistant") ? "model" : "user");
        c.putArray("parts").addObject().put("text", m.path("content").asText());
      }
      return out;
    }
  }
}
