package dev.tunekit.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobEvent;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real OpenAI API; skipped unless {@code OPENAI_API_KEY} is set. Read-only (list files,
 * look up a job by a random key, one tiny chat) unless {@code TUNEKIT_LIVE_FINE_TUNE=1}, which also
 * uploads a 10-example file and submits, then cancels, a real (billable) fine-tuning job.
 */
@EnabledIfEnvironmentVariable(named = "OPENAI_API_KEY", matches = ".+")
class OpenAiLiveTest {
  @TempDir Path dir;

  private static TuningProvider provider() {
    return new OpenAiProviderFactory().create(ProviderSettings.of("openai", "environment", Path.of("target"),
        Map.of("apiKey", System.getenv("OPENAI_API_KEY"), "timeout", "60s")));
  }

  @Test
  void listsFilesFindsNoJobForAFreshKeyAndChats() {
    try (TuningProvider p = provider()) {
      FileUpload absent = FileUpload.builder().path(Path.of("none.jsonl"))
          .fileName("tunekit-live-" + UUID.randomUUID() + ".jsonl").sha256("0".repeat(64)).sizeBytes(1)
          .format(DatasetFormat.CHAT_JSONL).role(FileUpload.Role.TRAINING).build();
      assertThat(p.findFile(absent)).isEmpty();
      assertThat(p.findJob("tunekit-live-" + UUID.randomUUID())).isEmpty();
      assertThat(p.require(dev.tunekit.spi.Chat.class, "chat").chat(new ChatRequest("gpt-4o-mini", List.of(ChatMessage.user("Reply with the word: ok")),
          Optional.of(0.0), Optional.of(5), Optional.empty())).content()).isNotBlank();
    }
  }

  @Test
  @EnabledIfEnvironmentVariable(named = "TUNEKIT_LIVE_FINE_TUNE", matches = "1")
  void uploadsCreatesFindsAndCancelsARealJob() throws Exception {
    Path data = dir.resolve("train.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      lines.append("{\"messages\":[{\"role\":\"user\",\"content\":\"What is ").append(i)
          .append(" plus 1?\"},{\"role\":\"assistant\",\"content\":\"").append(i + 1).append("\"}]}\n");
    }
    Files.writeString(data, lines);
    String key = "tunekit-live-" + UUID.randomUUID();
    try (TuningProvider p = provider()) {
      FileUpload u = FileUpload.builder().path(data).fileName(key + ".jsonl").sha256("0".repeat(64)).sizeBytes(Files.size(data))
          .format(DatasetFormat.CHAT_JSONL).role(FileUpload.Role.TRAINING).build();
      RemoteFile f = p.upload(u);
      assertThat(p.findFile(u)).map(RemoteFile::id).contains(f.id());
      RemoteJob job = p.createJob(JobRequest.builder().runId("live").idempotencyKey(key)
          .baseModel("gpt-4o-mini-2024-07-18").method(TrainingMethod.SUPERVISED).trainingFileId(f.id())
          .validationFileId(Optional.empty()).hyperparameters(Hyperparameters.builder().epochs(1).build())
          .suffix(Optional.empty()).metadata(Map.of()).build());
      try {
        assertThat(p.findJob(key)).map(RemoteJob::id).contains(job.id());
        assertThat(p.events(job.id(), java.util.Optional.empty()).items()).extracting(JobEvent::message).isNotEmpty();
      } finally {
        p.cancel(job.id());
      }
    }
  }
}
