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

  // ---------------------------------------------------------------- known columns (a schema)

  private static final QueryDslGrader.Schema SHOP = QueryDslGrader.Schema.fromSystemPrompt(
      "Entities and fields: orders(id, Status, total, created, customer.city); products(name, price). Answer.");
  private final QueryDslGrader checked = new QueryDslGrader().withSchema(SHOP);

  private Grade gradeChecked(String expected, String output) {
    return checked.grade(EvalCase.of("c", "q", expected), output);
  }

  @Test
  void withASchema_anUnknownColumnInWhereFails_namingItAndTheKnownOnes() {
    Grade g = gradeChecked(FULL, "FIND orders WHERE state = \"shipped\" AND total > 100 SORT BY created DESC LIMIT 10");
    assertThat(g.passed()).isFalse();
    assertThat(g.score()).isZero();
    assertThat(g.reason()).isEqualTo("unknown column 'state' in WHERE of orders; known columns of orders: id, status,"
        + " total, created, customer.city");
  }

  @Test
  void withASchema_anUnknownColumnInSortByFails() {
    Grade g = gradeChecked(FULL, "FIND orders WHERE status = \"shipped\" AND total > 100 SORT BY date DESC LIMIT 10");
    assertThat(g.passed()).isFalse();
    assertThat(g.reason()).startsWith("unknown column 'date' in SORT BY of orders; known columns of orders: id,");
    assertThat(gradeChecked(FULL, "FIND orders WHERE colour = \"red\" SORT BY date").reason())
        .startsWith("unknown columns 'colour' in WHERE, 'date' in SORT BY of orders;");
  }

  @Test
  void withASchema_anUnknownEntityFails_namingTheKnownOnes() {
    Grade g = gradeChecked(FULL, "FIND shipments WHERE status = \"shipped\"");
    assertThat(g.passed()).isFalse();
    assertThat(g.reason()).isEqualTo("unknown entity 'shipments' after FIND; known entities: orders, products");
  }

  @Test
  void withASchema_knownColumnsPass_caseInsensitivelyAsTheParserReadsThem() {
    // The schema says "Status"; the output writes ORDERS, STATUS, Total, CREATED: the parser lower-cases them all.
    Grade g = gradeChecked(FULL,
        "find ORDERS where STATUS = \"shipped\" and Total > 100 sort by CREATED desc limit 10");
    assertThat(g.passed()).as(g.reason()).isTrue();
    assertThat(gradeChecked("FIND orders WHERE customer.city = \"Lyon\"", "FIND orders WHERE Customer.City = \"Lyon\"")
        .passed()).isTrue();
    // A column of another entity is unknown here, whatever its case.
    assertThat(gradeChecked("FIND products SORT BY price DESC", "FIND products SORT BY TOTAL DESC").reason())
        .startsWith("unknown column 'total' in SORT BY of products");
    // Without a schema, the same unknown column is only a difference of meaning.
    assertThat(grade(FULL, "FIND orders WHERE state = \"shipped\" AND total > 100 SORT BY created DESC LIMIT 10")
        .reason()).startsWith("WHERE missing");
  }

  @Test
  void theSchemaIsDeclaredInTheSuiteFile_inlineOrAsAFileNextToIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Files.writeString(dir.resolve("schema.yaml"), "orders: [id, status]\n");
    java.nio.file.Path suite = java.nio.file.Files.writeString(dir.resolve("s.yaml"), """
        graders:
          - query-dsl: {schema: schema.yaml}
        cases:
          - {id: a, input: shipped, expected: 'FIND orders WHERE status = "shipped"'}
          - id: b
            input: products
            expected: FIND products
            graders:
              - query-dsl: {schema: {products: [name]}}
        """);
    var s = dev.tunekit.eval.EvalSuite.load(suite, ExampleSuites.graders());
    EvalCase a = s.cases().get(0);
    assertThat(s.graders().get(0).grade(a, "FIND orders WHERE state = \"shipped\"").reason())
        .isEqualTo("unknown column 'state' in WHERE of orders; known columns of orders: id, status");
    EvalCase b = s.cases().get(1);
    assertThat(s.caseGraders("b").get(0).grade(b, "FIND products SORT BY name").reason()).contains("SORT BY");
    assertThat(s.caseGraders("b").get(0).grade(b, "FIND products SORT BY price").reason())
        .startsWith("unknown column 'price' in SORT BY of products");

    java.nio.file.Path bad = java.nio.file.Files.writeString(dir.resolve("bad.yaml"), """
        cases:
          - input: x
            graders:
              - query-dsl: {schema: {orders: id}}
        """);
    assertThatThrownBy(() -> dev.tunekit.eval.EvalSuite.load(bad, ExampleSuites.graders()))
        .isInstanceOf(dev.tunekit.error.InvalidInputException.class)
        .hasMessageContaining("bad.yaml:")
        .hasMessageContaining("grader 'query-dsl': 'schema': entity 'orders' must have a list of column names, got id");
    java.nio.file.Path missing = java.nio.file.Files.writeString(dir.resolve("missing.yaml"), """
        graders: [{query-dsl: {schema: nowhere.yaml}}]
        cases: [{input: x}]
        """);
    assertThatThrownBy(() -> dev.tunekit.eval.EvalSuite.load(missing, ExampleSuites.graders()))
        .hasMessageContaining("cannot read the query-DSL schema").hasMessageContaining("nowhere.yaml");
  }
}
