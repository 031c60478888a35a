package dev.tunekit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalSuiteLoadingTest {
  @TempDir Path dir;

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void loadsJsonlCasesWithInputsMessagesExpectedAndTags() throws IOException {
    Path f = file("orders.jsonl", """
        {"id":"a","input":"shipped orders","expected":"FIND orders WHERE status = \\"shipped\\"","tags":["filter"]}

        {"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"top 3"}],"expected":{"limit":3},"tags":"limit"}
        """);
    EvalSuite s = EvalSuite.load(f);
    assertThat(s.name()).isEqualTo("orders");
    assertThat(s.size()).isEqualTo(2);
    EvalCase a = s.cases().get(0);
    assertThat(a.id()).isEqualTo("a");
    assertThat(a.lastUserMessage()).isEqualTo("shipped orders");
    assertThat(a.expected()).contains("FIND orders WHERE status = \"shipped\"");
    assertThat(a.tags()).containsExactly("filter");
    EvalCase b = s.cases().get(1);
    assertThat(b.id()).isEqualTo("case-2");
    assertThat(b.messages()).hasSize(2);
    assertThat(b.expected()).contains("{\"limit\":3}");
    assertThat(b.tags()).containsExactly("limit");
  }

  @Test
  void chatFineTuningLineIsACaseWhoseFinalAssistantReplyIsExpected() throws IOException {
    Path f = file("heldout.jsonl", """
        {"messages":[{"role":"system","content":"Answer in the DSL."},{"role":"user","content":"shipped orders"},{"role":"assistant","content":"FIND orders"}]}
        """);

    EvalCase c = EvalSuite.load(f).cases().get(0);

    assertThat(c.expected()).contains("FIND orders");
    assertThat(c.messages()).extracting(dev.tunekit.model.ChatMessage::role).containsExactly("system", "user");
  }

  @Test
  void explicitExpectedKeepsAFinalAssistantMessageAsInput() throws IOException {
    Path f = file("multi.jsonl", """
        {"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}],"expected":"c"}
        """);

    EvalCase c = EvalSuite.load(f).cases().get(0);

    assertThat(c.expected()).contains("c");
    assertThat(c.messages()).hasSize(2);
  }

  @Test
  void targetSystemPromptReplacesTheCaseSystemPrompt() {
    EvalCase c = new EvalCase("x", java.util.List.of(dev.tunekit.model.ChatMessage.system("trained prompt"),
        dev.tunekit.model.ChatMessage.user("q")), java.util.Optional.of("a"), java.util.List.of(), java.util.Map.of());
    dev.tunekit.model.ChatModel unused = r -> { throw new AssertionError("not called"); };

    var baseline = EvalTarget.of("baseline", unused, "base").withSystemPrompt("engineered prompt").request(c);
    var tuned = EvalTarget.of("tuned", unused, "ft").request(c);

    assertThat(baseline.messages()).extracting(dev.tunekit.model.ChatMessage::content).containsExactly("engineered prompt", "q");
    assertThat(tuned.messages()).extracting(dev.tunekit.model.ChatMessage::content).containsExactly("trained prompt", "q");
  }

  @Test
  void badJsonlLineIsReportedWithFileAndLine() throws IOException {
    Path f = file("bad.jsonl", """
        {"id":"a","input":"x"}
        {"id":"b","input":"y"
        """);
    assertThatThrownBy(() -> EvalSuite.load(f)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("bad.jsonl:2: not valid JSON")
        .satisfies(e -> assertThat(((InvalidInputException) e).location()).contains("bad.jsonl:2"));
  }

  @Test
  void caseWithoutInputIsReportedWithTheFix() throws IOException {
    Path f = file("noinput.jsonl", "{\"id\":\"a\",\"input\":\"x\"}\n{\"id\":\"b\",\"expected\":\"y\"}\n");
    assertThatThrownBy(() -> EvalSuite.load(f))
        .hasMessage("noinput.jsonl:2: case 'b' needs exactly one of 'input' (a string) or 'messages' "
            + "(a list of {role, content})");
  }

  @Test
  void misspelledKeyIsRejected() throws IOException {
    Path f = file("typo.jsonl", "{\"id\":\"a\",\"input\":\"x\",\"expcted\":\"y\"}\n");
    assertThatThrownBy(() -> EvalSuite.load(f)).hasMessageContaining("typo.jsonl:1: unknown key 'expcted'");
  }

  @Test
  void unknownRoleIsRejected() throws IOException {
    Path f = file("role.jsonl", "{\"messages\":[{\"role\":\"human\",\"content\":\"x\"}]}\n");
    assertThatThrownBy(() -> EvalSuite.load(f)).hasMessageContaining("role.jsonl:1:")
        .hasMessageContaining("role 'human'; use system, user, assistant or tool");
  }

  @Test
  void duplicateIdsNameBothLines() throws IOException {
    Path f = file("dup.jsonl", "{\"id\":\"a\",\"input\":\"x\"}\n{\"id\":\"b\",\"input\":\"x\"}\n{\"id\":\"a\",\"input\":\"z\"}\n");
    assertThatThrownBy(() -> EvalSuite.load(f))
        .hasMessageContaining("dup.jsonl:3: duplicate case id 'a' (first used at dup.jsonl:1)");
  }

  @Test
  void emptyFileIsRejected() throws IOException {
    Path f = file("empty.jsonl", "\n\n");
    assertThatThrownBy(() -> EvalSuite.load(f)).hasMessageContaining("empty.jsonl: the suite has no cases");
  }

  @Test
  void loadsYamlWithNameAndCases() throws IOException {
    Path f = file("suite.yaml", """
        name: query-dsl
        description: NL to query DSL
        cases:
          - id: shipped
            input: shipped orders over 100
            expected: 'FIND orders WHERE status = "shipped" AND total > 100'
            tags: [filter, numeric]
          - id: widgets
            messages:
              - role: user
                content: show a card
            expected:
              type: card
            metadata:
              locale: en
        """);
    EvalSuite s = EvalSuite.load(f);
    assertThat(s.name()).isEqualTo("query-dsl");
    assertThat(s.cases()).extracting(EvalCase::id).containsExactly("shipped", "widgets");
    assertThat(s.cases().get(0).tags()).containsExactly("filter", "numeric");
    assertThat(s.cases().get(1).expected()).contains("{\"type\":\"card\"}");
    assertThat(s.cases().get(1).metadata()).containsEntry("locale", "en");
  }

  @Test
  void loadsAYamlListOfCases() throws IOException {
    Path f = file("list.yml", "- input: a\n  expected: b\n- input: c\n");
    EvalSuite s = EvalSuite.load(f);
    assertThat(s.name()).isEqualTo("list");
    assertThat(s.size()).isEqualTo(2);
  }

  @Test
  void badYamlCaseIsReportedAtItsLine() throws IOException {
    Path f = file("bad.yaml", """
        name: s
        cases:
          - id: ok
            input: fine
          - id: broken
            expected: no input here
        """);
    assertThatThrownBy(() -> EvalSuite.load(f))
        .hasMessageStartingWith("bad.yaml:5: case 'broken' needs exactly one of 'input'");
  }

  @Test
  void yamlSyntaxErrorIsReportedAtItsLine() throws IOException {
    Path f = file("syntax.yaml", "name: s\ncases:\n  - input: \"unterminated\n  - input: b\n");
    assertThatThrownBy(() -> EvalSuite.load(f)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("syntax.yaml:").hasMessageContaining("not valid YAML");
  }

  @Test
  void unknownTopLevelYamlKeyIsRejected() throws IOException {
    Path f = file("top.yaml", "name: s\ncase:\n  - input: a\n");
    assertThatThrownBy(() -> EvalSuite.load(f)).hasMessageContaining("top.yaml:2: unknown key 'case'");
  }

  @Test
  void missingFileAndUnknownExtensionAreClearErrors() throws IOException {
    assertThatThrownBy(() -> EvalSuite.load(dir.resolve("nope.jsonl"))).hasMessageContaining("not found");
    Path csv = file("cases.csv", "a,b\n");
    assertThatThrownBy(() -> EvalSuite.load(csv)).hasMessageContaining("use a .jsonl, .yaml or .yml file");
  }

  @Test
  void gradersGetUniqueNamesAndTagFilteringKeepsThem() {
    EvalSuite s = EvalSuite.of("s", EvalCase.of("a", "x", "y", "t1"), EvalCase.of("b", "x", "y", "t2"))
        .withGrader((c, out) -> Grade.pass("ok"))
        .withGrader((c, out) -> Grade.pass("ok"))
        .withGrader(Graders.exactMatch());
    assertThat(s.graders()).extracting(Grader::name).containsExactly("custom", "custom-2", "exact");
    EvalSuite t1 = s.withTags("t1");
    assertThat(t1.cases()).extracting(EvalCase::id).containsExactly("a");
    assertThat(t1.graders()).hasSize(3);
    assertThat(t1.fingerprint()).isNotEqualTo(s.fingerprint());
    assertThatThrownBy(() -> s.withTags("nope")).hasMessageContaining("no case in suite 's' has any of the tags");
  }
}
