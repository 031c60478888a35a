package dev.tunekit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GradersTest {
  private static EvalCase expecting(String expected) {
    return EvalCase.of("c1", "question", expected);
  }

  private static final EvalCase NO_EXPECTED = new EvalCase("c0", List.of(dev.tunekit.model.ChatMessage.user("q")),
      Optional.empty(), List.of(), Map.of());

  @Test
  void exactMatchPassesAfterTrimmingAndCollapsingWhitespace() {
    Grade g = Graders.exactMatch().grade(expecting("FIND orders  LIMIT 10"), "  FIND orders\nLIMIT 10 \n");
    assertThat(g.passed()).isTrue();
    assertThat(g.score()).isEqualTo(1.0);
  }

  @Test
  void exactMatchFailsWithTheFirstDifference() {
    Grade g = Graders.exactMatch().grade(expecting("status = shipped"), "status = pending");
    assertThat(g.passed()).isFalse();
    assertThat(g.score()).isZero();
    assertThat(g.reason()).contains("differs at char 9").contains("shipped").contains("pending");
  }

  @Test
  void exactMatchIsCaseSensitiveUnlessAsked() {
    assertThat(Graders.exactMatch().grade(expecting("Yes"), "yes").passed()).isFalse();
    assertThat(Graders.exactMatch(Normalization.IGNORE_CASE, Normalization.TRIM).grade(expecting("Yes"), " yes")
        .passed()).isTrue();
  }

  @Test
  void exactMatchWithoutNormalisationComparesExactly() {
    assertThat(Graders.exactMatch(new Normalization[0]).grade(expecting("a"), "a ").passed()).isFalse();
  }

  @Test
  void exactMatchCanIgnorePunctuationAndUnicodeForms() {
    Grader g = Graders.exactMatch(Normalization.STRIP_PUNCTUATION, Normalization.UNICODE, Normalization.TRIM);
    assertThat(g.grade(expecting("Hello, world!"), "Ｈｅｌｌｏ world").passed()).isTrue();
  }

  @Test
  void exactMatchThrowsWhenTheCaseHasNoExpectedValue() {
    assertThatThrownBy(() -> Graders.exactMatch().grade(NO_EXPECTED, "x"))
        .hasMessageContaining("case 'c0' has no 'expected'").hasMessageContaining("exact");
  }

  @Test
  void containsChecksTheNeedle() {
    assertThat(Graders.contains("LIMIT").grade(NO_EXPECTED, "FIND x LIMIT 3").passed()).isTrue();
    Grade miss = Graders.contains("LIMIT").grade(NO_EXPECTED, "FIND x");
    assertThat(miss.passed()).isFalse();
    assertThat(miss.reason()).contains("does not contain \"LIMIT\"");
  }

  @Test
  void containsExpectedUsesTheCase() {
    assertThat(Graders.containsExpected().grade(expecting("42"), "The answer is 42.").passed()).isTrue();
    assertThat(Graders.containsExpected().grade(expecting("42"), "The answer is 41.").passed()).isFalse();
  }

  @Test
  void regexFindsAPatternAnywhere() {
    Grader g = Graders.regex("LIMIT \\d+$");
    assertThat(g.grade(NO_EXPECTED, "FIND o LIMIT 10").passed()).isTrue();
    assertThat(g.grade(NO_EXPECTED, "FIND o LIMIT ten").passed()).isFalse();
  }

  @Test
  void regexThatDoesNotCompileIsRejectedUpFront() {
    assertThatThrownBy(() -> Graders.regex("(unclosed")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("does not compile");
  }

  @Test
  void validJsonAcceptsOneValueOnly() {
    Grader g = Graders.validJson();
    assertThat(g.grade(NO_EXPECTED, " {\"a\": [1, 2]} ").passed()).isTrue();
    assertThat(g.grade(NO_EXPECTED, "{\"a\": 1} trailing").passed()).isFalse();
    assertThat(g.grade(NO_EXPECTED, "```json\n{\"a\":1}\n```").passed()).isFalse();
    assertThat(g.grade(NO_EXPECTED, "").passed()).isFalse();
    Grade broken = g.grade(NO_EXPECTED, "{\"a\": }");
    assertThat(broken.passed()).isFalse();
    assertThat(broken.reason()).contains("not valid JSON").contains("line 1");
  }

  private static final String SCHEMA = """
      {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
       "required":["status","total"],
       "properties":{"status":{"enum":["shipped","pending"]},"total":{"type":"number","minimum":0}},
       "additionalProperties":false}""";

  @Test
  void jsonSchemaAcceptsAConformingDocument() {
    Grade g = Graders.jsonSchema(SCHEMA).grade(NO_EXPECTED, "{\"status\":\"shipped\",\"total\":12.5}");
    assertThat(g.passed()).as(g.reason()).isTrue();
  }

  @Test
  void jsonSchemaListsViolations() {
    Grade g = Graders.jsonSchema(SCHEMA).grade(NO_EXPECTED, "{\"status\":\"lost\",\"extra\":1}");
    assertThat(g.passed()).isFalse();
    assertThat(g.reason()).contains("schema violation").contains("total");
  }

  @Test
  void jsonSchemaFailsOnNonJsonOutput() {
    assertThat(Graders.jsonSchema(SCHEMA).grade(NO_EXPECTED, "status: shipped").reason()).contains("not valid JSON");
  }

  @Test
  void jsonSchemaRejectsABrokenSchemaUpFront() {
    assertThatThrownBy(() -> Graders.jsonSchema("{\"type\": ")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void jsonFieldsComparesEveryExpectedFieldAndScoresTheShareThatMatch() {
    EvalCase c = expecting("{\"status\":\"shipped\",\"total\":100,\"limit\":10}");
    Grade all = Graders.jsonFieldsEqual().grade(c, "{\"limit\":10,\"total\":100.0,\"status\":\"shipped\",\"x\":1}");
    assertThat(all.passed()).as(all.reason()).isTrue();
    Grade some = Graders.jsonFieldsEqual().grade(c, "{\"status\":\"shipped\",\"total\":90}");
    assertThat(some.passed()).isFalse();
    assertThat(some.score()).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(some.reason()).contains("/total: expected 100, got 90").contains("/limit: expected 10, got (absent)");
  }

  @Test
  void jsonFieldsCanCompareSelectedNestedFields() {
    EvalCase c = expecting("{\"customer\":{\"id\":7,\"name\":\"A\"}}");
    Grader g = Graders.jsonFieldsEqual("/customer/id");
    assertThat(g.grade(c, "{\"customer\":{\"id\":7,\"name\":\"B\"}}").passed()).isTrue();
    assertThat(g.grade(c, "{\"customer\":{\"id\":8}}").passed()).isFalse();
  }

  @Test
  void jsonFieldsThrowsWhenTheExpectedValueIsNotJson() {
    assertThatThrownBy(() -> Graders.jsonFieldsEqual().grade(expecting("shipped"), "{}"))
        .hasMessageContaining("not JSON");
  }

  @Test
  void numericAcceptsValuesWithinTolerance() {
    Grader g = Graders.numeric(0.01);
    assertThat(g.grade(expecting("3.14"), " 3.141 ").passed()).isTrue();
    assertThat(g.grade(expecting("3.14"), "3.16").passed()).isFalse();
    assertThat(g.grade(expecting("1e3"), "1000").passed()).isTrue();
  }

  @Test
  void numericFailsOnProse() {
    Grade g = Graders.numeric(0).grade(expecting("42"), "about 42");
    assertThat(g.passed()).isFalse();
    assertThat(g.reason()).contains("is not a number");
  }

  @Test
  void numericThrowsWhenTheExpectedValueIsNotANumber() {
    assertThatThrownBy(() -> Graders.numeric(0).grade(expecting("many"), "3")).hasMessageContaining("not a number");
  }

  @Test
  void predicateWrapsAJShellLambda() {
    Grader g = Graders.predicate("short", out -> out.length() < 5);
    assertThat(g.name()).isEqualTo("short");
    assertThat(g.grade(NO_EXPECTED, "ok").passed()).isTrue();
    assertThat(g.grade(NO_EXPECTED, "far too long").reason()).isEqualTo("rejected by short");
  }

  @Test
  void aGradeRejectsScoresOutsideZeroToOne() {
    assertThatThrownBy(() -> new Grade(1.5, true, "x")).hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> new Grade(Double.NaN, true, "x")).hasMessageContaining("between 0 and 1");
  }
}
