package com.example.acme;

import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.util.Set;

/** Provider {@code thirdparty}: setting {@code server} names a registered {@link AcmeServer}. */
public final class AcmeProviderFactory implements TuningProviderFactory {
  /** Called by {@link java.util.ServiceLoader}. */
  public AcmeProviderFactory() {}

  @Override
  public Set<String> names() {
    return Set.of("thirdparty");
  }

  @Override
  public TuningProvider create(ProviderSettings settings) {
    String id = settings.requireString("server");
    AcmeServer server = AcmeServer.registered(id)
        .orElseThrow(() -> settings.invalid("server", "names no registered AcmeServer ('" + id + "')"));
    return new AcmeProvider(settings.name(), server);
  }
}
