package dev.tunekit.fireworks;

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
 * The Fireworks AI provider, chosen with {@code provider: fireworks}: supervised LoRA fine-tuning of open-weight
 * models, dedicated deployments of the tuned model, and chat.
 *
 * <p>Settings under {@code providers.fireworks}: {@code apiKey} (write {@code ${FIREWORKS_API_KEY}}),
 * {@code accountId}, {@code baseUrl} (default https://api.fireworks.ai/v1), {@code inferenceUrl} (default
 * https://api.fireworks.ai/inference/v1), {@code callTimeout} and {@code datasetReadyTimeout}.
 *
 * <p>As a {@link DatasetContributor} it contributes the Fireworks catalog of tunable models (limits and prices,
 * with their sources and date). Fireworks trains on Tunekit's neutral chat JSONL, so it contributes no format.
 */
public final class FireworksProviderFactory implements TuningProviderFactory, DatasetContributor {

  /** Creates the factory (called by {@link java.util.ServiceLoader}). */
  public FireworksProviderFactory() {}

  /** Answers to {@code fireworks}. */
  @Override
  public Set<String> names() {
    return Set.of("fireworks");
  }

  /** Checks the settings' shape; makes no remote call and does not need the key yet. */
  @Override
  public TuningProvider create(ProviderSettings settings) {
    return new FireworksProvider(FireworksConfig.from(settings));
  }

  /** The settings of {@code providers.fireworks}; any other key is an error. */
  @Override
  public List<SettingSpec> settingKeys(String type) {
    return List.of(
        SettingSpec.of("apiKey", "the Fireworks API key; write ${FIREWORKS_API_KEY}"),
        SettingSpec.of("accountId", "the Fireworks account id (accounts/<id>); write ${FIREWORKS_ACCOUNT_ID}"),
        SettingSpec.of("baseUrl", "the control-plane base URL (default https://api.fireworks.ai/v1; tests, proxies)"),
        SettingSpec.of("inferenceUrl", "the inference base URL (default https://api.fireworks.ai/inference/v1)"),
        SettingSpec.of("callTimeout", "per-call timeout, such as 60s (default 60s)"),
        SettingSpec.of("datasetReadyTimeout", "how long an upload waits for the dataset to be READY (default 10m)"));
  }

  @Override
  public Optional<ModelCatalog> catalog(String type) {
    return names().contains(type) ? Optional.of(FireworksCatalog.CATALOG) : Optional.empty();
  }

  /** The variables this provider's own SDK reads by convention, for {@code Tunekit.fromEnv()}. */
  @Override
  public List<EnvConvention> envConventions() {
    return List.of(EnvConvention.of("fireworks", List.of("FIREWORKS_API_KEY", "FIREWORKS_ACCOUNT_ID"),
        Map.of("apiKey", "FIREWORKS_API_KEY", "accountId", "FIREWORKS_ACCOUNT_ID"), ""));
  }
}
