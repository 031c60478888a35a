package com.example.acme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunResult;
import dev.tunekit.Run;
import dev.tunekit.Tunekit;
import dev.tunekit.model.JobStatus;
import dev.tunekit.testing.FakeClock;
import dev.tunekit.testing.RecordingSleeper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.dataset.ValidationOptions;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider that lives only in this module's test code (package {@code com.example.acme}, registered in
 * test {@code META-INF/services}) runs a whole Tunekit workflow: chosen by name, nothing in core knows it.
 */
class ThirdPartyWorkflowTest {
  @TempDir Path dir;
  final String serverId = "acme-workflow-" + UUID.randomUUID();
  final AcmeServer server = AcmeServer.register(serverId, new AcmeServer(3));

  @AfterEach
  void unregister() {
    AcmeServer.unregister(serverId);
  }

  @Test
  void theThirdPartyProviderUsesOnlyThePublicSpiAndModelPackages() throws Exception {
    Path sources = Path.of("src/test/java/com/example/acme");
    try (var files = Files.list(sources)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        assertThat(Files.readAllLines(f)).as("imports of %s", f.getFileName())
            .filteredOn(l -> l.startsWith("import dev.tunekit."))
            .allMatch(l -> l.matches("import (static )?dev\\.tunekit\\.(spi|model|error|dataset|testing)\\..*")
                || l.matches("import dev\\.tunekit\\.(Tunekit|Run|RunResult);"), "only exported API/SPI packages");
      }
    }
    assertThat(Files.readString(Path.of("src/test/resources/META-INF/services/dev.tunekit.spi.TuningProviderFactory")))
        .contains("com.example.acme.AcmeProviderFactory");
  }

  @Test
  void aProviderOnlyInTestCodeRunsAWholeFineTune() throws Exception {
    StringBuilder data = new StringBuilder();
    for (int i = 1; i <= 20; i++) {
      data.append("{\"messages\":[{\"role\":\"system\",\"content\":\"You write SQL.\"},{\"role\":\"user\",\"content\":")
          .append("\"question ").append(i).append("\"},{\"role\":\"assistant\",\"content\":\"SELECT ").append(i)
          .append("\"}]}\n");
    }
    Path train = Files.writeString(dir.resolve("train.jsonl"), data);
    FakeClock clock = new FakeClock();
    RecordingSleeper sleeper = new RecordingSleeper(clock);
    try (Tunekit tk = Tunekit.builder().provider("thirdparty").setting("server", serverId)
        .ledger(dir.resolve("ledger.db")).workDir(dir.resolve("work")).clock(clock).sleeper(sleeper)
        .polling(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofHours(1)).build()) {
      Run run = tk.fineTune().model("acme-small").trainingData(train).start();
      RunResult result = run.await();

      assertThat(result.succeeded()).as("run result %s", result).isTrue();
      String jobId = result.job().orElseThrow().id();
      assertThat(result.status()).containsInstanceOf(JobStatus.Succeeded.class);
      assertThat(result.fineTunedModel()).contains(AcmeProvider.TUNED_PREFIX + jobId);
      assertThat(server.jobCount()).as("jobs created on the third-party service").isEqualTo(1);
      assertThat(run.events()).as("events read through the provider's own cursors")
          .anyMatch(e -> e.message().equals("Training done"));
      assertThat(run.metrics()).extracting(p -> p.step()).containsExactly(1L, 2L, 3L);
      assertThat(tk.run(run.id()).fineTunedModel()).contains(AcmeProvider.TUNED_PREFIX + jobId);

      // The provider's own format, written by its own converter, is what was uploaded.
      List<Path> converted;
      try (Stream<Path> files = Files.walk(dir.resolve("work").resolve("runs").resolve(run.id()))) {
        converted = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
      }
      assertThat(converted).isNotEmpty();
      for (Path f : converted) {
        assertThat(Files.readAllLines(f)).allSatisfy(line -> assertThat(line)
            .startsWith("{\"prompt\":\"system: You write SQL.\\nuser: question ").contains("\"completion\":\"SELECT "));
      }
    }
  }

  @Test
  void theProvidersOwnCatalogIsChecked() throws Exception {
    Path one = Files.writeString(dir.resolve("one.jsonl"), "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
        + "{\"role\":\"assistant\",\"content\":\"a\"}]}\n");
    DatasetReport report = Dataset.of(one).validate(new ValidationOptions("thirdparty", "acme-small"));
    assertThat(report.findings()).as("Acme's catalog asks for at least 2 examples")
        .anySatisfy(f -> {
          assertThat(f.code()).isEqualTo("too_few_examples");
          assertThat(f.message()).contains("thirdparty needs at least 2");
        });
    assertThat(report.hasErrors()).isTrue();
  }
}
