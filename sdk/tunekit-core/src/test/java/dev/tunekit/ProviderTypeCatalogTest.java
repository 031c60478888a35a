package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.dataset.DatasetContributor;
import dev.tunekit.dataset.InvalidDatasetException;
import dev.tunekit.dataset.ModelCatalog;
import dev.tunekit.testing.FakeProvider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run validates against the catalog of its provider section's {@code type:}, not the section's own name. */
class ProviderTypeCatalogTest {
  @TempDir Path dir;

  /** Registered in the test resources' META-INF/services: a catalog for type {@code fake} with one model. */
  public static final class FakeTypeCatalog implements DatasetContributor {
    static final ModelCatalog CATALOG = ModelCatalog.read(new ByteArrayInputStream(("{\"provider\":\"fake\","
        + "\"minExamples\":1,\"models\":[{\"id\":\"catalog-probe\",\"minExamples\":1000}]}")
        .getBytes(StandardCharsets.UTF_8)), "fake catalog");

    @Override
    public Set<String> names() {
      return Set.of("fake");
    }

    @Override
    public Optional<ModelCatalog> catalog(String type) {
      return type.equals("fake") ? Optional.of(CATALOG) : Optional.empty();
    }
  }

  @Test
  void aSectionWithATypeIsValidatedAgainstThatTypesCatalog() throws Exception {
    String id = "type-cat-" + System.nanoTime();
    FakeProvider fake = FakeProvider.register(id, new FakeProvider());
    Path file = Files.writeString(dir.resolve("tunekit.yaml"), """
        provider: staging
        ledger: l.db
        providers:
          staging: { type: fake, apiKey: k, instance: %s }
        """.formatted(id));
    Path data = Fixtures.write(dir.resolve("train.jsonl"),
        Fixtures.chatLine(1) + "\n" + Fixtures.chatLine(2) + "\n" + Fixtures.chatLine(3) + "\n");
    try (Tunekit tk = Tunekit.builder().configFile(file).env(Map.of()).build()) {
      assertThatThrownBy(() -> tk.fineTune().model("catalog-probe").trainingData(data).start())
          .isInstanceOfSatisfying(InvalidDatasetException.class, e -> {
            assertThat(e.report().count("too_few_examples")).isEqualTo(1);
            assertThat(e.report().findings()).anyMatch(f -> f.message().contains("fake needs at least 1000"));
          });
      assertThat(fake.calls(FakeProvider.Op.UPLOAD)).isZero();
    } finally {
      FakeProvider.unregister(id);
    }
  }
}
