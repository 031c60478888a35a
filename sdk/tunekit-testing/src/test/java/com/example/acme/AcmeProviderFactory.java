package com.example.acme;

import dev.tunekit.dataset.DatasetContributor;
import dev.tunekit.dataset.DatasetConverter;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.ModelCatalog;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Provider {@code thirdparty}: setting {@code server} names a registered {@link AcmeServer}. As a
 * {@link DatasetContributor} it brings its own model catalog ({@code models.json} beside this class)
 * and its own training format with its converter ({@link AcmeData}).
 */
public final class AcmeProviderFactory implements TuningProviderFactory, DatasetContributor {
  /** Called by {@link java.util.ServiceLoader}. */
  public AcmeProviderFactory() {}

  @Override
  public Set<String> names() {
    return Set.of("thirdparty");
  }

  @Override
  public List<dev.tunekit.spi.SettingSpec> settingKeys(String type) {
    return List.of(dev.tunekit.spi.SettingSpec.of("server", "the id of a registered AcmeServer"));
  }

  @Override
  public TuningProvider create(ProviderSettings settings) {
    String id = settings.requireString("server");
    AcmeServer server = AcmeServer.registered(id)
        .orElseThrow(() -> settings.invalid("server", "names no registered AcmeServer ('" + id + "')"));
    return new AcmeProvider(settings.name(), server);
  }

  @Override
  public Optional<ModelCatalog> catalog(String type) {
    return names().contains(type) ? Optional.of(ModelCatalog.fromResource(AcmeProviderFactory.class, "models.json"))
        : Optional.empty();
  }

  @Override
  public List<DatasetFormat> formats() {
    return List.of(AcmeData.FORMAT);
  }

  @Override
  public Optional<DatasetConverter> converter(DatasetFormat format) {
    return format.equals(AcmeData.FORMAT) ? Optional.of(AcmeData.CONVERTER) : Optional.empty();
  }
}
