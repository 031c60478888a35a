package dev.tunekit.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.model.ChatResponse;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.EvalRunner;
import dev.tunekit.eval.Grade;
import dev.tunekit.eval.Outcome;
import org.junit.jupiter.api.Test;

class QueryDslGraderTest {
  private static final String FULL =
      "FIND orders WHERE status = \"shipped\" AND total > 100 SORT BY created DESC LIMIT 10";
  private final QueryDslGrader grader = new QueryDslGrader();

  private Grade grade(String expected, String output) {
    return grader.grade(EvalCase.of("c", "q", expected), output);
  }

  @Test
  void parsesEveryClause() {
    QueryDsl.Query q = QueryDsl.parse(FULL);
    assertThat(q.entity()).isEqualTo("orders");
    assertThat(q.conditions()).containsExactlyInAnyOrder(new QueryDsl.Condition("status", "=", "\"shipped\""),
        new QueryDsl.Condition("total", ">", "100"));
    assertThat(q.sort()).containsExactly(new QueryDsl.SortKey("created", true));
    assertThat(q.limit()).hasValue(10);
  }

  @Test
  void sameMeaningInAnotherStylePasses() {
    Grade g = grade(FULL, "find Orders where total > 100.0 and status = 'shipped' sort by created desc limit 10;");
    assertThat(g.passed()).as(g.reason()).isTrue();
  }

  @Test
  void inListsCompareAsSets() {
    assertThat(grade("FIND orders WHERE status IN (\"a\", \"b\")", "FIND orders WHERE status IN ('b','a')").passed())
        .isTrue();
  }

  @Test
  void eachWrongClauseCostsAQuarterAndIsNamed() {
    Grade g = grade(FULL, "FIND orders WHERE status = \"shipped\" AND total > 50 LIMIT 10");
    assertThat(g.passed()).isFalse();
    assertThat(g.score()).isEqualTo(0.5);
    assertThat(g.reason()).contains("WHERE missing [total > 100] extra [total > 50]")
        .contains("SORT BY [] instead of [created DESC]");
  }

  @Test
  void invalidDslFailsWithThePosition() {
    Grade g = grade(FULL, "SELECT id FROM orders");
    assertThat(g.passed()).isFalse();
    assertThat(g.reason()).isEqualTo("output is not valid query DSL: expected FIND at char 0, found 'SELECT'");
    assertThat(grade(FULL, "FIND orders WHERE status = shipped").reason())
        .contains("quote text values");
    assertThat(grade(FULL, "FIND orders LIMIT 10 extra").reason()).contains("found 'extra'");
  }

  @Test
  void anExpectedQueryThatDoesNotParseIsASuiteBug() {
    assertThatThrownBy(() -> grade("FIND", "FIND orders")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected query that does not parse");
  }

  @Test
  void everyBundledExpectedQueryParses() {
    QueryDslEval.suite().cases().forEach(c -> assertThat(QueryDsl.parse(c.expected().orElseThrow())).isNotNull());
  }

  @Test
  void theExampleRunsAgainstLambdaModelsAndTheGateSeesTheDifference() {
    ChatResponse wrong = new ChatResponse("m", "FIND nothing", "stop", 1, 1);
    EvalComparison cmp = QueryDslEval.evaluate(r -> wrong, "base", DemoModels.scripted(QueryDslEval.suite(),
        (c, expected) -> expected), "tuned", EvalRunner.create());
    assertThat(cmp.baseline().passRate().passed()).isZero();
    assertThat(cmp.report("tuned").passRate().passed()).isEqualTo(QueryDslEval.suite().size());
    assertThat(cmp.report("tuned").checkImprovementOver(cmp.baseline(), 0.05).passed()).isTrue();
    assertThat(cmp.baseline().cases()).allMatch(c -> c.outcome() == Outcome.FAIL);
  }

  @Test
  void restyleReordersConditionsAndAddsDecimals() {
    assertThat(QueryDslEval.restyle(FULL))
        .isEqualTo("FIND orders WHERE total > 100.0 AND status = \"shipped\" SORT BY created DESC LIMIT 10");
  }
}
