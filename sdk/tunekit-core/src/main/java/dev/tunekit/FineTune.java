package dev.tunekit;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.internal.Async;
import dev.tunekit.internal.EvalHook;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.dataset.InvalidDatasetException;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.internal.RunSpec;
import dev.tunekit.internal.Workflow;

import dev.tunekit.dataset.Dataset;
import dev.tunekit.eval.EvalRunner;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.spi.RewardGrader;
import dev.tunekit.spi.TrainingMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Describes one fine-tuning run; {@link #start()} runs it, {@link #submit(RunListener, Executor)} returns it once
 * validated and runs the rest in the background (for services). Obtained from {@link Tunekit#fineTune()}.
 *
 * <pre>{@code
 * Run run = tk.fineTune()
 *     .model("gpt-4o-mini-2024-07-18")
 *     .trainingData(Path.of("train.jsonl"))
 *     .validationSplit(0.1, 42)
 *     .hyperparameters(h -> h.epochs(3))
 *     .suffix("sql").metadata("team", "search")
 *     .start();
 * }</pre>
 *
 * <h2>Evaluation hooks</h2>
 * A run can carry an eval suite. Evals come first: the baseline (by default the base model through the
 * same provider, with the prompt you give) is evaluated <em>before</em> anything is uploaded, so you see
 * the bar before paying; when the job succeeds, the tuned model runs the same suite; with a gate,
 * {@link Run#deploy()} refuses unless the tuned model beat the baseline by the margin. Reports, the
 * comparison and the gate are recorded in the run ledger ({@link Run#evaluation()}, {@link Run#gate()}).
 *
 * <pre>{@code
 * Run run = tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(Path.of("train.jsonl"))
 *     .evaluateWith(EvalSuite.load(Path.of("evals/sql.yaml")).withGrader(Graders.exactMatch()))
 *     .baselinePrompt("Translate the question into SQL. Reply with the query only.")
 *     .baselineExample("all orders", "SELECT * FROM orders")
 *     .gate(0.05)                      // tuned must beat the baseline by 5 points to deploy
 *     .start();                        // baseline evaluated, then upload and submit
 * run.baselineReport().ifPresent(EvalReport::print);
 * RunResult r = run.await(RunListener.console());   // tuned model evaluated, gate decided
 * run.deploy();                                     // GateFailedException if the gate blocked
 * }</pre>
 */
public final class FineTune {
  /** Metadata pairs left for the user once Tunekit stores its own (providers allow as few as 16). */
  static final int MAX_METADATA = 14;
  private final Workflow workflow;
  private String model;
  private Path trainingData;
  private Path validationData;
  private double validationFraction;
  private long splitSeed;
  private Hyperparameters hyperparameters = Hyperparameters.defaults();
  private String suffix;
  private TrainingMethod method;
  private RewardGrader grader;
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private EvalSuite suite;
  private EvalTarget baseline;
  private String baselinePrompt;
  private final List<ChatMessage> baselineExamples = new ArrayList<>();
  private Double minImprovement;
  private boolean baselineFirst = true;
  private boolean deployFirst;
  private EvalRunner evalRunner;
  private dev.tunekit.eval.PairwiseJudge pairwiseJudge;
  private double judgeMinMargin;
  private double judgeMinKappa;
  private java.math.BigDecimal maxPrice;
  private String fromCheckpoint;

  FineTune(Workflow workflow) {
    this.workflow = workflow;
  }

  /**
   * The base model to tune, such as {@code gpt-4o-mini-2024-07-18}. Without it, the run tunes the
   * {@code model:} of the provider's section in {@code tunekit.yaml} (so one script serves every
   * provider, each section naming its own base model); with neither, {@link #start()} says so.
   */
  public FineTune model(String model) {
    if (model == null || model.isBlank()) {
      throw new InvalidInputException("model must not be blank; pass the base model id, such as gpt-4o-mini-2024-07-18");
    }
    this.model = model.trim();
    return this;
  }

  /** The training data: a JSONL file of chat examples or preference pairs. Required (or {@link #dataset}). */
  public FineTune trainingData(Path file) {
    Objects.requireNonNull(file, "file");
    if (Files.isDirectory(file)) {
      throw new InvalidInputException("training data is a directory, not a file; give the path of the JSONL file",
          file.toString());
    }
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("training data file not found; check the path", file.toString());
    }
    this.trainingData = file.toAbsolutePath().normalize();
    return this;
  }

  /** The training data as a {@link Dataset}. */
  public FineTune dataset(Dataset dataset) {
    return trainingData(Objects.requireNonNull(dataset, "dataset").path());
  }

  /**
   * Holds out {@code fraction} of the training examples (chosen deterministically by {@code seed}) as
   * validation data. Replaces {@link #validationData(Path)}.
   */
  public FineTune validationSplit(double fraction, long seed) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new InvalidInputException("validationSplit fraction must be in [0, 1), such as 0.1; was " + fraction);
    }
    this.validationFraction = fraction;
    this.splitSeed = seed;
    this.validationData = null;
    return this;
  }

  /** A separate validation file. Replaces {@link #validationSplit(double, long)}. */
  public FineTune validationData(Path file) {
    Objects.requireNonNull(file, "file");
    if (Files.isDirectory(file)) {
      throw new InvalidInputException("validation data is a directory, not a file; give the path of the JSONL file",
          file.toString());
    }
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("validation data file not found; check the path", file.toString());
    }
    this.validationData = file.toAbsolutePath().normalize();
    this.validationFraction = 0;
    return this;
  }

  /** The hyperparameters. */
  public FineTune hyperparameters(Hyperparameters hyperparameters) {
    this.hyperparameters = Objects.requireNonNull(hyperparameters, "hyperparameters");
    return this;
  }

  /** Sets hyperparameters on a builder: {@code .hyperparameters(h -> h.epochs(3).extra("warmup", 10))}. */
  public FineTune hyperparameters(Consumer<Hyperparameters.Builder> edit) {
    Hyperparameters.Builder b = hyperparameters.toBuilder();
    edit.accept(b);
    this.hyperparameters = b.build();
    return this;
  }

  /** A suffix for the tuned model's name. */
  public FineTune suffix(String suffix) {
    this.suffix = suffix == null || suffix.isBlank() ? null : suffix;
    return this;
  }

  /** A metadata pair stored with the job (at most 14; key up to 64 characters, value up to 512). */
  public FineTune metadata(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (key.isBlank() || key.length() > 64 || value.length() > 512) {
      throw new InvalidInputException("metadata key must be 1-64 characters and value at most 512; got key '" + key + "'");
    }
    if (key.startsWith("tunekit_")) {
      throw new InvalidInputException("metadata keys starting with 'tunekit_' are reserved; rename '" + key + "'");
    }
    if (!metadata.containsKey(key) && metadata.size() >= MAX_METADATA) {
      throw new InvalidInputException("at most " + MAX_METADATA + " metadata pairs (Tunekit keeps 2 for itself)");
    }
    metadata.put(key, value);
    return this;
  }

  /**
   * The training method; by default it follows the dataset (chat → supervised, preference pairs → DPO, prompts
   * with reference fields → {@link TrainingMethod#REINFORCEMENT reinforcement}, which also needs {@link #grader}).
   */
  public FineTune method(TrainingMethod method) {
    this.method = method;
    return this;
  }

  /**
   * The most this run may cost for training, in US dollars, such as {@code new BigDecimal("25.00")} (overrides
   * {@code maxPrice:} in the provider's section of {@code tunekit.yaml}). Checked twice, failing closed:
   * in preflight, before the baseline and any upload, against the offline estimate from the provider's model
   * catalog (a model without a known price is refused, since the cap could not apply); and, on providers that
   * quote prices ({@link dev.tunekit.spi.PriceQuotes}), against the provider's own quote after the upload and
   * before the job is created. A run above the cap is REJECTED with a
   * {@link dev.tunekit.spi.PreflightException} and nothing is created: raise the cap or shrink the job, and start
   * a new run.
   */
  public FineTune maxPrice(java.math.BigDecimal usd) {
    Objects.requireNonNull(usd, "usd");
    if (usd.signum() <= 0) {
      throw new InvalidInputException("maxPrice must be a positive amount in USD, such as new BigDecimal(\"25.00\");"
          + " was " + usd.toPlainString());
    }
    this.maxPrice = usd;
    return this;
  }

  /**
   * Starts the job from a checkpoint of an earlier job instead of the bare base model (overrides
   * {@code fromCheckpoint:} in the provider's section). Its form is the provider's: on Together, a job id or
   * output model name, optionally with {@code :step}; on Fireworks, a model ({@code accounts/<account>/models/<id>}). A provider that cannot start from a checkpoint
   * ({@link dev.tunekit.spi.StartFromCheckpoint}) rejects the run in preflight, before any upload.
   */
  public FineTune fromCheckpoint(String checkpoint) {
    if (checkpoint == null || checkpoint.isBlank()) {
      throw new InvalidInputException("fromCheckpoint must not be blank; pass a checkpoint of an earlier job, such as"
          + " ft-1234abcd-5678 or ft-1234abcd-5678:100");
    }
    this.fromCheckpoint = checkpoint.trim();
    return this;
  }

  /**
   * The reward grader of a {@link TrainingMethod#REINFORCEMENT reinforcement} run, such as
   * {@code RewardGrader.lambda("arn:aws:lambda:us-east-1:123456789012:function:score-answer")}. Without it, the
   * run takes the {@code grader:} of the provider's section in {@code tunekit.yaml}; with neither, preflight
   * rejects the run before anything is uploaded. Any other method refuses a grader.
   */
  public FineTune grader(RewardGrader grader) {
    this.grader = Objects.requireNonNull(grader, "grader");
    return this;
  }

  /**
   * Evaluates the run with {@code suite}: the baseline before the first upload (see
   * {@link #baselineFirst(boolean)}) and the tuned model once the job succeeds, recording both reports
   * in the ledger. Calls go through the provider's retry layer and a completion cache under the
   * workDir ({@code eval-cache/}), so an evaluation repeated after a crash re-sends only what never
   * completed.
   */
  public FineTune evaluateWith(EvalSuite suite) {
    Objects.requireNonNull(suite, "suite");
    if (!suite.isGraded()) {
      throw new InvalidInputException("eval suite '" + suite.name() + "' has no graders; add one with"
          + " suite.withGrader(Graders.exactMatch()) or a lambda");
    }
    this.suite = suite;
    return this;
  }

  /**
   * The baseline's system prompt: the base model (through the same provider) is evaluated with it and
   * with the {@linkplain #baselineExample few-shot examples}. Without one, the baseline is the bare base
   * model. Needs {@link #evaluateWith}.
   */
  public FineTune baselinePrompt(String systemPrompt) {
    if (systemPrompt == null || systemPrompt.isBlank()) {
      throw new InvalidInputException("baselinePrompt must not be blank; omit it to evaluate the bare base model");
    }
    this.baselinePrompt = systemPrompt;
    return this;
  }

  /** One few-shot example for the baseline: a user turn and the ideal reply, sent before each case. */
  public FineTune baselineExample(String user, String assistant) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(assistant, "assistant");
    baselineExamples.add(ChatMessage.user(user));
    baselineExamples.add(ChatMessage.assistant(assistant));
    return this;
  }

  /**
   * A baseline of your own instead of the base model with {@link #baselinePrompt}: another model,
   * another provider, a rate-limited target. Its name must not be {@code tuned} (the tuned model's name
   * in reports). Since its model is code, a run resumed by another process needs it again:
   * {@link Tunekit#resume(String, EvalSuite, EvalTarget)}.
   */
  public FineTune baseline(EvalTarget target) {
    Objects.requireNonNull(target, "target");
    if (target.name().equals(EvalHook.TUNED_TARGET)) {
      throw new InvalidInputException("the baseline target cannot be named '" + EvalHook.TUNED_TARGET
          + "' (that is the tuned model's name in reports); rename it, e.g. EvalTarget.of(\"baseline\", …)");
    }
    this.baseline = target;
    return this;
  }

  /**
   * The promotion gate: {@link Run#deploy()} refuses with a
   * {@link dev.tunekit.eval.GateFailedException} unless the tuned model's pass rate beats the
   * baseline's by at least {@code minImprovement} (0.05 = five percentage points; 0 = no worse), with
   * no errored case on either side. Needs {@link #evaluateWith}.
   */
  public FineTune gate(double minImprovement) {
    if (!(minImprovement >= -1 && minImprovement <= 1)) {
      throw new InvalidInputException("gate minImprovement is a pass-rate difference in [-1, 1], such as 0.05 for"
          + " five points; was " + minImprovement);
    }
    this.minImprovement = minImprovement;
    return this;
  }

  /**
   * Adds a pairwise judge to the {@linkplain #gate gate}: once both are evaluated, {@code judge} is asked about
   * every case, baseline's answer against the tuned model's (both orders), and the gate passes only when the
   * pass-rate gate passes <em>and</em> {@link dev.tunekit.eval.PairwiseReport#checkTunedPreferred
   * checkTunedPreferred(minMargin, minKappa)} does: the judge prefers the tuned answers by at least
   * {@code minMargin} and was {@linkplain dev.tunekit.eval.PairwiseJudge#calibrate(Path) calibrated} with a Cohen's
   * kappa of at least {@code minKappa}. The gate's message (in {@link Run#gate()}, {@link RunResult} and the
   * reports) gives both results. A judge whose kappa is below {@code minKappa} is not asked and blocks the gate.
   *
   * <p>{@link #start()} refuses a judge that is not calibrated, before anything is uploaded. The judge's replies go
   * through the run's evaluation cache and its result is recorded in the ledger, so a resumed run does not ask it
   * again; since the judge is code, a run continued by another process needs it again:
   * {@link Tunekit#resume(String, EvalSuite, dev.tunekit.eval.PairwiseJudge)}. Needs {@link #evaluateWith} and {@link #gate}.
   */
  public FineTune pairwiseJudge(dev.tunekit.eval.PairwiseJudge judge, double minMargin, double minKappa) {
    Objects.requireNonNull(judge, "judge");
    if (!(minMargin >= -1 && minMargin <= 1) || !(minKappa >= -1 && minKappa <= 1)) {
      throw new InvalidInputException("pairwiseJudge minMargin and minKappa are between -1 and 1 (such as 0.10 for ten"
          + " points and 0.6 for substantial agreement); were " + minMargin + " and " + minKappa);
    }
    this.pairwiseJudge = judge;
    this.judgeMinMargin = minMargin;
    this.judgeMinKappa = minKappa;
    return this;
  }

  /**
   * Whether the baseline is evaluated before anything is uploaded (the default, {@code true}): the
   * run stops there if the evaluation fails, and {@link Run#baselineReport()} shows the bar before the
   * job is paid for. {@code false} skips that step: {@link #start()} uploads and submits at once, and
   * the baseline is evaluated together with the tuned model once the job succeeds.
   */
  public FineTune baselineFirst(boolean first) {
    this.baselineFirst = first;
    return this;
  }

  /**
   * Whether the tuned model is deployed before it is evaluated (default {@code false}). Turn it on for
   * providers that serve a tuned model only through a deployment, such as a custom model
   * deployment: the tuned model is then evaluated through its deployment and, when the
   * {@linkplain #gate gate} blocks, the deployment is removed again so it stops billing, and
   * {@link Run#deploy()} refuses. When the gate passes, {@link Run#deploy()} returns that deployment.
   * Needs {@link #evaluateWith}.
   */
  public FineTune deployBeforeEvaluation(boolean deployFirst) {
    this.deployFirst = deployFirst;
    return this;
  }

  /**
   * The runner evaluations use (for a progress bar, timeouts or a cache of your own). By default, a
   * runner with a completion cache in {@code <workDir>/eval-cache}. Needs {@link #evaluateWith}.
   */
  public FineTune evalRunner(EvalRunner runner) {
    this.evalRunner = Objects.requireNonNull(runner, "runner");
    return this;
  }

  /**
   * Validates the dataset (an {@link InvalidDatasetException} stops the run before any upload), asks
   * the provider to check the planned job offline (model, hyperparameters, settings, its dataset rules: a
   * {@link dev.tunekit.spi.PreflightException} listing every problem stops the run before the baseline
   * and any upload), converts it to the provider's format, evaluates the baseline when the run has an eval suite (see
   * {@link #baselineFirst(boolean)}; a failed evaluation stops the run before any upload, and
   * {@link Tunekit#resume(String)} continues it), uploads the data and submits the job, recording each
   * step in the ledger. Returns once the job is submitted; wait for it with {@link Run#await(RunListener)}. To
   * return as soon as the run is validated, with the rest in the background, use
   * {@link #submit(RunListener, Executor)}.
   */
  public Run start() {
    Planned p = plan();
    return new Run(workflow, workflow.start(p.spec(), p.plan()));
  }

  /**
   * Starts the run and returns as soon as it is recorded and validated, with the rest of {@link #start()} (the
   * baseline evaluation, the upload and the job's creation) going on in the background on Tunekit's own threads.
   * Same as {@link #submit(RunListener, Executor)} with {@link RunListener#none()} and those threads.
   */
  public Run submit() {
    return submit(RunListener.none(), workflow.async());
  }

  /**
   * Starts the run and returns it as soon as it is recorded and validated, in state
   * {@link RunState#VALIDATED VALIDATED}; the baseline evaluation (when the run has an eval suite), the upload and
   * the job's creation go on as one task on {@code executor}, recorded in the ledger step by step exactly as in
   * {@link #start()}.
   *
   * <p><b>Before it returns</b>, on the caller's thread: the run is recorded in the ledger, its dataset validated
   * and the provider's offline preflight run, so bad input still fails here, with the
   * {@link InvalidDatasetException} or {@link dev.tunekit.spi.PreflightException} {@code start()} throws, and
   * nothing is sent to the provider.
   *
   * <p><b>In the background</b>: {@code listener} gets {@link RunListener#onState} for each move (VALIDATED,
   * before this returns; then BASELINE_EVALUATED, UPLOADED, SUBMITTED). A failure there stops the task with the run
   * where the ledger has it: its state stays at the last step done and {@link RunInfo#error()} says why; the
   * listener gets {@link RunListener#onFailed}, and {@link Run#submitted()} and {@link Run#await()} throw it.
   * {@code tk.resume(id)} continues such a run, and a run whose process stopped mid-way, without repeating a
   * recorded step. {@link Tunekit#close()} waits for the task (up to {@link Tunekit.Builder#closeWait}): it stops
   * before its next upload or job creation, a create in flight finishes and is recorded; resume the run later.
   *
   * @param executor runs the background task (one task per run); one that refuses it leaves the run validated,
   *     with nothing uploaded, and this throws a {@code TunekitException} naming the run to resume
   */
  public Run submit(RunListener listener, Executor executor) {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(executor, "executor");
    Planned p = plan();
    return new Run(workflow, workflow.submit(p.spec(), p.plan(), listener, executor));
  }

  private record Planned(RunSpec spec, EvalHook.Plan plan) {}

  private Planned plan() {
    String model = this.model != null ? this.model : workflow.configuredModel().orElseThrow(() ->
        new InvalidInputException("no base model: call .model(\"…\") before start(), or set 'model:' in the"
            + " provider's section of tunekit.yaml (providers." + workflow.providerName() + ".model)"));
    if (trainingData == null) {
      throw new InvalidInputException("no training data: call .trainingData(Path) or .dataset(Dataset) before start()");
    }
    RunSpec.Eval eval = evalSpec(model);
    RunSpec spec = new RunSpec(model, trainingData.toString(),
        validationData == null ? null : validationData.toString(), validationFraction, splitSeed, hyperparameters,
        suffix, metadata, method, eval, maxPrice != null ? maxPrice : workflow.configuredMaxPrice().orElse(null),
        fromCheckpoint != null ? fromCheckpoint : workflow.configuredFromCheckpoint().orElse(null),
        grader);
    return new Planned(spec, eval == null ? null : new EvalHook.Plan(suite, baseline, evalRunner, pairwiseJudge));
  }

  private RunSpec.Eval evalSpec(String model) {
    if (suite == null) {
      List<String> set = new ArrayList<>();
      if (baseline != null || baselinePrompt != null || !baselineExamples.isEmpty()) {
        set.add("a baseline");
      }
      if (minImprovement != null) {
        set.add("a gate");
      }
      if (evalRunner != null) {
        set.add("an eval runner");
      }
      if (pairwiseJudge != null) {
        set.add("a pairwise judge");
      }
      if (!baselineFirst) {
        set.add("baselineFirst(false)");
      }
      if (deployFirst) {
        set.add("deployBeforeEvaluation(true)");
      }
      if (!set.isEmpty()) {
        throw new InvalidInputException(String.join(" and ", set) + " was set without an eval suite; add"
            + " .evaluateWith(suite), or drop it");
      }
      return null;
    }
    Double judgeMargin = null;
    Double judgeKappa = null;
    if (pairwiseJudge != null) {
      if (minImprovement == null) {
        throw new InvalidInputException("a pairwise judge gates together with the pass rate: add .gate(minImprovement)"
            + " (.gate(0) requires only that the tuned model is no worse), or drop .pairwiseJudge(...)");
      }
      if (pairwiseJudge.agreement().isEmpty()) {
        throw new InvalidInputException(String.format(java.util.Locale.ROOT, "the pairwise judge %s is not calibrated,"
            + " and the gate requires its agreement with people to reach κ ≥ %.2f; nothing was uploaded. Calibrate it"
            + " on pairs a person labelled, judge = judge.calibrate(Path.of(\"judge-labels.jsonl\")) (one JSON object"
            + " a line: id, question, expected, baseline, tuned, label; see docs/evals.md), and pass the calibrated"
            + " judge", pairwiseJudge.judgeModel(), judgeMinKappa));
      }
      judgeMargin = judgeMinMargin;
      judgeKappa = judgeMinKappa;
    }
    if (baseline != null) {
      if (baselinePrompt != null || !baselineExamples.isEmpty()) {
        throw new InvalidInputException("set either .baseline(target) or .baselinePrompt/.baselineExample, not both;"
            + " give your target its prompt with target.withSystemPrompt(…).withExample(…)");
      }
      return new RunSpec.Eval(suite.name(), suite.fingerprint(), baselineFirst, minImprovement, baseline.name(),
          baseline.modelId(), baseline.preamble(), true, deployFirst, judgeMargin, judgeKappa);
    }
    List<ChatMessage> preamble = new ArrayList<>();
    if (baselinePrompt != null) {
      preamble.add(ChatMessage.system(baselinePrompt));
    }
    preamble.addAll(baselineExamples);
    return new RunSpec.Eval(suite.name(), suite.fingerprint(), baselineFirst, minImprovement, "baseline", model,
        preamble, false, deployFirst, judgeMargin, judgeKappa);
  }

  /**
   * {@link #start()} on one of Tunekit's own threads (daemon threads that {@link Tunekit#close()} stops); see
   * {@link #startAsync(Executor)} for what cancelling the future does.
   */
  public CompletableFuture<Run> startAsync() {
    return Async.supply(this::start, workflow.async());
  }

  /**
   * {@link #start()} as one task on {@code executor}; the future completes with the submitted run, or with
   * {@code start()}'s exception. Cancelling the future does not stop the task: a run it already recorded goes on
   * to its submission (an upload or a job creation in flight is finished and recorded, never left unknown to the
   * ledger), and is listed by {@code tk.runs()}; cancel the run itself with {@link Run#cancel()}. Only a task that
   * has not begun yet is skipped, and then no run exists. To get the run at once, use
   * {@link #submit(RunListener, Executor)}.
   */
  public CompletableFuture<Run> startAsync(Executor executor) {
    return Async.supply(this::start, executor);
  }
}
