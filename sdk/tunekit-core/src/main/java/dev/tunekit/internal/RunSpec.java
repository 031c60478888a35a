package dev.tunekit.internal;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.spi.TrainingMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
 * @param eval the evaluation hook's settings, or null when the run carries no eval suite
 */
public record RunSpec(
    String model,
    String trainingData,
    String validationData,
    double validationFraction,
    long splitSeed,
    Hyperparameters hyperparameters,
    String suffix,
    Map<String, String> metadata,
    TrainingMethod method,
    Eval eval) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the run's evaluation hook needs besides the suite's code (graders cannot be stored): which
   * suite (by fingerprint), when the baseline runs, what it is, and the gate.
   *
   * @param suite the suite's name
   * @param fingerprint the suite's fingerprint; a resumed run refuses another suite
   * @param baselineFirst whether the baseline is evaluated before upload (else after training)
   * @param minImprovement the gate's minimum pass-rate improvement over the baseline, or null for no gate
   * @param baselineName the baseline target's name in reports
   * @param baselineModel the baseline target's model id
   * @param baselinePreamble the baseline's system prompt and few-shot examples
   * @param customBaseline whether the baseline is a caller's {@code EvalTarget} (its model is code, not
   *     rebuilt from the ledger) rather than the base model on this provider
   * @param deployFirst whether the tuned model is deployed before it is evaluated (and the deployment
   *     removed again when the gate blocks)
   */
  public record Eval(
      String suite,
      String fingerprint,
      boolean baselineFirst,
      Double minImprovement,
      String baselineName,
      String baselineModel,
      List<ChatMessage> baselinePreamble,
      boolean customBaseline,
      boolean deployFirst) {
    public Eval {
      Objects.requireNonNull(suite, "suite");
      Objects.requireNonNull(fingerprint, "fingerprint");
      Objects.requireNonNull(baselineName, "baselineName");
      Objects.requireNonNull(baselineModel, "baselineModel");
      baselinePreamble = List.copyOf(baselinePreamble);
    }

    Optional<Double> gate() {
      return Optional.ofNullable(minImprovement);
    }
  }

  public RunSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(trainingData, "trainingData");
    Objects.requireNonNull(hyperparameters, "hyperparameters");
    metadata = Map.copyOf(metadata);
  }

  public RunSpec withMethod(TrainingMethod m) {
    return new RunSpec(model, trainingData, validationData, validationFraction, splitSeed, hyperparameters, suffix,
        metadata, m, eval);
  }

  public String toJson() {
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
    if (eval != null) {
      ObjectNode e = n.putObject("eval");
      e.put("suite", eval.suite());
      e.put("fingerprint", eval.fingerprint());
      e.put("baselineFirst", eval.baselineFirst());
      if (eval.minImprovement() != null) {
        e.put("minImprovement", eval.minImprovement());
      }
      e.put("baselineName", eval.baselineName());
      e.put("baselineModel", eval.baselineModel());
      ArrayNode pre = e.putArray("baselinePreamble");
      eval.baselinePreamble().forEach(m -> pre.addObject().put("role", m.role()).put("content", m.content()));
      e.put("customBaseline", eval.customBaseline());
      e.put("deployFirst", eval.deployFirst());
    }
    return n.toString();
  }

  public static RunSpec fromJson(String json) {
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
          metadata, n.hasNonNull("method") ? TrainingMethod.valueOf(n.get("method").asText()) : null,
          n.hasNonNull("eval") ? eval(n.get("eval")) : null);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new TunekitException("The ledger holds a run description this Tunekit cannot read (" + e.getMessage()
          + "); it was written by another version. Start a new run.", e);
    }
  }

  private static Eval eval(JsonNode e) {
    List<ChatMessage> preamble = new ArrayList<>();
    for (JsonNode m : e.path("baselinePreamble")) {
      preamble.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
    }
    return new Eval(e.get("suite").asText(), e.get("fingerprint").asText(), e.path("baselineFirst").asBoolean(true),
        e.hasNonNull("minImprovement") ? e.get("minImprovement").doubleValue() : null, e.get("baselineName").asText(),
        e.get("baselineModel").asText(), preamble, e.path("customBaseline").asBoolean(false),
        e.path("deployFirst").asBoolean(false));
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }
}
