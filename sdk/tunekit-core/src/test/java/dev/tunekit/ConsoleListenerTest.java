package dev.tunekit;

import dev.tunekit.internal.ConsoleListener;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.spi.RemoteJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ConsoleListenerTest {
  private static RemoteJob job(JobStatus s) {
    return RemoteJob.builder().id("ftjob-1").status(s).baseModel("m").createdAt(Optional.empty())
        .finishedAt(Optional.empty()).trainedTokens(Optional.empty()).metadata(Map.of()).build();
  }

  @Test
  void aPausedProviderIsOneLineSayingUntilWhenAndThatTheRunWaits() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RunListener l = RunListener.console(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    Instant until = java.time.LocalDateTime.of(2026, 12, 3, 10, 15, 30, 123_000_000)
        .atZone(java.time.ZoneId.systemDefault()).toInstant();
    l.onProviderPaused("openai", until);
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
        "Provider openai is failing; calls to it are paused until 10:15:30. The run waits and goes on then.");
  }

  @Test
  void logModePrintsOneReadableLinePerStateAndTenthWithBarStepAndLoss() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RunListener l = RunListener.console(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    l.onStatus(job(new JobStatus.Running("running")));
    l.onEvent(new JobEvent("e1", Instant.EPOCH, "info", "Step 5/20: training loss=0.9"));
    l.onMetric(new MetricPoint(5, OptionalDouble.of(0.5321), OptionalDouble.of(0.611), OptionalDouble.empty(),
        OptionalDouble.empty()));
    l.onMetric(new MetricPoint(5, OptionalDouble.of(0.5321), OptionalDouble.of(0.611), OptionalDouble.empty(),
        OptionalDouble.empty()));
    l.onEvent(new JobEvent("e2", Instant.EPOCH, "warn", "Validation loss is rising"));
    l.onFinished(new RunResult("run-1", RunState.TRAINED, Optional.empty(), Optional.of("ft:m:x"), List.of(),
        Duration.ofSeconds(65)));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain("\r");
    assertThat(out.lines()).containsExactly(
        "running",
        "[######------------------]  25%  running  step 5/20",
        "WARN: Validation loss is rising",
        "Run run-1 succeeded: ft:m:x  final loss 0.5321  (1m05s)");
  }

  @Test
  void logModeKeepsAHundredStepsToAboutTenLines() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RunListener l = RunListener.console(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    l.onStatus(job(new JobStatus.Running("running")));
    for (int i = 1; i <= 100; i++) {
      l.onEvent(new JobEvent("e" + i, Instant.EPOCH, "info", "Step " + i + "/100"));
      l.onMetric(MetricPoint.trainLoss(i, 1.0 / i));
    }
    l.onStatus(job(new JobStatus.Succeeded("succeeded", Optional.of("ft:m"))));
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(13); // "running", tenths 0..10, "succeeded"
    assertThat(lines.get(11)).isEqualTo("[########################] 100%  running  step 100/100  loss 0.0101");
    assertThat(lines.get(12)).contains("succeeded  step 100/100");
  }

  @Test
  void terminalModeRedrawsInPlace() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleListener l = new ConsoleListener(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
    l.onStatus(job(new JobStatus.Queued("queued")));
    l.onStatus(job(new JobStatus.Running("running")));
    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("\rqueued\rrunning");
  }
}
