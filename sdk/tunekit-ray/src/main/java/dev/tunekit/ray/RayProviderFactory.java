package dev.tunekit.ray;

import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.SettingSpec;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.util.List;
import java.util.Set;

/**
 * The Ray Jobs training engine, chosen with {@code provider: ray}: the shipped TRL trainer
 * ({@code trainers/trl/tunekit_train.py}) run as a Ray job, the adapter written to {@code outputDir}, chat through an
 * OpenAI-compatible server (vLLM) when {@code servingUrl} names one. See {@code sdk/tunekit-ray/README.md}.
 */
public final class RayProviderFactory implements TuningProviderFactory {

  /** Creates the factory (called by {@link java.util.ServiceLoader}). */
  public RayProviderFactory() {}

  /** Answers to {@code ray}. */
  @Override
  public Set<String> names() {
    return Set.of("ray");
  }

  /** Checks the settings' shape; makes no remote call. */
  @Override
  public TuningProvider create(ProviderSettings settings) {
    return new RayProvider(RayConfig.from(settings));
  }

  /** The settings of {@code providers.ray}; any other key is an error. */
  @Override
  public List<SettingSpec> settingKeys(String type) {
    return List.of(
        SettingSpec.of("dashboardUrl", "the Ray dashboard, such as http://ray-head:8265 (required)"),
        SettingSpec.of("outputDir", "where adapters go: a shared path or object-storage URI the cluster writes and the"
            + " serving engine reads; each run writes <outputDir>/<submission id> (required)"),
        SettingSpec.of("token", "a bearer token for a dashboard behind an authenticating proxy; write ${RAY_DASHBOARD_TOKEN}"),
        SettingSpec.of("pip", "pip requirements for the job's environment, comma-separated (runtime_env pip)"),
        SettingSpec.of("image", "a container image for the job instead of pip (runtime_env image_uri)"),
        SettingSpec.of("numGpus", "GPUs reserved for the trainer (entrypoint_num_gpus), default 1"),
        SettingSpec.of("servingUrl", "an OpenAI-compatible server (vLLM) serving the base model and the adapters, for"
            + " chat and evaluation, such as http://gpu-box:8000/v1"),
        SettingSpec.of("servingApiKey", "that server's API key, if it wants one; write ${VLLM_API_KEY}"),
        SettingSpec.of("vllm", "a vLLM server to load succeeded runs' adapters into and chat with (deployments):"
            + " baseUrl, apiKey, mountedDataDir (where vLLM sees outputDir, when mounted elsewhere), timeout"),
        SettingSpec.of("callTimeout", "per-call timeout, such as 60s (default 60s)"));
  }
}
