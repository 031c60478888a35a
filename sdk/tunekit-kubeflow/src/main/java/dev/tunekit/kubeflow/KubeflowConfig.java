package dev.tunekit.kubeflow;

import dev.tunekit.http.VllmSettings;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.ProviderSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The Kubeflow provider's settings, read once from {@code providers.kubeflow}. Their presence and form are checked by
 * preflight (before anything is uploaded, {@link KubeflowPreflight}); this only reads them and checks numbers' shape.
 * Nothing here makes a remote call.
 *
 * @param namespace the namespace of the TrainJobs and dataset ConfigMaps
 * @param runtime the training runtime the TrainJob refers to ({@code spec.runtimeRef.name})
 * @param runtimeKind {@code ClusterTrainingRuntime} (default) or {@code TrainingRuntime} (namespaced)
 * @param image the trainer's container image (built from trainers/trl/Dockerfile)
 * @param command the trainer's command in that image; default {@code python /opt/tunekit/tunekit_train.py}
 * @param numNodes the nodes the TrainJob runs on ({@code spec.trainer.numNodes}), default 1
 * @param gpusPerNode {@code nvidia.com/gpu} per node, default 1 (0: none requested)
 * @param cpuPerNode a CPU quantity per node, such as {@code 8}, if any
 * @param memoryPerNode a memory quantity per node, such as {@code 64Gi}, if any
 * @param outputDir where adapters go: a path on a volume the runtime mounts into the trainer (a shared PVC) or an
 *     object-storage URI the image can write; each run writes {@code <outputDir>/<TrainJob name>}
 * @param dataMountPath where the dataset ConfigMaps are mounted in the trainer container, default /tunekit/data
 * @param cancel {@code suspend} (default) or {@code delete}
 * @param masterUrl the API server, instead of the kubeconfig's (such as a {@code kubectl proxy} on loopback)
 * @param token a bearer token for that API server
 * @param kubeconfig a kubeconfig file, instead of $KUBECONFIG or ~/.kube/config
 * @param context the kubeconfig context to use, instead of its current one
 * @param servingUrl an OpenAI-compatible server (vLLM) that serves the base model and the adapters, for chat
 * @param servingApiKey that server's key, if it wants one
 * @param callTimeout the per-call timeout (default 60 s)
 * @param vllm the {@code vllm:} block: the vLLM server a succeeded run's adapter is loaded into (deployments), which
 *     then serves chat for the base model and the adapters
 */
record KubeflowConfig(ProviderSettings settings, Optional<String> namespace, Optional<String> runtime, String runtimeKind,
    Optional<String> image, List<String> command, int numNodes, int gpusPerNode, Optional<String> cpuPerNode,
    Optional<String> memoryPerNode, Optional<String> outputDir, String dataMountPath, String cancel,
    Optional<String> masterUrl, Optional<Secret> token, Optional<String> kubeconfig, Optional<String> context,
    Optional<String> servingUrl, Optional<Secret> servingApiKey, Duration callTimeout, Optional<VllmSettings> vllm) {
  static final List<String> DEFAULT_COMMAND = List.of("python", "/opt/tunekit/tunekit_train.py");
  static final String CLUSTER_RUNTIME = "ClusterTrainingRuntime";
  static final String NAMESPACED_RUNTIME = "TrainingRuntime";

  static KubeflowConfig from(ProviderSettings s) {
    Duration timeout = s.duration("callTimeout").orElse(Duration.ofSeconds(60));
    if (timeout.isZero() || timeout.isNegative()) {
      throw s.invalid("callTimeout", "must be positive, such as 60s");
    }
    List<String> command = s.string("command").map(c -> List.of(c.trim().split("\\s+"))).orElse(DEFAULT_COMMAND);
    return new KubeflowConfig(s, str(s, "namespace"), str(s, "runtime"),
        str(s, "runtimeKind").orElse(CLUSTER_RUNTIME), str(s, "image"), command, whole(s, "numNodes", 1),
        whole(s, "gpusPerNode", 1), str(s, "cpuPerNode"), str(s, "memoryPerNode"), str(s, "outputDir"),
        str(s, "dataMountPath").orElse("/tunekit/data"), str(s, "cancel").orElse("suspend"), str(s, "masterUrl"),
        s.secret("token"), str(s, "kubeconfig"), str(s, "context"), str(s, "servingUrl"), s.secret("servingApiKey"),
        timeout, VllmSettings.read(s, "outputDir"));
  }

  private static Optional<String> str(ProviderSettings s, String key) {
    return s.string(key).map(String::trim).filter(v -> !v.isEmpty());
  }

  private static int whole(ProviderSettings s, String key, int dflt) {
    try {
      return s.string(key).map(v -> Integer.parseInt(v.trim())).orElse(dflt);
    } catch (NumberFormatException e) {
      throw s.invalid(key, "must be a whole number, such as " + dflt);
    }
  }

  /** The kubeconfig file this provider reads when no {@code masterUrl} is set, if one exists. */
  Optional<Path> kubeconfigFile() {
    if (kubeconfig.isPresent()) {
      return Optional.of(Path.of(kubeconfig.get()));
    }
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env.split(java.io.File.pathSeparator)[0]));
    }
    Path home = Path.of(System.getProperty("user.home"), ".kube", "config");
    return Files.isRegularFile(home) ? Optional.of(home) : Optional.empty();
  }

  /** Whether this process runs in a pod with a service account (fabric8 then configures itself from it). */
  static boolean inCluster() {
    return Files.isRegularFile(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"));
  }

  /** The output directory without a trailing slash, or an error naming the setting. */
  String output() {
    String o = outputDir.orElseThrow(() -> settings.invalid("outputDir", "is required; set it to a path on a volume"
        + " the training runtime mounts (such as /mnt/shared/adapters) or an object-storage URI"));
    return o.endsWith("/") && o.length() > 1 ? o.substring(0, o.length() - 1) : o;
  }

  /** The namespace, or an error naming the setting. */
  String ns() {
    return namespace.orElseThrow(() -> settings.invalid("namespace", "is required; set it to the namespace the"
        + " TrainJobs run in, such as ml-team"));
  }

  /** Never prints values (the tokens are secrets). */
  @Override
  public String toString() {
    return "KubeflowConfig" + settings;
  }
}
