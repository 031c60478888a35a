package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.internal.ConsoleListener;
import dev.tunekit.testing.FakeClock;
import dev.tunekit.testing.FakeProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's progress line names the state the job is in: through {@code run.await(console)} on
 * the fake provider and fake time, its last progress line names the terminal state, also when the job
 * ended before the wait began (it used to print {@code 100%  starting  step 3/3}).
 */
class ConsoleProgressEndTest {
  @TempDir Path dir;
  private final String instance = "console-" + UUID.randomUUID();
  private final FakeClock clock = new FakeClock();
  private FakeProvider fake;
  private Path train;

  @BeforeEach
  void setUp() {
    fake = Fixtures.register(instance);
    train = Fixtures.chatDataset(dir, "train.jsonl", 20);
  }

  @AfterEach
  void tearDown() {
    FakeProvider.unregister(instance);
  }

  /** The frames the console drew (lines in a log; every carriage-return redraw on a terminal). */
  private List<String> frames(boolean inPlace, boolean jobEndsBeforeAwait) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Tunekit tk = Fixtures.builder(dir, instance, clock, clock::advance).build()) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      if (jobEndsBeforeAwait) {
        String jobId = "ftjob-" + fake.jobCount();
        for (int i = 0; i < 10; i++) {
          fake.job(jobId); // the job runs to its end while nobody waits (a resume later, a slow JShell user)
        }
      }
      run.await(new ConsoleListener(new PrintStream(bytes, true, StandardCharsets.UTF_8), inPlace));
    }
    return Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("[\r\n]+")).map(String::strip)
        .filter(s -> !s.isEmpty()).toList();
  }

  private static String lastProgressFrame(List<String> frames) {
    List<String> progress = frames.stream().filter(f -> !f.startsWith("Run ")).toList();
    assertThat(progress).as("progress frames in %s", frames).isNotEmpty();
    return progress.get(progress.size() - 1);
  }

  @Test
  void aJobThatEndedBeforeTheWaitIsShownInItsTerminalStateNeverAsStarting() {
    for (boolean inPlace : new boolean[] {false, true}) {
      List<String> frames = frames(inPlace, true);
      assertThat(frames).as("inPlace=%s", inPlace).noneMatch(f -> f.contains("starting"))
          .last().asString().startsWith("Run ").contains("succeeded");
      assertThat(frames.stream().filter(f -> !f.startsWith("Run ")))
          .as("every progress frame of a job that had already succeeded, inPlace=%s", inPlace)
          .allMatch(f -> f.contains("succeeded"));
      assertThat(lastProgressFrame(frames)).contains("100%  succeeded  step 3/3");
    }
  }

  @Test
  void aWatchedJobsLastProgressLineNamesItsTerminalState() {
    for (boolean inPlace : new boolean[] {false, true}) {
      List<String> frames = frames(inPlace, false);
      assertThat(frames.get(0)).as("inPlace=%s", inPlace).isEqualTo("validating_files");
      assertThat(lastProgressFrame(frames)).as("inPlace=%s", inPlace).contains("100%  succeeded  step 3/3");
    }
  }
}
