package dev.tunekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a run of {@code quickstart.jsh} must show: the tuned model beats the baseline on the local provider,
 * the report says so, and the console prints each result once with no log line below warning level.
 *
 * <p>The quickstart runs once per build, as the README's first command: {@link DocsCodeBlocksTest} runs that
 * block through the launcher in a clone-like directory and checks it here (it used to run a second time in
 * {@link JShellScriptsTest}, 16 s of the build).
 */
final class QuickstartOutput {
  /** A log line of slf4j-simple below warning level, e.g. {@code [main] INFO dev.tunekit.internal.EvalHook - ...}. */
  private static final Pattern QUIET_LEVEL_LINE = Pattern.compile("(?m)^\\[[^\\]]+\\] (INFO|DEBUG|TRACE) ");

  private QuickstartOutput() {}

  /** Checks the console output {@code text} of a quickstart run that wrote its reports to {@code out}. */
  static void check(String text, Path out) throws IOException {
    assertThat(text).contains("READY: no errors").contains("succeeded").doesNotContain("Exception");
    Matcher gate = Pattern.compile("Gate: tuned [0-9.]+% .*\\((\\d+)/(\\d+)\\) vs baseline [0-9.]+% .*\\((\\d+)/(\\d+)\\)")
        .matcher(text);
    assertThat(gate.find()).as(text).isTrue();
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
    // For CI: JUnit XML with the gate as its own suite, and the pull-request summary.
    assertThat(Files.readString(out.resolve("junit.xml"))).contains("<testsuite name=\"gate\" tests=\"1\" failures=\"0\"")
        .contains("<testcase name=\"case-1\"");
    assertThat(Files.readString(out.resolve("summary.md"))).startsWith("### Tunekit eval: ✅ promoted");

    // Each result once: the run's listener draws the progress, the script prints the table and the gate
    // (before, the listener printed them too, and the engine's INFO log repeated the gate: 2, 2 and 3 times).
    assertThat(count(text, "Suite heldout (60 cases)")).as("comparison tables in:%n%s", text).isEqualTo(1);
    assertThat(count(text, "Flipped baseline → tuned")).as("flipped-case lists in:%n%s", text).isEqualTo(1);
    assertThat(text.lines().filter(l -> l.contains(" vs baseline ")).toList()).as("gate lines")
        .singleElement().asString().startsWith("== 4. Gate: tuned");
    // A quiet console: no log line below warning level.
    assertThat(QUIET_LEVEL_LINE.matcher(text).find()).as("an INFO/DEBUG log line in:%n%s", text).isFalse();
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
      n++;
    }
    return n;
  }
}
