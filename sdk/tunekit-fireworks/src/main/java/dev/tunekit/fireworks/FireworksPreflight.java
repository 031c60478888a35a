package dev.tunekit.fireworks;

import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightChecks;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Fireworks' offline checks, made before the baseline and before anything is uploaded: the base model against the
 * catalog ({@code models.json}, closed; short ids such as {@code llama-v3p1-8b-instruct} resolve), the method
 * (supervised only: Tunekit does not drive Fireworks' DPO or reinforcement jobs yet) against the dataset kind, each
 * hyperparameter against the catalog's ranges ({@code epochs}, {@code batchSize} as {@code batchSizeSamples}, the
 * extras {@code learningRate}, {@code loraRank} (one of the catalog's ranks, up to the model's maximum),
 * {@code maxContextLength} (up to the model's context), {@code earlyStop}, {@code learningRateWarmupSteps},
 * {@code gradientAccumulationSteps}), the suffix (room for the key's tag in the output model id), the example
 * count, and the settings: {@code apiKey} and {@code accountId} present. {@code learningRateMultiplier} and
 * {@code seed} are refused: Fireworks takes an absolute learning rate and no seed.
 */
final class FireworksPreflight {
  /** The provider extras Tunekit sends to Fireworks. */
  static final Set<String> EXTRAS = Set.of("learningRate", "loraRank", "maxContextLength", "earlyStop",
      "learningRateWarmupSteps", "gradientAccumulationSteps");

  private FireworksPreflight() {}

  static List<PreflightProblem> check(FireworksConfig config, JobPlan plan) {
    List<PreflightProblem> out = new ArrayList<>();
    FireworksCatalog.Limits limits = FireworksCatalog.LIMITS;
    Optional<String> id = FireworksCatalog.CATALOG.canonicalId(plan.baseModel());
    if (id.isEmpty()) {
      out.add(new PreflightProblem("model", "'" + plan.baseModel() + "' is not a model Fireworks can fine-tune (it is"
          + " not in Tunekit's Fireworks catalog)", "use one of " + String.join(", ", FireworksCatalog.CATALOG.modelIds())
          + " (or its short id, such as llama-v3p1-8b-instruct), or add the model to tunekit-fireworks models.json"));
    }
    Optional<FireworksCatalog.ModelLimits> model = id.map(limits.models()::get);
    if (plan.method() != TrainingMethod.SUPERVISED) {
      out.add(new PreflightProblem("method", "Tunekit fine-tunes on Fireworks with supervised fine-tuning only (method"
          + " was " + plan.method() + ")", "use the SUPERVISED method with a chat dataset"));
    } else if (plan.kind() == DatasetKind.PREFERENCE) {
      out.add(new PreflightProblem("method", "supervised fine-tuning needs a chat dataset, and this one holds"
          + " preference pairs", "use a chat dataset ({\"messages\":[...]} per line)"));
    }
    Hyperparameters hp = plan.hyperparameters();
    hp.epochs().ifPresent(e -> {
      if (e < limits.minEpochs() || e > limits.maxEpochs()) {
        out.add(new PreflightProblem("hyperparameters.epochs", "epochs " + e + " is outside " + limits.minEpochs()
            + ".." + limits.maxEpochs(), "choose a whole number of epochs in that range"));
      }
    });
    hp.learningRateMultiplier().ifPresent(m -> out.add(new PreflightProblem("hyperparameters.learningRateMultiplier",
        "Fireworks takes an absolute learning rate, not a multiplier", "leave learningRateMultiplier unset and set the"
        + " extra learningRate (such as 1e-4)")));
    hp.seed().ifPresent(s -> out.add(new PreflightProblem("hyperparameters.seed", "Fireworks' supervised fine-tuning"
        + " job takes no seed", "leave seed unset for Fireworks")));
    hp.batchSize().ifPresent(b -> {
      if (b < limits.minBatch() || b > limits.maxBatch()) {
        out.add(new PreflightProblem("hyperparameters.batchSize", "batch size " + b + " is outside " + limits.minBatch()
            + ".." + limits.maxBatch() + " examples", "choose a batch size in that range, or leave it unset (Fireworks"
            + " then chooses)"));
      }
    });
    for (String key : hp.extras().keySet()) {
      if (!EXTRAS.contains(key)) {
        out.add(new PreflightProblem("hyperparameters." + key, "is not a Fireworks fine-tuning hyperparameter Tunekit"
            + " sends", "use epochs, batchSize and the extras " + String.join(", ", EXTRAS.stream().sorted().toList())));
      }
    }
    PreflightChecks.number(hp, "learningRate", out).ifPresent(lr -> {
      if (lr < limits.minLearningRate() || lr > limits.maxLearningRate()) {
        out.add(new PreflightProblem("hyperparameters.learningRate", "learningRate " + lr + " is outside "
            + limits.minLearningRate() + ".." + limits.maxLearningRate(), "use a rate such as 1e-4"));
      }
    });
    PreflightChecks.whole(hp, "loraRank", out).ifPresent(r -> {
      int max = model.map(FireworksCatalog.ModelLimits::maxLoraRank).orElse(64);
      if (!limits.loraRanks().contains(r) || r > max) {
        out.add(new PreflightProblem("hyperparameters.loraRank", "LoRA rank " + r + " is not one of "
            + limits.loraRanks().stream().filter(x -> x <= max).toList() + model.map(m -> " for " + id.get()).orElse(""),
            "choose one of those ranks, such as 8 or 16"));
      }
    });
    PreflightChecks.whole(hp, "maxContextLength", out).ifPresent(c -> {
      int max = model.map(FireworksCatalog.ModelLimits::contextTokens).filter(x -> x > 0).orElse(Integer.MAX_VALUE);
      if (c < 1 || c > max) {
        out.add(new PreflightProblem("hyperparameters.maxContextLength", "maxContextLength " + c + " is outside 1.." + max
            + model.map(m -> " for " + id.get()).orElse(""), "choose a context length within the model's, such as 8192"));
      }
    });
    hp.extra("earlyStop").filter(v -> !(v instanceof Boolean) && !String.valueOf(v).trim().matches("(?i)true|false"))
        .ifPresent(v -> out.add(new PreflightProblem("hyperparameters.earlyStop", "'" + v + "' is not true or false",
            "write earlyStop: true (it needs validation data) or false")));
    if (earlyStop(hp) && plan.validationExamples() == 0) {
      out.add(new PreflightProblem("hyperparameters.earlyStop", "early stopping watches the validation loss, and the"
          + " run has no validation data", "add validation data (validationData or validationSplit), or remove earlyStop"));
    }
    for (String k : List.of("learningRateWarmupSteps", "gradientAccumulationSteps")) {
      PreflightChecks.whole(hp, k, out).filter(n -> n < (k.startsWith("gradient") ? 1 : 0)).ifPresent(n -> out.add(new PreflightProblem(
          "hyperparameters." + k, k + " " + n + " is " + (k.startsWith("gradient") ? "below 1" : "negative"),
          "use a " + (k.startsWith("gradient") ? "positive" : "non-negative") + " whole number")));
    }
    plan.suffix().ifPresent(s -> {
      if (Names.clean(s).length() > Names.MAX_USER_SUFFIX) {
        out.add(new PreflightProblem("suffix", "'" + s + "' is too long: the output model id holds at most "
            + Names.MAX_ID + " characters and Tunekit adds " + (Names.TAG_LENGTH + 1) + " for the run's key",
            "use at most " + Names.MAX_USER_SUFFIX + " characters"));
      }
    });
    if (id.isPresent() && plan.trainingExamples() >= 0) {
      long min = FireworksCatalog.CATALOG.minExamples(id.get());
      if (plan.trainingExamples() < min) {
        out.add(new PreflightProblem("trainingData", "the training file to upload has " + plan.trainingExamples()
            + " example(s); Fireworks needs at least " + min, "add examples"));
      }
    }
    if (config.apiKey().isEmpty()) {
      out.add(new PreflightProblem(config.settings().source(), "providers." + config.settings().name() + ".apiKey",
          "is required: Fireworks authenticates every call with an API key", FireworksConfig.HOW_TO_KEY));
    }
    if (config.accountId().isEmpty()) {
      out.add(new PreflightProblem(config.settings().source(), "providers." + config.settings().name() + ".accountId",
          "is required: every Fireworks dataset, job and deployment lives under accounts/<accountId>",
          FireworksConfig.HOW_TO_ACCOUNT));
    }
    return List.copyOf(out);
  }

  /** Whether the extra earlyStop is set to true. */
  static boolean earlyStop(Hyperparameters hp) {
    return hp.extra("earlyStop").map(v -> v instanceof Boolean b ? b : String.valueOf(v).trim().equalsIgnoreCase("true"))
        .orElse(false);
  }
}
