package dev.tunekit.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.Grader;
import dev.tunekit.eval.Promptfoo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The seed's two systems as suite files that name their graders, and their checked-in promptfoo
 * exports: regenerated here, so an export that no longer matches its suite (or the exporter) fails.
 */
class ExampleSuitesTest {
  private static final Path EXAMPLES = Path.of("").toAbsolutePath();

  @Test
  void theSuiteFiles_nameTheExampleGraders_andHoldTheHeldOutCases() throws Exception {
    EvalSuite nl2query = ExampleSuites.load(EXAMPLES, ExampleSuites.NL2QUERY);
    assertThat(nl2query.graders()).extracting(Grader::name).contains("query-dsl", "not-contains");
    EvalSuite heldout = EvalSuite.load(EXAMPLES.resolve("data/nl2query/heldout.jsonl"));
    assertThat(nl2query.cases()).as("the suite file's cases are the held-out set's").isEqualTo(heldout.cases());
    assertThat(nl2query.size()).isEqualTo(60);

    EvalSuite widgets = ExampleSuites.load(EXAMPLES, ExampleSuites.WIDGETS);
    assertThat(widgets.graders()).extracting(Grader::name).contains("widget-format");
    EvalSuite source = EvalSuite.load(EXAMPLES.resolve("src/main/resources/dev/tunekit/examples/eval/widget-chat-eval.yaml"));
    assertThat(widgets.cases()).isEqualTo(source.cases());

    // The graders named in the files grade: a right and a wrong answer to the first case of each.
    EvalCase q = nl2query.cases().get(0);
    assertThat(EvalSuiteGrades.pass(nl2query, q, q.expected().orElseThrow())).isTrue();
    assertThat(EvalSuiteGrades.pass(nl2query, q, "SELECT * FROM customers")).isFalse();
    EvalCase w = widgets.cases().get(0);
    assertThat(EvalSuiteGrades.pass(widgets, w, w.expected().orElseThrow())).isTrue();
    assertThat(EvalSuiteGrades.pass(widgets, w, "Order 2001 is on its way.\n:::widget card\n{}\n:::")).isFalse();
  }

  /**
   * The nl2query suite's schema is the one its data defines: the system prompt's "Entities and fields" list, and
   * every expected query of the training, validation and held-out files names only what it lists.
   */
  @Test
  void theNl2querySchema_isTheSystemPromptsAndCoversEveryExpectedQueryOfTheData() throws Exception {
    QueryDslGrader.Schema file = QueryDslGrader.Schema.load(EXAMPLES.resolve("evals/nl2query-schema.yaml"));
    String prompt = Files.readString(EXAMPLES.resolve("data/nl2query/baseline-system-prompt.txt"));
    assertThat(file).isEqualTo(QueryDslGrader.Schema.fromSystemPrompt(prompt));
    assertThat(file.columns().keySet()).containsExactly("customers", "products", "orders");
    int checked = 0;
    for (String part : new String[] {"train", "validation", "heldout"}) {
      for (EvalCase c : EvalSuite.load(EXAMPLES.resolve("data/nl2query/" + part + ".jsonl")).cases()) {
        var unknown = QueryDslGrader.unknownNames(file, QueryDsl.parse(c.expected().orElseThrow()));
        assertThat(unknown).as(part + " " + c.id()).isEmpty();
        checked++;
      }
    }
    assertThat(checked).isEqualTo(400);

    EvalSuite nl2query = ExampleSuites.load(EXAMPLES, ExampleSuites.NL2QUERY);
    QueryDslGrader declared = (QueryDslGrader) nl2query.graders().get(0);
    assertThat(declared.schema()).contains(file);
    EvalCase q = nl2query.cases().get(0);   // FIND customers WHERE tier = "platinum"
    assertThat(declared.grade(q, "FIND customers WHERE level = \"platinum\"").reason())
        .isEqualTo("unknown column 'level' in WHERE of customers; known columns of customers: name, email, city,"
            + " country, tier, signup_date, order_count, total_spent");
  }

  @Test
  void theCheckedInPromptfooExports_matchARegeneration() throws Exception {
    check("promptfoo/nl2query/promptfooconfig.yaml", ExampleSuites.NL2QUERY, "query-dsl");
    // The known-columns check cannot be a promptfoo assertion without code: the header says so and lists the schema.
    assertThat(Files.readString(EXAMPLES.resolve("promptfoo/nl2query/promptfooconfig.yaml"))).contains(
        "query-dsl - the reply parses as query DSL and means the expected query (entity, WHERE set, SORT BY, LIMIT),"
            + " naming only known entities and columns: customers(name, email, city, country, tier, signup_date,");
    check("promptfoo/widgets/promptfooconfig.yaml", ExampleSuites.WIDGETS, "widget-format");
  }

  private static void check(String export, String suiteFile, String tunekitOnly) throws Exception {
    String fresh = ExampleSuites.promptfooExport(ExampleSuites.load(EXAMPLES, suiteFile));
    String checkedIn = Files.readString(EXAMPLES.resolve(export), StandardCharsets.UTF_8);
    assertThat(checkedIn).as(export + " is out of date; regenerate it with ExampleSuites.main (see docs/eval-suites.md)")
        .isEqualTo(fresh);
    assertThat(checkedIn).contains("# Tunekit-only check, not in this file (promptfoo could run it only as code): "
        + tunekitOnly);
    // promptfoo's side: the export loads back as a suite with every case and the graders promptfoo runs.
    EvalSuite back = Promptfoo.load(EXAMPLES.resolve(export));
    assertThat(back.size()).isEqualTo(ExampleSuites.load(EXAMPLES, suiteFile).size());
    assertThat(back.graders()).extracting(Grader::name).doesNotContain(tunekitOnly).isNotEmpty();
  }

  /** Whether every grader the suite applies to a case passes an output. */
  private static final class EvalSuiteGrades {
    static boolean pass(EvalSuite suite, EvalCase c, String output) {
      return suite.gradersFor(c).stream().allMatch(g -> g.grade(c, output).passed());
    }
  }
}
