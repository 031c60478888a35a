package dev.tunekit.eval;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.TunekitException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reports of one suite on two or more targets, side by side. The first is the baseline: flipped
 * cases are counted against it.
 *
 * <pre>{@code
 * EvalComparison cmp = runner.compare(suite, baseline, tuned);
 * cmp.print();                                 // pass rates side by side, then flipped cases
 * cmp.writeHtml(Path.of("eval.html"));
 * cmp.writeJUnitXml(Path.of("eval-junit.xml"));  // for CI; toMarkdown() for a pull-request comment
 * }</pre>
 */
public final class EvalComparison {
  private final List<EvalReport> reports;
  private final Optional<RunContext> run;
  private final Optional<GateResult> gate;

  private EvalComparison(List<EvalReport> reports) {
    this(reports, Optional.empty(), Optional.empty());
  }

  private EvalComparison(List<EvalReport> reports, Optional<RunContext> run, Optional<GateResult> gate) {
    if (reports.size() < 2) {
      throw new InvalidInputException("a comparison needs at least two reports, got " + reports.size());
    }
    String fp = reports.get(0).suiteFingerprint();
    Set<String> names = new HashSet<>();
    for (EvalReport r : reports) {
      if (!r.suiteFingerprint().equals(fp)) {
        throw new InvalidInputException("cannot compare reports of different suites: " + reports.get(0).suite()
            + "@" + fp + " vs " + r.suite() + "@" + r.suiteFingerprint() + "; run every target on the same suite");
      }
      if (!names.add(r.target())) {
        throw new InvalidInputException("two reports are for target '" + r.target() + "'; targets must differ");
      }
    }
    this.reports = List.copyOf(reports);
    this.run = Objects.requireNonNull(run, "run");
    this.gate = Objects.requireNonNull(gate, "gate");
  }

  /** Compares {@code baseline} with {@code others}. */
  public static EvalComparison of(EvalReport baseline, EvalReport... others) {
    List<EvalReport> all = new ArrayList<>();
    all.add(Objects.requireNonNull(baseline, "baseline"));
    all.addAll(List.of(others));
    return new EvalComparison(all);
  }

  /** Compares the reports; the first is the baseline. */
  public static EvalComparison of(List<EvalReport> reports) {
    return new EvalComparison(reports);
  }

  /** The reports, baseline first. */
  public List<EvalReport> reports() {
    return reports;
  }

  /** The baseline's report. */
  public EvalReport baseline() {
    return reports.get(0);
  }

  /** The report of the target named {@code target}. */
  public EvalReport report(String target) {
    return reports.stream().filter(r -> r.target().equals(target)).findFirst()
        .orElseThrow(() -> new InvalidInputException("no report for target '" + target + "'; the targets are "
            + reports.stream().map(EvalReport::target).toList()));
  }

  /**
   * The run these reports come from, when known: a comparison from {@code run.evaluation()} carries
   * it, and its HTML page and JSON show the run id and training configuration.
   */
  public Optional<RunContext> run() {
    return run;
  }

  /** A copy carrying {@code run} (see {@link #run()}). */
  public EvalComparison withRun(RunContext run) {
    return new EvalComparison(reports, Optional.of(Objects.requireNonNull(run, "run")), gate);
  }

  /**
   * The promotion gate's decision on these reports, when attached: a comparison from
   * {@code run.evaluation()} carries the run's recorded decision. The HTML page and JSON show it with
   * its figures; without one they say there is no gate (or, for a gated run, that it is not decided yet).
   */
  public Optional<GateResult> gate() {
    return gate;
  }

  /** A copy carrying {@code gate}, for instance {@code cmp.withGate(tuned.checkImprovementOver(base, 0.05))}. */
  public EvalComparison withGate(GateResult gate) {
    return new EvalComparison(reports, run, Optional.of(Objects.requireNonNull(gate, "gate")));
  }

  /** Every case that flipped between the baseline and another target, target by target. */
  public List<Flip> flips() {
    List<Flip> out = new ArrayList<>();
    for (EvalReport r : reports.subList(1, reports.size())) {
      out.addAll(flips(baseline(), r));
    }
    return out;
  }

