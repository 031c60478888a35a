package dev.tunekit.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatResponse;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** The JUnit XML and Markdown summaries a CI system and a pull request read. */
class CiReportsTest {
  @TempDir Path dir;

  /** Text XML and Markdown must not take literally: markup, entities, quotes and control characters. */
  private static final String NASTY_Q = "Is 3 < 5 & \"quoted\" 'x'\u0001\u001B]]> end";
  private static final String NASTY_ANSWER = "<b>x</b> & \"y\" 'z' \u0007 | *bold* [link](http://e) @someone";

  private static final EvalSuite SUITE = EvalSuite.of("ci <suite>", List.of(
      EvalCase.of("ok", "question ok", "answer ok"),
      EvalCase.of("c<1>&\"'", NASTY_Q, "a < b && c"),
      EvalCase.of("boom", "question boom", "answer boom"))).withGrader(Graders.exactMatch());

  private static ChatModel tunedModel() {
    return r -> {
      String q = r.messages().get(r.messages().size() - 1).content();
      if (q.equals("question boom")) {
        throw new IllegalStateException("server said <no> & \"closed\"");
      }
      return new ChatResponse(r.model(), q.equals("question ok") ? "answer ok" : NASTY_ANSWER, "stop", 1, 1);
    };
  }

  private static EvalComparison comparison() {
    ChatModel baseline = r -> {
      String q = r.messages().get(r.messages().size() - 1).content();
      return new ChatResponse(r.model(), q.equals(NASTY_Q) ? "a < b && c" : "nope", "stop", 1, 1);
    };
    return EvalRunner.create().compare(SUITE, EvalTarget.of("baseline", baseline, "base"),
        EvalTarget.of("tuned", tunedModel(), "ft:base:<1>"));
  }

  private static Document parseAndValidate(String xml) throws Exception {
    var schema = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
        .newSchema(CiReportsTest.class.getResource("/junit/junit-common.xsd"));
    schema.newValidator().validate(new StreamSource(new StringReader(xml)));
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
  }

