package dev.tunekit.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Secret;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What the HTML page (and the JSON beside it) of a run's comparison tells a reader. */
class ReportPageTest {
  private static final String SYSTEM = "Translate the question into the query DSL.";

  private static final EvalSuite SUITE = EvalSuite.of("orders", IntStream.range(0, 4)
      .mapToObj(i -> new EvalCase("q" + i, List.of(ChatMessage.system(SYSTEM),
          ChatMessage.user("Products under " + (10 * i) + " & cheap, i=" + i)),
          Optional.of("FIND products WHERE price < " + (10 * i) + " SORT BY price ASC"), List.of(), Map.of()))
      .toList()).withGrader(Graders.exactMatch());

  /** Right on the cases in {@code right}; else the price is wrong and a {@code <script>} follows. */
  private static ChatModel answers(int... right) {
    return r -> {
      String q = r.messages().get(r.messages().size() - 1).content();
      int i = Integer.parseInt(q.substring(q.indexOf("i=") + 2));
      boolean ok = IntStream.of(right).anyMatch(x -> x == i);
      String text = ok ? "FIND products WHERE price < " + (10 * i) + " SORT BY price ASC"
          : "FIND products WHERE price < 99 SORT BY price ASC <script>alert(1)</script> & more";
      return new ChatResponse(r.model(), text, "stop", 1, 1);
    };
  }

  private static EvalComparison compare() {
    return EvalRunner.create().compare(SUITE, EvalTarget.of("baseline", answers(0), "local-base"),
        EvalTarget.of("tuned", answers(0, 1, 2), "ft:local-base:quickstart:1"));
  }

  private static RunContext context(Map<String, String> settings) {
    return new RunContext("run-20261202-abc123", "local", "local-base", Optional.of("ft:local-base:quickstart:1"),
        Optional.of("ftjob-7"), Instant.parse("2026-12-02T10:15:30Z"), settings, Optional.of("train.jsonl"),
        OptionalLong.of(300), Optional.of("validation.jsonl"), OptionalLong.of(40), OptionalDouble.of(0.05),
        List.of(ChatMessage.system("Few-shot: Q: cheap <things> A: FIND products")));
  }