  static List<Flip> flips(EvalReport baseline, EvalReport other) {
    Map<String, CaseResult> before = baseline.cases().stream()
        .collect(Collectors.toMap(CaseResult::id, Function.identity(), (a, b) -> a));
    List<Flip> out = new ArrayList<>();
    for (CaseResult after : other.cases()) {
      CaseResult b = before.get(after.id());
      if (b == null || b.outcome() == Outcome.ERROR || after.outcome() == Outcome.ERROR
          || b.outcome() == after.outcome()) {
        continue;
      }
      out.add(new Flip(after.id(), baseline.target(), other.target(), b.outcome(), after.outcome(),
          after.expected(), b.output(), after.output()));
    }
    return out;
  }

  /** The comparison as a plain-text table, as {@link #print()} shows it. */
  public String format() {
    return ReportText.comparison(this);
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

  /** The comparison as JSON ({@code tunekit-eval-comparison/1}): every report, then the flips. */
  public String toJson() {
    return ReportJson.write(this);
  }

  /** Reads a comparison written by {@link #toJson()}, with its run and gate when it has them. */
  public static EvalComparison fromJson(String json) {
    return read(json, "eval comparison JSON");
  }

  private static EvalComparison read(String json, String source) {
    ReportJson.Comparison c = ReportJson.readComparison(json, source);
    return new EvalComparison(c.reports(), c.run(), c.gate());
  }

  /** Writes {@link #toJson()} to {@code file}. */
  public void writeJson(Path file) {
    EvalReport.write(file, toJson());
  }

  /** Reads a comparison from a file written by {@link #writeJson(Path)}. */
  public static EvalComparison readJson(Path file) {
    try {
      return read(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new TunekitException("cannot read eval comparison " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * One self-contained HTML page: the gate's decision with its figures, the run and its training
   * configuration (when {@link #run() known}), pass rates per target, loss curves when known, flips, and
   * every case's question next to what was expected and what each target answered, with only the
   * differing part of a wrong answer marked.
   */
  public String toHtml() {
    return ReportHtml.render(reports, flips(), Optional.of(this));
  }

  /**
   * The tuned side of the gate: the report of target {@code tuned} if there is one, else the second.
   */
  EvalReport gated() {
    return reports.stream().filter(r -> r.target().equals("tuned")).findFirst().orElse(reports.get(1));
  }

  /** {@code promoted}, {@code blocked}, {@code pending} (gated run, not decided yet) or {@code none}. */
  String decision() {
    if (gate.isPresent()) {
      return gate.get().passed() ? "promoted" : "blocked";
    }
    return run.isPresent() && run.get().gateMinImprovement().isPresent() ? "pending" : "none";
  }

  /** Writes {@link #toHtml()} to {@code file}. */
  public void writeHtml(Path file) {
    EvalReport.write(file, toHtml());
  }

  /**
   * The comparison as JUnit XML for CI systems (Jenkins, GitLab, GitHub Actions test reporters): one test
   * case per eval case of the gated (tuned) target, a failure or error for each case it failed or could not
   * answer (with the question, the expected and actual answer, each grader's verdict and the baseline's
   * outcome), and a test suite named {@code gate} whose one test case is the promotion decision: a failure
   * when the gate blocked, skipped when there is no gate.
   */
  public String toJUnitXml() {
    return ReportJUnit.write(this);
  }

  /** Writes {@link #toJUnitXml()} to {@code file}. */
  public void writeJUnitXml(Path file) {
    EvalReport.write(file, toJUnitXml());
  }

  /**
   * A short Markdown summary for a pull-request comment: the gate's decision and figures, pass rates side
   * by side, and the first cases the tuned model broke. Case text is escaped so it renders as plain text.
   */
  public String toMarkdown() {
    return ReportMarkdown.write(this);
  }

  /** Writes {@link #toMarkdown()} to {@code file}. */
  public void writeMarkdown(Path file) {
    EvalReport.write(file, toMarkdown());
  }

  @Override
  public String toString() {
    return "EvalComparison" + reports.stream().map(r -> r.target() + "=" + r.passRate().format()).toList();
  }
}
