package dev.tunekit.fireworks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.dataset.ModelCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Fireworks catalog ({@code models.json} next to this class): the neutral {@link ModelCatalog} (ids, aliases,
 * prices with their sources and date) and the limits preflight checks, which the neutral catalog does not model.
 */
final class FireworksCatalog {
  /** The catalog, read once. */
  static final ModelCatalog CATALOG = ModelCatalog.fromResource(FireworksCatalog.class, "models.json");
  /** The limits, read once. */
  static final Limits LIMITS = Limits.read();

  private FireworksCatalog() {}

  /** One model's limits. */
  record ModelLimits(int contextTokens, int maxLoraRank) {}

  /** The limits of the whole catalog. */
  record Limits(int minEpochs, int maxEpochs, double minLearningRate, double maxLearningRate, List<Integer> loraRanks,
      int minBatch, int maxBatch, Map<String, ModelLimits> models) {
    static Limits read() {
      try (InputStream in = FireworksCatalog.class.getResourceAsStream("models.json")) {
        JsonNode root = new ObjectMapper().readTree(in);
        Map<String, ModelLimits> models = new LinkedHashMap<>();
        for (JsonNode m : root.path("models")) {
          models.put(m.path("id").asText(), new ModelLimits(m.path("contextTokens").asInt(0), m.path("maxLoraRank").asInt(64)));
        }
        List<Integer> ranks = new ArrayList<>();
        root.path("loraRanks").forEach(r -> ranks.add(r.asInt()));
        return new Limits(root.path("epochs").path("min").asInt(1), root.path("epochs").path("max").asInt(10),
            root.path("learningRate").path("min").asDouble(0), root.path("learningRate").path("max").asDouble(1),
            List.copyOf(ranks), root.path("batchSizeSamples").path("min").asInt(1),
            root.path("batchSizeSamples").path("max").asInt(Integer.MAX_VALUE), Map.copyOf(models));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read tunekit-fireworks models.json", e); // packaging bug
      }
    }
  }
}
