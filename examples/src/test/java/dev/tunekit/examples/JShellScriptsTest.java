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
 * Runs the shipped {@code .jsh} scripts the way {@code jshell-scripts/tunekit} does — in a real
 * {@code jshell}, with this module's class path (the SDK) and the launcher's startup script — so the
 * README's first command is exercised in CI.
 */
class JShellScriptsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SCRIPTS = ROOT.resolve("jshell-scripts");

  @TempDir Path tmp;

  record Result(int status, String out) {}

  private Result jshell(String script, String... args) throws IOException, InterruptedException {
    Path argFile = tmp.resolve("args.txt");
    Files.write(argFile, List.of(args), StandardCharsets.UTF_8);
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String jshell = Path.of(System.getProperty("java.home"), "bin", "jshell").toString();
    List<String> command = new ArrayList<>(List.of(jshell, "--class-path", classPath,
        "--startup", "DEFAULT", "--startup", SCRIPTS.resolve("startup.jsh").toString(),
        "-R-Dtunekit.argsFile=" + argFile, "-R-Dtunekit.home=" + ROOT, "-R-Djava.awt.headless=true",
        SCRIPTS.resolve(script).toString(), SCRIPTS.resolve("exit.jsh").toString()));
    Path log = tmp.resolve(script + ".log");
    Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not finish in 5 minutes:\n" + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }

  @Test
  void quickstartTunesOnTheLocalProviderAndTheTunedModelBeatsTheBaseline() throws Exception {
    Path out = tmp.resolve("out");

    Result r = jshell("quickstart.jsh", "--out", out.toString());

    assertThat(r.status()).as(r.out()).isZero();
    assertThat(r.out()).contains("READY: no errors").contains("succeeded").doesNotContain("Exception");
    Matcher gate = Pattern.compile("Gate: tuned [0-9.]+% .*\\((\\d+)/(\\d+)\\) vs baseline [0-9.]+% .*\\((\\d+)/(\\d+)\\)")
        .matcher(r.out());
    assertThat(gate.find()).as(r.out()).isTrue();
    int tuned = Integer.parseInt(gate.group(1));
    int baseline = Integer.parseInt(gate.group(3));
    assertThat(tuned).isGreaterThan(baseline);
    assertThat(out.resolve("report.html")).isNotEmptyFile();
    assertThat(Files.readString(out.resolve("report.html"))).contains("<svg");
    // The page shows the gate's decision, the run and its training settings, and each question.
    assertThat(Files.readString(out.resolve("report.html")))
        .contains("<div class=\"decision promoted\"><b>Promoted</b>")
        .contains("<th>margin required</th><td class=\"num\">+5.0 points</td>")
        .contains("<th>base model</th><td>local-base</td>").contains("<th>epochs</th><td>3</td>")
        .contains("<th>training data</th><td>train.jsonl (300 examples)</td>")
        .containsPattern("<th>run id</th><td>run-[0-9]{8}-[0-9]{6}-[0-9a-f]+</td>")
        .contains("<pre class=\"diff\">");
    assertThat(out.resolve("report.json")).isNotEmptyFile();
    assertThat(Files.readString(out.resolve("report.json"))).contains("\"decision\" : \"promoted\"")
        .contains("\"baseModel\" : \"local-base\"");
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
  void bedrockScriptWithoutCredentialsSaysWhatToSetInOneLine() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null
        && System.getenv("AWS_PROFILE") == null && System.getenv("TUNEKIT_BEDROCK_ROLE_ARN") == null,
        "AWS credentials are set; this test checks the message shown without them");

    Result r = jshell("bedrock.jsh");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out().strip()).startsWith("bedrock.jsh cannot run: set").contains("TUNEKIT_BEDROCK_ROLE_ARN")
        .doesNotContain("\n").doesNotContain("Exception");
  }
}
