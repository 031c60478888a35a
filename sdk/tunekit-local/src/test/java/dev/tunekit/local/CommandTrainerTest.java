package dev.tunekit.local;

import static dev.tunekit.local.Fixtures.awaitJob;
import static dev.tunekit.local.Fixtures.awaitTerminal;
import static dev.tunekit.local.Fixtures.createJob;
import static dev.tunekit.local.Fixtures.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.FineTuningJobEvent;
import com.openai.models.finetuning.jobs.JobListEventsParams;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The external-command trainer, driven by small bash scripts written into a temporary directory. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class CommandTrainerTest {
  @TempDir Path dir;

  static Path script(Path dir, String body) throws Exception {
    Path p = Files.createTempFile(dir, "train", ".sh");
    Files.writeString(p, "#!/bin/bash\nset -e\n" + body, StandardCharsets.UTF_8);
    return p;
  }

  static Path tiny(Path dir) throws Exception {
    Path p = dir.resolve("tiny.jsonl");
    Files.write(p, Files.readAllLines(Fixtures.TRAIN).subList(0, 12));
    return p;
  }

  private LocalServer server(Path script) {
    return LocalServer.builder().dataDir(dir.resolve("data")).stepDelay(Duration.ZERO)
        .trainer(Trainer.command(List.of("/bin/bash", script.toString()))).start();
  }

  @Test
  void scriptLossLinesBecomeMetricsAndItsModelPathTheFineTunedModel() throws Exception {
    Path script = script(dir, String.join("\n",
        "test -f \"$TUNEKIT_TRAINING_FILE\"",
        "echo \"epochs=$TUNEKIT_N_EPOCHS seed=$TUNEKIT_SEED base=$TUNEKIT_BASE_MODEL\"",
        "echo 'step=1 train_loss=0.90 train_accuracy=0.40'",
        "echo 'step=2 train_loss=0.60 valid_loss=0.70'",
        "echo '{\"step\": 3, \"train_loss\": 0.41, \"valid_loss\": 0.55}'",
        "mkdir -p ckpt-2 && echo checkpoint_path=ckpt-2 step=2 train_loss=0.60",
        "mkdir -p adapter && echo weights > adapter/adapter.bin",
        "echo model_path=adapter",
        "exit 0", ""));
    try (LocalServer server = server(script)) {
      OpenAIClient c = Fixtures.client(server);
      FineTuningJob job = awaitTerminal(c, createJob(c, upload(c, tiny(dir)), null, null).id());
      assertThat(job.status().asString()).isEqualTo("succeeded");
      assertThat(job.fineTunedModel()).hasValueSatisfying(m -> assertThat(m).startsWith("ft:local-base:tunekit:"));

      List<FineTuningJobEvent> events = c.fineTuning().jobs().listEvents(job.id(),
          JobListEventsParams.builder().limit(100).build()).data();
      List<Map<String, Object>> metrics = new ArrayList<>();
      for (FineTuningJobEvent e : events) {
        if (e.type().map(t -> t.asString().equals("metrics")).orElse(false)) {
          @SuppressWarnings("unchecked")
          Map<String, Object> data = e._data().convert(Map.class);
          metrics.add(0, data);
        }
      }
      assertThat(metrics).extracting(m -> ((Number) m.get("step")).longValue()).containsExactly(1L, 2L, 3L);
      assertThat(((Number) metrics.get(2).get("valid_loss")).doubleValue()).isEqualTo(0.55);
      assertThat(metrics.get(0)).containsEntry("train_mean_token_accuracy", 0.4);
      assertThat(events).anyMatch(e -> e.message().equals("epochs=auto seed=7 base=local-base"));
      assertThat(events).anyMatch(e -> e.message().contains("adapter"));
      var checkpoints = c.fineTuning().jobs().checkpoints().list(job.id()).data();
      assertThat(checkpoints).singleElement().satisfies(k -> {
        assertThat(k.stepNumber()).isEqualTo(2L);
        assertThat(k.fineTunedModelCheckpoint()).isEqualTo(job.fineTunedModel().orElseThrow() + ":ckpt-step-2");
        assertThat(k.metrics().trainLoss()).hasValue(0.6);
      });

      String csv;
      try (var response = c.files().content(job.resultFiles().get(0)); InputStream body = response.body()) {
        csv = new String(body.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(csv.lines()).containsExactly("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy",
          "1,0.90000,0.40000,,", "2,0.60000,,0.70000,", "3,0.41000,,0.55000,");
      // The local server cannot run external weights: chat says where they are instead.
      assertThatThrownBy(() -> c.chat().completions().create(ChatCompletionCreateParams.builder()
          .model(job.fineTunedModel().orElseThrow()).addUserMessage("hi").build()))
          .isInstanceOfSatisfying(BadRequestException.class, e -> {
            assertThat(e.code()).hasValue("model_not_servable");
            assertThat(e.getMessage()).contains("adapter");
          });
      c.close();
    }
  }

  @Test
  void nonZeroExitFailsTheJobWithTheEndOfStandardError() throws Exception {
    Path script = script(dir, "echo 'step=1 train_loss=2.0'\necho 'CUDA out of memory' >&2\nexit 3\n");
    try (LocalServer server = server(script)) {
      OpenAIClient c = Fixtures.client(server);
      FineTuningJob job = awaitTerminal(c, createJob(c, upload(c, tiny(dir)), null, null).id());
      assertThat(job.status().asString()).isEqualTo("failed");
      FineTuningJob.Error error = job.error().orElseThrow();
      assertThat(error.code()).isEqualTo("training_command_failed");
      assertThat(error.message()).contains("exited with code 3").contains("CUDA out of memory");
      assertThat(job.fineTunedModel()).isEmpty();
      c.close();
    }
  }

  @Test
  void cancelKillsTheCommandAndTheProcessesItStarted() throws Exception {
    Path pids = dir.resolve("pids");
    Path script = script(dir, "sleep 60 &\necho $! > " + pids + "\necho $$ >> " + pids
        + "\necho 'step=1 train_loss=1.0'\nwait\n");
    try (LocalServer server = server(script)) {
      OpenAIClient c = Fixtures.client(server);
      String id = createJob(c, upload(c, tiny(dir)), null, null).id();
      awaitJob(c, id, j -> Files.exists(pids) && lines(pids) == 2, Duration.ofSeconds(30));
      List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
      assertThat(started).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

      assertThat(c.fineTuning().jobs().cancel(id).status().asString()).isEqualTo("cancelled");
      long deadline = System.currentTimeMillis() + 10_000;
      while (System.currentTimeMillis() < deadline
          && started.stream().anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))) {
        Thread.sleep(50);
      }
      assertThat(started).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      assertThat(c.fineTuning().jobs().retrieve(id).status().asString()).isEqualTo("cancelled");
      c.close();
    }
  }

  @Test
  void pauseStopsTheCommandAndResumeContinuesIt() throws Exception {
    Path script = script(dir, "for i in $(seq 1 400); do echo \"step=$i train_loss=1.0\"; sleep 0.05; done\n");
    try (LocalServer server = server(script)) {
      OpenAIClient c = Fixtures.client(server);
      String id = createJob(c, upload(c, tiny(dir)), null, null).id();
      awaitJob(c, id, j -> OpenAiClientCompatibilityTest.metricEvents(c, id) >= 3, Duration.ofSeconds(30));
      assertThat(c.fineTuning().jobs().pause(id).status().asString()).isEqualTo("paused");
      Thread.sleep(500); // the trainer polls every 100 ms, then SIGSTOPs the script
      long atPause = OpenAiClientCompatibilityTest.metricEvents(c, id);
      Thread.sleep(600);
      assertThat(OpenAiClientCompatibilityTest.metricEvents(c, id)).as("no output while stopped").isEqualTo(atPause);

      assertThat(c.fineTuning().jobs().resume(id).status().asString()).isEqualTo("running");
      awaitJob(c, id, j -> OpenAiClientCompatibilityTest.metricEvents(c, id) > atPause + 2, Duration.ofSeconds(30));
      assertThat(c.fineTuning().jobs().cancel(id).status().asString()).isEqualTo("cancelled");
      c.close();
    }
  }

  private static long lines(Path p) {
    try {
      return Files.readAllLines(p).stream().filter(l -> !l.isBlank()).count();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  @Test
  void progressLinesAreParsedAsKeyValuePairsOrJsonAndOtherLinesAsMessages() {
    List<String> logged = new ArrayList<>();
    List<Map<String, Double>> metrics = new ArrayList<>();
    TrainingContext ctx = new RecordingContext(logged, metrics, dir);
    java.util.concurrent.atomic.AtomicReference<Path> model = new java.util.concurrent.atomic.AtomicReference<>();
    CommandTrainer.handleLine("step=12 train_loss=0.53 valid_loss=0.61", ctx, model);
    CommandTrainer.handleLine("{\"step\": 13, \"train_loss\": 0.5, \"note\": \"x\"}", ctx, model);
    CommandTrainer.handleLine("loading shards 3/4", ctx, model);
    CommandTrainer.handleLine("model_path=/models/out", ctx, model);
    assertThat(metrics).containsExactly(Map.of("step", 12.0, "train_loss", 0.53, "valid_loss", 0.61),
        Map.of("step", 13.0, "train_loss", 0.5));
    assertThat(logged).contains("loading shards 3/4");
    assertThat(model.get()).isEqualTo(Path.of("/models/out"));
  }

  /** The lines trainers/trl/tunekit_train.py prints (copied from a real run): one JSON object each. */
  @Test
  void theTrlTrainersJsonLinesBecomeMetricsCheckpointsEventsAndTheModel() {
    List<String> logged = new ArrayList<>();
    List<Map<String, Double>> metrics = new ArrayList<>();
    TrainingContext ctx = new RecordingContext(logged, metrics, dir);
    java.util.concurrent.atomic.AtomicReference<Path> model = new java.util.concurrent.atomic.AtomicReference<>();
    CommandTrainer.handleLine("{\"tunekit\":\"event\",\"level\":\"warn\",\"message\":\"no CUDA device: training on "
        + "the CPU, which is slow\"}", ctx, model);
    CommandTrainer.handleLine("{\"tunekit\":\"metric\",\"step\":2,\"epoch\":0.4,\"train_loss\":6.39,"
        + "\"learning_rate\":0.00018,\"train_mean_token_accuracy\":0.0}", ctx, model);
    CommandTrainer.handleLine("{\"tunekit\":\"checkpoint\",\"step\":5,\"path\":\"checkpoint-5\"}", ctx, model);
    CommandTrainer.handleLine("{\"tunekit\":\"event\",\"level\":\"info\",\"message\":\"training finished\","
        + "\"train_runtime\":3.29,\"train_loss\":6.39}", ctx, model);
    CommandTrainer.handleLine("{\"tunekit\":\"model\",\"path\":\"/runs/adapter\"}", ctx, model);
    assertThat(metrics).containsExactly(Map.of("step", 2.0, "epoch", 0.4, "train_loss", 6.39,
        "learning_rate", 0.00018, "train_mean_token_accuracy", 0.0));
    assertThat(logged).containsExactly("no CUDA device: training on the CPU, which is slow", "checkpoint 5",
        "training finished", "Training command wrote its model to /runs/adapter");
    assertThat(model.get()).isEqualTo(Path.of("/runs/adapter"));
  }

  /** A context that records what a trainer reports. */
  static final class RecordingContext implements TrainingContext {
    private final List<String> logged;
    private final List<Map<String, Double>> metrics;
    private final Path dir;

    RecordingContext(List<String> logged, List<Map<String, Double>> metrics, Path dir) {
      this.logged = logged;
      this.metrics = metrics;
      this.dir = dir;
    }

    @Override public String jobId() { return "ftjob-test"; }
    @Override public String baseModel() { return "local-base"; }
    @Override public Path trainingFile() { return Fixtures.TRAIN; }
    @Override public java.util.Optional<Path> validationFile() { return java.util.Optional.of(Fixtures.VALIDATION); }
    @Override public java.util.OptionalInt epochs() { return java.util.OptionalInt.empty(); }
    @Override public java.util.OptionalInt batchSize() { return java.util.OptionalInt.empty(); }
    @Override public java.util.OptionalDouble learningRateMultiplier() { return java.util.OptionalDouble.empty(); }
    @Override public long seed() { return 1; }
    @Override public java.util.Optional<String> suffix() { return java.util.Optional.empty(); }
    @Override public Path outputDir() { return dir; }
    @Override public void log(String level, String message) { logged.add(message); }

    @Override
    public void metrics(long step, Map<String, Double> values) {
      Map<String, Double> m = new java.util.LinkedHashMap<>();
      m.put("step", (double) step);
      m.putAll(values);
      metrics.add(m);
    }

    @Override public void checkpoint(long step, Map<String, Double> m, Path artifact) { logged.add("checkpoint " + step); }
    @Override public void awaitNextStep() {}
    @Override public boolean paused() { return false; }
  }
}
