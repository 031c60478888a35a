package dev.tunekit.internal;

import dev.tunekit.FineTune;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.Run;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.internal.ledger.Ledger;
import dev.tunekit.internal.ledger.StoredJson;
import dev.tunekit.eval.EvalCache;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.EvalReport;
import dev.tunekit.eval.EvalRunner;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.GateResult;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.eval.RunContext;
import dev.tunekit.model.Hyperparameters;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluation steps of runs: the baseline is evaluated before the first upload (unless deferred),
 * the tuned model when the run is TRAINED, the gate decided from both when it is EVALUATED (the state
 * machine, {@link dev.tunekit.internal.engine.RunMachine}, calls these), and every result recorded in
 * the ledger under fixed names, first writer wins, as versioned JSON. A suite's graders are code, so the suite itself lives in
 * memory ({@link Plan}, attached by {@link FineTune#start()} or {@link Tunekit#resume(String, EvalSuite)});
 * the ledger keeps its fingerprint, the baseline's definition and the gate. Evaluations go through the
 * provider's resilience layer and a completion cache under {@code <workDir>/eval-cache}, so re-running
 * one after a crash costs only the calls that never completed.
 */
public final class EvalHook implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EvalHook.class);
  public static final String BASELINE = "tunekit:baseline";
  public static final String TUNED = "tunekit:tuned";
  public static final String GATE = "tunekit:gate";
  /** The pairwise judge's own gate result, recorded once it is asked (so a resumed run does not ask again). */
  public static final String PAIRWISE = "tunekit:pairwise";
  public static final String TUNED_TARGET = "tuned";

  /**
   * What a run's hook needs in memory.
   *
   * @param suite the suite
   * @param baseline the caller's baseline target, or null for the base model on this provider
   * @param runner the caller's runner, or null for the default one (cache under the workDir)
   * @param judge the pairwise judge the gate asks, or null when the gate has none
   */
  public record Plan(EvalSuite suite, EvalTarget baseline, EvalRunner runner, dev.tunekit.eval.PairwiseJudge judge) {
    public Plan {
      Objects.requireNonNull(suite, "suite");
    }

    /** A plan without a pairwise judge. */
    public Plan(EvalSuite suite, EvalTarget baseline, EvalRunner runner) {
      this(suite, baseline, runner, null);
    }
  }

  /**
   * A run's evaluation: baseline then tuned, and the gate if one is set.
   *
   * @param recorded false when a report had errored cases: such a report is returned but not recorded
   *     (nor is the gate it blocked), so evaluating again retries it
   * @param incomplete why it is not recorded (the errored cases), when it is not
   */
  public record Evaluated(EvalComparison comparison, Optional<GateResult> gate, boolean recorded,
      Optional<String> incomplete) {
    public Evaluated(EvalComparison comparison, Optional<GateResult> gate, boolean recorded) {
      this(comparison, gate, recorded, Optional.empty());
    }
  }

  private final Ledger ledger;
  private final TuningProvider provider;
  private final Path cacheDir;
  private final EvaluationSettings limits;
  private final Map<String, Plan> plans = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private EvalCache cache;
  /** Tunekit's own runners, by the limits they keep for the provider's group ("rpm/concurrent"). */
  private final Map<String, EvalRunner> runners = new java.util.HashMap<>();

  /** Where Tunekit's own runners register their rate limiters, for metrics. */
  private final io.github.resilience4j.ratelimiter.RateLimiterRegistry rateLimiters =
      io.github.resilience4j.ratelimiter.RateLimiterRegistry.ofDefaults();

  public EvalHook(Ledger ledger, TuningProvider provider, Path workDir, EvaluationSettings limits) {
    this.ledger = ledger;
    this.provider = provider;
    this.cacheDir = workDir.resolve("eval-cache");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** The registry Tunekit's own evaluation runners put their rate limiters in. */
  public io.github.resilience4j.ratelimiter.RateLimiterRegistry rateLimiterRegistry() {
    return rateLimiters;
  }

  /** Attaches {@code plan} to the run for this Tunekit's lifetime, after checking it is the run's suite. */
  public void attach(String runId, RunSpec spec, Plan plan) {
    RunSpec.Eval e = spec.eval();
    if (e == null) {
      throw new InvalidInputException("run " + runId + " was started without an eval suite, so there is no hook to"
          + " resume; once it has succeeded, evaluate it with run.evaluate(suite)");
    }
    checkSuite(runId, e, plan.suite());
    if (e.customBaseline() && plan.baseline() == null && !recorded(runId, BASELINE)) {
      throw new InvalidInputException("run " + runId + " compares against the custom baseline '" + e.baselineName()
          + "' (model " + e.baselineModel() + "), which is not evaluated yet; pass it again with"
          + " tk.resume(\"" + runId + "\", suite, baseline)");
    }
    plans.put(runId, plan);
  }

  /** Whether this Tunekit has the run's suite. */
  public boolean hasPlan(String runId) {
    return plans.containsKey(runId);
  }

  // ------------------------------------------------------------------ the hooks

  /** Before the first upload: evaluates the baseline when the run asks for it first and it is not recorded. */
  public void beforeUpload(String runId, RunSpec spec) {
    RunSpec.Eval e = spec.eval();
    if (e == null || !e.baselineFirst() || recorded(runId, BASELINE)) {
      return;
    }
    Plan plan = plans.get(runId);
    if (plan == null) {
      throw new InvalidInputException("run " + runId + " evaluates suite '" + e.suite() + "' on its baseline before"
          + " uploading anything, and this Tunekit does not have the suite; continue it with tk.resume(\"" + runId
          + "\", suite)");
    }
    synchronized (lock(runId)) {
      if (recorded(runId, BASELINE)) {
        return;
      }
      EvalTarget baseline = baselineTarget(runId, e, plan);
      LOG.info("Run {}: evaluating the baseline {} on suite {} ({} cases) before uploading", runId, baseline.modelId(),
          e.suite(), plan.suite().size());
      ledger.log(runId, "eval.start", "baseline " + baseline.modelId() + " on " + e.suite());
      EvalReport report = runnerFor(plan).run(plan.suite(), baseline);
      if (!report.errors().isEmpty()) {
        String why = incomplete(report);
        ledger.log(runId, "eval.incomplete", why);
        throw new TunekitException("Run " + runId + ": " + why + " Nothing was uploaded: a baseline with errors"
            + " cannot be compared. Fix the cause, then continue with tk.resume(\"" + runId + "\")"
            + " (completed calls are cached and not sent again).");
      }
      ledger.evalResultOnce(runId, BASELINE, storedReport(report));
    }
  }

  /** Why a report cannot be recorded: its errored cases, the first few with their reasons. */
  private static String incomplete(EvalReport r) {
    List<String> first = r.errors().stream().limit(3)
        .map(c -> c.id() + ": " + c.error().orElse("error")).toList();
    return "evaluating " + r.target() + " (" + r.model() + ") on suite " + r.suite() + " left " + r.errors().size()
        + " of " + r.cases().size() + " case(s) errored (" + String.join("; ", first)
        + (r.errors().size() > 3 ? "; …" : "") + ").";
  }

  /**
   * The TRAINED step: evaluates what is not recorded yet (the tuned model, and the baseline if it was
   * deferred) with the run's attached suite. Throws when it fails; returns an unrecorded result (with
   * {@link Evaluated#incomplete()}) when cases errored.
   */
  public Evaluated evaluateWithPlan(String runId, RunSpec spec, String tunedModel, List<MetricPoint> metrics) {
    RunSpec.Eval e = Objects.requireNonNull(spec.eval(), "spec.eval");
    Plan plan = plans.get(runId);
    if (plan == null) {
      throw new IllegalStateException("no suite attached to run " + runId);
    }
    return evaluate(runId, e, plan, tunedModel, metrics);
  }

  /**
   * Why a trained run with a suite cannot be evaluated in this process: graders are code, so the suite
   * must be attached again. Null when this Tunekit has it.
   */
  public String missingSuite(String runId, RunSpec spec) {
    RunSpec.Eval e = spec.eval();
    if (e == null || plans.containsKey(runId)) {
      return null;
    }
    return "not evaluated: evaluating needs suite '" + e.suite() + "' (graders are code), which this process"
        + " does not have; resume with the suite: tk.resume(\"" + runId + "\", suite) (or run.evaluate(suite))";
  }

  /** {@link Run#evaluate(EvalSuite)}: evaluates what is not recorded, with the run's plan or {@code suite}. */
  public Evaluated evaluateNow(String runId, RunSpec spec, EvalSuite suite, String tunedModel, List<MetricPoint> metrics) {
    Plan attached = plans.get(runId);
    Plan plan = attached != null && attached.suite().fingerprint().equals(suite.fingerprint()) ? attached
        : new Plan(suite, null, attached == null ? null : attached.runner());
    RunSpec.Eval e = spec.eval() != null ? spec.eval()
        : new RunSpec.Eval(suite.name(), suite.fingerprint(), false, null, "baseline", spec.model(), List.of(), false,
            false);
    checkSuite(runId, e, suite);
    return evaluate(runId, e, plan, tunedModel, metrics);
  }

  private Evaluated evaluate(String runId, RunSpec.Eval e, Plan plan, String tunedModel, List<MetricPoint> metrics) {
    synchronized (lock(runId)) {
      Optional<EvalReport> base = report(runId, BASELINE);
      Optional<EvalReport> tuned = report(runId, TUNED);
      if (base.isEmpty() || tuned.isEmpty()) {
        List<EvalTarget> targets = new ArrayList<>();
        base.ifPresentOrElse(b -> {}, () -> targets.add(baselineTarget(runId, e, plan)));
        EvalTarget tunedTarget = tunedTarget(plan, tunedModel);
        tuned.ifPresentOrElse(t -> {}, () -> targets.add(tunedTarget));
        LOG.info("Run {}: evaluating {} on suite {} ({} cases)", runId,
            targets.stream().map(EvalTarget::modelId).toList(), e.suite(), plan.suite().size());
        ledger.log(runId, "eval.start", String.join(" and ", targets.stream().map(EvalTarget::name).toList())
            + " on " + e.suite());
        List<EvalReport> reports = runnerFor(plan).runAll(plan.suite(), targets);
        int i = 0;
        List<String> incomplete = new ArrayList<>();
        if (base.isEmpty()) {
          base = Optional.of(keep(runId, BASELINE, reports.get(i++), incomplete));
        }
        if (tuned.isEmpty()) {
          tuned = Optional.of(keep(runId, TUNED, reports.get(i).withTrainingMetrics(metrics), incomplete));
        }
        if (!incomplete.isEmpty()) {
          String why = String.join(" ", incomplete);
          ledger.log(runId, "eval.incomplete", why);
          LOG.warn("Run {}: {} Not recorded; evaluate again with run.evaluate(suite) once the cause is fixed"
              + " (completed calls are cached).", runId, why);
          EvalReport b = base.get();
          EvalReport t = tuned.get();
          Optional<GateResult> tentative = e.gate().map(min -> t.checkImprovementOver(b, min));
          return new Evaluated(withContext(runId, EvalComparison.of(b, t), tentative), tentative, false,
              Optional.of(why));
        }
      }
      EvalReport b = base.orElseThrow();
      EvalReport t = tuned.orElseThrow();
      Optional<GateResult> gate = gate(runId);
      return new Evaluated(withContext(runId, EvalComparison.of(b, t), gate), gate, true);
    }
  }

  /**
   * The EVALUATED step of a gated run: decides the gate from the recorded reports (no calls, so no
   * suite needed; with a pairwise judge, the judge is asked once, through the cache, and its result recorded) and
   * records it, first writer wins. Returns the recorded decision.
   */
  public GateResult decideGate(String runId, RunSpec.Eval e) {
    double min = e.gate().orElseThrow();
    synchronized (lock(runId)) {
      Optional<GateResult> recorded = gate(runId);
      if (recorded.isPresent()) {
        return recorded.get();
      }
      EvalReport b = report(runId, BASELINE).orElseThrow();
      EvalReport t = report(runId, TUNED).orElseThrow();
      GateResult decided = t.checkImprovementOver(b, min);
      if (e.judged()) {
        decided = both(decided, judgeGate(runId, e, b, t));
      }
      ledger.evalResultOnce(runId, GATE, gateJson(decided, min));
      LOG.info("Run {}: gate {} — {}", runId, decided.passed() ? "passed" : "BLOCKED", decided.message());
      return gate(runId).orElseThrow();
    }
  }

  /**
   * The pairwise judge's gate for the run: the recorded one, or the judge (of this process's plan, through the
   * evaluation cache) asked over both recorded reports, then recorded, first writer wins.
   */
  private GateResult judgeGate(String runId, RunSpec.Eval e, EvalReport b, EvalReport t) {
    Optional<GateResult> recorded = ledger.evalResult(runId, PAIRWISE).map(EvalHook::readGate);
    if (recorded.isPresent()) {
      return recorded.get();
    }
    Plan plan = plans.get(runId);
    if (plan == null || plan.judge() == null) {
      throw new TunekitException("Run " + runId + ": its gate requires a pairwise judge (κ ≥ "
          + String.format(Locale.ROOT, "%.2f", e.judgeMinKappa()) + "), which this process does not have, so the gate"
          + " is not decided yet. Continue it with the suite and the judge: tk.resume(\"" + runId + "\", suite, judge)"
          + " (replies the judge gave before are cached and not asked again).");
    }
    dev.tunekit.eval.PairwiseJudge judge = plan.judge().cachedIn(cache());
    Optional<dev.tunekit.eval.JudgeAgreement> agreement = judge.agreement();
    GateResult g;
    if (agreement.isEmpty() || !agreement.get().meets(e.judgeMinKappa())) {
      // A judge that cannot gate is not asked (no calls): PairwiseReport says why it blocks.
      g = new dev.tunekit.eval.PairwiseReport(b.target(), t.target(), judge.judgeModel(), List.of(), List.of(),
          agreement).checkTunedPreferred(e.judgeMinMargin(), e.judgeMinKappa());
    } else {
      LOG.info("Run {}: asking the pairwise judge {} about {} cases (both orders)", runId, judge.judgeModel(),
          t.cases().size());
      ledger.log(runId, "eval.pairwise", "judge " + judge.judgeModel() + " on " + e.suite());
      dev.tunekit.eval.PairwiseReport report = judge.compare(b, t);
      g = report.checkTunedPreferred(e.judgeMinMargin(), e.judgeMinKappa());
      LOG.info("Run {}: pairwise judge {}", runId, report.format());
    }
    ledger.evalResultOnce(runId, PAIRWISE, gateJson(g, e.judgeMinMargin()));
    return ledger.evalResult(runId, PAIRWISE).map(EvalHook::readGate).orElseThrow();
  }

  /** The gate of a run gated by its pass rate and a pairwise judge: passes when both do. */
  static GateResult both(GateResult rate, GateResult judge) {
    String blocked = rate.passed() && judge.passed() ? ""
        : !rate.passed() && !judge.passed() ? "blocked by the pass rate and the pairwise judge. "
        : !rate.passed() ? "blocked by the pass rate. " : "blocked by the pairwise judge. ";
    return new GateResult(rate.gate() + "; and " + judge.gate(), rate.passed() && judge.passed(),
        blocked + "pass rate: " + rate.message() + " | pairwise judge: " + judge.message());
  }

  private synchronized EvalCache cache() {
    if (cache == null) {
      cache = EvalCache.inDirectory(cacheDir);
    }
    return cache;
  }

  /**
   * Records a complete report and returns the run's (another process's, if it recorded first); returns
   * an incomplete one unrecorded, noting why in {@code incomplete}.
   */
  private EvalReport keep(String runId, String name, EvalReport report, List<String> incomplete) {
    if (!report.errors().isEmpty()) {
      incomplete.add(incomplete(report));
      return report;
    }
    ledger.evalResultOnce(runId, name, storedReport(report));
    return report(runId, name).orElseThrow();
  }

  /** Refuses deployment with {@link GateFailedException} when a gate is set and has not passed. */
  public void checkDeploy(String runId, RunSpec spec) {
    RunSpec.Eval e = spec.eval();
    if (e == null || e.gate().isEmpty()) {
      return;
    }
    Optional<GateResult> gate = gate(runId);
    if (gate.isEmpty()) {
      String what = String.format(Locale.ROOT, "%s beats %s by ≥ %.1f points on suite %s", TUNED_TARGET,
          e.baselineName(), e.gate().get() * 100, e.suite());
      throw new GateFailedException(new GateResult(what, false, "run " + runId + " is not evaluated yet, so it"
          + " cannot be deployed. Evaluate it with run.evaluate(suite) (or tk.resume(\"" + runId + "\", suite) and"
          + " run.await()), then deploy"));
    }
    gate.get().orThrow();
  }

  // ------------------------------------------------------------------ what the ledger holds

  public Optional<EvalReport> report(String runId, String name) {
    return ledger.evalResult(runId, name).map(EvalHook::readReport);
  }

  public Optional<GateResult> gate(String runId) {
    return ledger.evalResult(runId, GATE).map(EvalHook::readGate);
  }

  public Optional<Evaluated> recordedEvaluation(String runId) {
    Optional<EvalReport> b = report(runId, BASELINE);
    Optional<EvalReport> t = report(runId, TUNED);
    if (b.isEmpty() || t.isEmpty()) {
      return Optional.empty();
    }
    Optional<GateResult> gate = gate(runId);
    return Optional.of(new Evaluated(withContext(runId, EvalComparison.of(b.get(), t.get()), gate), gate, true));
  }

  /**
   * {@code c} with the run behind it and {@code gate} attached, so its HTML page and JSON show the run
   * id, the training configuration and the gate's decision.
   */
  public EvalComparison withContext(String runId, EvalComparison c, Optional<GateResult> gate) {
    EvalComparison out = c;
    Optional<RunContext> run = runContext(runId);
    if (run.isPresent()) {
      out = out.withRun(run.get());
    }
    return gate.isPresent() ? out.withGate(gate.get()) : out;
  }

  private static final Pattern TRAINING_COUNT = Pattern.compile("\\btraining (\\d+) examples");
  private static final Pattern VALIDATION_COUNT = Pattern.compile("\\bvalidation (\\d+) examples");

  /**
   * What a report shows of the run: from its ledger row and spec (never the config, so no credential),
   * with the uploaded example counts from the run's {@code prepare} log line when it was prepared here.
   */
  Optional<RunContext> runContext(String runId) {
    Optional<Ledger.RunRow> found = ledger.run(runId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Ledger.RunRow row = found.get();
    RunSpec spec = RunSpec.fromJson(row.spec());
    Map<String, String> settings = new LinkedHashMap<>();
    Hyperparameters h = spec.hyperparameters();
    h.epochs().ifPresent(v -> settings.put("epochs", Integer.toString(v)));
    h.batchSize().ifPresent(v -> settings.put("batchSize", Integer.toString(v)));
    h.learningRateMultiplier().ifPresent(v -> settings.put("learningRateMultiplier", Double.toString(v)));
    h.seed().ifPresent(v -> settings.put("seed", Long.toString(v)));
    new TreeMap<>(h.extras()).forEach((k, v) -> settings.put(k, RunContext.settingText(v)));
    if (spec.method() != null) {
      settings.put("method", spec.method().name().toLowerCase(Locale.ROOT));
    }
    if (spec.grader() != null) {
      settings.put("grader", spec.grader().kind() + " " + spec.grader().reference());
    }
    if (spec.suffix() != null) {
      settings.put("suffix", spec.suffix());
    }
    String training = fileName(spec.trainingData());
    Optional<String> validation = spec.validationData() != null ? Optional.of(fileName(spec.validationData()))
        : spec.validationFraction() > 0 ? Optional.of(String.format(Locale.ROOT, "%s%% of %s held out (seed %d)",
            BigDecimal.valueOf(spec.validationFraction() * 100).stripTrailingZeros().toPlainString(), training,
            spec.splitSeed()))
        : Optional.empty();
    OptionalLong trainingExamples = OptionalLong.empty();
    OptionalLong validationExamples = OptionalLong.empty();
    for (String line : ledger.logOf(runId)) {
      if (line.startsWith("prepare ")) {
        trainingExamples = count(TRAINING_COUNT, line);
        validationExamples = count(VALIDATION_COUNT, line);
      }
    }
    RunSpec.Eval e = spec.eval();
    OptionalDouble margin = e == null || e.gate().isEmpty() ? OptionalDouble.empty()
        : OptionalDouble.of(e.gate().get());
    return Optional.of(new RunContext(runId, row.provider(), row.baseModel(), Optional.ofNullable(row.fineTunedModel()),
        Optional.ofNullable(row.jobId()), row.createdAt(), settings, Optional.of(training), trainingExamples,
        validation, validationExamples, margin,
        e == null || e.customBaseline() ? List.of() : e.baselinePreamble()));
  }

  private static String fileName(String path) {
    Path name = Path.of(path).getFileName();
    return name == null ? path : name.toString();
  }

  private static OptionalLong count(Pattern p, String line) {
    Matcher m = p.matcher(line);
    return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }

  private boolean recorded(String runId, String name) {
    return ledger.evalResult(runId, name).isPresent();
  }

  // ------------------------------------------------------------------ plumbing

  private void checkSuite(String runId, RunSpec.Eval e, EvalSuite suite) {
    if (!e.fingerprint().equals(suite.fingerprint())) {
      throw new InvalidInputException("run " + runId + " is evaluated on suite '" + e.suite() + "' (fingerprint "
          + e.fingerprint() + "), but suite '" + suite.name() + "' has fingerprint " + suite.fingerprint()
          + ": its cases or graders differ. Pass the same suite (same cases, same graders in the same order), or"
          + " compare other suites with an EvalRunner directly");
    }
  }

  private EvalTarget baselineTarget(String runId, RunSpec.Eval e, Plan plan) {
    if (plan.baseline() != null) {
      return plan.baseline();
    }
    if (e.customBaseline()) {
      throw new InvalidInputException("run " + runId + " compares against the custom baseline '" + e.baselineName()
          + "' (model " + e.baselineModel() + "), which this Tunekit does not have; pass it with"
          + " tk.resume(\"" + runId + "\", suite, baseline)");
    }
    return new EvalTarget(e.baselineName(), chat("evaluate baseline model " + e.baselineModel()), e.baselineModel(), e.baselinePreamble(), provider.name(),
        limits.requestsPerMinute(), limits.maxConcurrentCalls(), 0);
  }

  /**
   * The tuned model as a target in the provider's rate-limit group. Its limits come from the config's
   * {@code evaluation:} section, unless the caller's baseline target is in the same group: one group has
   * one set of limits (the runner refuses two), so the tuned target then takes the baseline's.
   */
  public EvalTarget tunedTarget(Plan plan, String tunedModel) {
    EvalTarget custom = plan.baseline();
    boolean shared = custom != null && custom.provider().equals(provider.name());
    int rpm = shared ? custom.requestsPerMinute() : limits.requestsPerMinute();
    int concurrent = shared ? custom.maxConcurrentCalls() : limits.maxConcurrentCalls();
    return new EvalTarget(TUNED_TARGET, chat("evaluate tuned model " + tunedModel), tunedModel, List.of(),
        provider.name(), rpm, concurrent, 0);
  }

  /** The provider's chat capability, or an UnsupportedCapabilityException naming what needed it. */
  private dev.tunekit.spi.Chat chat(String action) {
    return provider.require(dev.tunekit.spi.Chat.class, action);
  }

  /**
   * The runner for a plan: the caller's, or Tunekit's own for the limits this plan puts on the
   * provider's rate-limit group. A runner keeps one set of limits per group (it refuses two), so runs
   * whose baseline sets other limits for the provider than the configured ones get a runner of their
   * own; all of them share one completion cache.
   */
  private synchronized EvalRunner runnerFor(Plan plan) {
    if (plan.runner() != null) {
      return plan.runner();
    }
    EvalCache cache = cache();
    EvalTarget custom = plan.baseline();
    boolean shared = custom != null && custom.provider().equals(provider.name());
    String key = shared ? custom.requestsPerMinute() + "/" + custom.maxConcurrentCalls()
        : limits.requestsPerMinute() + "/" + limits.maxConcurrentCalls();
    return runners.computeIfAbsent(key, k -> EvalRunner.builder().cache(cache).rateLimiterRegistry(rateLimiters).build());
  }

  private Object lock(String runId) {
    return locks.computeIfAbsent(runId, k -> new Object());
  }

  /** The gate as stored in the ledger ({@code "v":1}). */
  record StoredGate(String gate, boolean passed, String message, double minImprovement) {}

  public static String gateJson(GateResult g, double minImprovement) {
    return StoredJson.write(new StoredGate(g.gate(), g.passed(), g.message(), minImprovement));
  }

  public static GateResult readGate(String json) {
    StoredGate g = StoredJson.read(json, StoredGate.class, "gate result");
    if (g.gate() == null || g.message() == null) {
      throw new TunekitException("The ledger holds a gate result this Tunekit cannot read (no gate or message);"
          + " it was written by another version.");
    }
    return new GateResult(g.gate(), g.passed(), g.message());
  }

  /** A report as stored in the ledger: its own JSON with {@code "v":1} added. */
  static String storedReport(EvalReport report) {
    ObjectNode n = (ObjectNode) StoredJson.tree(report.toJson(), "evaluation report");
    ObjectNode out = n.objectNode();
    out.put("v", StoredJson.VERSION);
    out.setAll(n);
    return out.toString();
  }

  static EvalReport readReport(String json) {
    StoredJson.tree(json, "evaluation report"); // refuses a newer format with a clear message
    return EvalReport.fromJson(json);
  }

  @Override
  public synchronized void close() {
    plans.clear();
    if (cache != null) {
      cache.close();
    }
  }
}
