package dev.tunekit.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the per-provider model data files ({@code dev/tunekit/dataset/models/<provider>.json}) and
 * resolves a model name (id, alias, or OpenAI {@code ft:} model) to a {@link ModelSpec}.
 */
final class ModelCatalog {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final Map<String, JsonNode> FILES = new ConcurrentHashMap<>();

  private ModelCatalog() {}

  /** The provider whose data file describes {@code provider}'s models (Azure uses OpenAI's models). */
  static String dataProvider(String provider) {
    String p = provider.toLowerCase(Locale.ROOT);
    return p.equals("azure") || p.equals("azure-openai") ? "openai" : p;
  }

  /** Resolves a model; an unknown provider or model gives a spec with {@code known() == false}. */
  static ModelSpec resolve(String provider, String model) {
    String dp = dataProvider(provider);
    JsonNode file = load(dp);
    if (file == null) {
      return unknown(provider, model, null);
    }
    String wanted = baseModel(model);
    JsonNode wildcard = null;
    for (JsonNode m : file.path("models")) {
      String id = m.path("id").asText();
      if (id.equals("*")) {
        wildcard = m;
        continue;
      }
      if (id.equalsIgnoreCase(wanted) || matchesAlias(m, wanted)) {
        return spec(provider, file, m, id);
      }
    }
    if (wildcard != null) {
      return spec(provider, file, wildcard, model);
    }
    return unknown(provider, model, file);
  }

  /** {@code ft:gpt-4o-mini-2024-07-18:org::abc} trains further on its base model's terms. */
  static String baseModel(String model) {
    if (model.startsWith("ft:")) {
      int end = model.indexOf(':', 3);
      return end < 0 ? model.substring(3) : model.substring(3, end);
    }
    return model;
  }

  private static boolean matchesAlias(JsonNode m, String wanted) {
    for (JsonNode a : m.path("aliases")) {
      if (a.asText().equalsIgnoreCase(wanted)) {
        return true;
      }
    }
    return false;
  }

  private static ModelSpec spec(String provider, JsonNode file, JsonNode m, String id) {
    BigDecimal price = m.path("trainingPricePerMillion").isNumber()
        ? m.path("trainingPricePerMillion").decimalValue() : null;
    if (price != null && price.scale() < 2) {
      price = price.setScale(2); // money shown as 3.00, not 3 or 3.0
    }
    long minExamples = m.has("minExamples") && m.get("minExamples").isNumber()
        ? m.get("minExamples").asLong() : file.path("minExamples").asLong(1);
    int defaultEpochs = m.path("defaultEpochs").isNumber() ? m.path("defaultEpochs").asInt() : 0;
    return new ModelSpec(provider, id, true, m.path("encoding").asText("o200k_base"),
        m.path("contextTokens").isNumber() ? m.path("contextTokens").asInt() : 0,
        minExamples,
        m.path("maxExamples").isNumber() ? m.path("maxExamples").asLong() : 0,
        defaultEpochs, price, file.path("currency").asText("USD"),
        m.path("singleTurnOnly").asBoolean(false), m.path("confirmed").asBoolean(true),
        m.path("note").asText(""), file.path("asOf").asText(""), sources(file));
  }

  private static ModelSpec unknown(String provider, String model, JsonNode file) {
    long min = file == null ? 1 : file.path("minExamples").asLong(1);
    return new ModelSpec(provider, model, false, "o200k_base", 0, min, 0, 0, null, "USD", false, false,
        "", file == null ? "" : file.path("asOf").asText(""), file == null ? List.of() : sources(file));
  }

  private static List<String> sources(JsonNode file) {
    List<String> out = new ArrayList<>();
    file.path("sources").forEach(s -> out.add(s.asText()));
    return List.copyOf(out);
  }

  private static JsonNode load(String provider) {
    if (!provider.matches("[a-z0-9-]+")) {
      return null;
    }
    JsonNode cached = FILES.get(provider);
    if (cached != null) {
      return cached;
    }
    try (InputStream in = ModelCatalog.class.getResourceAsStream("models/" + provider + ".json")) {
      if (in == null) {
        return null;
      }
      JsonNode node = JSON.readTree(in);
      FILES.put(provider, node);
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model data file for " + provider, e);
    }
  }
}
