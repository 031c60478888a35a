package dev.tunekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shipped {@code .jsh} scripts the way {@code jshell-scripts/tunekit} does — through
 * {@code dev.tunekit.shell.ScriptRunner} with the launcher's JVM options, this module's class path (the SDK)
 * and the launcher's startup script, falling back to a real {@code jshell} for scripts that need it — so the
 * README's first command is exercised in CI. Compiled scripts are kept in {@code target/jshell-scripts-cache}
 * across the tests, as the launcher keeps them across starts.
 */
class JShellScriptsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SCRIPTS = ROOT.resolve("jshell-scripts");
  private static final Path CACHE = Path.of("target/jshell-scripts-cache").toAbsolutePath();

  @TempDir Path tmp;

  record Result(int status, String out) {}

  private Result jshell(String script, String... args) throws Exception {
    return jshell(script, false, args);
  }

  private Result jshell(String script, boolean debug, String... args) throws Exception {
    return jshell(script, debug, java.util.Map.of(), args);
  }

  /**
   * Runs {@code script} as the launcher does; {@code debug} as with {@code TUNEKIT_DEBUG=1}; {@code env} added to
   * (an empty value: removed from) the environment.
   */
  private Result jshell(String script, boolean debug, java.util.Map<String, String> env, String... args)
      throws Exception {
    Path argFile = tmp.resolve("args.txt");
    Files.write(argFile, List.of(args), StandardCharsets.UTF_8);
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path scriptFile = SCRIPTS.resolve(script);
    String startup = SCRIPTS.resolve("startup.jsh").toString();
    String exit = SCRIPTS.resolve("exit.jsh").toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(LauncherFile.options("script_jvm"));
    command.addAll(List.of("-cp", classPath, "-Dtunekit.argsFile=" + argFile, "-Dtunekit.home=" + ROOT,
        "-Djava.awt.headless=true"));
    command.addAll(LauncherFile.options("logging"));
    if (debug) {
      command.addAll(LauncherFile.options("logging_debug"));
      command.add("-Dtunekit.debug=true");
    }
    command.addAll(List.of("dev.tunekit.shell.ScriptRunner", CACHE.toString(), startup, scriptFile.toString(), exit,
        "--"));
    // The JShell fallback's arguments, as the launcher passes them.
    command.addAll(LauncherFile.options("execution"));
    command.addAll(List.of("--class-path", classPath, "--startup", "DEFAULT", "--startup", startup,
        "-R-Dtunekit.argsFile=" + argFile, "-R-Dtunekit.home=" + ROOT, "-R-Djava.awt.headless=true"));
    LauncherFile.options("logging").forEach(o -> command.add("-R" + o));
    if (debug) {
      LauncherFile.options("logging_debug").forEach(o -> command.add("-R" + o));
    }
    command.addAll(List.of(scriptFile.toString(), exit));
    Path log = tmp.resolve(Path.of(script).getFileName() + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    env.forEach((k, v) -> {
      if (v.isEmpty()) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not finish in 5 minutes:\n" + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }

  // The quickstart runs once per build, as the README's first command: DocsCodeBlocksTest runs that block
  // through the launcher in a clone-like directory and checks its output with QuickstartOutput.check.


  @Test
  void theConsoleShowsWarningsNotInfoAndTunekitDebugRaisesTunekitsLoggersToDebug() throws Exception {
    Path probe = tmp.resolve("logging-probe.jsh");
    Files.writeString(probe, String.join("\n",
        "org.slf4j.LoggerFactory.getLogger(\"com.example.App\").info(\"probe info of another library\");",
        "org.slf4j.LoggerFactory.getLogger(\"com.example.App\").warn(\"probe warning of another library\");",
        "org.slf4j.LoggerFactory.getLogger(\"dev.tunekit.Probe\").debug(\"probe debug of Tunekit\");",
        "int status = Script.run(() -> { throw new TunekitException(\"probe failure\"); });",
        "/exit status", ""));

    Result r = jshell(probe.toString(), true);

    assertThat(r.status()).as(r.out()).isEqualTo(3);
    assertThat(r.out()).contains("WARN com.example.App - probe warning of another library")
        .doesNotContain("probe info of another library")
        .contains("DEBUG dev.tunekit.Probe - probe debug of Tunekit")
        .contains("error: probe failure")
        // the stack trace behind a script's one-line error, through Tunekit's debug log
        .contains("DEBUG dev.tunekit.shell.Script - the script ended with dev.tunekit.error.TunekitException")
        .contains("\tat ");
  }

  @Test
  void anUncaughtTunekitErrorIsOneLineAndTunekitDebugKeepsItsStackTrace() throws Exception {
    // A newcomer's script with a misplaced provider section: JShell printed the message and 9 frames.
    Files.writeString(tmp.resolve("tunekit.yaml"), "provider: openai\nopenai:\n  apiKey: sk-x\n");
    Path script = tmp.resolve("config-typo.jsh");
    Files.writeString(script, "var tk = Tunekit.fromConfig(Path.of(\"tunekit.yaml\"));\n"
        + "System.out.println(\"not reached\");\n");
    Pattern frame = Pattern.compile("(?m)^\\|?\\s+at ");

    Result quiet = jshell(script.toString());
    Result debug = jshell(script.toString(), true);

    assertThat(quiet.status()).as(quiet.out()).isEqualTo(70);
    assertThat(quiet.out()).contains("Exception dev.tunekit.error.InvalidInputException: ")
        .contains("tunekit.yaml:2").contains("go under 'providers:'")
        .contains("the script stopped before its /exit").doesNotContain("not reached");
    assertThat(frame.matcher(quiet.out()).find()).as(quiet.out()).isFalse();
    assertThat(frame.matcher(debug.out()).find()).as(debug.out()).isTrue();
  }

  @Test
  void aScriptThatNeedsJShellRunsInJShell() throws Exception {
    // A method reading a top-level variable: fields in JShell, so it does not compile as a program; it runs in
    // JShell, as before. (ScriptTranslatorTest covers the other reasons, such as a JShell command.)
    Path shared = tmp.resolve("shared.jsh");
    Files.writeString(shared, "int calls = 0;\nint next() { return ++calls; }\nnext();\n"
        + "System.out.println(\"calls=\" + next());\n/exit calls\n");

    Result r = jshell(shared.toString(), true);

    assertThat(r.status()).as(r.out()).isEqualTo(2);
    assertThat(r.out()).contains("calls=2").contains("shared.jsh runs in JShell: it does not compile");
  }

  @Test
  void aPlainScriptRunsCompiledKeepsJShellsMeaningAndABugShowsTheScriptsLine() throws Exception {
    Path script = tmp.resolve("plain.jsh");
    Files.writeString(script, String.join("\n",
        "// imports, a record, a method, variables, an expression and a loop, as JShell takes them",
        "import java.util.concurrent.atomic.AtomicInteger;",
        "record Point(int x, int y) {}",
        "int twice(int n) { return 2 * n; }",
        "var counter = new AtomicInteger();",
        "for (int i = 0; i < 3; i++) {",
        "  counter.addAndGet(twice(i));",
        "}",
        "counter.get()",
        "System.out.println(new Point(counter.get(), List.of(1, 2).size()))",
        "Object o = counter.get() > 5 ? null : counter;",
        "o.hashCode();",
        "/exit counter.get()", ""));

    Result r = jshell(script.toString(), true);

    // A bug keeps its stack trace, with the script's file and line; the script ends there (exit.jsh: 70).
    assertThat(r.status()).as(r.out()).isEqualTo(70);
    assertThat(r.out()).contains("Point[x=6, y=2]").doesNotContain("runs in JShell")
        .contains("Exception java.lang.NullPointerException").contains("(plain.jsh:12)")
        .contains("the script stopped before its /exit");
  }

  @Test
  void validateExitsNonZeroAndNamesTheLineForABadDataset() throws Exception {
    Path bad = tmp.resolve("bad.jsonl");
    Files.writeString(bad, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n{oops\n");

    Result r = jshell("validate.jsh", bad.toString());

    assertThat(r.status()).as(r.out()).isEqualTo(1);
    assertThat(r.out()).contains("line 2").contains("invalid_json").contains("example_missing_assistant_message")
        .doesNotContain("\tat ");
  }

  @Test
  void validatePassesTheBundledTrainingSet() throws Exception {
    Result r = jshell("validate.jsh", ROOT.resolve("examples/data/nl2query/train.jsonl").toString(),
        "--provider", "local", "--model", "local-base");

    assertThat(r.status()).as(r.out()).isZero();
    assertThat(r.out()).contains("300 examples").contains("READY");
  }

  @Test
  void openaiScriptWithoutAKeySaysSoInOneLine() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("OPENAI_API_KEY") == null,
        "OPENAI_API_KEY is set; this test checks the message shown without one");

    Result r = jshell("openai.jsh");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out().strip()).startsWith("OPENAI_API_KEY is not set").doesNotContain("\n").doesNotContain("Exception");
  }

  @Test
  void azureScriptWithoutCredentialsSaysWhatToSetInOneLine() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AZURE_OPENAI_API_KEY") == null
        && System.getenv("AZURE_SUBSCRIPTION_ID") == null,
        "Azure settings are set; this test checks the message shown without them");

    Result r = jshell("azure.jsh");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out().strip()).startsWith("azure.jsh cannot run: set AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY")
        .contains("AZURE_SUBSCRIPTION_ID").doesNotContain("\n").doesNotContain("Exception");
  }

  @Test
  void bedrockScriptWithoutCredentialsSaysWhatToSetInOneLine() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null
        && System.getenv("AWS_PROFILE") == null && System.getenv("TUNEKIT_BEDROCK_ROLE_ARN") == null,
        "AWS credentials are set; this test checks the message shown without them");

    Result r = jshell("bedrock.jsh");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out().strip()).startsWith("bedrock.jsh cannot run: set").contains("TUNEKIT_BEDROCK_ROLE_ARN")
        .doesNotContain("\n").doesNotContain("Exception");
  }

  @Test
  void vertexScriptWithoutCredentialsSaysWhatToSetInOneLine() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("GOOGLE_APPLICATION_CREDENTIALS") == null
        && System.getenv("TUNEKIT_VERTEX_BUCKET") == null,
        "Google credentials or the Vertex bucket are set; this test checks the message shown without them");

    Result r = jshell("vertex.jsh");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out().strip()).startsWith("vertex.jsh cannot run: set").contains("TUNEKIT_VERTEX_BUCKET")
        .contains("gcloud auth application-default login").doesNotContain("\n").doesNotContain("Exception");
  }

  @Test
  void togetherScriptWithoutAKeySaysWhatToSetInOneLine() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("TOGETHER_API_KEY") == null,
        "TOGETHER_API_KEY is set; this test checks the message shown without it");

    Result r = jshell("together.jsh");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out().strip()).startsWith("together.jsh cannot run: set TOGETHER_API_KEY")
        .doesNotContain("\n").doesNotContain("Exception");
  }

  @Test
  void fireworksScriptWithoutCredentialsSaysWhatToSetInOneLine() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("FIREWORKS_API_KEY") == null
        && System.getenv("FIREWORKS_ACCOUNT_ID") == null,
        "FIREWORKS_API_KEY or FIREWORKS_ACCOUNT_ID is set; this test checks the message shown without them");

    Result r = jshell("fireworks.jsh");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out().strip()).startsWith("fireworks.jsh cannot run: set FIREWORKS_API_KEY and FIREWORKS_ACCOUNT_ID")
        .doesNotContain("\n").doesNotContain("Exception");
  }

  /** A loopback port nothing listens on (bound, then closed). */
  private static int closedPort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void selfhostedOnRayWithoutAClusterPrintsOneLineAndRecordsNothing() throws Exception {
    int closed = closedPort();

    Result r = jshell("selfhosted.jsh", false, java.util.Map.of("TUNEKIT_PROVIDER", "ray",
        "RAY_DASHBOARD_URL", "http://127.0.0.1:" + closed, "VLLM_URL", "http://127.0.0.1:" + closed + "/v1",
        "TUNEKIT_CONFIG", "", "TUNEKIT_LEDGER", "", "TUNEKIT_WORK_DIR", ""));

    assertThat(r.status()).as(r.out()).isEqualTo(3);
    assertThat(r.out().strip()).startsWith("error: cannot reach the Ray dashboard at http://127.0.0.1:" + closed
        + " (connection refused), nor the vLLM server at").contains("providers.ray.dashboardUrl")
        .doesNotContain("\n").doesNotContain("Exception").doesNotContain("run-");
  }

  @Test
  void selfhostedOnKubeflowWithoutCredentialsPrintsOneLine() throws Exception {
    Result r = jshell("selfhosted.jsh", false, java.util.Map.of("TUNEKIT_PROVIDER", "kubeflow",
        "KUBECONFIG", tmp.resolve("no-such-kubeconfig").toString(), "TUNEKIT_CONFIG", "", "TUNEKIT_LEDGER", "",
        "TUNEKIT_WORK_DIR", ""));

    assertThat(r.status()).as(r.out()).isEqualTo(2);
    assertThat(r.out().strip()).startsWith("error: ").contains("providers.kubeflow.kubeconfig: the kubeconfig "
        + tmp.resolve("no-such-kubeconfig") + " does not exist or cannot be read").doesNotContain("\n")
        .doesNotContain("Exception").doesNotContain("run-");
  }

  @Test
  void selfhostedOnLocalRunsTheWholeGatedWorkflowOffline() throws Exception {
    // A slice of the bundled data keeps this cheap (the README's quickstart runs the full set once per build): 40
    // training lines, 10 for validation, and 12 of the training questions held out, which the stand-in trainer has
    // seen and the prompted base model has not.
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path bundled = ROOT.resolve("examples/data/nl2query");
    List<String> train = Files.readAllLines(bundled.resolve("train.jsonl")).subList(0, 40);
    Files.write(data.resolve("train.jsonl"), train);
    Files.write(data.resolve("validation.jsonl"),
        Files.readAllLines(bundled.resolve("validation.jsonl")).subList(0, 10));
    Files.write(data.resolve("heldout.jsonl"), train.subList(0, 12));
    Files.copy(bundled.resolve("baseline-system-prompt.txt"), data.resolve("baseline-system-prompt.txt"));

    Result r = jshell("selfhosted.jsh", false, java.util.Map.of("TUNEKIT_PROVIDER", "local", "TUNEKIT_CONFIG", "",
        "TUNEKIT_LEDGER", "", "TUNEKIT_WORK_DIR", ""), data.toString());

    assertThat(r.status()).as(r.out()).isEqualTo(0);
    assertThat(r.out()).contains("Training on local (").contains("Run run-")
        .containsPattern("Gate: tuned .* vs baseline .*: \\+[0-9.]+ points")
        .contains("Deployed: ask it as model ft:local-base");
    assertThat(tmp.resolve(".tunekit/ledger.db")).as("the ledger in the current directory, not in the clone").exists();
  }

  @Test
  void gateWritesJUnitXmlAndMarkdownAndExitsOneWhenTheGateBlocks() throws Exception {
    var suite = dev.tunekit.eval.EvalSuite.of("gate-demo", java.util.stream.IntStream.range(0, 4)
        .mapToObj(i -> dev.tunekit.eval.EvalCase.of("c" + i, "q" + i, "a" + i)).toList())
        .withGrader(dev.tunekit.eval.Graders.exactMatch());
    // The baseline answers c0 right, the tuned model c0–c2: +50 points.
    java.util.function.Function<Integer, dev.tunekit.model.ChatModel> knows = n -> r -> {
      String q = r.messages().get(r.messages().size() - 1).content();
      return new dev.tunekit.model.ChatResponse(r.model(), Integer.parseInt(q.substring(1)) < n ? "a" + q.substring(1)
          : "?", "stop", 1, 1);
    };
    Path report = tmp.resolve("eval/report.json");
    dev.tunekit.eval.EvalRunner.create().compare(suite, dev.tunekit.eval.EvalTarget.of("baseline", knows.apply(1), "b"),
        dev.tunekit.eval.EvalTarget.of("tuned", knows.apply(3), "t")).writeJson(report);

    Result blocked = jshell("gate.jsh", report.toString(), "--min-improvement", "0.6", "--out", tmp.resolve("ci").toString());
    assertThat(blocked.status()).as(blocked.out()).isEqualTo(1);
    assertThat(blocked.out()).contains("### Tunekit eval: ❌ blocked").contains("needs +60.0 points");
    assertThat(Files.readString(tmp.resolve("ci/junit.xml"))).contains("<failure type=\"gate.blocked\"")
        .contains("<testcase name=\"c3\"");
    assertThat(Files.readString(tmp.resolve("ci/summary.md"))).startsWith("### Tunekit eval: ❌ blocked");

    // The promoted path (exit 0) is the same code with the other branch; CiReportsTest (core) covers its files.
  }
}
