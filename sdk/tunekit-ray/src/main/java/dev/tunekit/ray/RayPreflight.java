package dev.tunekit.ray;

import dev.tunekit.http.AdapterServing;
import dev.tunekit.http.TrainerCli;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ray's offline checks, before the baseline and before anything is uploaded: {@code dashboardUrl} present and an
 * absolute http(s) URL, {@code outputDir} present, the method SFT or DPO (the dataset's kind to match), the base
 * model a Hugging Face id or a directory (not the local provider's {@code local-base}), and every hyperparameter
 * against the range the trainer enforces ({@code trainers/trl/README.md}; the trainer would refuse it with exit 2
 * after the job had waited for a GPU): the trainer's rules are {@link TrainerCli#check}, shared with Kubeflow, and
 * the serving side's are {@link AdapterServing#check}.
 */
final class RayPreflight {
  private RayPreflight() {}

  static List<PreflightProblem> check(RayConfig config, JobPlan plan, AdapterServing serving) {
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
    serving.check(plan, out);
    out.addAll(TrainerCli.check(plan, "the Ray engine", section));
    return out;
  }
}
