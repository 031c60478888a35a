package dev.tunekit.openai;

import static dev.tunekit.openai.OpenAiWireMock.CANARY_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.Graders;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preflight on openai, azure and openai-compatible: an unknown model (on the closed OpenAI catalog),
 * an out-of-range batch size, too few training examples and an unsupported method are refused before
 * the baseline and the upload, and the WireMock server sees no request.
 */
class OpenAiPreflightTest {
  @TempDir Path dir;
  OpenAiWireMock api;

  @BeforeEach
  void start() {
    api = OpenAiWireMock.start();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private Tunekit open() {
    return Tunekit.builder().provider("openai").setting("baseUrl", api.baseUrl()).setting("apiKey", CANARY_KEY)
        .ledger(dir.resolve("ledger.db")).workDir(dir.resolve("work")).build();
  }

  private static EvalSuite suite() {
    return EvalSuite.of("s", EvalCase.of("c1", "q1", "a1"), EvalCase.of("c2", "q2", "a2")).withGrader(Graders.exactMatch());
  }

  @Test
  void anUnknownModelAndABadBatchSizeAreRefusedWithZeroRequests() throws IOException {
    Path train = WorkflowStubs.chatDataset(dir.resolve("train.jsonl"), 20);
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("gpt-4o-mini-typo").trainingData(train)
          .hyperparameters(h -> h.batchSize(512)).evaluateWith(suite()).baselinePrompt("Answer.").gate(0.05).start(),
          PreflightException.class);

      assertThat(e).isNotNull();
      assertThat(e.problems()).extracting(PreflightProblem::where).containsExactly("model", "hyperparameters.batchSize");
      assertThat(e.getMessage()).contains("'gpt-4o-mini-typo' is not a model openai can fine-tune",
          "gpt-4o-mini-2024-07-18", "must be 1 to 256, was 512").doesNotContain(CANARY_KEY);
      assertThat(api.server().getAllServeEvents()).isEmpty(); // no baseline chat, no upload, no job
      assertThat(tk.run(e.runId().orElseThrow()).state()).isEqualTo(RunState.REJECTED);
    }
  }

  @Test
  void fewerTrainingExamplesThanOpenAiTakesAfterTheSplitAreRefusedWithZeroRequests() throws IOException {
    Path train = WorkflowStubs.chatDataset(dir.resolve("train.jsonl"), 10); // 10 pass validation; 9 would be uploaded
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("gpt-4o-mini").trainingData(train)
          .validationSplit(0.1, 1).start(), PreflightException.class);
      assertThat(e.getMessage()).contains("has 9 example(s) (after the validation split); openai needs at least 10");
      assertThat(api.server().getAllServeEvents()).isEmpty();
    }
  }

  @Test
  void aliasesTunedModelsAndAzureNamesAreKnown_compatibleServersAreOpen() {
    try (TuningProvider openai = api.provider(); TuningProvider azure = api.provider("azure", Map.of());
        TuningProvider compatible = api.provider("openai-compatible", Map.of())) {
      for (String m : new String[] {"gpt-4o-mini", "gpt-4o-mini-2024-07-18", "ft:gpt-4o-mini-2024-07-18:acme::abc123"}) {
        assertThat(openai.preflight(JobPlan.builder().baseModel(m).build())).as(m).isEmpty();
      }
      assertThat(azure.preflight(JobPlan.builder().baseModel("gpt-35-turbo-0125").build())).isEmpty();
      assertThat(azure.preflight(JobPlan.builder().baseModel("gpt-4o-mini-2024-07-18.ft-0123abcd").build())).isEmpty();
      assertThat(azure.preflight(JobPlan.builder().baseModel("gpt-5-nope").build()))
          .extracting(PreflightProblem::where).containsExactly("model");
      assertThat(compatible.preflight(JobPlan.builder().baseModel("my-own-llama").build())).isEmpty();
      assertThat(compatible.preflight(JobPlan.builder().baseModel("m").method(TrainingMethod.DISTILLATION).build()))
          .extracting(PreflightProblem::where).containsExactly("method");
    }
    assertThat(api.server().getAllServeEvents()).isEmpty();
  }
}
