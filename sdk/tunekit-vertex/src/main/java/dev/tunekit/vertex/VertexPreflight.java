package dev.tunekit.vertex;

import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Vertex's offline checks, made before the baseline and before anything is uploaded: the base model
 * against the catalog ({@code models.json}, closed; aliases resolve), the method (supervised only), each
 * hyperparameter against the catalog's ranges ({@code epochs}, {@code learningRateMultiplier}, the extra
 * {@code adapterSize}; {@code batchSize} and {@code seed} are refused: a Gemini tuning job takes neither),
 * the example counts (training within the model's range, validation at most
 * {@code maxValidationExamples}), and the settings a job needs ({@code project}, {@code bucket} present and
 * well formed, {@code location} well formed). The file size (at most 1 GB) is not in the plan; Vertex
 * checks it.
 */
final class VertexPreflight {
  private VertexPreflight() {}

  static List<PreflightProblem> check(VertexConfig config, JobPlan plan) {
    List<PreflightProblem> out = new ArrayList<>();
    GeminiFormat.Limits limits = GeminiFormat.LIMITS;
    Optional<String> id = GeminiFormat.CATALOG.canonicalId(plan.baseModel());
    if (id.isEmpty()) {
      out.add(new PreflightProblem("model", "'" + plan.baseModel() + "' is not a Gemini model Vertex AI can tune (it"
          + " is not in Tunekit's Vertex catalog)", "use one of " + String.join(", ", GeminiFormat.CATALOG.modelIds())
          + ", or add the model to tunekit-vertex models.json"));
    }
    id.map(limits.discontinued()::get).ifPresent(date -> out.add(new PreflightProblem("model", "'"
        + plan.baseModel() + "' was discontinued on " + date + " (Google's model page): Vertex AI no longer tunes it",
        "use a current model, such as " + String.join(", ", GeminiFormat.CATALOG.modelIds().stream()
            .filter(m -> !limits.discontinued().containsKey(m)).toList()))));
    if (plan.method() != TrainingMethod.SUPERVISED || plan.kind() == DatasetKind.PREFERENCE) {
      out.add(new PreflightProblem("method", "Tunekit tunes Gemini on Vertex AI with supervised fine-tuning only"
          + " (method was " + plan.method() + ", dataset " + plan.kind() + ")",
          "use a chat dataset and the SUPERVISED method, or a provider that supports DPO (openai, local)"));
    }
    Hyperparameters hp = plan.hyperparameters();
    hp.epochs().ifPresent(e -> {
      if (e < limits.minEpochs() || e > limits.maxEpochs()) {
        out.add(new PreflightProblem("hyperparameters.epochs", "epochCount " + e + " is outside "
            + limits.minEpochs() + ".." + limits.maxEpochs(), "choose a whole number of epochs in that range"));
      }
    });
    hp.learningRateMultiplier().ifPresent(m -> {
      if (!(m > 0) || m > limits.maxLrMultiplier()) {
        out.add(new PreflightProblem("hyperparameters.learningRateMultiplier", "learningRateMultiplier " + m
            + " is outside (0, " + limits.maxLrMultiplier() + "]", "use a positive multiplier such as 1.0"));
      }
    });
    hp.batchSize().ifPresent(b -> out.add(new PreflightProblem("hyperparameters.batchSize",
        "a Gemini supervised tuning job has no batch size", "leave batchSize unset")));
    hp.seed().ifPresent(s -> out.add(new PreflightProblem("hyperparameters.seed",
        "a Gemini supervised tuning job has no seed", "leave seed unset")));
    for (String key : hp.extras().keySet()) {
      if (!key.equals("adapterSize")) {
        out.add(new PreflightProblem("hyperparameters." + key, "is not a Gemini tuning hyperparameter Tunekit sends",
            "use epochs, learningRateMultiplier and the extra adapterSize"));
      }
    }
    hp.extra("adapterSize").ifPresent(a -> {
      List<Integer> allowed = id.map(i -> limits.adapterSizes().getOrDefault(i, List.of())).orElse(List.of());
      Integer size = adapterSize(a);
      if (size == null || (id.isPresent() && !allowed.contains(size))) {
        out.add(new PreflightProblem("hyperparameters.adapterSize", "adapterSize '" + a + "' is not one of "
            + (allowed.isEmpty() ? "1, 2, 4, 8, 16" : allowed) + (id.isPresent() ? " for " + id.get() : ""),
            "choose one of those sizes, or leave it unset for Vertex's default"));
      }
    });
    if (id.isPresent() && plan.trainingExamples() >= 0) {
      long min = GeminiFormat.CATALOG.minExamples(id.get());
      long max = limits.maxExamples().getOrDefault(id.get(), 0L);
      if (plan.trainingExamples() < min) {
        out.add(new PreflightProblem("trainingData", "the training file to upload has " + plan.trainingExamples()
            + " example(s); Vertex needs at least " + min + " for " + id.get(), "add examples"));
      } else if (max > 0 && plan.trainingExamples() > max) {
        out.add(new PreflightProblem("trainingData", "the training file to upload has " + plan.trainingExamples()
            + " examples; Vertex accepts at most " + max + " for " + id.get(), "use fewer examples"));
      }
    }
    if (plan.validationExamples() > limits.maxValidationExamples()) {
      out.add(new PreflightProblem("validationData", "the validation file to upload has " + plan.validationExamples()
          + " examples; Vertex accepts at most " + limits.maxValidationExamples(),
          "hold out fewer examples for validation (validationSplit) or trim the validation file"));
    }
    settings(config, out);
    return List.copyOf(out);
  }

