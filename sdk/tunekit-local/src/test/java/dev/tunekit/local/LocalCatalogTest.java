package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.dataset.CostEstimate;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.ValidationOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local catalog, contributed by {@link LocalProviderFactory}: any model name, price 0. */
class LocalCatalogTest {
  @TempDir Path dir;

  @Test
  void anyModelIsKnownAndCostsNothing() throws Exception {
    String ok = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello\"}]}\n";
    // The server's minimum (JobRunner.MIN_EXAMPLES): 3 examples passed here once, and the server then refused them.
    Path f = Files.writeString(dir.resolve("d.jsonl"), ok.repeat(JobRunner.MIN_EXAMPLES), StandardCharsets.UTF_8);
    var r = Dataset.of(f).validate(new ValidationOptions("local", "local-base"));
    assertThat(r.count("unknown_model")).isZero();
    assertThat(r.hasErrors()).isFalse();
    CostEstimate c = r.cost().orElseThrow();
    assertThat(c.total()).isEqualByComparingTo("0.00");
    assertThat(c.assumptions()).noneMatch(a -> a.contains("may bill differently")).noneMatch(a -> a.contains("are an estimate"));
    assertThat(new LocalProviderFactory().catalog("other")).isEmpty();
  }
}
