package dev.tunekit.eval;

import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.TunekitException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The results of one suite run against one target. Immutable; serialises to JSON (for a run's ledger)
 * and back, prints as a table, and renders as a self-contained HTML page.
 *
 * <pre>{@code
 * EvalReport tuned = runner.run(suite, tunedTarget);
 * tuned.print();
 * tuned.requireImprovementOver(baselineReport, 0.05);   // throws GateFailedException when blocked
 * tuned.writeHtml(Path.of("eval.html"));
 * }</pre>
 *
 * @param suite the suite's name
 * @param suiteFingerprint the suite's {@link EvalSuite#fingerprint() fingerprint}
 * @param target the target's name
 * @param model the target's model id
 * @param provider the target's provider (rate-limit group)
 * @param startedAt when the run started
 * @param elapsed how long the run took
 * @param calls chat calls actually made (cache hits excluded)
 * @param cacheHits cases answered from the completion cache
 * @param cases one result per case, in suite order
 * @param trainingMetrics the tuned model's training curve, when known (for the HTML loss chart)
 */
public record EvalReport(
    String suite,
    String suiteFingerprint,
    String target,
    String model,
    String provider,
    Instant startedAt,
    Duration elapsed,
    long calls,
    long cacheHits,
    List<CaseResult> cases,
    List<MetricPoint> trainingMetrics) {

  /** Canonical constructor. */
  public EvalReport {
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(suiteFingerprint, "suiteFingerprint");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(elapsed, "elapsed");
    cases = List.copyOf(cases);
    trainingMetrics = List.copyOf(trainingMetrics);
  }

  /** The share of judged cases that passed (every grader passed), with its Wilson interval. */
  public PassRate passRate() {
    return rate(cases);
  }

  /** Pass rate of each grader over the cases it judged, in suite order. */
  public Map<String, PassRate> passRateByGrader() {
    Map<String, int[]> counts = new LinkedHashMap<>();
    for (CaseResult c : cases) {
      for (GraderResult g : c.grades()) {
        int[] n = counts.computeIfAbsent(g.grader(), k -> new int[3]);
        n[g.outcome().ordinal()]++;
      }
    }
    Map<String, PassRate> out = new LinkedHashMap<>();
    counts.forEach((k, n) -> out.put(k, PassRate.of(n[0], n[1], n[2])));
    return out;
  }

  /** Case pass rate per tag, by tag name. */
  public Map<String, PassRate> passRateByTag() {
    Map<String, List<CaseResult>> byTag = new TreeMap<>();
    for (CaseResult c : cases) {
      c.tags().forEach(t -> byTag.computeIfAbsent(t, k -> new ArrayList<>()).add(c));
    }
    Map<String, PassRate> out = new LinkedHashMap<>();
    byTag.forEach((t, cs) -> out.put(t, rate(cs)));
    return out;
  }

  /** The cases that could not be judged. */
  public List<CaseResult> errors() {
    return cases.stream().filter(c -> c.outcome() == Outcome.ERROR).toList();
  }

  /** The cases that failed. */
  public List<CaseResult> failures() {
    return cases.stream().filter(c -> c.outcome() == Outcome.FAIL).toList();
  }

  /** The result of the case with this id. */
  public Optional<CaseResult> caseResult(String id) {
    return cases.stream().filter(c -> c.id().equals(id)).findFirst();
  }

  /** A copy carrying the tuned model's training curve, drawn in the HTML report. */
  public EvalReport withTrainingMetrics(List<MetricPoint> metrics) {
    return new EvalReport(suite, suiteFingerprint, target, model, provider, startedAt, elapsed, calls, cacheHits,
        cases, metrics);
  }

  /**
   * Gate: this report's pass rate beats {@code baseline}'s by at least {@code minDelta} (0.05 = five
   * percentage points). Blocks, with the reason, when the reports are of different suites, when
   * either has errored cases (an incomplete evaluation cannot promote a model; run it again — cached
   * completions are free), or when nothing was judged.
   */
  public GateResult checkImprovementOver(EvalReport baseline, double minDelta) {
    Objects.requireNonNull(baseline, "baseline");
    String gate = String.format(Locale.ROOT, "%s beats %s by ≥ %.1f points on suite %s", target,
        baseline.target, minDelta * 100, suite);
    if (!suiteFingerprint.equals(baseline.suiteFingerprint)) {
      return new GateResult(gate, false, "the reports are of different suites (" + suite + "@" + suiteFingerprint
          + " vs " + baseline.suite + "@" + baseline.suiteFingerprint + "); evaluate both targets on the same suite");
    }
    PassRate mine = passRate();
    PassRate theirs = baseline.passRate();
    String incomplete = incomplete(this, mine) + incomplete(baseline, theirs);
    if (!incomplete.isEmpty()) {
      return new GateResult(gate, false, incomplete.strip() + " An incomplete evaluation cannot promote a "
          + "model: run the suite again (cached completions are free) once the errors are fixed.");
    }
    if (mine.judged() == 0 || theirs.judged() == 0) {
      return new GateResult(gate, false, "no case was judged; nothing to compare");
    }
    double delta = mine.rate() - theirs.rate();
    int fixed = 0;
    int broken = 0;
    for (Flip f : EvalComparison.flips(baseline, this)) {
      if (f.improved()) {
        fixed++;
      } else {
        broken++;
      }
    }
    String figures = String.format(Locale.ROOT, "%s %s vs %s %s: %+.1f points (%d fixed, %d broken)",
        target, mine.format(), baseline.target, theirs.format(), delta * 100, fixed, broken);
    if (delta + 1e-9 >= minDelta) {
      return new GateResult(gate, true, figures);
    }
    return new GateResult(gate, false, figures + String.format(Locale.ROOT, "; needs %+.1f points. Keep the "
        + "baseline, or improve the training data and tune again", minDelta * 100));
  }

  /**
   * Like {@link #checkImprovementOver} but throws {@link GateFailedException} when the gate blocks.
   *
   * @return this report, for chaining
   */
  public EvalReport requireImprovementOver(EvalReport baseline, double minDelta) {
    checkImprovementOver(baseline, minDelta).orThrow();
    return this;
  }

  /** Gate: the pass rate is at least {@code minRate}, with no errored case. */
  public GateResult checkPassRate(double minRate) {
    String gate = String.format(Locale.ROOT, "%s passes ≥ %.1f%% of suite %s", target, minRate * 100, suite);
    PassRate r = passRate();
    String incomplete = incomplete(this, r);
    if (!incomplete.isEmpty()) {
      return new GateResult(gate, false, incomplete.strip() + " Run the suite again once the errors are fixed.");
    }
    boolean ok = r.judged() > 0 && r.rate() + 1e-9 >= minRate;
    return new GateResult(gate, ok, target + " " + r.format() + (ok ? "" : "; below the required rate"));
  }

  private static String incomplete(EvalReport r, PassRate rate) {
    if (rate.errors() == 0) {
      return "";
    }
    List<String> ids = r.errors().stream().map(CaseResult::id).limit(5).toList();
    return r.target + " has " + rate.errors() + " errored case(s) (" + String.join(", ", ids)
        + (rate.errors() > 5 ? ", …" : "") + "). ";
  }

  /** The report as a plain-text table, as {@link #print()} shows it. */
  public String format() {
    return ReportText.report(this);
  }

  /** Prints {@link #format()} to standard output (for JShell). */
  public void print() {
    print(System.out);
  }

  /** Prints {@link #format()} to {@code out}. */
  public void print(PrintStream out) {
    out.print(format());
    out.flush();
  }

  /** The report as JSON ({@code tunekit-eval-report/1}); summary figures are included for readers. */
  public String toJson() {
    return ReportJson.write(this);
  }

  /** Reads a report written by {@link #toJson()}. */
  public static EvalReport fromJson(String json) {
    return ReportJson.readReport(json, "eval report JSON");
  }

  /** Writes {@link #toJson()} to {@code file}. */
  public void writeJson(Path file) {
    write(file, toJson());
  }

  /** Reads a report from a file written by {@link #writeJson(Path)}. */
  public static EvalReport readJson(Path file) {
    try {
      return ReportJson.readReport(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new TunekitException("cannot read eval report " + file + ": " + e.getMessage(), e);
    }
  }

  /** One self-contained HTML page (inline CSS and SVG charts, no external resources). */
  public String toHtml() {
    return ReportHtml.render(List.of(this), List.of(), Optional.empty());
  }

  /** Writes {@link #toHtml()} to {@code file}. */
  public void writeHtml(Path file) {
    write(file, toHtml());
  }

  static void write(Path file, String text) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new TunekitException("cannot write " + file + ": " + e.getMessage() + "; choose a writable path", e);
    }
  }

  static PassRate rate(List<CaseResult> cs) {
    int p = 0;
    int f = 0;
    int e = 0;
    for (CaseResult c : cs) {
      switch (c.outcome()) {
        case PASS -> p++;
        case FAIL -> f++;
        case ERROR -> e++;
      }
    }
    return PassRate.of(p, f, e);
  }

  @Override
  public String toString() {
    return "EvalReport[" + suite + " on " + target + " (" + model + "): " + passRate().format() + "]";
  }
}
