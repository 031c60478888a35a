package dev.tunekit.testing;

import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.util.Set;

/**
 * Test-scope factory for {@link FakeProvider}, registered as provider {@code fake}. Setting
 * {@code instance} selects an instance registered with {@link FakeProvider#register}; without it a
 * new fake is created.
 */
public final class FakeProviderFactory implements TuningProviderFactory {

  /** Creates the factory (ServiceLoader). */
  public FakeProviderFactory() {}

  @Override
  public Set<String> names() {
    return Set.of("fake");
  }

  @Override
  public TuningProvider create(ProviderSettings settings) {
    settings.requireSecret("apiKey"); // like a real provider: fails clearly when the key is missing
    FakeProvider p = settings.string("instance")
        .map(id -> FakeProvider.registered(id).orElseThrow(() -> settings.invalid("instance",
            "names no registered FakeProvider ('" + id + "')")))
        .orElseGet(FakeProvider::new);
    p.settings(settings);
    return p;
  }
}