  /** 1, "4", "ADAPTER_SIZE_FOUR" → the size; null when it is none of these. */
  static Integer adapterSize(Object raw) {
    String s = String.valueOf(raw).trim().toUpperCase(java.util.Locale.ROOT);
    String[] words = {"ONE", "TWO", "FOUR", "EIGHT", "SIXTEEN", "THIRTY_TWO"};
    int[] sizes = {1, 2, 4, 8, 16, 32};
    for (int i = 0; i < words.length; i++) {
      if (s.equals("ADAPTER_SIZE_" + words[i]) || s.equals(String.valueOf(sizes[i]))
          || s.equals(sizes[i] + ".0")) {
        return sizes[i];
      }
    }
    return null;
  }

  static String adapterSizeEnum(int size) {
    return switch (size) {
      case 1 -> "ADAPTER_SIZE_ONE";
      case 2 -> "ADAPTER_SIZE_TWO";
      case 4 -> "ADAPTER_SIZE_FOUR";
      case 8 -> "ADAPTER_SIZE_EIGHT";
      case 16 -> "ADAPTER_SIZE_SIXTEEN";
      default -> "ADAPTER_SIZE_THIRTY_TWO";
    };
  }

  private static void settings(VertexConfig config, List<PreflightProblem> out) {
    String file = config.settings().source();
    String at = "providers." + config.settings().name() + ".";
    if (config.project().isEmpty()) {
      out.add(new PreflightProblem(file, at + "project", "is required to create a tuning job",
          "set it to your Google Cloud project id, such as my-project-123"));
    } else if (!VertexConfig.PROJECT.matcher(config.project().get()).matches()) {
      out.add(new PreflightProblem(file, at + "project", "'" + config.project().get() + "' is not a project id",
          "use the project id (6-30 of a-z 0-9 -, starting with a letter), not the project name or number"));
    }
    if (!VertexConfig.LOCATION.matcher(config.location()).matches()) {
      out.add(new PreflightProblem(file, at + "location", "'" + config.location() + "' is not a Vertex AI region",
          "use a region such as us-central1 or europe-west4"));
    }
    if (config.bucket().isEmpty()) {
      out.add(new PreflightProblem(file, at + "bucket", "is required to upload training data",
          "set it to a Cloud Storage bucket (a bare name such as my-tuning-bucket)"));
    } else {
      String b = config.bucket().get();
      if (!VertexConfig.BUCKET.matcher(b).matches() || b.contains("..") || b.startsWith("goog")) {
        out.add(new PreflightProblem(file, at + "bucket", "'" + b + "' is not a valid Cloud Storage bucket name",
            "use 3 to 63 lower-case letters, digits, '.', '_' and '-', starting and ending with a letter or digit"));
      }
    }
  }
}
