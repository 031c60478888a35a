package dev.tunekit.kubeflow;

import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.SettingSpec;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.util.List;
import java.util.Set;

/**
 * The Kubeflow Trainer engine, chosen with {@code provider: kubeflow}: the shipped TRL trainer
 * ({@code trainers/trl/tunekit_train.py}) run as a TrainJob, the adapter written to {@code outputDir}, chat through an
 * OpenAI-compatible server (vLLM) when {@code servingUrl} names one, or loaded into vLLM and served there with a
 * {@code vllm:} block. See {@code sdk/tunekit-kubeflow/README.md}.
 */
public final class KubeflowProviderFactory implements TuningProviderFactory {

  /** Creates the factory (called by {@link java.util.ServiceLoader}). */
  public KubeflowProviderFactory() {}

  /** Answers to {@code kubeflow}. */
  @Override
  public Set<String> names() {
    return Set.of("kubeflow");
  }

  /** Reads the settings; makes no remote call and reads no kubeconfig yet. */
  @Override
  public TuningProvider create(ProviderSettings settings) {
    return new KubeflowProvider(KubeflowConfig.from(settings));
  }

  /** The settings of {@code providers.kubeflow}; any other key is an error. */
  @Override
  public List<SettingSpec> settingKeys(String type) {
    return List.of(
        SettingSpec.of("namespace", "the namespace of the TrainJobs and dataset ConfigMaps (required)"),
        SettingSpec.of("runtime", "the training runtime the TrainJob uses, spec.runtimeRef.name (required)"),
        SettingSpec.of("runtimeKind", "ClusterTrainingRuntime (default) or TrainingRuntime"),
        SettingSpec.of("image", "the trainer's image, built from trainers/trl/Dockerfile (required)"),
        SettingSpec.of("command", "the trainer's command in the image, default python /opt/tunekit/tunekit_train.py"),
        SettingSpec.of("numNodes", "nodes the TrainJob runs on (spec.trainer.numNodes), default 1"),
        SettingSpec.of("gpusPerNode", "nvidia.com/gpu per node, default 1"),
        SettingSpec.of("cpuPerNode", "a CPU quantity per node, such as 8"),
        SettingSpec.of("memoryPerNode", "a memory quantity per node, such as 64Gi"),
        SettingSpec.of("outputDir", "where adapters go: a path on a volume the runtime mounts, or an object-storage URI;"
            + " each run writes <outputDir>/<TrainJob name> (required)"),
        SettingSpec.of("dataMountPath", "where the dataset ConfigMaps are mounted in the trainer, default /tunekit/data"),
        SettingSpec.of("cancel", "suspend (default: the TrainJob stays, its pods stop) or delete"),
        SettingSpec.of("masterUrl", "the API server, instead of the kubeconfig's (such as a kubectl proxy)"),
        SettingSpec.of("token", "a bearer token for masterUrl; write ${KUBE_TOKEN}"),
        SettingSpec.of("kubeconfig", "a kubeconfig file, instead of $KUBECONFIG or ~/.kube/config"),
        SettingSpec.of("context", "the kubeconfig context, instead of its current one"),
        SettingSpec.of("servingUrl", "an OpenAI-compatible server (vLLM) serving the base model and the adapters, for"
            + " chat and evaluation, such as http://vllm:8000/v1"),
        SettingSpec.of("servingApiKey", "that server's API key, if it wants one; write ${VLLM_API_KEY}"),
        SettingSpec.of("vllm", "a vLLM server to load succeeded runs' adapters into and chat with (deployments):"
            + " baseUrl, apiKey, mountedDataDir (where vLLM sees outputDir, when mounted elsewhere), timeout"),
        SettingSpec.of("callTimeout", "per-call timeout, such as 60s (default 60s)"));
  }
}
