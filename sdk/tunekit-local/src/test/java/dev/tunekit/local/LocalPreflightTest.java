package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.ValidationOptions;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.Graders;
import dev.tunekit.internal.Internals;
import dev.tunekit.internal.ResilientProvider;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.PreflightProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preflight on {@code local}: what the embedded server would refuse after the upload (a model it does
 * not tune, out-of-range hyperparameters, too few training examples) is refused before the baseline and
 * the upload, and the server sees no request at all.
 */
class LocalPreflightTest {
  @TempDir Path dir;

  private Tunekit open() {
    return Tunekit.builder().provider("local").setting("stepDelay", "0ms").ledger(dir.resolve("ledger.db"))
        .workDir(dir.resolve("work")).build();
  }

  private static LocalServer server(Tunekit tk) {
    return ((LocalTuningProvider) ((ResilientProvider) Internals.workflow(tk).provider()).delegate()).server();
  }

  private Path dataset(int n) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add("{\"messages\":[{\"role\":\"user\",\"content\":\"question " + i + "\"},"
          + "{\"role\":\"assistant\",\"content\":\"answer " + i + "\"}]}");
    }
    return Files.write(dir.resolve("train-" + n + ".jsonl"), lines);
  }

  private static EvalSuite suite() {
    return EvalSuite.of("s", EvalCase.of("c1", "question 1", "answer 1"), EvalCase.of("c2", "question 2", "answer 2"))
        .withGrader(Graders.exactMatch());
  }

  @Test
  void aModelTheServerDoesNotTuneAndABadBatchSizeAreRefusedWithoutARequest() throws IOException {
    Path train = dataset(20);
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("gpt-4o-mini").trainingData(train)
          .hyperparameters(h -> h.batchSize(1000)).evaluateWith(suite()).baselinePrompt("Answer.").gate(0.05)
          .start(), PreflightException.class);

      assertThat(e).isNotNull();
      assertThat(e.problems()).extracting(PreflightProblem::where).containsExactly("model", "hyperparameters.batchSize");
      assertThat(e.getMessage()).contains("cannot tune 'gpt-4o-mini'", "use .model(\"local-base\")",
          "must be 1 to 256 on local, was 1000");
      assertThat(server(tk).requestsReceived()).isZero(); // no baseline chat, no upload, no job
      assertThat(tk.run(e.runId().orElseThrow()).state()).isEqualTo(RunState.REJECTED);
    }
  }

  @Test
  void aTrainingFileSmallerThanTheServersMinimumIsRefusedBeforeTheUpload() throws IOException {
    // 10 examples, 1 held out: the server would get 9 and refuse them after the upload.
    Path train = dataset(10);
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("local-base").trainingData(train)
          .validationSplit(0.1, 1).start(), PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("trainingData: the training file to upload has 9 example(s)",
          "needs at least 10");
      assertThat(server(tk).requestsReceived()).isZero();
    }
  }

  @Test
  void reinforcementFineTuningIsRefusedOffline() {
    var p = LocalPreflight.check(dev.tunekit.spi.JobPlan.builder().baseModel("local-base")
        .method(dev.tunekit.spi.TrainingMethod.REINFORCEMENT)
        .grader(dev.tunekit.spi.RewardGrader.lambda("arn:aws:lambda:us-east-1:123456789012:function:f")).build());
    assertThat(p).extracting(dev.tunekit.spi.PreflightProblem::where).containsExactly("method");
    assertThat(p.get(0).problem()).contains("supervised fine-tuning only, not REINFORCEMENT");
  }

  @Test
  void aCommandTrainerTakesRealBaseModelNames_butNotJunk() {
    var plan = dev.tunekit.spi.JobPlan.builder().baseModel("Qwen/Qwen2.5-0.5B-Instruct").build();
    assertThat(LocalPreflight.check(plan, true)).isEmpty();
    assertThat(LocalPreflight.check(plan, false)).extracting(PreflightProblem::fix)
        .singleElement().asString().contains("trainer: command");
    var junk = LocalPreflight.check(dev.tunekit.spi.JobPlan.builder().baseModel("my model; rm -rf").build(), true);
    assertThat(junk).extracting(PreflightProblem::where).containsExactly("model");
    assertThat(junk.get(0).fix()).contains("such as Qwen/Qwen2.5-0.5B-Instruct");
  }

  @Test
  void deployBeforeEvaluationWithoutAVllmBlockIsRefusedOffline() {
    try (LocalTuningProvider p = (LocalTuningProvider) new LocalProviderFactory().create(dev.tunekit.spi.ProviderSettings
        .of("local", "tunekit.yaml", dir, java.util.Map.of("trainer", "command", "command", "true")))) {
      var problems = p.preflight(dev.tunekit.spi.JobPlan.builder().baseModel("Qwen/Qwen2.5-0.5B-Instruct")
          .deploysBeforeEvaluation(true).build());
      assertThat(problems).extracting(PreflightProblem::where).containsExactly("providers.local.vllm");
      assertThat(problems.get(0).fix()).contains("VLLM_ALLOW_RUNTIME_LORA_UPDATING=True");
      assertThat(p.capability(dev.tunekit.spi.Deployments.class)).isEmpty();
    }
  }

  @Test
  void theCatalogsMinimumIsTheServersMinimum() throws IOException {
    assertThat(Dataset.of(dataset(3)).validate(new ValidationOptions("local", "local-base")).hasErrors()).isTrue();
    assertThat(Dataset.of(dataset(JobRunner.MIN_EXAMPLES)).validate(new ValidationOptions("local", "local-base"))
        .hasErrors()).isFalse();
  }

  @Test
  void aGoodPlanPassesAndRunsOnTheServer() throws IOException {
    Path train = dataset(20);
    try (Tunekit tk = open()) {
      var run = tk.fineTune().model("local-base").trainingData(train).hyperparameters(h -> h.epochs(2).batchSize(4))
          .start();
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
      assertThat(server(tk).requestsReceived()).isPositive();
    }
  }
}
