package dev.tunekit.local;

import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * The local provider's offline checks: what its server would refuse after the upload (see
 * {@code LocalServer.createJob} and {@link JobRunner}), checked before anything is sent. The limits are
 * the server's own constants, so they cannot drift apart.
 */
final class LocalPreflight {
  /** The server's {@code n_epochs} and {@code batch_size} ranges. */
  static final int MAX_EPOCHS = 50;
  static final int MAX_BATCH_SIZE = 256;

  private LocalPreflight() {}

  /** A base model name the server takes for a command trainer (a Hugging Face id such as {@code Qwen/Qwen2.5-0.5B}). */
  static final java.util.regex.Pattern BASE_MODEL_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._/:-]{1,256}");

  /** The checks for the exemplar trainer, which tunes only {@code local-base}. */
  static List<PreflightProblem> check(JobPlan plan) {
    return check(plan, false);
  }

  /**
   * @param anyBaseModel whether the server runs a command trainer, which is given any base model name (the script
   *     loads it); the exemplar trainer tunes only {@code local-base}
   */
  static List<PreflightProblem> check(JobPlan plan, boolean anyBaseModel) {
    List<PreflightProblem> out = new ArrayList<>();
    if (!anyBaseModel && !plan.baseModel().equals(ExemplarModels.BASE_MODEL)) {
      out.add(new PreflightProblem("model", "the local server cannot tune '" + plan.baseModel()
          + "'; its exemplar trainer tunes only " + ExemplarModels.BASE_MODEL, "use .model(\"" + ExemplarModels.BASE_MODEL
          + "\"), or configure trainer: command (your training script is given the base model's name)"));
    } else if (!BASE_MODEL_NAME.matcher(plan.baseModel()).matches()) {
      out.add(new PreflightProblem("model", "'" + plan.baseModel() + "' is not a model name",
          "use letters, digits and . _ - / : (at most 256), such as Qwen/Qwen2.5-0.5B-Instruct"));
    }
    if (plan.method() != TrainingMethod.SUPERVISED) {
      out.add(new PreflightProblem("method", "the local server trains with supervised fine-tuning only, not "
          + plan.method(), plan.method() == TrainingMethod.DPO
              ? "use chat examples instead of preference pairs, or a provider that trains DPO (openai)"
              : "leave the training method unset (supervised)"));
    }
    Hyperparameters hp = plan.hyperparameters();
    hp.epochs().ifPresent(e -> {
      if (e < 1 || e > MAX_EPOCHS) {
        out.add(new PreflightProblem("hyperparameters.epochs", "must be 1 to " + MAX_EPOCHS + " on local, was " + e,
            "choose a value in range"));
      }
    });
    hp.batchSize().ifPresent(b -> {
      if (b < 1 || b > MAX_BATCH_SIZE) {
        out.add(new PreflightProblem("hyperparameters.batchSize", "must be 1 to " + MAX_BATCH_SIZE
            + " on local, was " + b, "choose a value in range"));
      }
    });
    if (plan.trainingExamples() >= 0 && plan.trainingExamples() < JobRunner.MIN_EXAMPLES) {
      out.add(new PreflightProblem("trainingData", "the training file to upload has " + plan.trainingExamples()
          + " example(s) (after the validation split); the local server needs at least " + JobRunner.MIN_EXAMPLES,
          "add examples, or hold out fewer for validation"));
    }
    return List.copyOf(out);
  }
}
