package dev.tunekit.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.eval.CaseResult;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalReport;
import dev.tunekit.eval.EvalRunner;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.eval.Grader;
import dev.tunekit.eval.GraderRegistry;
import dev.tunekit.eval.Outcome;
import dev.tunekit.eval.Promptfoo;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promptfoo config shipped under {@code examples/promptfoo/} loads, survives an export, and promptfoo
 * itself (when installed) runs an exported suite and decides every test as Tunekit does.
 */
class PromptfooInteropTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SHIPPED = ROOT.resolve("examples/promptfoo/promptfooconfig.yaml");
  private static final GraderRegistry JUDGED = GraderRegistry.builtIn().withJudge(
      r -> new ChatResponse("judge", "{\"score\":0.9,\"pass\":true,\"reason\":\"declines\"}", "stop", 1, 1), "judge-1");

  @TempDir Path tmp;

  @Test
  void theShippedPromptfooConfigLoadsAsASuite() {
    EvalSuite suite = Promptfoo.load(SHIPPED, JUDGED);

    assertThat(suite.name()).isEqualTo("shop query assistant");
    assertThat(suite.cases()).extracting(EvalCase::id).containsExactly("platinum customers", "Krakow customers",
        "shipped in 2024", "top products", "refuses to write", "explain as JSON");
    assertThat(suite.cases().get(0).lastUserMessage()).endsWith("Question: Email list of platinum-tier members, please.\n");
    assertThat(suite.cases().get(0).tags()).containsExactly("filter", "customers");
    // 'top products' has weights and a threshold, so every test grades promptfoo's weighted way
    assertThat(suite.caseGraders("top products")).extracting(Grader::name).containsExactly("weighted");
    assertThat(suite.isGraded()).isTrue();
  }

  @Test
  void theDocsShowTheShippedSuiteAsItIs() throws IOException {
    String doc = Files.readString(ROOT.resolve("docs/eval-suites.md"));
    String marker = "<!-- from ../examples/evals/shop-queries.yaml -->\n```yaml\n";
    int from = doc.indexOf(marker);
    assertThat(from).as("docs/eval-suites.md quotes examples/evals/shop-queries.yaml").isNotNegative();
    String quoted = doc.substring(from + marker.length(), doc.indexOf("```\n", from + marker.length()));
    assertThat(quoted).isEqualTo(Files.readString(ROOT.resolve("examples/evals/shop-queries.yaml")));
    assertThat(EvalSuite.load(ROOT.resolve("examples/evals/shop-queries.yaml")).caseGraders("best-sellers"))
        .extracting(Grader::name).containsExactly("contains-all", "levenshtein");
  }

  @Test
  void exportThenLoadGivesTheSameSuite() throws IOException {
    EvalSuite first = Promptfoo.load(SHIPPED, JUDGED);
    Path exported = tmp.resolve("promptfooconfig.yaml");
    Promptfoo.export(first, exported);
    EvalSuite second = Promptfoo.load(exported, JUDGED);

    assertThat(second.name()).isEqualTo(first.name());
    assertThat(second.cases()).isEqualTo(first.cases());
    assertThat(second.fingerprint()).isEqualTo(first.fingerprint()); // covers each case's graders and parameters
    assertThat(Promptfoo.toYaml(second)).isEqualTo(Files.readString(exported));
  }

  @Test
  void promptfooRunsTheExportAndDecidesEveryTestAsTunekitDoes() throws Exception {
    String promptfoo = findPromptfoo();
    Assumptions.assumeTrue(promptfoo != null, "promptfoo is not installed (npm install -g promptfoo, or set"
        + " PROMPTFOO_BIN to its launcher): the check that promptfoo runs an exported suite is skipped");
    EvalSuite suite = Promptfoo.load(Path.of(getClass().getResource("/promptfoo/echo-equivalence.yaml").toURI()));
    // promptfoo's echo provider answers with the prompt: so does this target
    EvalReport tunekit = EvalRunner.builder().build().run(suite,
        EvalTarget.of("echo", (ChatRequest r) -> new ChatResponse("echo",
            r.messages().get(r.messages().size() - 1).content(), "stop", 1, 1), "echo"));
    Path config = tmp.resolve("promptfooconfig.yaml");
    Promptfoo.export(suite, List.of(tunekit), config);

    // promptfoo's own schema check (it accepts an unknown assertion type, hence the run below)
    Path validateLog = tmp.resolve("validate.log");
    int validated = promptfoo(promptfoo, validateLog, "validate", "config", "-c", config.toString());
    assertThat(validated).as("promptfoo validate exit code; its log: %s", Files.readString(validateLog)).isZero();
    assertThat(Files.readString(validateLog)).contains("Configuration is valid.");

    Path out = tmp.resolve("results.json");
    Path log = tmp.resolve("promptfoo.log");
    promptfoo(promptfoo, log, "eval", "-c", config.toString(), "--no-cache", "-o", out.toString());
    assertThat(out).as("promptfoo wrote its results; its log: %s", Files.readString(log)).exists();

    Map<String, Boolean> promptfooSays = new LinkedHashMap<>();
    for (JsonNode r : new ObjectMapper().readTree(out.toFile()).path("results").path("results")) {
      promptfooSays.put(r.path("testCase").path("description").asText(), r.path("success").asBoolean());
    }
    Map<String, Boolean> tunekitSays = new LinkedHashMap<>();
    for (CaseResult c : tunekit.cases()) {
      assertThat(c.outcome()).as(c.id()).isNotEqualTo(Outcome.ERROR);
      tunekitSays.put(c.id(), c.outcome() == Outcome.PASS);
    }
    assertThat(promptfooSays).isEqualTo(tunekitSays);
    assertThat(tunekitSays).containsValue(true).containsValue(false);
  }

  /** Runs promptfoo with {@code args} (no telemetry, no update check, its state under the temp dir). */
  private int promptfoo(String promptfoo, Path log, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(promptfoo));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("PROMPTFOO_DISABLE_TELEMETRY", "1");
    pb.environment().put("PROMPTFOO_DISABLE_UPDATE", "1");
    pb.environment().put("PROMPTFOO_CONFIG_DIR", tmp.resolve("promptfoo-home").toString());
    Process p = pb.start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("promptfoo " + args[0] + " did not finish in 2 minutes");
    }
    return p.exitValue();
  }

  /** {@code PROMPTFOO_BIN}, else {@code promptfoo} on the PATH; null when neither is there. */
  private static String findPromptfoo() {
    List<String> candidates = new ArrayList<>();
    String env = System.getenv("PROMPTFOO_BIN");
    if (env != null && !env.isBlank()) {
      candidates.add(env);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isBlank()) {
        candidates.add(Path.of(dir, "promptfoo").toString());
      }
    }
    return candidates.stream().filter(c -> Files.isExecutable(Path.of(c))).findFirst().orElse(null);
  }
}
