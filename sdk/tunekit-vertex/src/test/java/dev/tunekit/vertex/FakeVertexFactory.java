package dev.tunekit.vertex;

import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.SettingSpec;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.util.List;
import java.util.Set;

/**
 * Test-only provider type {@code vertex-fake}: the real {@link VertexProvider} with the two seams a test
 * needs, a fixed access token instead of Application Default Credentials and {@link #storage} (Google's
 * in-memory Cloud Storage) instead of the real one. Found by ServiceLoader from the test class path, so the
 * engine drives the provider exactly as it drives {@code vertex}.
 */
public final class FakeVertexFactory implements TuningProviderFactory {
  /** The storage the next provider uses. */
  static volatile FlakyStorage storage = new FlakyStorage();

  /** Called by ServiceLoader. */
  public FakeVertexFactory() {}

  @Override
  public Set<String> names() {
    return Set.of("vertex-fake");
  }

  @Override
  public TuningProvider create(ProviderSettings settings) {
    return new VertexProvider(VertexConfig.from(settings), VertexFakes::credentials, storage.storage);
  }

  @Override
  public List<SettingSpec> settingKeys(String type) {
    return new VertexProviderFactory().settingKeys("vertex");
  }
}
