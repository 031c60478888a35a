package dev.tunekit.http;

import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PreflightChecks;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The command line of the shipped trainer ({@code trainers/trl/tunekit_train.py}, documented in
 * {@code trainers/trl/README.md}) and the offline checks of a plan against what that trainer accepts, for the engines
 * that run it (tunekit-kubeflow, tunekit-ray): the one copy of those rules. Not a user API: support for
 * provider modules, like the rest of this package.
 */
public final class TrainerCli {
  /** Provider extras that are the trainer's own options; any other extra goes through as {@code --extra KEY=VALUE}. */
  public static final Map<String, String> FLAG_EXTRAS = Map.of("learningRate", "--learning-rate", "loraR", "--lora-r",
      "loraAlpha", "--lora-alpha", "loraDropout", "--lora-dropout", "maxLength", "--max-length",
      "quantization", "--quantization", "loggingSteps", "--logging-steps");

  private TrainerCli() {}

  /**
   * The trainer's arguments for a job: {@code --base-model}, {@code --train-file}, {@code --validation-file} (when
   * given), {@code --output-dir}, {@code --method sft|dpo}, the neutral hyperparameters, and every extra (the trainer's
   * own flags for the extras in {@link #FLAG_EXTRAS}, {@code --extra KEY=VALUE} for the others, sorted by key).
   */
  public static List<String> args(JobRequest req, String trainFile, Optional<String> validationFile, String outputDir) {
    List<String> a = new ArrayList<>();
    add(a, "--base-model", req.baseModel());
    add(a, "--train-file", trainFile);
    validationFile.ifPresent(v -> add(a, "--validation-file", v));
    add(a, "--output-dir", outputDir);
    add(a, "--method", req.method() == TrainingMethod.DPO ? "dpo" : "sft");
    Hyperparameters hp = req.hyperparameters();
    hp.epochs().ifPresent(e -> add(a, "--epochs", Integer.toString(e)));
    hp.batchSize().ifPresent(s -> add(a, "--batch-size", Integer.toString(s)));
    hp.learningRateMultiplier().ifPresent(m -> add(a, "--learning-rate-multiplier", Double.toString(m)));
    hp.seed().ifPresent(s -> add(a, "--seed", Long.toString(s)));
    new TreeMap<>(hp.extras()).forEach((k, v) -> {
      String flag = FLAG_EXTRAS.get(k);
      if (flag != null) {
        add(a, flag, String.valueOf(v));
      } else {
        add(a, "--extra", k + "=" + v); // the trainer reads VALUE as JSON, or as text when it is not JSON
      }
    });
    return a;
  }

  private static void add(List<String> args, String flag, String value) {
    args.add(flag);
    args.add(value);
  }

  /**
   * What the trainer would refuse in {@code plan}, found offline: the method (SFT or DPO, with a matching dataset),
   * the base model (a Hugging Face id or a directory, not {@code local-base}) and every hyperparameter's range.
   *
   * @param engine the engine's name for messages, such as {@code "the Kubeflow engine"}
   * @param section the provider's settings section with a trailing dot, such as {@code "providers.kubeflow."}
   */
  public static List<PreflightProblem> check(JobPlan plan, String engine, String section) {
    List<PreflightProblem> out = new ArrayList<>();
    model(plan.baseModel(), section, out);
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
      out.add(new PreflightProblem("method", engine + " trains with SFT or DPO only (method was " + plan.method()
          + "): Tunekit's trainer has no reinforcement fine-tuning", "use the SUPERVISED or DPO method"));
    }
    hyperparameters(plan.hyperparameters(), out);
    return out;
  }

  private static void model(String model, String section, List<PreflightProblem> out) {
    if (model.equals("local-base")) {
      out.add(new PreflightProblem("model", "'local-base' is the local provider's stand-in model, which the TRL trainer"
          + " cannot load", "name an open-weight model by its Hugging Face id, such as Qwen/Qwen2.5-0.5B-Instruct, in"
          + " .model(...) or in " + section + "model"));
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
