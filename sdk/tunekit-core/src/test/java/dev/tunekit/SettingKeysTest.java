package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.testing.FakeProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys of a provider section are checked against what its factory declares (issue 11, item 3): a typo
 * is an error naming file:line and the nearest known key, never silently ignored.
 */
class SettingKeysTest {
  @TempDir Path dir;

  private Path yaml(String text) throws Exception {
    return Files.writeString(dir.resolve("tunekit.yaml"), text);
  }

  private InvalidInputException fails(Tunekit.Builder b) {
    try (Tunekit tk = b.env(Map.of()).build()) {
      throw new AssertionError("built " + tk);
    } catch (InvalidInputException e) {
      return e;
    }
  }

  @Test
  void aRunWithoutModelTunesTheSectionsModelAndWithNeitherSaysWhereToSetIt() throws Exception {
    // One script for every provider: each section names its own base model.
    String instance = "model-" + java.util.UUID.randomUUID();
    dev.tunekit.testing.FakeProvider fake = Fixtures.register(instance);
    try {
      Path train = Fixtures.chatDataset(dir, "train.jsonl", 20);
      Path f = yaml("provider: fake\nledger: l.db\nproviders:\n  fake: { apiKey: k, instance: " + instance
          + ", model: base-from-config }\n");
      try (Tunekit tk = Tunekit.builder().configFile(f).env(Map.of()).build()) {
        tk.fineTune().trainingData(train).start();
        tk.fineTune().model("base-from-code").trainingData(train).suffix("b").start();
      }
      assertThat(fake.createdJobs()).extracting(dev.tunekit.spi.JobRequest::baseModel)
          .containsExactly("base-from-config", "base-from-code");
      // With an eval suite, the built-in baseline is the configured base model too (it threw an NPE).
      try (Tunekit tk = Tunekit.builder().configFile(f).env(Map.of()).build()) {
        Run run = tk.fineTune().trainingData(train).suffix("c")
            .evaluateWith(dev.tunekit.eval.EvalSuite.of("s", dev.tunekit.eval.EvalCase.of("c1", "q", "a"))
                .withGrader(dev.tunekit.eval.Graders.exactMatch()))
            .baselineFirst(false).start();
        assertThat(run.info().baseModel()).isEqualTo("base-from-config");
      }

      Path g = yaml("provider: fake\nledger: l2.db\nproviders:\n  fake: { apiKey: k, instance: " + instance + " }\n");
      try (Tunekit tk = Tunekit.builder().configFile(g).env(Map.of()).build()) {
        assertThatThrownBy(() -> tk.fineTune().trainingData(train).start())
            .isInstanceOf(InvalidInputException.class).hasMessageContaining("providers.fake.model");
      }
    } finally {
      dev.tunekit.testing.FakeProvider.unregister(instance);
    }
  }

  @Test
  void aMisspeltKeyNamesItsLineAndTheNearestKnownKey() throws Exception {
    Path f = yaml("""
        provider: fake
        ledger: l.db
        providers:
          fake:
            apikey: sk-secret-value
        """);
    InvalidInputException e = fails(Tunekit.builder().configFile(f));
    assertThat(e.location()).contains(f + ":5");
    assertThat(e.getMessage()).contains("unknown setting 'apikey'").contains("Did you mean apiKey")
        .doesNotContain("sk-secret-value").doesNotContain("is required");
  }

  @Test
  void anUnknownKeyWithNoNearNameListsTheKnownOnes() throws Exception {
    Path f = yaml("provider: fake\nledger: l.db\nproviders:\n  fake: { apiKey: k, colour: blue }\n");
    InvalidInputException e = fails(Tunekit.builder().configFile(f));
    assertThat(e.location()).contains(f + ":4");
    assertThat(e.getMessage()).contains("'colour'").doesNotContain("Did you mean")
        .contains("Known settings: apiKey, fromCheckpoint, grader, instance, maxPrice, model, type, webhookSecret");
  }

  @Test
  void aMisspeltSectionNameIsAnErrorNamingTheNearestProvider() throws Exception {
    Path f = yaml("""
        provider: fake
        ledger: l.db
        providers:
          fkae: { apiKey: k }
        """);
    InvalidInputException e = fails(Tunekit.builder().configFile(f));
    assertThat(e.location()).contains(f + ":4");
    assertThat(e.getMessage()).contains("providers.fkae").contains("Did you mean fake?")
        .doesNotContain("is required");
  }

  @Test
  void aMisspeltTypeNamesItsLineAndTheNearestProvider() throws Exception {
    Path f = yaml("""
        provider: staging
        ledger: l.db
        providers:
          staging:
            apiKey: k
            type: fkae
        """);
    InvalidInputException e = fails(Tunekit.builder().configFile(f));
    assertThat(e.location()).contains(f + ":6");
    assertThat(e.getMessage()).contains("unknown provider 'fkae'").contains("Did you mean fake?");
  }

  @Test
  void aSectionOfAProviderNotOnTheClassPathIsLeftAlone() throws Exception {
    String id = "keys-" + System.nanoTime();
    FakeProvider.register(id, new FakeProvider());
    try {
      Path f = yaml("""
          provider: fake
          ledger: l.db
          providers:
            fake: { apiKey: k, instance: %s }
            some-cloud: { region: x }
            gpu: { type: another-cloud, baseUrl: "${UNSET_URL}" }
          """.formatted(id));
      try (Tunekit tk = Tunekit.builder().configFile(f).env(Map.of()).build()) {
        assertThat(tk).isNotNull();
      }
    } finally {
      FakeProvider.unregister(id);
    }
  }

  @Test
  void builderSettingsAreCheckedTooWithoutALine() {
    InvalidInputException e = fails(Tunekit.builder().provider("fake").setting("apiKey", "k")
        .setting("instanse", "x").ledger(dir.resolve("l.db")).workDir(dir));
    assertThat(e.location()).contains("Tunekit.builder()");
    assertThat(e.getMessage()).contains("setting(\"instanse\"").contains("Did you mean instance");
  }

  @Test
  void aBuilderSettingOverridingAFileKeyIsReportedAsTheBuilders() throws Exception {
    Path f = yaml("provider: fake\nledger: l.db\nproviders:\n  fake: { apiKey: k }\n");
    InvalidInputException e = fails(Tunekit.builder().configFile(f).setting("apikey", "x"));
    assertThat(e.getMessage()).contains("setting(\"apikey\"").contains("Did you mean apiKey");
  }
}
