package dev.tunekit.openai;

import dev.tunekit.dataset.ModelCatalog;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAI-family offline checks. On {@code openai} and {@code azure} the base model must be in
 * OpenAI's fine-tuning catalog ({@code models.json}, a closed list; a tuned model {@code ft:<base>:…},
 * or on Azure {@code <base>.ft-…}, trains further on its base's terms) and the training file must hold
 * the catalog's fewest examples. An {@code openai-compatible} server hosts models of its own: its model
 * names are not checked, nor are those of {@code bedrock-openai} (Bedrock's open-weight models; its
 * missing or malformed settings are reported here, and a suffix is not sent, so not checked). On all: the methods OpenAI's API has (supervised, DPO with preference
 * pairs) and the API's hyperparameter ranges. On {@code openai} only, from 2027-01-06 (by the plan's
 * {@link JobPlan#plannedAt() clock}), any new job: OpenAI's wind-down ({@link OpenAiWindDown}).
 */
final class OpenAiPreflight {
  /** The fine-tuning API's {@code batch_size} maximum. */
  static final int MAX_BATCH_SIZE = 256;
  /** The fine-tuning API's {@code suffix} maximum length. */
  static final int MAX_SUFFIX = 64;

  /**
   * The models Azure OpenAI trains with DPO (Azure AI Foundry fine-tuning docs, 2026: "SFT + DPO gpt-4o,
   * gpt-4.1, -mini, -nano"; gpt-4o-mini is SFT only). OpenAI itself offers DPO on every catalog model.
   */
  static final java.util.Set<String> AZURE_DPO_MODELS = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(
      List.of("gpt-4o-2024-08-06", "gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14", "gpt-4.1-nano-2025-04-14")));

  private OpenAiPreflight() {}

  static List<PreflightProblem> check(OpenAiConfig.Flavor flavor, JobPlan plan) {
    List<PreflightProblem> out = new ArrayList<>();
    // From 2027-01-06 OpenAI creates no new job for anyone: refused here, before the baseline and the upload.
    OpenAiWindDown.preflight(flavor, plan.plannedAt()).ifPresent(out::add);
    String model = plan.baseModel();
    if (flavor == OpenAiConfig.Flavor.OPENAI || flavor == OpenAiConfig.Flavor.AZURE) {
      ModelCatalog catalog = OpenAiProviderFactory.Catalog.OPENAI;
      String base = flavor == OpenAiConfig.Flavor.AZURE && model.contains(".ft-")
          ? model.substring(0, model.indexOf(".ft-")) : model;
      if (catalog.canonicalId(base).isEmpty()) {
        out.add(new PreflightProblem("model", "'" + model + "' is not a model " + flavor.factoryName
            + " can fine-tune (it is not in Tunekit's OpenAI fine-tuning catalog)",
            "use one of " + String.join(", ", catalog.modelIds())
                + ", or a tuned model of one of them; if the provider added a new model, add it to the catalog"
                + " (tunekit-openai models.json)"));
      } else {
        String id = catalog.canonicalId(base).get();
        if (flavor == OpenAiConfig.Flavor.AZURE && plan.method() == TrainingMethod.DPO && !AZURE_DPO_MODELS.contains(id)) {
          out.add(new PreflightProblem("method", "Azure OpenAI offers DPO (preference fine-tuning) for "
              + String.join(", ", AZURE_DPO_MODELS) + ", not " + model,
              "use one of those models for DPO, or a chat dataset (SUPERVISED) with " + model));
        }
        long min = catalog.minExamples(base);
        if (plan.trainingExamples() >= 0 && plan.trainingExamples() < min) {
          out.add(new PreflightProblem("trainingData", "the training file to upload has " + plan.trainingExamples()
              + " example(s) (after the validation split); " + flavor.factoryName + " needs at least " + min,
              "add examples, or hold out fewer for validation"));
        }
      }
    }
    if (plan.method() == TrainingMethod.REINFORCEMENT && flavor.reinforcement()) {
      reinforcement(flavor, plan, out);
    } else if (plan.method() != TrainingMethod.SUPERVISED && plan.method() != TrainingMethod.DPO) {
      out.add(new PreflightProblem("method", flavor.factoryName + " fine-tuning has the SUPERVISED and DPO methods"
          + (flavor.reinforcement() ? " and REINFORCEMENT" : "") + ", not " + plan.method() + " (in Tunekit)",
          "choose one of those, or a provider that offers " + plan.method() + " (such as bedrock"
              + (plan.method() == TrainingMethod.REINFORCEMENT ? " or bedrock-openai, with a Lambda grader)" : ")")));
    }
    Hyperparameters hp = plan.hyperparameters();
    hp.batchSize().ifPresent(b -> {
      if (b > MAX_BATCH_SIZE) {
        out.add(new PreflightProblem("hyperparameters.batchSize", "must be 1 to " + MAX_BATCH_SIZE + ", was " + b,
            "choose a value in range, or leave it unset (auto)"));
      }
    });
    plan.suffix().filter(s -> flavor != OpenAiConfig.Flavor.BEDROCK_OPENAI).ifPresent(s -> {
      if (s.length() > MAX_SUFFIX) {
        out.add(new PreflightProblem("suffix", "is " + s.length() + " characters; at most " + MAX_SUFFIX
            + " are allowed", "shorten it"));
      }
    });
    return List.copyOf(out);
  }

  /** The extras OpenAI-shaped reinforcement hyperparameters take besides epochs, batch size and learning rate. */
  static final java.util.Set<String> REINFORCEMENT_EXTRAS =
      java.util.Set.of("reasoning_effort", "compute_multiplier", "eval_interval", "eval_samples");
  private static final java.util.Set<String> REASONING_EFFORTS = java.util.Set.of("default", "low", "medium", "high");

  /** The models OpenAI trains with reinforcement fine-tuning (its RFT guide: o4-mini). */
  static final java.util.Set<String> OPENAI_RFT_MODELS = java.util.Set.of("o4-mini-2025-04-16");

  /** Bedrock's open-weight reinforcement fine-tuning: 100 to 20,000 prompts (user guide, rft-prepare-data-open-weight). */
  static final long BEDROCK_RFT_MIN = 100;
  static final long BEDROCK_RFT_MAX = 20_000;

  /** A reinforcement job: a grader kind the flavor takes, and only the hyperparameters RFT has. */
  private static void reinforcement(OpenAiConfig.Flavor flavor, JobPlan plan, List<PreflightProblem> out) {
    if (flavor == OpenAiConfig.Flavor.OPENAI) {
      String base = plan.baseModel().startsWith("ft:") ? plan.baseModel().split(":")[1] : plan.baseModel();
      if (!OpenAiProviderFactory.Catalog.OPENAI.canonicalId(base).map(OPENAI_RFT_MODELS::contains).orElse(false)) {
        out.add(new PreflightProblem("method", "OpenAI offers reinforcement fine-tuning for "
            + String.join(", ", OPENAI_RFT_MODELS) + ", not " + plan.baseModel(),
            "use one of those models, or another method with " + plan.baseModel()));
      }
    }
    long n = plan.trainingExamples();
    if (flavor == OpenAiConfig.Flavor.BEDROCK_OPENAI && n >= 0 && (n < BEDROCK_RFT_MIN || n > BEDROCK_RFT_MAX)) {
      out.add(new PreflightProblem("trainingData", "the training file to upload has " + n + " prompt(s) (after the"
          + " validation split); Bedrock's reinforcement fine-tuning takes " + BEDROCK_RFT_MIN + " to " + BEDROCK_RFT_MAX,
          n < BEDROCK_RFT_MIN ? "add prompts, or hold out fewer for validation" : "remove prompts or split the work"));
    }
    plan.grader().filter(g -> !flavor.graderKinds.contains(g.kind())).ifPresent(g -> out.add(new PreflightProblem(
        "grader", flavor.factoryName + " takes " + String.join(", ", flavor.graderKinds) + " graders, not " + g.kind(),
        "give a grader of that kind")));
    for (java.util.Map.Entry<String, Object> e : plan.hyperparameters().extras().entrySet()) {
      String k = e.getKey();
      String v = String.valueOf(e.getValue());
      if (!REINFORCEMENT_EXTRAS.contains(k)) {
        out.add(new PreflightProblem("hyperparameters." + k, "reinforcement fine-tuning has no hyperparameter " + k,
            "remove it; besides epochs, batchSize and learningRateMultiplier it takes "
                + String.join(", ", new java.util.TreeSet<>(REINFORCEMENT_EXTRAS))));
      } else if (k.equals("reasoning_effort") && !REASONING_EFFORTS.contains(v)) {
        out.add(new PreflightProblem("hyperparameters.reasoning_effort", "is '" + v + "'",
            "use default, low, medium or high"));
      } else if (!k.equals("reasoning_effort") && !v.equals("auto") && !inRange(k, v)) {
        out.add(new PreflightProblem("hyperparameters." + k, "is '" + v + "'", k.equals("compute_multiplier")
            ? "use a number above 0 and at most 10, or auto" : "use a whole number of at least 1, or auto"));
      }
    }
  }

  private static boolean inRange(String key, String v) {
    try {
      if (key.equals("compute_multiplier")) {
        double d = Double.parseDouble(v);
        return d > 0 && d <= 10;
      }
      return Long.parseLong(v) >= 1;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
