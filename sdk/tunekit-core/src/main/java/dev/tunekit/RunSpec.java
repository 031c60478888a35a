package dev.tunekit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.spi.TrainingMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a run was asked to do, stored as JSON in the ledger so a resumed run does exactly the same.
 *
 * @param model the base model
 * @param trainingData absolute path of the training JSONL
 * @param validationData absolute path of a separate validation JSONL, or null
 * @param validationFraction fraction held out of the training data (0 for none)
 * @param splitSeed seed of the held-out split
 * @param hyperparameters the hyperparameters
 * @param suffix model name suffix, or null
 * @param metadata user metadata
 * @param method the training method, or null to take it from the dataset's kind
 */
record RunSpec(
    String model,
    String trainingData,
    String validationData,
    double validationFraction,
    long splitSeed,
    Hyperparameters hyperparameters,
    String suffix,
    Map<String, String> metadata,
    TrainingMethod method) {

  private static final ObjectMapper JSON = new ObjectMapper();

  RunSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(trainingData, "trainingData");
    Objects.requireNonNull(hyperparameters, "hyperparameters");
    metadata = Map.copyOf(metadata);
  }

  RunSpec withMethod(TrainingMethod m) {
    return new RunSpec(model, trainingData, validationData, validationFraction, splitSeed, hyperparameters, suffix,
        metadata, m);
  }

  String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("model", model);
    n.put("trainingData", trainingData);
    n.put("validationData", validationData);
    n.put("validationFraction", validationFraction);
    n.put("splitSeed", splitSeed);
    ObjectNode h = n.putObject("hyperparameters");
    hyperparameters.epochs().ifPresent(v -> h.put("epochs", v));
    hyperparameters.batchSize().ifPresent(v -> h.put("batchSize", v));
    hyperparameters.learningRateMultiplier().ifPresent(v -> h.put("learningRateMultiplier", v));
    hyperparameters.seed().ifPresent(v -> h.put("seed", v));
    h.set("extras", JSON.valueToTree(hyperparameters.extras()));
    n.put("suffix", suffix);
    n.set("metadata", JSON.valueToTree(metadata));
    n.put("method", method == null ? null : method.name());
    return n.toString();
  }

  static RunSpec fromJson(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      JsonNode h = n.path("hyperparameters");
      Hyperparameters.Builder b = Hyperparameters.builder();
      if (h.hasNonNull("epochs")) {
        b.epochs(h.get("epochs").intValue());
      }
      if (h.hasNonNull("batchSize")) {
        b.batchSize(h.get("batchSize").intValue());
      }
      if (h.hasNonNull("learningRateMultiplier")) {
        b.learningRateMultiplier(h.get("learningRateMultiplier").doubleValue());
      }
      if (h.hasNonNull("seed")) {
        b.seed(h.get("seed").longValue());
      }
      if (h.hasNonNull("extras")) {
        Map<?, ?> extras = JSON.treeToValue(h.get("extras"), Map.class);
        extras.forEach((k, v) -> b.extra(String.valueOf(k), v));
      }
      Map<String, String> metadata = new LinkedHashMap<>();
      n.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
      return new RunSpec(n.get("model").asText(), n.get("trainingData").asText(), text(n, "validationData"),
          n.path("validationFraction").asDouble(0), n.path("splitSeed").asLong(0), b.build(), text(n, "suffix"),
          metadata, n.hasNonNull("method") ? TrainingMethod.valueOf(n.get("method").asText()) : null);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new TunekitException("The ledger holds a run description this Tunekit cannot read (" + e.getMessage()
          + "); it was written by another version. Start a new run.", e);
    }
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }
}
