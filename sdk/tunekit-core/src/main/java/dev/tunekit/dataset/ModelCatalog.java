package dev.tunekit.dataset;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.error.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What Tunekit knows about one provider's base models: ids and aliases, the tokenizer, per-example
 * token limits, minimum and maximum numbers of examples, default epochs, training prices, and whether
 * each figure was confirmed against the provider's documentation. A provider module ships its catalog
 * as a JSON resource and contributes it through {@link DatasetContributor#catalog(String)}.
 *
 * <p>The JSON document:
 *
 * <pre>{@code
 * { "provider": "acme",                 // the catalog's name, shown in cost assumptions
 *   "displayName": "Acme",              // shown in "Acme list prices; <type> may bill differently"
 *   "currency": "USD", "asOf": "2025-06", "sources": ["https://…"],
 *   "minExamples": 10,                  // default for models that do not set their own
 *   "tokenizer": "exact",               // "exact": the model bills with the encoding below; else an estimate
 *   "epochRuleLabel": "Acme default-epoch rule", // names the scaled rule when a model has no defaultEpochs
 *   "tunedModelPrefix": "ft:",          // "ft:<base>:…" is priced and limited as <base>
 *   "models": [
 *     {"id": "acme-small-2025", "aliases": ["acme-small"], "encoding": "o200k_base",
 *      "contextTokens": 65536, "minExamples": 10, "maxExamples": 50000, "defaultEpochs": 2,
 *      "trainingPricePerMillion": 3.00, "singleTurnOnly": false, "confirmed": true, "note": "…"},
 *     {"id": "*", "…": "…"} ]}          // optional wildcard: any other model name
 * }</pre>
 *
 * <p>Immutable and safe to share; load it once (for example in a static field of the contributor).
 */
public final class ModelCatalog {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final JsonNode file;
  private final String name;

  private ModelCatalog(JsonNode file, String source) {
    if (!file.isObject() || !file.path("models").isArray() || !file.path("provider").isTextual()) {
      throw new InvalidInputException("a model catalog is a JSON object with \"provider\" (text) and "
          + "\"models\" (an array)", source);
    }
    this.file = file;
    this.name = file.path("provider").asText();
  }

  /** Reads a catalog from a JSON stream; {@code source} names it in errors. */
  public static ModelCatalog read(InputStream in, String source) {
    Objects.requireNonNull(in, "in");
    try {
      return new ModelCatalog(JSON.readTree(in), source);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read the model catalog: " + e.getMessage(), source, e);
    }
  }

  /**
   * Reads a catalog from a class-path resource next to {@code anchor} (as {@link Class#getResourceAsStream}
   * resolves {@code name}).
   */
  public static ModelCatalog fromResource(Class<?> anchor, String name) {
    try (InputStream in = anchor.getResourceAsStream(name)) {
      if (in == null) {
        throw new InvalidInputException("the model catalog resource is missing from the class path",
            anchor.getPackageName().replace('.', '/') + "/" + name);
      }
      return read(in, name);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read the model catalog: " + e.getMessage(), name, e);
    }
  }

  /** The catalog's name (its {@code provider} field). */
  public String name() {
    return name;
  }

  /** Whether {@code model} (or the base model of a tuned model name) is listed by id or alias; wildcards do not count. */
  public boolean lists(String model) {
    String wanted = baseModel(model);
    for (JsonNode m : file.path("models")) {
      if (!m.path("id").asText().equals("*") && matches(m, wanted)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the catalog accepts any model name (it has a {@code "*"} entry). A closed catalog lists
   * every model its provider tunes, so a model it does not list is an error in a provider's preflight.
   */
  public boolean open() {
    for (JsonNode m : file.path("models")) {
      if (m.path("id").asText().equals("*")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The catalog id of {@code model}, found by id or alias (case-insensitive; a tuned model name resolves
   * to its base model's id), or empty when it is not listed. Wildcards do not count.
   */
  public java.util.Optional<String> canonicalId(String model) {
    String wanted = baseModel(model);
    for (JsonNode m : file.path("models")) {
      if (!m.path("id").asText().equals("*") && matches(m, wanted)) {
        return java.util.Optional.of(m.path("id").asText());
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * The fewest training examples the provider accepts for {@code model}: the model's own figure, the
   * wildcard's, or the catalog's default.
   */
  public long minExamples(String model) {
    return resolve(name, model).minExamples();
  }

  /** The model ids listed (without wildcards), in file order. */
  public List<String> modelIds() {
    List<String> out = new ArrayList<>();
    for (JsonNode m : file.path("models")) {
      if (!m.path("id").asText().equals("*")) {
        out.add(m.path("id").asText());
      }
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return "ModelCatalog{" + name + ", " + file.path("models").size() + " entries, as of "
        + file.path("asOf").asText("?") + "}";
  }

  /** Resolves a model for provider type {@code type}; unknown models give {@code known() == false}. */
  ModelSpec resolve(String type, String model) {
    String wanted = baseModel(model);
    JsonNode wildcard = null;
    for (JsonNode m : file.path("models")) {
      String id = m.path("id").asText();
      if (id.equals("*")) {
        wildcard = m;
        continue;
      }
      if (matches(m, wanted)) {
        return spec(type, m, id);
      }
    }
    if (wildcard != null) {
      return spec(type, wildcard, model);
    }
    return ModelSpec.unknown(type, model, this);
  }

  /** A tuned model name ({@code <prefix><base>:…}) trains further on its base model's terms. */
  String baseModel(String model) {
    String prefix = file.path("tunedModelPrefix").asText("");
    if (!prefix.isEmpty() && model.startsWith(prefix)) {
      int end = model.indexOf(':', prefix.length());
      return end < 0 ? model.substring(prefix.length()) : model.substring(prefix.length(), end);
    }
    return model;
  }

  private static boolean matches(JsonNode m, String wanted) {
    if (m.path("id").asText().equalsIgnoreCase(wanted)) {
      return true;
    }
    for (JsonNode a : m.path("aliases")) {
      if (a.asText().equalsIgnoreCase(wanted)) {
        return true;
      }
    }
    return false;
  }

  private ModelSpec spec(String type, JsonNode m, String id) {
    BigDecimal price = m.path("trainingPricePerMillion").isNumber()
        ? m.path("trainingPricePerMillion").decimalValue() : null;
    if (price != null && price.scale() < 2) {
      price = price.setScale(2); // money shown as 3.00, not 3 or 3.0
    }
    long minExamples = m.has("minExamples") && m.get("minExamples").isNumber()
        ? m.get("minExamples").asLong() : minExamples();
    int defaultEpochs = m.path("defaultEpochs").isNumber() ? m.path("defaultEpochs").asInt() : 0;
    return new ModelSpec(type, id, true, m.path("encoding").asText("o200k_base"),
        m.path("contextTokens").isNumber() ? m.path("contextTokens").asInt() : 0,
        minExamples,
        m.path("maxExamples").isNumber() ? m.path("maxExamples").asLong() : 0,
        defaultEpochs, price, currency(), m.path("singleTurnOnly").asBoolean(false),
        m.path("confirmed").asBoolean(true), m.path("note").asText(""), asOf(), sources(), this);
  }

  long minExamples() {
    return file.path("minExamples").asLong(1);
  }

  String currency() {
    return file.path("currency").asText("USD");
  }

  String asOf() {
    return file.path("asOf").asText("");
  }

  String displayName() {
    return file.path("displayName").asText(name);
  }

  boolean tokenizerExact() {
    return file.path("tokenizer").asText("estimate").equals("exact");
  }

  String epochRuleLabel() {
    return file.path("epochRuleLabel").asText("default-epoch rule");
  }

  List<String> sources() {
    List<String> out = new ArrayList<>();
    file.path("sources").forEach(s -> out.add(s.asText()));
    return List.copyOf(out);
  }
}
