package dev.tunekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunState;
import dev.tunekit.internal.engine.RunTransitions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed diagram of the run state machine is the table: this test draws {@link RunTransitions}
 * and fails when {@code docs/run-states.md} differs, so the docs never drift. To update the file after
 * changing the table, run with {@code -Dtunekit.writeDiagram=true} and commit the result.
 */
class RunStatesDiagramTest {
  private static final String BEGIN = "```mermaid\n";
  private static final String END = "```\n";

  private static Path doc() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("docs"))) {
      p = p.getParent();
    }
    assertThat(p).as("the repository's docs/ directory above %s", Path.of("").toAbsolutePath()).isNotNull();
    return p.resolve("docs/run-states.md");
  }

  @Test
  void docsRunStatesMdShowsExactlyTheTransitionTable() throws IOException {
    Path doc = doc();
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int start = text.indexOf(BEGIN);
    int end = text.indexOf(END, start + BEGIN.length());
    assertThat(start).as("a ```mermaid block in %s", doc).isGreaterThanOrEqualTo(0);
    String committed = text.substring(start + BEGIN.length(), end);
    String drawn = RunTransitions.mermaid();
    if (Boolean.getBoolean("tunekit.writeDiagram")) {
      Files.writeString(doc, text.substring(0, start + BEGIN.length()) + drawn + text.substring(end));
      return;
    }
    assertThat(committed).as("docs/run-states.md is stale: run this test with -Dtunekit.writeDiagram=true")
        .isEqualTo(drawn);
  }

  @Test
  void everyStateIsReachableAndTerminalMeansNoMoveLeavesIt() {
    for (RunState s : RunState.values()) {
      assertThat(s.isTerminal()).as("%s.isTerminal() against the table", s).isEqualTo(!RunTransitions.hasExit(s));
      assertThat(s == RunTransitions.INITIAL || RunTransitions.TABLE.stream().anyMatch(t -> t.to() == s))
          .as("%s is reachable", s).isTrue();
    }
  }
}
