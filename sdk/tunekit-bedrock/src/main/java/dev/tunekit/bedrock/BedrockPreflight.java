package dev.tunekit.bedrock;

import dev.tunekit.dataset.ModelCatalog;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Bedrock's offline checks, made before anything is uploaded: the base model against the catalog
 * ({@code models.json}, a closed list whose aliases resolve to the fine-tuning ids such as
 * {@code amazon.nova-micro-v1:0:128k}; foundation-model ARNs are checked by their model id, custom-model
 * ARNs pass), every hyperparameter against its family's range ({@link ModelFamily}), the training
 * method, the settings a job needs ({@code roleArn} and {@code bucket} present and well formed,
 * {@code region} well formed) and the model's fewest training examples.
 */
final class BedrockPreflight {
  /** An IAM role ARN in any partition: {@code arn:aws:iam::123456789012:role/Name} (paths allowed). */
  static final Pattern ROLE_ARN = Pattern.compile("arn:aws(-[a-z]+)*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");
  /** S3 general-purpose bucket naming rules: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit. */
  static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  /** An AWS region code such as us-east-1, eu-central-2 or us-gov-west-1. */
  static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");

  private BedrockPreflight() {}

  static List<PreflightProblem> check(BedrockConfig config, JobPlan plan) {
    List<PreflightProblem> out = new ArrayList<>();
    String model = plan.baseModel();
    Optional<String> id = catalogId(model);
    boolean arn = model.startsWith("arn:");
    if (id.isEmpty() && !(arn && !model.contains(":foundation-model/"))) {
      out.add(new PreflightProblem("model", "'" + model + "' is not a base model Bedrock can fine-tune (it is not in"
          + " Tunekit's Bedrock catalog)", "use one of " + String.join(", ", BedrockFormats.CATALOG.modelIds())
          + " (or an alias such as nova-micro), a custom-model ARN, or add the model to tunekit-bedrock models.json"));
    }
    ModelFamily family = ModelFamily.of(id.orElse(model));
    method(plan, family, out);
    if (plan.method() == TrainingMethod.REINFORCEMENT) {
      reinforcement(plan, id, out);
    } else {
      hyperparameters(id.orElse(model), plan.hyperparameters(), out);
    }
    settings(config, out);
    if (id.isPresent() && plan.trainingExamples() >= 0) {
      long min = BedrockFormats.CATALOG.minExamples(id.get());
      if (plan.trainingExamples() < min) {
        out.add(new PreflightProblem("trainingData", "the training file to upload has " + plan.trainingExamples()
            + " example(s) (after the validation split); Bedrock needs at least " + min + " for " + id.get(),
            "add examples, or hold out fewer for validation"));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The catalog's fine-tuning id of {@code model} (an alias such as {@code nova-micro} or the inference id
   * {@code amazon.nova-micro-v1:0} resolves to {@code amazon.nova-micro-v1:0:128k}); a foundation-model
   * ARN is looked up by its model id. Empty when the catalog does not list it.
   */
  static Optional<String> catalogId(String model) {
    ModelCatalog catalog = BedrockFormats.CATALOG;
    int fm = model.indexOf(":foundation-model/");
    if (model.startsWith("arn:") && fm >= 0) {
      return catalog.canonicalId(model.substring(fm + ":foundation-model/".length()));
    }
    return catalog.canonicalId(model);
  }

  /** The id to send as {@code baseModelIdentifier}: the catalog's fine-tuning id for an id or alias, else as given. */
  static String baseModelIdentifier(String model) {
    return model.startsWith("arn:") ? model : BedrockFormats.CATALOG.canonicalId(model).orElse(model);
  }

  private static void method(JobPlan plan, ModelFamily family, List<PreflightProblem> out) {
    TrainingMethod m = plan.method();
    if (m == TrainingMethod.DPO) {
      out.add(new PreflightProblem("method", "Bedrock model customization does not train on preference pairs (DPO)",
          "use a chat dataset, or a provider that supports DPO (openai, local)"));
    } else if (m == TrainingMethod.CONTINUED_PRE_TRAINING && family != ModelFamily.TITAN_TEXT
        && family != ModelFamily.OTHER) {
      out.add(new PreflightProblem("method", "continued pre-training is not offered for " + plan.baseModel()
          + " on Bedrock", "use supervised fine-tuning, or Titan Text Lite/Express"));
    } else if (m == TrainingMethod.DISTILLATION
        && plan.hyperparameters().extra("teacherModelIdentifier").isEmpty()) {
      out.add(new PreflightProblem("hyperparameters.teacherModelIdentifier", "distillation needs a teacher model",
          "set the hyperparameter extra teacherModelIdentifier (such as amazon.nova-pro-v1:0)"));
    }
  }

  /**
   * Reinforcement fine-tuning: a model the catalog marks for it, a Lambda grader, and only the hyperparameters
   * {@code RFTHyperParameters} has, each checked alone so every bad one is listed.
   */
  private static void reinforcement(JobPlan plan, Optional<String> id, List<PreflightProblem> out) {
    if (id.isEmpty() || !BedrockFormats.CATALOG_RFT.contains(id.get())) {
      out.add(new PreflightProblem("method", "reinforcement fine-tuning is not offered for " + plan.baseModel()
          + " on Bedrock (Tunekit's Bedrock catalog marks no such model for it)", BedrockRft.models().isEmpty()
          ? "use a provider that offers it" : "use " + String.join(", ", BedrockRft.models())
          + ", or mark the model \"reinforcement\": true in tunekit-bedrock models.json"));
    }
    plan.grader().filter(g -> !(g instanceof dev.tunekit.spi.RewardGrader.Lambda)).ifPresent(g -> out.add(
        new PreflightProblem("grader", "Bedrock calls Lambda graders, not " + g.kind(),
            "give RewardGrader.lambda(\"arn:aws:lambda:…\")")));
    Hyperparameters hp = plan.hyperparameters();
    List<Hyperparameters.Builder> each = new ArrayList<>();
    hp.epochs().ifPresent(v -> each.add(Hyperparameters.builder().epochs(v)));
    hp.batchSize().ifPresent(v -> each.add(Hyperparameters.builder().batchSize(v)));
    hp.learningRateMultiplier().ifPresent(v -> each.add(Hyperparameters.builder().learningRateMultiplier(v)));
    hp.extras().forEach((k, v) -> each.add(Hyperparameters.builder().extra(k, v)));
    for (Hyperparameters.Builder one : each) {
      Hyperparameters h = one.build();
      try {
        BedrockRft.hyperparameters(h);
      } catch (InvalidInputException e) {
        String key = h.extras().isEmpty() ? h.learningRateMultiplier().isPresent() ? "learningRateMultiplier"
            : h.epochs().isPresent() ? "epochs" : "batchSize" : h.extras().keySet().iterator().next();
        out.add(new PreflightProblem("hyperparameters." + key, e.getMessage(),
            "the tunekit-bedrock README lists the reinforcement fine-tuning hyperparameters"));
      }
    }
  }

  /** Each hyperparameter alone (so every bad one is listed), then all together (a value set twice). */
  private static void hyperparameters(String model, Hyperparameters hp, List<PreflightProblem> out) {
    int before = out.size();
    hp.epochs().ifPresent(v -> map(model, "hyperparameters.epochs", Hyperparameters.builder().epochs(v), out));
    hp.batchSize().ifPresent(v -> map(model, "hyperparameters.batchSize", Hyperparameters.builder().batchSize(v), out));
    hp.learningRateMultiplier().ifPresent(v -> map(model, "hyperparameters.learningRateMultiplier",
        Hyperparameters.builder().learningRateMultiplier(v), out));
    for (Map.Entry<String, Object> e : hp.extras().entrySet()) {
      map(model, "hyperparameters." + e.getKey(), Hyperparameters.builder().extra(e.getKey(), e.getValue()), out);
    }
    if (out.size() == before) {
      map(model, "hyperparameters", hp.toBuilder(), out);
    }
  }

  private static void map(String model, String where, Hyperparameters.Builder one, List<PreflightProblem> out) {
    try {
      HyperparameterMapper.map(model, one.build());
    } catch (InvalidInputException e) {
      out.add(new PreflightProblem(where, e.getMessage(),
          "the tunekit-bedrock README lists each model family's hyperparameters and ranges"));
    }
  }

  private static void settings(BedrockConfig config, List<PreflightProblem> out) {
    String file = config.settings().source();
    String at = "providers." + config.settings().name() + ".";
    if (config.roleArn().isEmpty()) {
      out.add(new PreflightProblem(file, at + "roleArn", "is required to create a customization job",
          "set it to an IAM role that trusts bedrock.amazonaws.com and may read the bucket, such as"
              + " arn:aws:iam::123456789012:role/BedrockFineTuning"));
    } else if (!ROLE_ARN.matcher(config.roleArn().get()).matches()) {
      out.add(new PreflightProblem(file, at + "roleArn", "is not an IAM role ARN",
          "write it as arn:aws:iam::<12-digit account>:role/<name>, such as"
              + " arn:aws:iam::123456789012:role/BedrockFineTuning"));
    }
    if (config.bucket().isEmpty()) {
      out.add(new PreflightProblem(file, at + "bucket", "is required to upload training data and receive job output",
          "set it to an S3 bucket in the job's region"));
    } else {
      String b = config.bucket().get();
      if (!BUCKET.matcher(b).matches() || b.contains("..") || IP_ADDRESS.matcher(b).matches()) {
        out.add(new PreflightProblem(file, at + "bucket", "'" + b + "' is not a valid S3 bucket name",
            "use 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit"
                + " (folders go in 'prefix')"));
      }
    }
    config.region().ifPresent(r -> {
      if (!REGION.matcher(r).matches()) {
        out.add(new PreflightProblem(file, at + "region", "'" + r + "' is not an AWS region code",
            "use a region code such as us-east-1 or eu-central-1"));
      }
    });
  }
}
