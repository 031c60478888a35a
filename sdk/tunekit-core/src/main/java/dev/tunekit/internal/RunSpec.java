package dev.tunekit.internal;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;

import dev.tunekit.internal.ledger.StoredJson;
import dev.tunekit.spi.RewardGrader;
import dev.tunekit.spi.TrainingMethod;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a run was asked to do, stored as JSON in the ledger so a resumed run does exactly the same.
 *
 * @param model the base model
 * @param trainingData absolute path of the training JSONL
 * @param validationData absolute path of a separate validation JSONL, or null
 * @param validationFraction fraction held out of the training data (0 for none)
 * @param splitSeed seed of the held-out split
 * @param hyperparameters the hyperparameters
 * @param suffix model name suffix, or null
 * @param metadata user metadata
 * @param method the training method, or null to take it from the dataset's kind
 * @param eval the evaluation hook's settings, or null when the run carries no eval suite
 * @param maxPrice the most the run may cost, in USD, or null for no cap ({@code FineTune.maxPrice})
 * @param fromCheckpoint the checkpoint of an earlier job the job starts from, or null
 * @param grader the reward grader of a reinforcement run, or null
 */
public record RunSpec(
    String model,
    String trainingData,
    String validationData,
    double validationFraction,
    long splitSeed,
    Hyperparameters hyperparameters,
    String suffix,
    Map<String, String> metadata,
    TrainingMethod method,
    Eval eval,
    java.math.BigDecimal maxPrice,
    String fromCheckpoint,
    RewardGrader grader) {

  /** A run without a price cap, a start checkpoint or a reward grader. */
  public RunSpec(String model, String trainingData, String validationData, double validationFraction, long splitSeed,
      Hyperparameters hyperparameters, String suffix, Map<String, String> metadata, TrainingMethod method, Eval eval) {
    this(model, trainingData, validationData, validationFraction, splitSeed, hyperparameters, suffix, metadata, method,
        eval, null, null, null);
  }

  /**
   * What the run's evaluation hook needs besides the suite's code (graders cannot be stored): which
   * suite (by fingerprint), when the baseline runs, what it is, and the gate.
   *
   * @param suite the suite's name
   * @param fingerprint the suite's fingerprint; a resumed run refuses another suite
   * @param baselineFirst whether the baseline is evaluated before upload (else after training)
   * @param minImprovement the gate's minimum pass-rate improvement over the baseline, or null for no gate
   * @param baselineName the baseline target's name in reports
   * @param baselineModel the baseline target's model id
   * @param baselinePreamble the baseline's system prompt and few-shot examples
   * @param customBaseline whether the baseline is a caller's {@code EvalTarget} (its model is code, not
   *     rebuilt from the ledger) rather than the base model on this provider
   * @param deployFirst whether the tuned model is deployed before it is evaluated (and the deployment
   *     removed again when the gate blocks)
   * @param judgeMinMargin with a pairwise judge in the gate ({@code FineTune.pairwiseJudge}), the margin by which it
   *     must prefer the tuned answers; null without one
   * @param judgeMinKappa with a pairwise judge in the gate, the Cohen's kappa its calibration must reach; null without
   */
  public record Eval(
      String suite,
      String fingerprint,
      boolean baselineFirst,
      Double minImprovement,
      String baselineName,
      String baselineModel,
      List<ChatMessage> baselinePreamble,
      boolean customBaseline,
      boolean deployFirst,
      Double judgeMinMargin,
      Double judgeMinKappa) {
    public Eval {
      Objects.requireNonNull(suite, "suite");
      Objects.requireNonNull(fingerprint, "fingerprint");
      Objects.requireNonNull(baselineName, "baselineName");
      Objects.requireNonNull(baselineModel, "baselineModel");
      baselinePreamble = List.copyOf(baselinePreamble);
    }

    /** The gate's minimum improvement, if the run is gated. */
    public Optional<Double> gate() {
      return Optional.ofNullable(minImprovement);
    }

    /** An evaluation without a pairwise judge in its gate. */
    public Eval(String suite, String fingerprint, boolean baselineFirst, Double minImprovement, String baselineName,
        String baselineModel, List<ChatMessage> baselinePreamble, boolean customBaseline, boolean deployFirst) {
      this(suite, fingerprint, baselineFirst, minImprovement, baselineName, baselineModel, baselinePreamble,
          customBaseline, deployFirst, null, null);
    }

    /** Whether the gate also requires a pairwise judge's preference. */
    public boolean judged() {
      return judgeMinMargin != null;
    }
  }

  public RunSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(trainingData, "trainingData");
    Objects.requireNonNull(hyperparameters, "hyperparameters");
    metadata = Map.copyOf(metadata);
  }

  public RunSpec withMethod(TrainingMethod m) {
    return new RunSpec(model, trainingData, validationData, validationFraction, splitSeed, hyperparameters, suffix,
        metadata, m, eval, maxPrice, fromCheckpoint, grader);
  }

  public RunSpec withGrader(RewardGrader g) {
    return new RunSpec(model, trainingData, validationData, validationFraction, splitSeed, hyperparameters, suffix,
        metadata, method, eval, maxPrice, fromCheckpoint, g);
  }

  /** The run spec as stored in the ledger: versioned JSON ({@code "v":1}) bound to records. */
  record Stored(String model, String trainingData, String validationData, double validationFraction, long splitSeed,
      StoredHyperparameters hyperparameters, String suffix, Map<String, String> metadata, String method,
      StoredEval eval, String maxPrice, String fromCheckpoint, StoredGrader grader) {}

  /** A reward grader: its kind and reference ({@code lambda} and the function ARN). */
  record StoredGrader(String kind, String ref) {}

  record StoredHyperparameters(Integer epochs, Integer batchSize, Double learningRateMultiplier, Long seed,
      Map<String, Object> extras) {}

  record StoredEval(String suite, String fingerprint, Boolean baselineFirst, Double minImprovement,
      String baselineName, String baselineModel, List<ChatMessage> baselinePreamble, boolean customBaseline,
      boolean deployFirst, Double judgeMinMargin, Double judgeMinKappa) {}

  public String toJson() {
    Hyperparameters h = hyperparameters;
    StoredHyperparameters sh = new StoredHyperparameters(
        h.epochs().isPresent() ? h.epochs().getAsInt() : null,
        h.batchSize().isPresent() ? h.batchSize().getAsInt() : null,
        h.learningRateMultiplier().isPresent() ? h.learningRateMultiplier().getAsDouble() : null,
        h.seed().isPresent() ? h.seed().getAsLong() : null, h.extras());
    StoredEval se = eval == null ? null : new StoredEval(eval.suite(), eval.fingerprint(), eval.baselineFirst(),
        eval.minImprovement(), eval.baselineName(), eval.baselineModel(), eval.baselinePreamble(),
        eval.customBaseline(), eval.deployFirst(), eval.judgeMinMargin(), eval.judgeMinKappa());
    return StoredJson.write(new Stored(model, trainingData, validationData, validationFraction, splitSeed, sh, suffix,
        metadata, method == null ? null : method.name(), se,
        maxPrice == null ? null : maxPrice.toPlainString(), fromCheckpoint,
        grader == null ? null : new StoredGrader(grader.kind(), grader.reference())));
  }

  public static RunSpec fromJson(String json) {
    Stored s;
    try {
      s = StoredJson.read(json, Stored.class, "run description");
    } catch (TunekitException e) {
      throw new TunekitException(e.getMessage() + " Start a new run.", e);
    }
    try {
      Hyperparameters.Builder b = Hyperparameters.builder();
      StoredHyperparameters h = s.hyperparameters();
      if (h != null) {
        if (h.epochs() != null) {
          b.epochs(h.epochs());
        }
        if (h.batchSize() != null) {
          b.batchSize(h.batchSize());
        }
        if (h.learningRateMultiplier() != null) {
          b.learningRateMultiplier(h.learningRateMultiplier());
        }
        if (h.seed() != null) {
          b.seed(h.seed());
        }
        if (h.extras() != null) {
          h.extras().forEach(b::extra);
        }
      }
      StoredEval e = s.eval();
      Eval eval = e == null ? null : new Eval(e.suite(), e.fingerprint(), e.baselineFirst() == null || e.baselineFirst(),
          e.minImprovement(), e.baselineName(), e.baselineModel(),
          e.baselinePreamble() == null ? List.of() : e.baselinePreamble(), e.customBaseline(), e.deployFirst(),
          e.judgeMinMargin(), e.judgeMinKappa());
      return new RunSpec(s.model(), s.trainingData(), s.validationData(), s.validationFraction(), s.splitSeed(),
          b.build(), s.suffix(), s.metadata() == null ? Map.of() : s.metadata(), s.method() == null ? null
          : TrainingMethod.valueOf(s.method()), eval,
          s.maxPrice() == null ? null : new java.math.BigDecimal(s.maxPrice()), s.fromCheckpoint(), grader(s.grader()));
    } catch (RuntimeException e) {
      throw new TunekitException("The ledger holds a run description this Tunekit cannot read (" + e.getMessage()
          + "); it was written by another version. Start a new run.", e);
    }
  }

  private static RewardGrader grader(StoredGrader g) {
    if (g == null) {
      return null;
    }
    switch (String.valueOf(g.kind())) {
      case "lambda":
        return RewardGrader.lambda(g.ref());
      case "exact_match":
        return RewardGrader.exactMatch(g.ref());
      default:
        throw new IllegalStateException("unknown grader kind '" + g.kind() + "'");
    }
  }
}
