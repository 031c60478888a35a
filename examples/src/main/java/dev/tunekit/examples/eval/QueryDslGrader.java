package dev.tunekit.examples.eval;

import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.Grade;
import dev.tunekit.eval.Grader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Grades a query-DSL answer by meaning: both the expected query and the output are parsed with
 * {@link QueryDsl}, then compared clause by clause — entity, WHERE conditions (as a set), SORT BY and
 * LIMIT. The score is the share of those four clauses that match; it passes when all do.
 *
 * <p>An output that does not parse fails (the model wrote bad DSL). An expected value that does not
 * parse throws, so the runner records an error: that is a bug in the suite, not in the model.
 */
public final class QueryDslGrader implements Grader {

  @Override
  public String name() {
    return "query-dsl";
  }

  @Override
  public Grade grade(EvalCase testCase, String output) {
    QueryDsl.Query want;
    try {
      want = QueryDsl.parse(testCase.requireExpected(name()));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("case '" + testCase.id() + "' has an expected query that does not parse: "
          + e.getMessage(), e);
    }
    QueryDsl.Query got;
    try {
      got = QueryDsl.parse(output.strip());
    } catch (IllegalArgumentException e) {
      return Grade.fail("output is not valid query DSL: " + e.getMessage());
    }
    List<String> wrong = new ArrayList<>();
    if (!want.entity().equals(got.entity())) {
      wrong.add("FIND " + got.entity() + " instead of " + want.entity());
    }
    if (!want.conditions().equals(got.conditions())) {
      Set<QueryDsl.Condition> missing = new LinkedHashSet<>(want.conditions());
      missing.removeAll(got.conditions());
      Set<QueryDsl.Condition> extra = new LinkedHashSet<>(got.conditions());
      extra.removeAll(want.conditions());
      wrong.add("WHERE" + (missing.isEmpty() ? "" : " missing " + missing) + (extra.isEmpty() ? "" : " extra " + extra));
    }
    if (!want.sort().equals(got.sort())) {
      wrong.add("SORT BY " + got.sort() + " instead of " + want.sort());
    }
    if (!want.limit().equals(got.limit())) {
      wrong.add("LIMIT " + text(got) + " instead of " + text(want));
    }
    double score = (4 - wrong.size()) / 4.0;
    return wrong.isEmpty() ? Grade.pass("same query") : new Grade(score, false, String.join("; ", wrong));
  }

  private static String text(QueryDsl.Query q) {
    return q.limit().isPresent() ? Integer.toString(q.limit().getAsInt()) : "(none)";
  }
}
