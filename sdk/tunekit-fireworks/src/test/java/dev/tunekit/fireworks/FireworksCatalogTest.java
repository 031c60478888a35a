package dev.tunekit.fireworks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.dataset.DatasetContributor;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The Fireworks catalog reaches dataset validation through the SPI ({@code DatasetContributor}), with its ids, short
 * ids and example minimum, and preflight's limits cover exactly its models. (A validation run is not repeated here:
 * loading the tokenizer costs seconds, and the core's own tests cover how a catalog is used.)
 */
class FireworksCatalogTest {
  @Test
  void theCatalogIsContributedThroughTheSpi() {
    assertThat(ServiceLoader.load(DatasetContributor.class).stream().map(ServiceLoader.Provider::get)
        .flatMap(c -> c.catalog("fireworks").stream()).toList()).singleElement()
        .satisfies(c -> assertThat(c.modelIds()).contains(FireworksFakes.BASE_MODEL));
    assertThat(FireworksCatalog.CATALOG.canonicalId("qwen2p5-7b-instruct")).contains("accounts/fireworks/models/qwen2p5-7b-instruct");
    assertThat(FireworksCatalog.CATALOG.minExamples(FireworksFakes.BASE_MODEL)).isEqualTo(3);
    assertThat(FireworksCatalog.LIMITS.models()).containsOnlyKeys(FireworksCatalog.CATALOG.modelIds());
  }
}
