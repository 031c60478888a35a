package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed quickstart data is exactly what its generator writes, and held-out questions are new. */
class DatasetGeneratorTest {
  @TempDir Path out;

  @Test
  void generatorReproducesTheCommittedFilesByteForByte() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), Fixtures.DATA.resolve("GenerateNl2QueryDataset.java").toString(),
        out.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    for (String name : List.of("train.jsonl", "validation.jsonl", "heldout.jsonl", "baseline-system-prompt.txt")) {
      assertThat(Files.readAllBytes(out.resolve(name))).as(name + " is up to date; rerun the generator")
          .isEqualTo(Files.readAllBytes(Fixtures.DATA.resolve(name)));
    }
  }

  @Test
  void heldOutQuestionsNeverAppearInTrainingData() throws Exception {
    Set<String> training = Files.readAllLines(Fixtures.TRAIN).stream()
        .map(l -> ExemplarTrainer.parseLine(l, 0, "training_file").question()).collect(Collectors.toSet());
    List<String> heldOut = Files.readAllLines(Fixtures.HELDOUT).stream()
        .map(l -> ExemplarTrainer.parseLine(l, 0, "heldout").question()).collect(Collectors.toList());
    assertThat(Files.readAllLines(Fixtures.TRAIN)).hasSize(300);
    assertThat(heldOut).hasSize(60).noneMatch(training::contains);
  }
}
