package dev.tunekit.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.Tunekit;
import dev.tunekit.eval.EvalComparison;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The widget-format example end to end on the embedded {@code local} provider: the same suite and
 * grader as {@link WidgetChatEval}, a real (local) fine-tuning job on the bundled training data, the
 * prompt-engineered baseline evaluated first, and the gate deciding.
 */
class WidgetChatOnLocalProviderTest {
  @TempDir Path dir;

  @Test
  void tunedModelFollowsTheWidgetFormatWhereThePromptedBaseModelDoesNot() throws Exception {
    Path train = dir.resolve("widget-chat-train.jsonl");
    try (InputStream in = WidgetChatEval.trainingData().openStream()) {
      Files.copy(in, train);
    }

    try (Tunekit tk = Tunekit.builder().provider("local").workDir(dir.resolve("work"))
        .setting("stepDelay", "0ms").build()) {
      var run = tk.fineTune()
          .model("local-base")
          .trainingData(train)
          .suffix("widgets")
          .evaluateWith(WidgetChatEval.suite())
          .baselinePrompt(WidgetChatEval.SYSTEM_PROMPT)
          .gate(0.05)
          .start();
      RunResult result = run.await(RunListener.none());

      assertThat(result.succeeded()).isTrue();
      EvalComparison comparison = run.evaluation().orElseThrow();
      double baseline = comparison.baseline().passRate().rate();
      double tuned = comparison.report("tuned").passRate().rate();
      assertThat(comparison.report("tuned").errors()).isEmpty();
      assertThat(tuned).as(comparison.format()).isGreaterThan(baseline + 0.05);
      assertThat(run.gate()).hasValueSatisfying(g -> assertThat(g.passed()).isTrue());
      assertThat(run.deploy().inferenceModel()).isEqualTo(result.fineTunedModel().orElseThrow());
    }
  }
}
