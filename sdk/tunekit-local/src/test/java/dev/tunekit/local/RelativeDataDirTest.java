package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.models.finetuning.jobs.FineTuningJob;
import dev.tunekit.spi.ProviderSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A relative data directory (the standalone server's {@code --data-dir ./tunekit-local-data}, or a
 * relative {@code workDir} such as {@code Tunekit.local()}'s default {@code .tunekit}) must train to
 * the end. It used to fail at the end of training with "'other' is different type of Path", because a
 * relative data directory was relativized against the trainer's absolute model path.
 *
 * <p>The surefire working directory is the module directory, so a relative path under {@code target/}
 * is a real relative path resolved against a scratch folder.
 */
class RelativeDataDirTest {
  private final Path relative = Path.of("target", "relative-data-" + UUID.randomUUID());

  @AfterEach
  void cleanUp() throws java.io.IOException {
    JobRunner.deleteTree(relative.toAbsolutePath());
  }

  @Test
  void aServerWithARelativeDataDirectoryTrainsAJobToSuccess() throws Exception {
    assertThat(relative.isAbsolute()).isFalse();
    try (LocalServer server = LocalServer.builder().dataDir(relative).stepDelay(Duration.ZERO).start()) {
      assertThat(server.dataDir()).isAbsolute().isEqualTo(relative.toAbsolutePath().normalize());
      OpenAIClient client = Fixtures.client(server);
      FineTuningJob job = Fixtures.createJob(client, Fixtures.upload(client, Fixtures.TRAIN),
          Fixtures.upload(client, Fixtures.VALIDATION), null);
      FineTuningJob done = Fixtures.awaitJob(client, job.id(), j -> Fixtures.TERMINAL.contains(j.status().asString()),
          Duration.ofSeconds(60));
      assertThat(done.status().asString()).as("job error: %s", done.error()).isEqualTo("succeeded");
      assertThat(done.fineTunedModel()).isPresent();
    }
  }

  @Test
  void theLocalProviderWithARelativeWorkDirStartsItsServerInAnAbsoluteDataDirectory() {
    ProviderSettings settings = ProviderSettings.of("local", "test", relative, Map.of("stepDelay", "0ms"));
    assertThat(settings.workDir()).isAbsolute().isEqualTo(relative.toAbsolutePath().normalize());
    try (LocalServer s = LocalProviderFactory.start(settings)) {
      assertThat(s.dataDir()).isAbsolute();
      assertThat(Files.isDirectory(s.dataDir())).isTrue();
    }
  }
}
