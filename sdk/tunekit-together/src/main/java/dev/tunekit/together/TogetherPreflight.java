package dev.tunekit.together;

import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightChecks;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Together's offline checks, made before the baseline and before anything is uploaded: the base model against
 * the catalog ({@code models.json}, closed; aliases resolve), the method (SFT or DPO), the dataset kind against
 * the method, each hyperparameter against the catalog's ranges ({@code epochs}, {@code batchSize} per model,
 * the extras {@code learningRate}, {@code trainingType}, {@code loraR} up to the model's rank, {@code loraAlpha},
 * {@code loraDropout}, {@code loraTrainableModules}, {@code nCheckpoints}, {@code nEvals}, {@code warmupRatio}),
 * the suffix (room for the key's tag), the example count, and the settings: {@code apiKey} present.
 * {@code learningRateMultiplier} is refused: Together takes an absolute learning rate.
 */
final class TogetherPreflight {
  /** The provider extras Tunekit sends to Together. */
  static final Set<String> EXTRAS = Set.of("learningRate", "trainingType", "loraR", "loraAlpha", "loraDropout",
      "loraTrainableModules", "nCheckpoints", "nEvals", "warmupRatio");

  private TogetherPreflight() {}

  static List<PreflightProblem> check(TogetherConfig config, JobPlan plan) {
    List<PreflightProblem> out = new ArrayList<>();
    TogetherCatalog.Limits limits = TogetherCatalog.LIMITS;
    Optional<String> id = TogetherCatalog.CATALOG.canonicalId(plan.baseModel());
    if (id.isEmpty()) {
      out.add(new PreflightProblem("model", "'" + plan.baseModel() + "' is not a model Together can fine-tune (it is"
          + " not in Tunekit's Together catalog)", "use one of " + String.join(", ", TogetherCatalog.CATALOG.modelIds())
          + ", or add the model to tunekit-together models.json"));
    }
    Optional<TogetherCatalog.ModelLimits> model = id.map(limits.models()::get);
    if (plan.method() == TrainingMethod.SUPERVISED) {
      if (plan.kind() == DatasetKind.PREFERENCE) {
        out.add(new PreflightProblem("method", "supervised fine-tuning needs a chat dataset, and this one holds"
            + " preference pairs", "use the DPO method for preference pairs, or a chat dataset"));
      }
    } else if (plan.method() == TrainingMethod.DPO) {
      if (plan.kind() != DatasetKind.PREFERENCE) {
        out.add(new PreflightProblem("method", "DPO needs a preference dataset (preferred and non-preferred outputs)",
            "use preference pairs, or the SUPERVISED method"));
      }
    } else {
      out.add(new PreflightProblem("method", "Together fine-tunes with SFT or DPO only (method was " + plan.method() + ")",
          "use the SUPERVISED or DPO method"));
    }
    Hyperparameters hp = plan.hyperparameters();
    hp.epochs().ifPresent(e -> {
      if (e < limits.minEpochs() || e > limits.maxEpochs()) {
        out.add(new PreflightProblem("hyperparameters.epochs", "n_epochs " + e + " is outside " + limits.minEpochs()
            + ".." + limits.maxEpochs(), "choose a whole number of epochs in that range"));
      }
    });
    hp.learningRateMultiplier().ifPresent(m -> out.add(new PreflightProblem("hyperparameters.learningRateMultiplier",
        "Together takes an absolute learning rate, not a multiplier", "leave learningRateMultiplier unset and set the"
        + " extra learningRate (such as 1e-5, Together's default)")));
    hp.batchSize().ifPresent(b -> model.ifPresent(m -> {
      if (b < m.minBatch() || b > m.maxBatch()) {
        out.add(new PreflightProblem("hyperparameters.batchSize", "batch size " + b + " is outside " + m.minBatch()
            + ".." + m.maxBatch() + " for " + id.get(), "choose a batch size in that range, or leave it unset (Together"
            + " then uses the largest)"));
      }
    }));
    for (String key : hp.extras().keySet()) {
      if (!EXTRAS.contains(key)) {
        out.add(new PreflightProblem("hyperparameters." + key, "is not a Together fine-tuning hyperparameter Tunekit"
            + " sends", "use epochs, batchSize, seed and the extras " + String.join(", ", EXTRAS.stream().sorted().toList())));
      }
    }
    PreflightChecks.number(hp, "learningRate", out).ifPresent(lr -> {
      if (lr < limits.minLearningRate() || lr > limits.maxLearningRate()) {
        out.add(new PreflightProblem("hyperparameters.learningRate", "learningRate " + lr + " is outside "
            + limits.minLearningRate() + ".." + limits.maxLearningRate(), "use a rate such as 1e-5"));
      }
    });
    String type = hp.extra("trainingType").map(t -> String.valueOf(t).trim().toLowerCase(Locale.ROOT)).orElse("lora");
    if (!type.equals("lora") && !type.equals("full")) {
      out.add(new PreflightProblem("hyperparameters.trainingType", "trainingType '" + hp.extra("trainingType").get()
          + "' is neither lora nor full", "use lora (the default) or full"));
    } else if (type.equals("full")) {
      model.filter(m -> !m.fullTraining()).ifPresent(m -> out.add(new PreflightProblem("hyperparameters.trainingType",
          id.get() + " cannot be fully fine-tuned on Together", "use trainingType lora")));
      for (String k : List.of("loraR", "loraAlpha", "loraDropout", "loraTrainableModules")) {
        if (hp.extra(k).isPresent()) {
          out.add(new PreflightProblem("hyperparameters." + k, "is a LoRA parameter, and trainingType is full",
              "remove it, or use trainingType lora"));
        }
      }
    }
    PreflightChecks.whole(hp, "loraR", out).ifPresent(r -> {
      int max = model.map(TogetherCatalog.ModelLimits::maxLoraRank).orElse(64);
      if (r < 1 || r > max) {
        out.add(new PreflightProblem("hyperparameters.loraR", "LoRA rank " + r + " is outside 1.." + max
            + model.map(m -> " for " + id.get()).orElse(""), "choose a rank such as 8, 16 or 32"));
      }
    });
    PreflightChecks.whole(hp, "loraAlpha", out).filter(a -> a < 1).ifPresent(a -> out.add(new PreflightProblem(
        "hyperparameters.loraAlpha", "LoRA alpha " + a + " is not positive", "use a positive alpha, such as twice the rank")));
    PreflightChecks.number(hp, "loraDropout", out).filter(d -> d < 0 || d >= 1).ifPresent(d -> out.add(new PreflightProblem(
        "hyperparameters.loraDropout", "LoRA dropout " + d + " is outside [0, 1)", "use a dropout such as 0.05")));
    PreflightChecks.whole(hp, "nCheckpoints", out).filter(n -> n < 1 || n > limits.maxCheckpoints()).ifPresent(n -> out.add(
        new PreflightProblem("hyperparameters.nCheckpoints", "nCheckpoints " + n + " is outside 1.." + limits.maxCheckpoints(),
            "choose a number of checkpoints in that range")));
    PreflightChecks.whole(hp, "nEvals", out).ifPresent(n -> {
      if (n < 0 || n > limits.maxEvals()) {
        out.add(new PreflightProblem("hyperparameters.nEvals", "nEvals " + n + " is outside 0.." + limits.maxEvals(),
            "choose a number of evaluations in that range"));
      } else if (n > 0 && plan.validationExamples() == 0) {
        out.add(new PreflightProblem("hyperparameters.nEvals", "nEvals " + n + " needs a validation file, and the run"
            + " has none", "add validation data (validationData or validationSplit), or set nEvals to 0"));
      }
    });
    PreflightChecks.number(hp, "warmupRatio", out).filter(w -> w < 0 || w > 1).ifPresent(w -> out.add(new PreflightProblem(
        "hyperparameters.warmupRatio", "warmupRatio " + w + " is outside 0..1", "use a ratio such as 0.05")));
    plan.suffix().ifPresent(s -> {
      if (s.trim().length() > Names.MAX_USER_SUFFIX) {
        out.add(new PreflightProblem("suffix", "'" + s + "' is " + s.trim().length() + " characters; Together allows "
            + Names.MAX_SUFFIX + " and Tunekit adds 19 for the run's key", "use at most " + Names.MAX_USER_SUFFIX
            + " characters"));
      } else if (!s.trim().matches(Names.SUFFIX_CHARS + "*")) {
        out.add(new PreflightProblem("suffix", "'" + s + "' has characters other than letters, digits, '.', '_' and '-'",
            "use only those characters"));
      }
    });
    if (id.isPresent() && plan.trainingExamples() >= 0) {
      long min = TogetherCatalog.CATALOG.minExamples(id.get());
      if (plan.trainingExamples() < min) {
        out.add(new PreflightProblem("trainingData", "the training file to upload has " + plan.trainingExamples()
            + " example(s); Together needs at least " + min, "add examples"));
      }
    }
    if (config.apiKey().isEmpty()) {
      out.add(new PreflightProblem(config.settings().source(), "providers." + config.settings().name() + ".apiKey",
          "is required: Together authenticates every call with an API key",
          "set apiKey: ${TOGETHER_API_KEY} and export TOGETHER_API_KEY (from api.together.ai, Settings, API keys)"));
    }
    return List.copyOf(out);
  }
}
