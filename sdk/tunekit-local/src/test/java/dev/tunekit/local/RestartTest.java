package dev.tunekit.local;

import static dev.tunekit.local.Fixtures.awaitJob;
import static dev.tunekit.local.Fixtures.awaitTerminal;
import static dev.tunekit.local.Fixtures.createJob;
import static dev.tunekit.local.Fixtures.upload;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.FineTuningJobEvent;
import com.openai.models.finetuning.jobs.JobListEventsParams;
import com.openai.models.models.Model;
import dev.tunekit.model.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files, jobs and models survive a restart; a job in flight at shutdown is restarted honestly. */
class RestartTest {
  @TempDir Path dir;

  @Test
  void restartedServerStillKnowsFilesJobsAndServesTunedModels() throws Exception {
    String fileId;
    String jobId;
    String model;
    try (LocalServer first = LocalServer.builder().dataDir(dir).stepDelay(Duration.ZERO).start()) {
      OpenAIClient c = Fixtures.client(first);
      fileId = upload(c, Fixtures.TRAIN);
      FineTuningJob job = awaitTerminal(c, createJob(c, fileId, null, "restart").id());
      jobId = job.id();
      model = job.fineTunedModel().orElseThrow();
      c.close();
    }
    try (LocalServer second = LocalServer.builder().dataDir(dir).stepDelay(Duration.ZERO).start()) {
      OpenAIClient c = Fixtures.client(second);
      assertThat(c.files().list().data()).extracting(FileObject::id).contains(fileId);
      FineTuningJob job = c.fineTuning().jobs().retrieve(jobId);
      assertThat(job.status().asString()).isEqualTo("succeeded");
      assertThat(job.fineTunedModel()).hasValue(model);
      assertThat(c.models().list().data()).extracting(Model::id).contains(model);
      String answer = c.chat().completions().create(ChatCompletionCreateParams.builder().model(model)
          .addUserMessage("Which customers live in Oslo?").build()).choices().get(0).message().content().orElseThrow();
      assertThat(answer).isEqualTo("FIND customers WHERE city = \"Oslo\"");
      c.close();
    }
  }

  @Test
  void jobRunningAtShutdownIsRestartedFromTheBeginningAfterRestart() throws Exception {
    Secret token = Secret.of("tk-test-fixed-token");
    String jobId;
    try (LocalServer first = LocalServer.builder().dataDir(dir).token(token).stepDelay(Duration.ofMillis(50)).start()) {
      OpenAIClient c = Fixtures.client(first);
      jobId = createJob(c, upload(c, Fixtures.TRAIN), null, null).id();
      awaitJob(c, jobId, j -> j.status().asString().equals("running"), Duration.ofSeconds(30));
      c.close();
    }
    try (LocalServer second = LocalServer.builder().dataDir(dir).token(token).stepDelay(Duration.ZERO).start()) {
      OpenAIClient c = Fixtures.client(second);
      FineTuningJob job = awaitTerminal(c, jobId);
      assertThat(job.status().asString()).isEqualTo("succeeded");
      List<FineTuningJobEvent> events = c.fineTuning().jobs().listEvents(jobId,
          JobListEventsParams.builder().limit(1000).build()).data();
      assertThat(events).anyMatch(e -> e.level().asString().equals("warn")
          && e.message().contains("restarted while this job was running"));
      c.close();
    }
  }

  @Test
  void jobPausedAtShutdownStaysPausedAndResumeRestartsIt() throws Exception {
    Secret token = Secret.of("tk-test-fixed-token");
    String jobId;
    try (LocalServer first = LocalServer.builder().dataDir(dir).token(token).stepDelay(Duration.ofMillis(50)).start()) {
      OpenAIClient c = Fixtures.client(first);
      jobId = createJob(c, upload(c, Fixtures.TRAIN), null, null).id();
      awaitJob(c, jobId, j -> j.status().asString().equals("running"), Duration.ofSeconds(30));
      c.fineTuning().jobs().pause(jobId);
      c.close();
    }
    try (LocalServer second = LocalServer.builder().dataDir(dir).token(token).stepDelay(Duration.ZERO).start()) {
      OpenAIClient c = Fixtures.client(second);
      assertThat(c.fineTuning().jobs().retrieve(jobId).status().asString()).isEqualTo("paused");
      c.fineTuning().jobs().resume(jobId);
      assertThat(awaitTerminal(c, jobId).status().asString()).isEqualTo("succeeded");
      c.close();
    }
  }

  @Test
  void commandJobRunningAtShutdownIsMarkedFailedAfterRestart() throws Exception {
    Path script = CommandTrainerTest.script(dir, "echo step=1 train_loss=1.0\nsleep 30\n");
    String jobId;
    try (LocalServer first = LocalServer.builder().dataDir(dir.resolve("data"))
        .trainer(Trainer.command(List.of("/bin/bash", script.toString()))).stepDelay(Duration.ZERO).start()) {
      OpenAIClient c = Fixtures.client(first);
      jobId = createJob(c, upload(c, CommandTrainerTest.tiny(dir)), null, null).id();
      awaitJob(c, jobId, j -> j.status().asString().equals("running"), Duration.ofSeconds(30));
      c.close();
    }
    try (LocalServer second = LocalServer.builder().dataDir(dir.resolve("data"))
        .trainer(Trainer.command(List.of("/bin/bash", script.toString()))).start()) {
      OpenAIClient c = Fixtures.client(second);
      FineTuningJob job = c.fineTuning().jobs().retrieve(jobId);
      assertThat(job.status().asString()).isEqualTo("failed");
      assertThat(job.error().orElseThrow().code()).isEqualTo("server_restarted");
      c.close();
    }
  }
}