  private static Element testcase(Document doc, String name) {
    NodeList cases = doc.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      Element e = (Element) cases.item(i);
      if (e.getAttribute("name").equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no testcase " + name);
  }

  @Test
  void junitXmlIsValidEscapesEverythingAndCarriesTheGateAsASuite() throws Exception {
    EvalComparison cmp = comparison();
    GateResult gate = cmp.gated().checkImprovementOver(cmp.baseline(), 0.05);
    assertThat(gate.passed()).isFalse();   // an errored case blocks
    String xml = cmp.withGate(gate).toJUnitXml();

    assertThat(xml).doesNotContain("\u0001").doesNotContain("\u0007").doesNotContain("\u001B");
    Document doc = parseAndValidate(xml);
    Element root = doc.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("testsuites");
    assertThat(root.getAttribute("name")).isEqualTo("tunekit eval ci <suite>");
    assertThat(root.getAttribute("tests")).isEqualTo("4");
    assertThat(root.getAttribute("failures")).isEqualTo("2");   // the failed case and the gate
    assertThat(root.getAttribute("errors")).isEqualTo("1");

    NodeList suites = doc.getElementsByTagName("testsuite");
    assertThat(suites.getLength()).isEqualTo(2);
    Element cases = (Element) suites.item(0);
    assertThat(cases.getAttribute("name")).isEqualTo("ci <suite> on tuned");
    assertThat(Map.of("tests", cases.getAttribute("tests"), "failures", cases.getAttribute("failures"),
        "errors", cases.getAttribute("errors"))).isEqualTo(Map.of("tests", "3", "failures", "1", "errors", "1"));

    assertThat(testcase(doc, "ok").getChildNodes().getLength()).isZero();
    Element failed = testcase(doc, "c<1>&\"'");
    assertThat(failed.getAttribute("classname")).isEqualTo("tunekit.eval.ci <suite>");
    Element failure = (Element) failed.getElementsByTagName("failure").item(0);
    assertThat(failure.getAttribute("type")).isEqualTo("eval.fail");
    assertThat(failure.getAttribute("message")).startsWith("exact: differs at char 0");
    assertThat(failure.getTextContent()).contains(
        "question: Is 3 < 5 & \"quoted\" 'x'\\u0001\\u001B]]> end\n",
        "expected: a < b && c\n",
        "got: <b>x</b> & \"y\" 'z' \\u0007 | *bold* [link](http://e) @someone\n",
        "baseline: PASS, answered: a < b && c");
    Element error = (Element) testcase(doc, "boom").getElementsByTagName("error").item(0);
    assertThat(error.getAttribute("message")).contains("server said <no> & \"closed\"");

    Element gateSuite = (Element) suites.item(1);
    assertThat(gateSuite.getAttribute("name")).isEqualTo("gate");
    assertThat(gateSuite.getAttribute("failures")).isEqualTo("1");
    Element gateCase = (Element) gateSuite.getElementsByTagName("testcase").item(0);
    assertThat(gateCase.getAttribute("name")).isEqualTo(gate.gate());
    Element blocked = (Element) gateCase.getElementsByTagName("failure").item(0);
    assertThat(blocked.getAttribute("type")).isEqualTo("gate.blocked");
    assertThat(blocked.getAttribute("message")).isEqualTo(gate.message());
  }

  @Test
  void attributeValuesKeepLineBreaksAndTabs() throws Exception {
    String value = "line 1\nline 2\r\n\ttabbed & \"q\" 'a' <x>";
    String xml = "<testsuite name=\"" + ReportJUnit.attr(value) + "\" tests=\"0\" failures=\"0\" errors=\"0\"/>";
    Document doc = parseAndValidate(xml);
    assertThat(doc.getDocumentElement().getAttribute("name")).isEqualTo(value);
    assertThat(ReportJUnit.text("a\uD83D\uDE00b\uD800c\uFFFF")).isEqualTo("a\uD83D\uDE00b\\uD800c\\uFFFF");
  }

  @Test
  void aPromotedGatePassesAndNoGateIsSkipped() throws Exception {
    EvalSuite suite = EvalSuite.of("s", EvalCase.of("a", "qa", "ra"), EvalCase.of("b", "qb", "rb"))
        .withGrader(Graders.exactMatch());
    ChatModel right = r -> new ChatResponse(r.model(),
        r.messages().get(r.messages().size() - 1).content().replace('q', 'r'), "stop", 1, 1);
    ChatModel wrong = r -> new ChatResponse(r.model(), "?", "stop", 1, 1);
    EvalComparison cmp = EvalRunner.create().compare(suite, EvalTarget.of("baseline", wrong, "m"),
        EvalTarget.of("tuned", right, "ft"));

    Document promoted = parseAndValidate(cmp.withGate(cmp.gated().checkImprovementOver(cmp.baseline(), 0.05))
        .toJUnitXml());
    assertThat(promoted.getDocumentElement().getAttribute("failures")).isEqualTo("0");
    assertThat(promoted.getElementsByTagName("failure").getLength()).isZero();
    assertThat(promoted.getElementsByTagName("system-out").item(0).getTextContent()).contains("+100.0 points");

    Document none = parseAndValidate(cmp.toJUnitXml());
    Element skipped = (Element) none.getElementsByTagName("skipped").item(0);
    assertThat(skipped.getAttribute("message")).isEqualTo("no gate was applied");

    Path file = dir.resolve("out/junit.xml");
    cmp.writeJUnitXml(file);
    assertThat(Files.readString(file)).isEqualTo(cmp.toJUnitXml());
  }

  @Test
  void markdownSummaryShowsTheDecisionAndRendersCaseTextInert() throws Exception {
    EvalComparison cmp = comparison();
    GateResult gate = cmp.gated().checkImprovementOver(cmp.baseline(), 0.05);
    String md = cmp.withGate(gate).toMarkdown();

    assertThat(md).startsWith("### Tunekit eval: ❌ blocked — suite ci &lt;suite\\>\n");
    assertThat(md).contains("| target | model | pass rate | passed | failed | errors |")
        .contains("| tuned | ft:base:&lt;1\\> | ")
        .contains("tuned vs baseline: 1 case(s) fixed, 1 broken.");
    // The broken case, on one line, with no live markup, link, HTML or mention.
    String broken = md.lines().filter(l -> l.startsWith("- c")).findFirst().orElseThrow();
    assertThat(broken).isEqualTo("- c&lt;1\\>&amp;\"': expected a &lt; b &amp;&amp; c; got &lt;b\\>x&lt;/b\\> &amp; \"y\""
        + " 'z'  \\| \\*bold\\* \\[link\\](http://e) @\u200Bsomeone");
    assertThat(md).doesNotContain("\u0007").doesNotContain("<b>");
    assertThat(md.lines().filter(l -> l.startsWith("|")).count()).isEqualTo(4);   // header, rule, two targets

    Path file = dir.resolve("summary.md");
    cmp.writeMarkdown(file);
    assertThat(Files.readString(file)).isEqualTo(cmp.toMarkdown());
  }
}
