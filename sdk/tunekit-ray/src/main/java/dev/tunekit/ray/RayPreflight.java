package dev.tunekit.ray;

import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightChecks;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ray's offline checks, before the baseline and before anything is uploaded: {@code dashboardUrl} present and an
 * absolute http(s) URL, {@code outputDir} present, the method SFT or DPO (the dataset's kind to match), the base
 * model a Hugging Face id or a directory (not the local provider's {@code local-base}), and every hyperparameter
 * against the range the trainer enforces ({@code trainers/trl/README.md}): the trainer would refuse it with exit 2
 * after the job had waited for a GPU.
 */
final class RayPreflight {
  private RayPreflight() {}

  /**
   * The serving side: deploying before evaluation needs a {@code vllm:} block; that block and {@code servingUrl} are
   * two answers to one question; vLLM loads adapters from a directory, so an object-storage {@code outputDir} needs
   * {@code mountedDataDir} (where the vLLM host sees it).
   */
  static void serving(RayConfig config, JobPlan plan, String section, List<PreflightProblem> out) {
    if (plan.deploysBeforeEvaluation() && config.vllm().isEmpty()) {
      out.add(new PreflightProblem(config.settings().location("vllm"), section + "vllm", "deployBeforeEvaluation needs"
          + " a server to load the adapter into, and none is configured", "add a vllm: block with the baseUrl of a vLLM"
          + " server started with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, or leave"
          + " deployBeforeEvaluation off"));
    }
    if (config.vllm().isEmpty()) {
      return;
    }
    if (config.servingUrl().isPresent()) {
      out.add(new PreflightProblem(config.settings().location("servingUrl"), section + "servingUrl", "is set together"
          + " with a vllm: block, which already names the server that serves the adapters", "remove servingUrl (and"
          + " servingApiKey; the block's apiKey is the server's key)"));
    }
    Optional<String> output = config.outputDir();
    if (output.isPresent() && output.get().contains("://") && config.vllm().get().mountedDataDir().isEmpty()) {
      out.add(new PreflightProblem(config.settings().location("vllm"), section + "vllm.mountedDataDir", "is not set,"
          + " and outputDir " + output.get() + " is object storage, which vLLM does not load adapters from",
          "mount that storage on the vLLM host and set mountedDataDir to where it is mounted, such as /mnt/adapters"));
    }
  }

  static List<PreflightProblem> check(RayConfig config, JobPlan plan) {
    List<PreflightProblem> out = new ArrayList<>();
    String section = "providers." + config.settings().name() + ".";
    Optional<String> url = config.dashboardUrl();
    if (url.isEmpty()) {
      out.add(new PreflightProblem(config.settings().location("dashboardUrl"), section + "dashboardUrl", "is not set",
          "set it to the Ray dashboard's address, such as " + RayConfig.EXAMPLE_URL + " (the head node's port 8265)"));
    } else {
      RayConfig.problem(url.get()).ifPresent(p -> out.add(new PreflightProblem(config.settings().location("dashboardUrl"),
          section + "dashboardUrl", p, "write the dashboard's address, such as " + RayConfig.EXAMPLE_URL)));
    }
    if (config.outputDir().isEmpty()) {
      out.add(new PreflightProblem(config.settings().location("outputDir"), section + "outputDir", "is not set",
          "set it to a shared filesystem path or object-storage URI the cluster writes and the serving engine reads,"
              + " such as /mnt/shared/adapters or s3://my-bucket/adapters; each run writes under its own directory"));
    }
    if (config.image().isPresent() && !config.pip().isEmpty()) {
      out.add(new PreflightProblem(config.settings().location("image"), section + "image", "is set together with pip,"
          + " and Ray does not install pip packages into a container image", "bake the packages into the image"
          + " (trainers/trl/Dockerfile), or leave image unset"));
    }
    serving(config, plan, section, out);
    model(plan.baseModel(), out);
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
      out.add(new PreflightProblem("method", "the Ray engine trains with SFT or DPO only (method was " + plan.method()
          + "): Tunekit's trainer has no reinforcement fine-tuning", "use the SUPERVISED or DPO method"));
    }
    hyperparameters(plan.hyperparameters(), out);
    return out;
  }

  private static void model(String model, List<PreflightProblem> out) {
    if (model.equals("local-base")) {
      out.add(new PreflightProblem("model", "'local-base' is the local provider's stand-in model, which the TRL trainer"
          + " cannot load", "name an open-weight model by its Hugging Face id, such as Qwen/Qwen2.5-0.5B-Instruct, in"
          + " .model(...) or in providers.ray.model"));
    } else if (!model.startsWith("/") && !model.matches("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?")) {
      out.add(new PreflightProblem("model", "'" + model + "' is neither a Hugging Face model id nor an absolute"
          + " directory", "write the id as owner/name, such as Qwen/Qwen2.5-0.5B-Instruct, or a directory on the cluster"));
    }
  }

  private static void hyperparameters(Hyperparameters hp, List<PreflightProblem> out) {
    hp.epochs().ifPresent(e -> range(out, "epochs", e, 1, 50));
    hp.batchSize().ifPresent(b -> range(out, "batchSize", b, 1, 1024));
    hp.seed().ifPresent(s -> {
      if (s < 0 || s > 4_294_967_295L) {
        out.add(new PreflightProblem("hyperparameters.seed", "seed " + s + " is outside 0..4294967295",
            "choose a seed in that range"));
      }
    });
    hp.learningRateMultiplier().ifPresent(m -> {
      if (!(m > 0)) {
        out.add(new PreflightProblem("hyperparameters.learningRateMultiplier", "must be positive, was " + m,
            "choose a multiplier such as 1.0 (the trainer's default learning rate), or leave it unset"));
      }
    });
    Optional<Double> lr = PreflightChecks.number(hp, "learningRate", out);
    lr.ifPresent(v -> {
      if (!(v > 0 && v < 1)) {
        out.add(new PreflightProblem("hyperparameters.learningRate", "learningRate " + v + " is outside 0 < lr < 1",
            "choose an absolute learning rate such as 2e-4"));
      }
    });
    if (lr.isPresent() && hp.learningRateMultiplier().isPresent()) {
      out.add(new PreflightProblem("hyperparameters.learningRate", "is set together with learningRateMultiplier",
          "set one of them: learningRate is absolute, learningRateMultiplier scales the trainer's default"));
    }
    PreflightChecks.whole(hp, "loraR", out).ifPresent(r -> range(out, "loraR", r, 1, 1024));
    PreflightChecks.number(hp, "loraAlpha", out).ifPresent(a -> {
      if (!(a > 0)) {
        out.add(new PreflightProblem("hyperparameters.loraAlpha", "must be positive, was " + a, "choose such as 32"));
      }
    });
    PreflightChecks.number(hp, "loraDropout", out).ifPresent(d -> {
      if (!(d >= 0 && d < 1)) {
        out.add(new PreflightProblem("hyperparameters.loraDropout", "loraDropout " + d + " is outside [0, 1)",
            "choose such as 0.05"));
      }
    });
    PreflightChecks.whole(hp, "maxLength", out).ifPresent(l -> range(out, "maxLength", l, 1, Integer.MAX_VALUE));
    PreflightChecks.whole(hp, "loggingSteps", out).ifPresent(l -> range(out, "loggingSteps", l, 1, Integer.MAX_VALUE));
    hp.extra("quantization").map(String::valueOf).ifPresent(q -> {
      if (!q.equals("none") && !q.equals("4bit")) {
        out.add(new PreflightProblem("hyperparameters.quantization", "'" + q + "' is not none or 4bit",
            "use 4bit for QLoRA, or none"));
      }
    });
    for (String k : hp.extras().keySet()) {
      if (!k.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
        out.add(new PreflightProblem("hyperparameters." + k, "is not a name the trainer can pass on",
            "use a field of TRL's SFTConfig/DPOConfig, or peft.FIELD for LoraConfig"));
      }
    }
  }

  private static void range(List<PreflightProblem> out, String key, long v, long min, long max) {
    if (v < min || v > max) {
      out.add(new PreflightProblem("hyperparameters." + key, key + " " + v + " is outside " + min + ".."
          + (max == Integer.MAX_VALUE ? "" : max), "choose a value in that range (the trainer refuses others)"));
    }
  }
}
