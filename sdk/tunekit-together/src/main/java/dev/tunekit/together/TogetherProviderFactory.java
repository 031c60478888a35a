package dev.tunekit.together;

import java.util.Map;
import dev.tunekit.spi.EnvConvention;
import dev.tunekit.dataset.DatasetContributor;
import dev.tunekit.dataset.ModelCatalog;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.SettingSpec;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Together AI provider, chosen with {@code provider: together}: LoRA or full fine-tuning (SFT or DPO) of
 * open-weight models.
 *
 * <p>Settings under {@code providers.together}: {@code apiKey} (write {@code ${TOGETHER_API_KEY}}),
 * {@code baseUrl} (default https://api.together.xyz/v1) and {@code callTimeout}.
 *
 * <p>As a {@link DatasetContributor} it contributes the Together catalog of tunable models (limits and prices,
 * with their sources and date). Together trains on Tunekit's neutral chat and preference JSONL, so it
 * contributes no format.
 */
public final class TogetherProviderFactory implements TuningProviderFactory, DatasetContributor {

  /** Creates the factory (called by {@link java.util.ServiceLoader}). */
  public TogetherProviderFactory() {}

  /** Answers to {@code together}. */
  @Override
  public Set<String> names() {
    return Set.of("together");
  }

  /** Checks the settings' shape; makes no remote call and does not need the key yet. */
  @Override
  public TuningProvider create(ProviderSettings settings) {
    return new TogetherProvider(TogetherConfig.from(settings));
  }

  /** The settings of {@code providers.together}; any other key is an error. */
  @Override
  public List<SettingSpec> settingKeys(String type) {
    return List.of(
        SettingSpec.of("apiKey", "the Together API key; write ${TOGETHER_API_KEY}"),
        SettingSpec.of("baseUrl", "the API base URL (default https://api.together.xyz/v1; tests, proxies)"),
        SettingSpec.of("callTimeout", "per-call timeout, such as 60s (default 60s)"));
  }

  @Override
  public Optional<ModelCatalog> catalog(String type) {
    return names().contains(type) ? Optional.of(TogetherCatalog.CATALOG) : Optional.empty();
  }

  /** The variables this provider's own SDK reads by convention, for {@code Tunekit.fromEnv()}. */
  @Override
  public List<EnvConvention> envConventions() {
    return List.of(EnvConvention.of("together", List.of("TOGETHER_API_KEY"),
        Map.of("apiKey", "TOGETHER_API_KEY"), ""));
  }
}
