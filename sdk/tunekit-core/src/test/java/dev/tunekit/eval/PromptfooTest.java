package dev.tunekit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptfooTest {
  @TempDir Path dir;

  static final GraderRegistry JUDGED = GraderRegistry.builtIn()
      .withJudge(r -> new ChatResponse("j", "{\"score\":0.8,\"pass\":true,\"reason\":\"ok\"}", "stop", 1, 1), "judge-1");

  static final String CONFIG = """
      description: support bot
      prompts:
        - "Answer briefly: {{question}}"
      providers: [openai:gpt-4o-mini]
      defaultTest:
        vars:
          tone: polite
        assert:
          - type: not-icontains
            value: as an ai
      tests:
        - description: greeting
          vars:
            question: Say hello in a {{tone}} way
            expected: Hello!
          assert:
            - type: equals
              value: "{{expected}}"
            - type: contains-any
              value: [Hello, Hi]
            - type: levenshtein
              value: Hello there
              threshold: 6
          metadata:
            tags: [smalltalk]
            owner: team-a
        - vars:
            question: Give the order as JSON
          assert:
            - type: is-json
              value: {type: object, required: [order]}
            - type: contains-json
            - type: not-regex
              value: "error"
            - type: llm-rubric
              value: Mentions the order number
              threshold: 0.5
        - description: weighted
          vars:
            question: Name three colours
          threshold: 0.6
          assert:
            - type: contains-all
              value: "red, green"
              weight: 2
            - type: starts-with
              value: "Red"
              weight: 0
            - type: not-equals
              value: "{\\"a\\": 1}"
      """;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static CaseResult grade(EvalSuite s, String caseId, String output) {
    EvalCase c = s.cases().stream().filter(x -> x.id().equals(caseId)).findFirst().orElseThrow();
    return EvalRunner.grade(s, c, output, Duration.ZERO, false);
  }

  /** What makes two suites grade alike: name, cases, and every grader's name and spec. */
  static Map<String, Object> shape(EvalSuite s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("cases", s.cases());
    m.put("graders", s.graders().stream().map(g -> g.name() + "=" + GraderSpec.of(g).orElseThrow()).toList());
    for (EvalCase c : s.cases()) {
      m.put("graders:" + c.id(), s.caseGraders(c.id()).stream()
          .map(g -> g.name() + "=" + GraderSpec.of(g).orElseThrow()).toList());
    }
    m.put("fingerprint", s.fingerprint());
    return m;
  }

  @Test
  void loadsTestsVarsPromptsDefaultTestAndAssertionsAsGraders() throws IOException {
    EvalSuite s = Promptfoo.load(write("promptfooconfig.yaml", CONFIG), JUDGED);

    assertThat(s.name()).isEqualTo("support bot");
    assertThat(s.cases()).extracting(EvalCase::id).containsExactly("greeting", "test-2", "weighted");
    EvalCase greeting = s.cases().get(0);
    // vars fill the prompt's placeholders as written (a var's own text is not rendered again)
    assertThat(greeting.messages()).containsExactly(ChatMessage.user("Answer briefly: Say hello in a {{tone}} way"));
    assertThat(greeting.expected()).contains("Hello!");
    assertThat(greeting.tags()).containsExactly("smalltalk");
    assertThat(greeting.metadata()).containsEntry("owner", "team-a");
    // weights anywhere: promptfoo's weighted score, so defaultTest's assertions join each test's
    assertThat(s.graders()).isEmpty();
    assertThat(s.caseGraders("weighted")).extracting(Grader::name).containsExactly("weighted");
    assertThat(grade(s, "greeting", "Hello!").outcome()).isEqualTo(Outcome.PASS);
    assertThat(grade(s, "greeting", "Hello! As an AI I greet").outcome()).isEqualTo(Outcome.FAIL);
    assertThat(grade(s, "greeting", "Hello").outcome()).isEqualTo(Outcome.FAIL); // equals is exact
    assertThat(grade(s, "test-2", "{\"order\": 7}").outcome()).isEqualTo(Outcome.PASS);
    assertThat(grade(s, "test-2", "{\"id\": 7}").outcome()).isEqualTo(Outcome.FAIL);
    // threshold 0.6: contains-all (weight 2) and not-icontains pass, starts-with (weight 0) fails → passes
    CaseResult w = grade(s, "weighted", "red, green and blue");
    assertThat(w.outcome()).isEqualTo(Outcome.PASS);
    assertThat(w.grades().get(0).reason()).startsWith("weighted score 1.00 (threshold 0.60)");
    CaseResult low = grade(s, "weighted", "blue and green"); // contains-all fails: (1 + 0 + 0 + 1) / 4 < 0.6
    assertThat(low.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(low.grades().get(0).score()).isEqualTo(0.5);
  }

  @Test
  void withoutWeightsDefaultTestAssertionsAreTheSuitesGraders() throws IOException {
    EvalSuite s = Promptfoo.load(write("plain.yaml", """
        prompts: ["{{q}}"]
        defaultTest:
          assert:
            - type: icontains
              value: ok
        tests:
          - vars: {q: one}
          - vars: {q: two}
            assert:
              - type: not-contains
                value: bad
        """));
    assertThat(s.name()).isEqualTo("plain");
    assertThat(s.graders()).extracting(Grader::name).containsExactly("icontains");
    assertThat(s.caseGraders("test-2")).extracting(Grader::name).containsExactly("not-contains");
  }

  @Test
  void severalPromptsMakeOneCasePerTestAndPromptAndChatPromptsAreConversations() throws IOException {
    EvalSuite s = Promptfoo.load(write("two.yaml", """
        prompts:
          - "Q: {{q}}"
          - label: chat
            raw: '[{"role": "system", "content": "Be terse."}, {"role": "user", "content": "{{q}}"}]'
        tests:
          - description: t
            vars: {q: "why \\"so\\"?"}
            assert: [{type: contains, value: x}]
        """));
    assertThat(s.cases()).extracting(EvalCase::id).containsExactly("t @ prompt-1", "t @ chat");
    assertThat(s.cases().get(1).messages()).containsExactly(ChatMessage.system("Be terse."),
        ChatMessage.user("why \"so\"?"));
  }

  @Test
  void filePromptsAreReadRelativeToTheConfigAndCodePromptsAreRefused() throws IOException {
    write("ask.txt", "Context: {{ctx}}\nQuestion: {{q}}");
    EvalSuite s = Promptfoo.load(write("files.yaml", """
        prompts: [file://ask.txt]
        defaultTest: {vars: {ctx: shop}}
        tests: [{vars: {q: why}, assert: [{type: contains, value: x}]}]
        """));
    assertThat(s.cases().get(0).lastUserMessage()).isEqualTo("Context: shop\nQuestion: why");
    assertThatThrownBy(() -> Promptfoo.load(write("js-prompt.yaml", """
        prompts:
          - file://prompt.js
        tests: [{vars: {q: why}}]
        """))).hasMessageStartingWith("js-prompt.yaml:2: prompts[0]: prompt file prompt.js is not supported (a .js or"
            + " .py prompt runs code)");
  }

  @Test
  void roundTripLoadExportLoadGivesAnEqualSuite() throws IOException {
    EvalSuite first = Promptfoo.load(write("promptfooconfig.yaml", CONFIG), JUDGED);
    Path exported = dir.resolve("out/promptfooconfig.yaml");
    Promptfoo.export(first, exported);
    EvalSuite second = Promptfoo.load(exported, JUDGED);

    assertThat(shape(second)).isEqualTo(shape(first));
    Promptfoo.export(second, dir.resolve("again.yaml"));
    assertThat(Files.readString(dir.resolve("again.yaml"))).isEqualTo(Files.readString(exported));
  }

  @Test
  void aTunekitSuiteWithDeclaredGradersExportsAndComesBackEqual() throws IOException {
    EvalSuite suite = EvalSuite.load(write("orders.yaml", """
        name: orders
        graders:
          - exact: []
          - not-contains: DROP
        cases:
          - id: a
            input: shipped orders
            expected: FIND orders WHERE status = "shipped"
            tags: [filter]
            graders:
              - json-schema: {type: string}
              - contains-expected
              - levenshtein: {threshold: 2}
          - id: b
            input: "3 + 4"
            expected: "7"
            metadata: {source: "hand-written"}
        """));

    String yaml = Promptfoo.toYaml(suite);
    Path exported = write("promptfooconfig.yaml", yaml);
    EvalSuite back = Promptfoo.load(exported);

    assertThat(shape(back)).isEqualTo(shape(suite));
    assertThat(yaml).contains("- type: equals\n    value: \"{{expected}}\"")
        .contains("- type: not-contains\n    value: DROP")
        .contains("expected: \"7\"")
        .doesNotContain("# Note:");
  }

  @Test
  void exportCarriesResultsAndNotesWhatPromptfooComparesDifferently() throws IOException {
    EvalSuite suite = EvalSuite.of("s", EvalCase.of("a", "q", "A"), EvalCase.of("b", "r", "B"))
        .withGrader(Graders.exactMatch());
    EvalReport report = new EvalReport("s", suite.fingerprint(), "tuned", "ft:model-1", "local", Instant.EPOCH,
        Duration.ZERO, 2, 0, List.of(EvalRunner.grade(suite, suite.cases().get(0), "A", Duration.ZERO, false),
        EvalRunner.grade(suite, suite.cases().get(1), "x", Duration.ZERO, false)), List.of());

    String yaml = Promptfoo.toYaml(suite, List.of(report));

    assertThat(yaml).contains("tunekit-result-tuned: PASS (score 1.00)").contains("tunekit-result-tuned: FAIL (score 0.00)")
        .contains("# Tunekit results: target 'tuned' (model ft:model-1)")
        .contains("# Note: the suite's grader 'exact' compares after normalising (unicode, collapse-whitespace, trim);"
            + " promptfoo's equals compares exactly");
    EvalSuite back = Promptfoo.load(write("res.yaml", yaml));
    assertThat(back.cases().get(0).metadata()).isEmpty(); // results are not case metadata
  }

  @Test
  void exportRefusesWhatPromptfooCannotRunWithoutCode() {
    EvalSuite numeric = EvalSuite.of("n", EvalCase.of("a", "q", "1")).withGrader(Graders.numeric(0.1));
    assertThatThrownBy(() -> Promptfoo.toYaml(numeric)).isInstanceOf(InvalidInputException.class)
        .hasMessage("the suite's grader 'numeric' ('numeric') has no promptfoo assertion that runs without code;"
            + " export a copy of the suite without it");
    EvalSuite lambda = EvalSuite.of("l", EvalCase.of("a", "q", "1")).withGrader((c, o) -> Grade.pass("x"));
    assertThatThrownBy(() -> Promptfoo.toYaml(lambda)).hasMessageContaining("grader 'custom' is Java code");
    EvalSuite chat = EvalSuite.of("c", new EvalCase("a", List.of(ChatMessage.system("s"), ChatMessage.user("u")),
        Optional.empty(), List.of(), Map.of())).withGrader(Graders.validJson());
    assertThatThrownBy(() -> Promptfoo.toYaml(chat)).hasMessageContaining("case 'a' is a conversation of 2 messages");
  }

  @Test
  void codeAndEmbeddingAssertionsAreRefusedWithTheirPathAndAReason() throws IOException {
    Path js = write("js.yaml", """
        prompts: ["{{q}}"]
        tests:
          - vars: {q: a}
            assert:
              - type: contains
                value: a
              - type: javascript
                value: output.length < 10
        """);
    assertThatThrownBy(() -> Promptfoo.load(js)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("js.yaml:7: tests[0].assert[1]: assertion type 'javascript' is refused: it runs"
            + " JavaScript code");
    Path sim = write("sim.yaml", """
        prompts: ["{{q}}"]
        defaultTest:
          assert:
            - type: not-similar
              value: hello
              threshold: 0.8
        tests:
          - vars: {q: a}
        """);
    assertThatThrownBy(() -> Promptfoo.load(sim)).hasMessageStartingWith("sim.yaml:4: defaultTest.assert[0]:"
        + " assertion type 'not-similar' is refused: it needs an embeddings provider");
    Path py = write("py.yaml", """
        prompts: ["{{q}}"]
        tests:
          - vars: {q: a}
            assert:
              - type: python
                value: file://check.py
        """);
    assertThatThrownBy(() -> Promptfoo.load(py)).hasMessageStartingWith("py.yaml:5: tests[0].assert[0]:"
        + " assertion type 'python' is refused: it runs Python code");
  }

  @Test
  void whatTunekitCannotReadIsAnErrorWithItsPath() throws IOException {
    assertThatThrownBy(() -> Promptfoo.load(write("a.yaml", """
        prompts: ["{{q}} {{missing}}"]
        tests:
          - vars: {q: a}
        """))).hasMessageStartingWith("a.yaml:1: tests[0]: prompt 'prompt-1' uses {{missing}}");
    assertThatThrownBy(() -> Promptfoo.load(write("b.yaml", """
        prompts: ["{{ q | upper }}"]
        tests: [{vars: {q: a}}]
        """))).hasMessageStartingWith("b.yaml:1: prompts[0]: placeholder {{ q | upper }} is not supported");
    assertThatThrownBy(() -> Promptfoo.load(write("c.yaml", """
        prompts: ["{{q}}"]
        tests:
          - vars:
              q: [a, b]
        """))).hasMessageStartingWith("c.yaml:4: tests[0].vars.q: a list var expands");
    assertThatThrownBy(() -> Promptfoo.load(write("d.yaml", """
        prompts: ["{{q}}"]
        tests:
          - vars: {q: a}
            assert:
              - type: contains
                value: a
                threshold: 0.5
        """))).hasMessageStartingWith("d.yaml:7: tests[0].assert[0].threshold: 'threshold' has no effect");
    assertThatThrownBy(() -> Promptfoo.load(write("e.yaml", """
        prompts: ["{{q}}"]
        tests:
          - vars: {q: a}
            assert:
              - type: llm-rubric
                value: polite
        """))).hasMessageStartingWith("e.yaml:5: tests[0].assert[0]: grader 'judge' needs a judge model");
    assertThatThrownBy(() -> Promptfoo.load(write("f.yaml", """
        prompts: ["{{q}}"]
        tests:
          - vars: {q: a}
            assert:
              - type: cost
                threshold: 0.1
        """))).hasMessageStartingWith("f.yaml:5: tests[0].assert[0]: assertion type 'cost' is not supported;"
            + " supported: equals, contains");
    assertThatThrownBy(() -> Promptfoo.load(write("g.yaml", """
        prompts: ["{{q}}"]
        tests: file://tests.csv
        """))).hasMessageStartingWith("g.yaml:2: tests: tests read from a file");
  }
}
