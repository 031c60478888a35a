package dev.tunekit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.ChatResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graders declared in YAML and JSONL suites, per suite and per case, by the names they have in code. */
class DeclaredGradersTest {
  @TempDir Path dir;

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static CaseResult grade(EvalSuite s, String caseId, String output) {
    EvalCase c = s.cases().stream().filter(x -> x.id().equals(caseId)).findFirst().orElseThrow();
    return EvalRunner.grade(s, c, output, Duration.ZERO, false);
  }

  @Test
  void yamlSuiteDeclaresSuiteAndCaseGraders() throws IOException {
    Path f = file("orders.yaml", """
        name: orders
        graders:
          - exact: [trim, ignore-case]
          - not-contains: "DROP"
        cases:
          - id: a
            input: shipped orders
            expected: FIND orders
            graders:
              - starts-with: FIND
              - levenshtein: {threshold: 2}
          - id: b
            input: anything
            expected: ok
        """);

    EvalSuite s = EvalSuite.load(f);

    assertThat(s.graders()).extracting(Grader::name).containsExactly("exact", "not-contains");
    assertThat(s.caseGraders("a")).extracting(Grader::name).containsExactly("starts-with", "levenshtein");
    assertThat(s.gradersFor(s.cases().get(1))).extracting(Grader::name).containsExactly("exact", "not-contains");
    assertThat(grade(s, "a", "  find ORDERS ").outcome()).isEqualTo(Outcome.FAIL); // starts-with is case-sensitive
    assertThat(grade(s, "a", "FIND orders").outcome()).isEqualTo(Outcome.PASS);
    assertThat(grade(s, "a", "FIND orders").grades()).extracting(GraderResult::grader)
        .containsExactly("exact", "not-contains", "starts-with", "levenshtein");
    assertThat(grade(s, "b", "OK DROP").outcome()).isEqualTo(Outcome.FAIL);
    assertThat(grade(s, "b", " OK").outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void theFingerprintCoversTheParametersOfSuiteGraders() throws IOException {
    String suite = """
        name: orders
        graders:
          - levenshtein: {threshold: %d}
        cases:
          - id: a
            input: shipped orders
            expected: FIND orders
        """;
    EvalSuite strict = EvalSuite.load(file("strict.yaml", suite.formatted(1)));
    EvalSuite lenient = EvalSuite.load(file("lenient.yaml", suite.formatted(5)));
    EvalSuite strictAgain = EvalSuite.load(file("strict-again.yaml", suite.formatted(1)));

    // The same name with another threshold grades differently: a resumed run must not mistake one for the other.
    assertThat(strict.fingerprint()).isNotEqualTo(lenient.fingerprint()).isEqualTo(strictAgain.fingerprint());
  }

  @Test
  void jsonlSuiteDeclaresSuiteGradersOnItsFirstLineAndCaseGradersPerLine() throws IOException {
    Path f = file("widgets.jsonl", """
        {"graders":["valid-json"]}
        {"id":"w1","input":"a widget","graders":[{"json-schema":{"type":"object","required":["name"]}}]}
        {"id":"w2","input":"a number","expected":"3","graders":[{"numeric":0.5}]}
        """);

    EvalSuite s = EvalSuite.load(f);

    assertThat(s.graders()).extracting(Grader::name).containsExactly("valid-json");
    assertThat(grade(s, "w1", "{\"name\":\"x\"}").outcome()).isEqualTo(Outcome.PASS);
    assertThat(grade(s, "w1", "{\"id\":1}").outcome()).isEqualTo(Outcome.FAIL);
    assertThat(grade(s, "w2", "3.4").outcome()).isEqualTo(Outcome.PASS);
    assertThat(grade(s, "w2", "3.6").outcome()).isEqualTo(Outcome.FAIL);
  }

  @Test
  void aSuiteWhoseEveryCaseHasItsOwnGradersIsGraded() throws IOException {
    Path f = file("own.jsonl", """
        {"id":"a","input":"x","graders":["valid-json"]}
        {"id":"b","input":"y","graders":[{"contains":"y"}]}
        """);
    assertThat(EvalSuite.load(f).isGraded()).isTrue();
    Path g = file("partly.jsonl", """
        {"id":"a","input":"x","graders":["valid-json"]}
        {"id":"b","input":"y"}
        """);
    assertThat(EvalSuite.load(g).isGraded()).isFalse();
    assertThatThrownBy(() -> EvalRunner.builder().build().run(EvalSuite.load(g), EvalTarget.of("t",
        r -> resp("x"), "m")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("has no graders");
  }

  @Test
  void aSchemaFileIsReadRelativeToTheSuiteAndTheSuiteGradersLineMustComeFirst() throws IOException {
    Files.writeString(dir.resolve("widget.schema.json"), "{\"type\":\"object\",\"required\":[\"id\"]}");
    EvalSuite s = EvalSuite.load(file("schema.yaml", """
        graders:
          - json-schema: widget.schema.json
        cases: [{input: x}]
        """));
    assertThat(grade(s, "case-1", "{\"id\":1}").outcome()).isEqualTo(Outcome.PASS);
    assertThat(grade(s, "case-1", "{}").outcome()).isEqualTo(Outcome.FAIL);
    Path late = file("late.jsonl", """
        {"id":"a","input":"x"}
        {"graders":["valid-json"]}
        """);
    assertThatThrownBy(() -> EvalSuite.load(late)).hasMessageStartingWith("late.jsonl:2: a line with only"
        + " \"graders\" declares the suite's graders; it must be the first line");
  }

  @Test
  void unknownGraderNameNamesFileLineAndListsValidNames() throws IOException {
    Path f = file("typo.yaml", """
        cases:
          - id: a
            input: x
          - id: b
            input: y
            graders: [contans]
        """);

    assertThatThrownBy(() -> EvalSuite.load(f))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("typo.yaml:4: case 'b': graders[0]: unknown grader 'contans'; valid names: ")
        .hasMessageContaining("contains, contains-all, contains-any")
        .hasMessageContaining("not-<name>")
        .hasMessageContaining("EvalSuite.load(file, GraderRegistry.builtIn().with(grader))");
  }

  @Test
  void badParametersNameFileLineAndTheParameter() throws IOException {
    Path f = file("bad.yaml", """
        name: bad
        graders:
          - valid-json
          - numeric: lots
        cases:
          - input: x
        """);
    assertThatThrownBy(() -> EvalSuite.load(f))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("bad.yaml:4: graders[1]: grader 'numeric': 'value' must be a number, got \"lots\"");

    Path g = file("noparam.jsonl", """
        {"id":"a","input":"x","graders":[{"valid-json":true}]}
        """);
    assertThatThrownBy(() -> EvalSuite.load(g)).hasMessageContaining("noparam.jsonl:1")
        .hasMessageContaining("grader 'valid-json' takes no parameters");

    Path h = file("norm.yaml", """
        graders: [{exact: [shout]}]
        cases: [{input: x}]
        """);
    assertThatThrownBy(() -> EvalSuite.load(h)).hasMessageStartingWith("norm.yaml:1: graders[0]: grader 'exact':"
        + " unknown normalization 'shout'; valid: unicode, ignore-case, strip-punctuation, collapse-whitespace, trim");

    Path r = file("regex.yaml", """
        graders:
          - regex: "(unclosed"
        cases: [{input: x}]
        """);
    assertThatThrownBy(() -> EvalSuite.load(r)).hasMessageStartingWith("regex.yaml:2: graders[0]: grader 'regex':")
        .hasMessageContaining("does not compile");
  }

  @Test
  void judgeNeedsAJudgeModelFromTheRegistry() throws IOException {
    Path f = file("judged.yaml", """
        graders:
          - judge: {value: "Polite and correct", threshold: 0.7}
        cases: [{input: x}]
        """);
    assertThatThrownBy(() -> EvalSuite.load(f)).hasMessageContaining("judged.yaml:2")
        .hasMessageContaining("needs a judge model");

    EvalSuite s = EvalSuite.load(f, GraderRegistry.builtIn().withJudge(
        r -> resp("{\"score\":0.6,\"pass\":true,\"reason\":\"fine\"}"), "judge-1"));
    CaseResult r = grade(s, "case-1", "anything");
    assertThat(r.outcome()).isEqualTo(Outcome.FAIL); // 0.6 < threshold 0.7, whatever the judge's own verdict
    assertThat(r.grades().get(0).score()).isEqualTo(0.6);
  }

  @Test
  void yourOwnGradersAreDeclaredByName() throws IOException {
    Path f = file("own.yaml", """
        graders: [short]
        cases: [{input: x}]
        """);
    GraderRegistry reg = GraderRegistry.builtIn()
        .with(Grader.named("short", (c, out) -> Grade.of(out.length() < 5, out.length() + " chars")));

    EvalSuite s = EvalSuite.load(f, reg);

    assertThat(grade(s, "case-1", "abc").outcome()).isEqualTo(Outcome.PASS);
    assertThat(grade(s, "case-1", "abcdefgh").outcome()).isEqualTo(Outcome.FAIL);
    assertThatThrownBy(() -> reg.with(Grader.named("exact", (c, o) -> Grade.pass("")))).hasMessageContaining(
        "already registered");
  }

  @Test
  void yourOwnGradersTakeParametersThroughAFactory_andItsErrorsCarryFileLineAndPath() throws IOException {
    Path f = file("params.yaml", """
        graders:
          - max-length: {chars: 4}
        cases:
          - input: x
            graders: [max-length]
          - input: y
            graders:
              - max-length: 2
        """);
    GraderRegistry reg = GraderRegistry.builtIn().with("max-length", (params, suiteDir) -> {
      Object n = params.getOrDefault("chars", params.getOrDefault("value", 10));
      if (!(n instanceof Integer max)) {
        throw new IllegalArgumentException("'chars' must be a whole number, got " + n);
      }
      return Grader.named("max-length", (c, out) -> Grade.of(out.length() <= max, out.length() + " chars"));
    });
    EvalSuite s = EvalSuite.load(f, reg);
    assertThat(reg.names()).contains("max-length");
    assertThat(grade(s, "case-1", "abcde").outcome()).as("suite's 4, case's default 10").isEqualTo(Outcome.FAIL);
    assertThat(grade(s, "case-1", "abcd").outcome()).isEqualTo(Outcome.PASS);
    assertThat(grade(s, "case-2", "abc").outcome()).as("the case's main parameter, 2").isEqualTo(Outcome.FAIL);

    Path bad = file("bad-params.yaml", """
        cases:
          - input: x
            graders:
              - max-length: {chars: many}
        """);
    assertThatThrownBy(() -> EvalSuite.load(bad, reg)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("bad-params.yaml:")
        .hasMessageContaining("graders[0]: grader 'max-length': 'chars' must be a whole number, got many");
    assertThatThrownBy(() -> reg.with("max-length", (p, d) -> Grader.named("x", (c, o) -> Grade.pass(""))))
        .hasMessageContaining("already registered");
  }

  /** The inventory: every registry name makes a grader of that very name, as the factory in Graders does. */
  @Test
  void everyRegistryNameIsTheNameOfTheGraderItMakes() {
    Map<String, String> sample = Map.ofEntries(
        Map.entry("exact", "exact"), Map.entry("equals", "{equals: x}"), Map.entry("contains", "{contains: x}"),
        Map.entry("icontains", "{icontains: x}"), Map.entry("contains-any", "{contains-any: [a, b]}"),
        Map.entry("contains-all", "{contains-all: [a, b]}"), Map.entry("contains-expected", "contains-expected"),
        Map.entry("starts-with", "{starts-with: x}"), Map.entry("regex", "{regex: x}"),
        Map.entry("valid-json", "valid-json"), Map.entry("json-schema", "{json-schema: {type: object}}"),
        Map.entry("contains-json", "contains-json"), Map.entry("json-fields", "{json-fields: [/a]}"),
        Map.entry("numeric", "{numeric: 0.1}"), Map.entry("levenshtein", "{levenshtein: x}"),
        Map.entry("judge", "{judge: be nice}"));
    GraderRegistry reg = GraderRegistry.builtIn().withJudge(r -> resp(""), "j");
    assertThat(reg.names()).containsExactlyInAnyOrderElementsOf(sample.keySet());
    for (String name : reg.names()) {
      Grader g = reg.create(yaml(sample.get(name)), "f:1", "graders[0]", dir);
      assertThat(g.name()).isEqualTo(name);
      assertThat(GraderSpec.of(g)).get().extracting(GraderSpec::name).isEqualTo(name);
      String spec = sample.get(name);
      String negated = spec.startsWith("{") ? "{not-" + spec.substring(1) : "not-" + spec;
      assertThat(reg.create(yaml(negated), "f:1", "g", dir).name()).isEqualTo("not-" + name);
    }
  }

  @Test
  void newGradersBehaveAsPromptfoosAssertions() {
    EvalCase c = EvalCase.of("c", "q", "hello world");
    assertThat(Graders.equalTo("{\"a\": 1, \"b\": [2]}").grade(c, "{\"b\":[2.0],\"a\":1}").passed()).isTrue();
    assertThat(Graders.equalTo("ok").grade(c, "ok ").passed()).isFalse();
    assertThat(Graders.containsIgnoreCase("WORLD").grade(c, "hello world").passed()).isTrue();
    assertThat(Graders.containsAny(List.of("x", "world")).grade(c, "hello world").passed()).isTrue();
    assertThat(Graders.containsAll(List.of("x", "world")).grade(c, "hello world").reason()).isEqualTo("misses [\"x\"]");
    assertThat(Graders.levenshtein(null, 1).grade(c, "hello worl").passed()).isTrue();
    assertThat(Graders.levenshtein(null, 1).grade(c, "help world!").reason()).isEqualTo("edit distance 3 > 1");
    Grader json = Graders.containsJson("{\"type\":\"object\",\"required\":[\"id\"]}");
    assertThat(json.grade(c, "Here: ```json\n{\"x\":1}\n``` and {\"id\": 3} done").passed()).isTrue();
    assertThat(json.grade(c, "Here: {\"x\":1}").reason()).startsWith("contains JSON, but none valid");
    assertThat(Graders.containsJson(null).grade(c, "no json {here").passed()).isFalse();
    Grade not = Graders.not(Graders.contains("bad")).grade(c, "all good");
    assertThat(not.passed()).isTrue();
    assertThat(not.score()).isEqualTo(1.0);
  }

  private static ChatResponse resp(String content) {
    return new ChatResponse("m", content, "stop", 1, 1);
  }

  private static com.fasterxml.jackson.databind.JsonNode yaml(String s) {
    try {
      return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(s);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
