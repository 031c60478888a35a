package dev.tunekit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.MetricPoint;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalReportTest {
  @TempDir Path dir;

  private static final EvalSuite SUITE = EvalSuite.of("numbers", IntStream.range(0, 10)
      .mapToObj(i -> EvalCase.of("c" + i, "question " + i, "answer " + i, i < 5 ? "low" : "high"))
      .toList()).withGrader(Graders.exactMatch());

  /** Answers case i correctly when i is in {@code right}, else wrongly. */
  private static ChatModel knows(Set<Integer> right) {
    return r -> {
      String q = r.messages().get(r.messages().size() - 1).content();
      int i = Integer.parseInt(q.substring(q.lastIndexOf(' ') + 1));
      return new ChatResponse(r.model(), right.contains(i) ? "answer " + i : "no idea <b>&</b>", "stop", 1, 1);
    };
  }

  private static EvalComparison compare() {
    EvalTarget baseline = EvalTarget.of("baseline", knows(Set.of(0, 1, 2, 3, 4, 5)), "base");
    EvalTarget tuned = EvalTarget.of("tuned", knows(Set.of(0, 1, 2, 3, 4, 6, 7, 8, 9)), "ft:base:1");
    return EvalRunner.create().compare(SUITE, baseline, tuned);
  }

  @Test
  void wilsonIntervalMatchesTheFormula() {
    PassRate p = PassRate.of(8, 2, 1);
    assertThat(p.rate()).isEqualTo(0.8);
    assertThat(p.low()).isCloseTo(0.490162, within(1e-6));
    assertThat(p.high()).isCloseTo(0.943318, within(1e-6));
    assertThat(p.judged()).isEqualTo(10);
    assertThat(p.total()).isEqualTo(11);
    assertThat(PassRate.of(0, 10, 0).high()).isCloseTo(0.277533, within(1e-6));
    assertThat(PassRate.of(10, 0, 0).low()).isCloseTo(0.722467, within(1e-6));
    assertThat(PassRate.of(45, 5, 0).low()).isCloseTo(0.786398, within(1e-6));
    assertThat(PassRate.of(45, 5, 0).high()).isCloseTo(0.956524, within(1e-6));
    assertThat(p.format()).isEqualTo("80.0% [49.0–94.3] (8/10, 1 error)");
  }

  @Test
  void nothingJudgedHasNoRateAndTheWidestInterval() {
    PassRate p = PassRate.of(0, 0, 3);
    assertThat(p.rate()).isNaN();
    assertThat(p.low()).isZero();
    assertThat(p.high()).isEqualTo(1.0);
    assertThat(p.format()).isEqualTo("n/a (0 judged, 3 errors)");
  }

  @Test
  void passRatesPerGraderAndPerTag() {
    EvalReport tuned = compare().report("tuned");
    assertThat(tuned.passRate().passed()).isEqualTo(9);
    assertThat(tuned.passRateByGrader()).containsOnlyKeys("exact");
    assertThat(tuned.passRateByTag().get("low").passed()).isEqualTo(5);
    assertThat(tuned.passRateByTag().get("high").passed()).isEqualTo(4);
    assertThat(tuned.passRateByTag().get("high").failed()).isEqualTo(1);
  }

  @Test
  void flippedCasesAreListedAgainstTheBaseline() {
    EvalComparison cmp = compare();
    assertThat(cmp.flips()).extracting(f -> f.caseId() + ":" + f.before() + "->" + f.after())
        .containsExactly("c5:PASS->FAIL", "c6:FAIL->PASS", "c7:FAIL->PASS", "c8:FAIL->PASS", "c9:FAIL->PASS");
    Flip c5 = cmp.flips().get(0);
    assertThat(c5.improved()).isFalse();
    assertThat(c5.expected()).contains("answer 5");
    assertThat(c5.baselineOutput()).contains("answer 5");
    assertThat(c5.targetOutput()).contains("no idea <b>&</b>");
    assertThat(cmp.format()).contains("Flipped baseline → tuned: 4 fixed, 1 broken").contains("- c5  PASS → FAIL");
  }

  @Test
  void gatePassesWhenTheTunedModelBeatsTheBaselineByTheMargin() {
    EvalComparison cmp = compare();
    GateResult g = cmp.report("tuned").checkImprovementOver(cmp.baseline(), 0.05);
    assertThat(g.passed()).isTrue();
    assertThat(g.gate()).isEqualTo("tuned beats baseline by ≥ 5.0 points on suite numbers");
    assertThat(g.message()).isEqualTo("tuned 90.0% [59.6–98.2] (9/10) vs baseline 60.0% [31.3–83.2] (6/10): "
        + "+30.0 points (4 fixed, 1 broken)");
    assertThat(g.orThrow()).isSameAs(g);
  }

  @Test
  void gateBlocksWithAClearMessageWhenTheMarginIsNotMet() {
    EvalComparison cmp = compare();
    assertThatThrownBy(() -> cmp.report("tuned").requireImprovementOver(cmp.baseline(), 0.40))
        .isInstanceOf(GateFailedException.class)
        .hasMessage("promotion blocked — tuned beats baseline by ≥ 40.0 points on suite numbers: tuned 90.0% "
            + "[59.6–98.2] (9/10) vs baseline 60.0% [31.3–83.2] (6/10): +30.0 points (4 fixed, 1 broken); needs "
            + "+40.0 points. Keep the baseline, or improve the training data and tune again")
        .satisfies(e -> assertThat(((GateFailedException) e).result().passed()).isFalse());
    GateResult worse = cmp.baseline().checkImprovementOver(cmp.report("tuned"), 0.0);
    assertThat(worse.passed()).isFalse();
    assertThat(worse.message()).contains("-30.0 points");
  }

  @Test
  void gateBlocksWhenACaseErrored() {
    ChatModel broken = r -> {
      throw new IllegalStateException("connection reset");
    };
    EvalReport failing = EvalRunner.create().run(SUITE, EvalTarget.of("tuned", broken, "m"));
    EvalReport base = compare().baseline();
    GateResult g = failing.checkImprovementOver(base, 0.0);
    assertThat(g.passed()).isFalse();
    assertThat(g.message()).startsWith("tuned has 10 errored case(s) (c0, c1, c2, c3, c4, …).")
        .contains("An incomplete evaluation cannot promote a model");
  }

  @Test
  void gateRefusesReportsOfDifferentSuites() {
    EvalReport base = compare().baseline();
    EvalSuite other = SUITE.withTags("low");
    EvalReport tuned = EvalRunner.create().run(other, EvalTarget.of("tuned", knows(Set.of(0, 1)), "m"));
    GateResult g = tuned.checkImprovementOver(base, 0.0);
    assertThat(g.passed()).isFalse();
    assertThat(g.message()).contains("different suites");
    assertThatThrownBy(() -> EvalComparison.of(base, tuned)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void absolutePassRateGate() {
    EvalReport tuned = compare().report("tuned");
    assertThat(tuned.checkPassRate(0.9).passed()).isTrue();
    assertThat(tuned.checkPassRate(0.95).passed()).isFalse();
  }

  @Test
  void reportJsonRoundTripsExactly() {
    List<MetricPoint> curve = List.of(MetricPoint.trainLoss(1, 2.5),
        new MetricPoint(2, OptionalDouble.of(1.5), OptionalDouble.of(1.7), OptionalDouble.empty(), OptionalDouble.of(0.6)));
    EvalReport r = compare().report("tuned").withTrainingMetrics(curve);
    String json = r.toJson();
    assertThat(json).contains("\"format\" : \"tunekit-eval-report/1\"").contains("\"passRate\"");
    EvalReport back = EvalReport.fromJson(json);
    assertThat(back).isEqualTo(r);
    assertThat(back.passRate()).isEqualTo(r.passRate());
    r.writeJson(dir.resolve("out/report.json"));
    assertThat(EvalReport.readJson(dir.resolve("out/report.json"))).isEqualTo(r);
  }

  @Test
  void comparisonJsonRoundTrips() {
    EvalComparison cmp = compare();
    EvalComparison back = EvalComparison.fromJson(cmp.toJson());
    assertThat(back.reports()).isEqualTo(cmp.reports());
    assertThat(back.flips()).isEqualTo(cmp.flips());
  }

  @Test
  void malformedReportJsonIsAClearError() {
    assertThatThrownBy(() -> EvalReport.fromJson("{\"format\":\"something-else\"}"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not an eval report");
    assertThatThrownBy(() -> EvalReport.fromJson("{oops")).hasMessageContaining("not valid JSON");
  }

  @Test
  void htmlIsSelfContainedWithChartsAndEscapedOutputs() {
    List<MetricPoint> curve = IntStream.rangeClosed(1, 20)
        .mapToObj(s -> new MetricPoint(s, OptionalDouble.of(3.0 / s), s % 5 == 0 ? OptionalDouble.of(3.2 / s)
            : OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty()))
        .toList();
    EvalComparison base = compare();
    EvalComparison cmp = EvalComparison.of(base.baseline(), base.report("tuned").withTrainingMetrics(curve));
    String html = cmp.toHtml();
    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    assertThat(html).contains("aria-label=\"pass rate per target\"").contains("aria-label=\"training and validation loss\"");
    assertThat(html).containsPattern("<rect [^>]*width=\"378\\.0\"");
    assertThat(html).contains("stroke-dasharray").contains("<circle");
    assertThat(html).contains("Flipped cases").contains("c5").contains("no idea &lt;b&gt;&amp;&lt;/b&gt;");
    assertThat(html).doesNotContain("<b>&</b>");
    assertThat(html).doesNotContainPattern("(?i)(https?:)?//[a-z0-9]");
    assertThat(html).doesNotContainPattern("(?i)<(script|link|img|iframe)\\b");
    cmp.writeHtml(dir.resolve("eval.html"));
    assertThat(dir.resolve("eval.html")).exists();
  }

  @Test
  void singleReportHtmlHasThePassRateChartAndDiffs() {
    String html = compare().report("tuned").toHtml();
    assertThat(html).contains("aria-label=\"pass rate per target\"").doesNotContain("training and validation loss");
    assertThat(html).contains("<del>answer 5</del>").contains("<ins>no idea &lt;b&gt;&amp;&lt;/b&gt;</ins>");
  }

  @Test
  void printedTableShowsRatesAndFailures() {
    String text = compare().report("tuned").format();
    assertThat(text).contains("Suite numbers on tuned (model ft:base:1, provider tuned)")
        .contains("overall").contains("90.0% [59.6–98.2] (9/10)")
        .contains("grader exact").contains("tag high").contains("FAIL  c5")
        .contains("expected: answer 5").contains("got:      no idea <b>&</b>");
  }
}
