package dev.tunekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.Tunekit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Tunekit.local()} and any relative {@code workDir} in a Java main: a local training run goes to
 * the end. It used to fail at about 30 % with "'other' is different type of Path". Surefire's working
 * directory is this module, so {@code target/relative-workdir-…} is a real relative path resolved against
 * a scratch folder, as {@code .tunekit} is for {@code Tunekit.local()}.
 */
class RelativeWorkDirTest {
  private static final Path DATA = Path.of("..").toAbsolutePath().normalize().resolve("examples/data/nl2query");
  private final Path workDir = Path.of("target", "relative-workdir-" + UUID.randomUUID());

  @AfterEach
  void cleanUp() throws IOException {
    if (Files.exists(workDir)) {
      try (Stream<Path> s = Files.walk(workDir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void aLocalRunWithARelativeWorkDirSucceeds() throws Exception {
    assertThat(workDir.isAbsolute()).isFalse();
    Path train = Files.createDirectories(workDir.resolve("data")).resolve("train.jsonl");
    Files.write(train, Files.readAllLines(DATA.resolve("train.jsonl")).subList(0, 30));

    try (Tunekit tk = Tunekit.builder().provider("local").workDir(workDir).setting("stepDelay", "0ms")
        .polling(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMinutes(2)).build()) {
      var run = tk.fineTune().model("local-base").trainingData(train).suffix("relative").start();
      RunResult result = run.await(RunListener.none());

      assertThat(result.succeeded()).as("%s", result).isTrue();
      assertThat(result.fineTunedModel()).isPresent();
    }
    assertThat(workDir.resolve("local-server")).isDirectory();
  }
}
