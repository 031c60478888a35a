package dev.tunekit.together;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.dataset.ModelCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Together catalog ({@code models.json} next to this class): the neutral {@link ModelCatalog} (ids, aliases,
 * prices with their sources and date) and the limits preflight checks, which the neutral catalog does not model.
 */
final class TogetherCatalog {
  /** The catalog, read once. */
  static final ModelCatalog CATALOG = ModelCatalog.fromResource(TogetherCatalog.class, "models.json");
  /** The limits, read once. */
  static final Limits LIMITS = Limits.read();

  private TogetherCatalog() {}

  /** One model's limits. */
  record ModelLimits(int minBatch, int maxBatch, int maxLoraRank, boolean fullTraining) {}

  /** The limits of the whole catalog. */
  record Limits(int minEpochs, int maxEpochs, double minLearningRate, double maxLearningRate, int maxCheckpoints,
      int maxEvals, Map<String, ModelLimits> models) {
    static Limits read() {
      try (InputStream in = TogetherCatalog.class.getResourceAsStream("models.json")) {
        JsonNode root = new ObjectMapper().readTree(in);
        Map<String, ModelLimits> models = new LinkedHashMap<>();
        for (JsonNode m : root.path("models")) {
          models.put(m.path("id").asText(), new ModelLimits(m.path("batchSize").path("min").asInt(1),
              m.path("batchSize").path("max").asInt(Integer.MAX_VALUE), m.path("maxLoraRank").asInt(64),
              m.path("fullTraining").asBoolean(false)));
        }
        return new Limits(root.path("epochs").path("min").asInt(1), root.path("epochs").path("max").asInt(20),
            root.path("learningRate").path("min").asDouble(0), root.path("learningRate").path("max").asDouble(1),
            root.path("maxCheckpoints").asInt(20), root.path("maxEvals").asInt(100), Map.copyOf(models));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read tunekit-together models.json", e); // packaging bug
      }
    }
  }
}
