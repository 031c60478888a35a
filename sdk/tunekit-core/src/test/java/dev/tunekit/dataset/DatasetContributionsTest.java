package dev.tunekit.dataset;

import static dev.tunekit.dataset.DatasetFiles.OK;
import static dev.tunekit.dataset.DatasetFiles.PREF;
import static dev.tunekit.dataset.DatasetFiles.lines;
import static dev.tunekit.dataset.DatasetFiles.okThen;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Formats, converters and catalogs come from contributors the core does not name (here: a test-only one). */
class DatasetContributionsTest {
  @TempDir Path dir;

  @Test
  void aFormatIsAnOpenValueComparedById() {
    assertThat(new DatasetFormat("chat-jsonl", "other words")).isEqualTo(DatasetFormat.CHAT_JSONL);
    assertThat(DatasetFormat.CHAT_JSONL.isNeutral()).isTrue();
    assertThat(FixtureContributor.UPPER.isNeutral()).isFalse();
    assertThat(DatasetFormat.neutral(DatasetKind.PREFERENCE)).isEqualTo(DatasetFormat.PREFERENCE_JSONL);
    assertThat(DatasetFormat.CHAT_JSONL).hasToString("chat-jsonl");
    assertThatThrownBy(() -> new DatasetFormat("Chat JSONL", "x")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("lower-case");
  }

  @Test
  void aContributedConverterWritesTheFormat() throws Exception {
    PreparedDataset p = Dataset.of(okThen(dir, 3)).prepare(FixtureContributor.UPPER, dir.resolve("o"));
    assertThat(p.training().format()).isEqualTo(FixtureContributor.UPPER);
    assertThat(p.training().examples()).isEqualTo(3);
    assertThat(new ObjectMapper().readTree(Files.readAllLines(p.training().path()).get(0)).get("reply").asText())
        .isEqualTo("HELLO");
  }

  @Test
  void aConvertersRefusalGetsTheFileAndLineAndNothingIsWritten() throws Exception {
    Path src = okThen(dir, 4, OK.replace("\"Hello\"", "\"REFUSE\""));
    assertThatThrownBy(() -> Dataset.of(src).prepare(FixtureContributor.UPPER, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("cannot convert to test-upper without losing information: the reply says REFUSE")
        .satisfies(e -> assertThat(((InvalidInputException) e).location()).contains(src + ":5"));
    assertThat(dir.resolve("o").resolve("train.jsonl")).doesNotExist();
  }

  @Test
  void aConverterRefusesAWholeDatasetOfTheWrongKind() throws Exception {
    assertThatThrownBy(() -> Dataset.of(lines(dir, PREF, PREF)).prepare(FixtureContributor.UPPER, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("cannot convert a preference dataset to test-upper: test-upper holds chat replies only");
  }

  @Test
  void aFormatNobodyContributesListsEveryContributorAsked() throws Exception {
    DatasetFormat unknown = new DatasetFormat("nobodys-format", "x");
    assertThatThrownBy(() -> Dataset.of(okThen(dir, 2)).prepare(unknown, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no converter for dataset format 'nobodys-format'")
        .hasMessageContaining("built-in (chat-jsonl, preference-jsonl)")
        .hasMessageContaining(FixtureContributor.class.getName() + " for test-estimated/test-hosted")
        .hasMessageContaining("(test-upper)")
        .hasMessageContaining("docs/dataset-formats.md");
  }

  @Test
  void aModelIsFoundInWhicheverCatalogListsIt() {
    ModelSpec spec = Contributors.discover().resolve("", "nova-lite");
    assertThat(spec.known()).isTrue();
    assertThat(spec.provider()).isEqualTo("test-estimated");
    assertThat(spec.id()).isEqualTo("amazon.nova-lite-v1:0:300k");
    assertThat(Contributors.discover().resolve("", "no-such-model").known()).isFalse();
  }

  @Test
  void anotherTypeSharingACatalogSaysItMayBillDifferently() throws Exception {
    CostEstimate c = Dataset.of(okThen(dir, 10)).validate(new ValidationOptions("test-hosted-resold", "gpt-4o-mini"))
        .cost().orElseThrow();
    assertThat(c.provider()).isEqualTo("test-hosted-resold");
    assertThat(c.assumptions()).contains("Test Hosted list prices; test-hosted-resold may bill differently");
    assertThat(Dataset.of(okThen(dir, 10)).validate(new ValidationOptions("test-hosted", "gpt-4o-mini")).cost()
        .orElseThrow().assumptions()).noneMatch(a -> a.contains("may bill differently"))
        .noneMatch(a -> a.contains("are an estimate"));
  }

  @Test
  void aTypeWithoutACatalogOrContributorValidatesStructureOnly() throws Exception {
    for (String type : new String[] {"test-no-catalog", "no-such-type"}) {
      DatasetReport r = Dataset.of(okThen(dir, 2)).validate(new ValidationOptions(type, "m"));
      assertThat(r.cost()).isEmpty();
      assertThat(r.count("unknown_model")).isEqualTo(1);
      assertThat(r.findings()).anyMatch(f -> f.message().contains("on " + type));
      assertThat(r.hasErrors()).isFalse();
    }
  }

  @Test
  void aCatalogMustHaveAProviderAndModels() {
    assertThatThrownBy(() -> ModelCatalog.read(new java.io.ByteArrayInputStream("{\"models\":[]}".getBytes()), "x.json"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("\"provider\"")
        .satisfies(e -> assertThat(((InvalidInputException) e).location()).contains("x.json"));
    assertThatThrownBy(() -> ModelCatalog.fromResource(FixtureContributor.class, "missing.json"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("missing");
    assertThat(FixtureContributor.HOSTED.lists("ft:gpt-4o-mini-2024-07-18:acme::x")).isTrue();
    assertThat(FixtureContributor.HOSTED.modelIds()).contains("gpt-4o-mini-2024-07-18").doesNotContain("*");
  }
}