  private static Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("epochs", "3");
    s.put("learningRateMultiplier", "0.5");
    s.put("warmupToken", RunContext.settingText(Secret.of("sk-canary-9f8e7d")));
    s.put("suffix", "quickstart");
    return s;
  }

  @Test
  void showsTheGateDecisionWithItsFiguresAndTheRunAndItsTrainingConfiguration() {
    EvalComparison plain = compare();
    GateResult gate = plain.report("tuned").checkImprovementOver(plain.baseline(), 0.05);
    EvalComparison cmp = plain.withRun(context(settings())).withGate(gate);
    String html = cmp.toHtml();

    assertThat(gate.passed()).isTrue();
    assertThat(html).contains("<div class=\"decision promoted\"><b>Promoted</b>");
    assertThat(html).contains(esc(gate.gate())).contains(esc(gate.message()));
    // tuned 3 of 4, baseline 1 of 4: +50 points against a required +5
    assertThat(html).containsPattern("<th>baseline</th><td>baseline</td><td>local-base</td>"
        + "<td class=\"num\">25\\.0%</td><td class=\"num\">1</td><td class=\"num\">4</td><td class=\"num\">0</td>");
    assertThat(html).containsPattern("<th>tuned</th><td>tuned</td><td>ft:local-base:quickstart:1</td>"
        + "<td class=\"num\">75\\.0%</td><td class=\"num\">3</td><td class=\"num\">4</td>");
    assertThat(html).contains("<th>difference</th><td class=\"num\">+50.0 points</td>")
        .contains("<th>margin required</th><td class=\"num\">+5.0 points</td>");

    assertThat(html).contains("<th>run id</th><td>run-20261202-abc123</td>")
        .contains("<th>provider</th><td>local</td>")
        .contains("<th>base model</th><td>local-base</td>")
        .contains("<th>fine-tuned model</th><td>ft:local-base:quickstart:1</td>")
        .contains("<th>created</th><td>2026-12-02T10:15:30Z</td>")
        .contains("<th>training data</th><td>train.jsonl (300 examples)</td>")
        .contains("<th>validation data</th><td>validation.jsonl (40 examples)</td>")
        .contains("<th>epochs</th><td>3</td>")
        .contains("<th>learningRateMultiplier</th><td>0.5</td>");
    assertThat(html).contains("<th>warmupToken</th><td>[redacted]</td>").doesNotContain("sk-canary-9f8e7d");
    assertThat(html).contains("<th>baseline prompt</th><td><details><summary>1 message sent before each case")
        .contains("<pre>Few-shot: Q: cheap &lt;things&gt; A: FIND products</pre>");
    assertThat(cmp.toJson()).doesNotContain("sk-canary-9f8e7d");

    // A blocked gate says so, and a comparison without one says there is none.
    GateResult blocked = plain.report("tuned").checkImprovementOver(plain.baseline(), 0.6);
    assertThat(plain.withRun(context(settings())).withGate(blocked).toHtml())
        .contains("<div class=\"decision blocked\"><b>Blocked</b>").contains("+60.0 points");
    assertThat(plain.toHtml()).contains("<div class=\"decision none\"><b>No gate</b>")
        .doesNotContain("<th>run id</th>");
    assertThat(plain.withRun(context(settings())).toHtml()).contains("decision pending");
  }

  @Test
  void showsEachQuestionNextToExpectedAndBothAnswersAndMarksOnlyTheWrongPart() {
    String html = compare().withRun(context(settings())).toHtml();
    for (int i = 0; i < 4; i++) {
      assertThat(html).contains("<pre>Products under " + (10 * i) + " &amp; cheap, i=" + i + "</pre>");
    }
    // The shared system prompt is there once, collapsed.
    assertThat(html).contains("<details class=\"ctx\"><summary>Every case starts with the same system prompt")
        .contains(SYSTEM);
    assertThat(html.split(SYSTEM, -1)).hasSize(2);
    assertThat(html).contains("<th>baseline <span class=\"meta\">local-base</span></th>")
        .contains("<th>tuned <span class=\"meta\">ft:local-base:quickstart:1</span></th>");
    // q3 is wrong on both: only the price and the trailing junk are marked, escaped.
    String wrong = "FIND products WHERE price &lt; <del>30</del><ins>99</ins> SORT BY price ASC"
        + "<ins> &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</ins>";
    assertThat(html).contains("<pre class=\"diff\">" + wrong + "</pre>");
    assertThat(html).doesNotContain("<script>").doesNotContain("& more");
    // A right answer is shown as is.
    assertThat(html).contains("<span class=\"o pass\">PASS</span><pre>FIND products WHERE price &lt; 10 SORT BY");
  }

  @Test
  void tokenDiffMarksOnlyWhatDiffers() {
    assertThat(ReportHtml.diff("SORT BY price ASC", "SORT BY price DESC")).isEqualTo(
        "SORT BY price <del>ASC</del><ins>DESC</ins>");
    assertThat(ReportHtml.diff("a b c", "a x b c")).isEqualTo("a <ins>x </ins>b c");
    assertThat(ReportHtml.diff("same", "same")).isEqualTo("same");
    assertThat(ReportHtml.diff("", "<b>")).isEqualTo("<ins>&lt;b&gt;</ins>");
    assertThat(ReportHtml.diff("x & y", "")).isEqualTo("<del>x &amp; y</del>");
    // An unrelated answer is one change, not shredded around the spaces it shares.
    assertThat(ReportHtml.diff("answer 5", "no idea")).isEqualTo("<del>answer 5</del><ins>no idea</ins>");
  }

  @Test
  void veryLongTextsFallBackToTrimmingTheCommonEnds() {
    // 20k differing tokens each side: a full LCS table would be 4·10^8 cells; trimming the ends is linear.
    String head = "word ".repeat(10_000);
    String a = head + "left " + "x ".repeat(10_000);
    String b = head + "right " + "y ".repeat(10_000);
    String d = ReportHtml.diff(a, b);
    assertThat(d).startsWith(head).contains("<del>left ").contains("<ins>right ");
    assertThat(ReportHtml.diff(a + "end", a.replace("left", "LEFT") + "end"))
        .contains("<del>left</del><ins>LEFT</ins>").endsWith("end");
  }

  @Test
  void theJsonCarriesTheGateAndTheRunAndReadsThemBack() {
    EvalComparison plain = compare();
    GateResult gate = plain.report("tuned").checkImprovementOver(plain.baseline(), 0.05);
    EvalComparison cmp = plain.withRun(context(settings())).withGate(gate);
    String json = cmp.toJson();
    assertThat(json).contains("\"decision\" : \"promoted\"").contains("\"difference\" : 0.5")
        .contains("\"minImprovement\" : 0.05").contains("\"runId\" : \"run-20261202-abc123\"")
        .contains("\"baseModel\" : \"local-base\"").contains("\"epochs\" : \"3\"")
        .contains("\"trainingExamples\" : 300");
    EvalComparison back = EvalComparison.fromJson(json);
    assertThat(back.gate()).contains(gate);
    assertThat(back.run()).contains(context(settings()));
    assertThat(back.toHtml()).contains("<th>run id</th><td>run-20261202-abc123</td>");
    assertThat(EvalComparison.fromJson(plain.toJson()).run()).isEmpty();
    assertThat(plain.toJson()).contains("\"decision\" : \"none\"");
  }

  private static String esc(String s) {
    return ReportHtml.esc(s);
  }
}
