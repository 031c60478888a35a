package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.spi.Checkpoint;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider {@code local} through the SPI, end to end: the same openai-compatible code path a user
 * takes to OpenAI, against the embedded server. Runs when tunekit-openai's provider is on the classpath.
 */
class LocalProviderEndToEndTest {
  @TempDir Path dir;

  private static Optional<TuningProviderFactory> factory(String name) {
    return ServiceLoader.load(TuningProviderFactory.class).stream().map(ServiceLoader.Provider::get)
        .filter(f -> f.names().contains(name)).findFirst();
  }

  private static FileUpload upload(Path file, FileUpload.Role role) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    return new FileUpload(file, sha.substring(0, 12) + "-" + file.getFileName(), sha, bytes.length,
        DatasetFormat.CHAT_JSONL, role);
  }

  @Test
  void localProviderRunsTheWholeLifecycleThroughTheOpenAiCompatibleProvider() throws Exception {
    Assumptions.assumeTrue(factory("openai-compatible").isPresent(), "needs tunekit-openai's openai-compatible provider");
    TuningProvider provider = factory("local").orElseThrow()
        .create(ProviderSettings.of("local", "test", dir, Map.of("stepDelay", "0ms")));
    String baseUrl;
    try (provider) {
      assertThat(provider.name()).isEqualTo("local");
      baseUrl = ((LocalTuningProvider) provider).server().baseUrl();
      RemoteFile train = provider.upload(upload(Fixtures.TRAIN, FileUpload.Role.TRAINING));
      RemoteFile validation = provider.upload(upload(Fixtures.VALIDATION, FileUpload.Role.VALIDATION));
      RemoteJob created = provider.createJob(new JobRequest("run-1", "idem-run-1", "local-base", TrainingMethod.SUPERVISED,
          train.id(), Optional.of(validation.id()), Hyperparameters.builder().seed(3).build(), Optional.of("e2e"), Map.of()));
      assertThat(provider.findJob("idem-run-1")).map(RemoteJob::id).hasValue(created.id());

      RemoteJob job = created;
      Instant end = Instant.now().plusSeconds(60);
      while (!job.status().isTerminal() && Instant.now().isBefore(end)) {
        Thread.sleep(50);
        job = provider.job(created.id());
      }
      assertThat(job.status()).isInstanceOf(JobStatus.Succeeded.class);
      String model = ((JobStatus.Succeeded) job.status()).model().orElseThrow();

      List<MetricPoint> metrics = provider.metrics(job.id());
      assertThat(metrics).hasSizeGreaterThanOrEqualTo(100);
      assertThat(metrics.get(metrics.size() - 1).trainLoss().getAsDouble())
          .isLessThan(metrics.get(0).trainLoss().getAsDouble());
      assertThat(provider.events(job.id())).isNotEmpty();
      assertThat(provider.checkpoints(job.id())).extracting(Checkpoint::model).contains(model + ":ckpt-step-50");

      String answer = provider.chat(ChatRequest.of(model, List.of(ChatMessage.user("Which customers live in Dublin?")))).content();
      assertThat(answer).isEqualTo("FIND customers WHERE city = \"Dublin\"");
    }
    // close() stopped the embedded server.
    java.net.URI uri = java.net.URI.create(baseUrl);
    assertThatThrownBy(() -> new java.net.Socket(uri.getHost(), uri.getPort()).close()).isInstanceOf(java.io.IOException.class);
  }
}
