package dev.tunekit.examples.eval;

import dev.tunekit.model.ChatModel;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.EvalRunner;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import java.nio.file.Path;

/**
 * Natural language → query DSL: the same eval suite runs against a prompt-engineered baseline (base
 * model + system prompt + few-shot examples) and the tuned model, graded by {@link QueryDslGrader},
 * and the tuned model is promoted only if it beats the baseline by 5 points.
 *
 * <p>Run: {@code java dev.tunekit.examples.eval.QueryDslEval [output-dir]}. Offline it uses
 * {@link DemoModels} stand-ins; with a provider, pass its chat models to {@link #evaluate}.
 */
public final class QueryDslEval {
  /** The baseline's system prompt: the prompt engineering a tuned model has to beat. */
  public static final String SYSTEM_PROMPT = """
      You translate requests about a shop's data into the query DSL. Reply with one query and nothing else.
      Grammar: FIND <entity> [WHERE <field> <op> <value> (AND ...)*] [SORT BY <field> ASC|DESC] [LIMIT <n>]
      Operators: = != > >= < <= CONTAINS IN ("a", "b"). Quote text values with double quotes.
      Entities: orders, customers, products, returns, subscriptions.""";

  private QueryDslEval() {}

  /** The suite (bundled with the examples), graded by {@link QueryDslGrader}. */
  public static EvalSuite suite() {
    return EvalSuite.load(QueryDslEval.class.getResource("query-dsl-eval.yaml")).withGrader(new QueryDslGrader());
  }

  /**
   * Runs the suite against the baseline and the tuned model and compares them.
   *
   * @param base the base model's chat model (the baseline adds the system prompt and few-shot examples)
   * @param baseModelId the base model id
   * @param tuned the tuned model's chat model
   * @param tunedModelId the tuned model id
   * @param runner the runner (cache, timeout, progress)
   */
  public static EvalComparison evaluate(ChatModel base, String baseModelId, ChatModel tuned, String tunedModelId,
      EvalRunner runner) {
    EvalTarget baseline = EvalTarget.of("baseline", base, baseModelId)
        .withSystemPrompt(SYSTEM_PROMPT)
        .withExample("Orders from customer 42", "FIND orders WHERE customer_id = 42")
        .withExample("The 3 most expensive products", "FIND products SORT BY price DESC LIMIT 3");
    EvalTarget tunedTarget = EvalTarget.of("tuned", tuned, tunedModelId);
    return runner.compare(suite(), baseline, tunedTarget);
  }

  /** Runs the example with stand-in models and writes eval.html and eval.json to the output directory. */
  public static void main(String[] args) {
    Path out = Path.of(args.length > 0 ? args[0] : "target/eval-examples/query-dsl");
    EvalSuite suite = suite();
    // Stand-ins: the baseline forgets SORT BY and LIMIT; the tuned model writes the expected query in its
    // own style (reordered conditions, 100.0 for 100), which the grader accepts because it compares meaning.
    ChatModel base = DemoModels.scripted(suite, (c, expected) -> expected.replaceAll(" (SORT BY|LIMIT) .*$", ""));
    ChatModel tuned = DemoModels.scripted(suite, (c, expected) -> c.id().equals("status-in")
        ? "FIND orders WHERE status = \"cancelled\"" : restyle(expected));
    EvalComparison cmp = evaluate(base, "stand-in-base", tuned, "stand-in-tuned", EvalRunner.create());
    DemoModels.publish(cmp, out);
  }

  /** Swaps the first two WHERE conditions and writes numbers with a decimal point. */
  static String restyle(String query) {
    String q = query.replaceAll("(?<=[<>=] )(\\d+)(?=\\b(?!\\.))", "$1.0");
    int where = q.indexOf(" WHERE ");
    int and = q.indexOf(" AND ");
    if (where < 0 || and < 0) {
      return q;
    }
    int end = q.length();
    for (String kw : new String[] {" AND ", " SORT BY ", " LIMIT "}) {
      int i = q.indexOf(kw, and + 5);
      if (i >= 0) {
        end = Math.min(end, i);
      }
    }
    String first = q.substring(where + 7, and);
    String second = q.substring(and + 5, end);
    return q.substring(0, where + 7) + second + " AND " + first + q.substring(end);
  }
}
