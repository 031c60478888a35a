package dev.tunekit.testing;

import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.SettingSpec;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.util.List;
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

  /** {@code apiKey} (required, never checked), {@code instance} and {@code webhookSecret}. */
  @Override
  public List<SettingSpec> settingKeys(String type) {
    return List.of(SettingSpec.of("apiKey", "any non-blank key (required, like a real provider's)"),
        SettingSpec.of("instance", "the id of a FakeProvider registered with FakeProvider.register"),
        SettingSpec.of("webhookSecret", "the signing secret for webhook verification"));
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
