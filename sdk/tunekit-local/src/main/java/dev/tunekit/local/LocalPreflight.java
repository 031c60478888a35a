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

  static List<PreflightProblem> check(JobPlan plan) {
    List<PreflightProblem> out = new ArrayList<>();
    if (!plan.baseModel().equals(ExemplarModels.BASE_MODEL)) {
      out.add(new PreflightProblem("model", "the local server cannot tune '" + plan.baseModel()
          + "'; it tunes only " + ExemplarModels.BASE_MODEL, "use .model(\"" + ExemplarModels.BASE_MODEL + "\")"));
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
