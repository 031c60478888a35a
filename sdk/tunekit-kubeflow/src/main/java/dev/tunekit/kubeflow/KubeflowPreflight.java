package dev.tunekit.kubeflow;

import dev.tunekit.http.AdapterServing;
import dev.tunekit.http.TrainerCli;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightProblem;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kubeflow's offline checks, before the baseline and before anything is uploaded: every setting the TrainJob needs
 * (namespace and runtime names, runtime kind, image, nodes and resources per node, output directory, data mount path,
 * cancel mode) and the credentials (a {@code masterUrl}, a kubeconfig file that exists, or a pod's service account),
 * then the serving side ({@link AdapterServing#check}: a {@code vllm:} block for deployBeforeEvaluation, not with
 * {@code servingUrl}, {@code mountedDataDir} for an object-storage outputDir), then the method, model and hyperparameters against what the shipped trainer accepts ({@link TrainerCli#check}).
 * The dataset's size against the ConfigMap limit is checked by {@code upload}, before anything is sent: the plan
 * carries example counts, not bytes.
 */
final class KubeflowPreflight {
  private KubeflowPreflight() {}

  static List<PreflightProblem> check(KubeflowConfig c, JobPlan plan, AdapterServing serving) {
    List<PreflightProblem> out = new ArrayList<>();
    String section = "providers." + c.settings().name() + ".";
    name(c, out, section, "namespace", c.namespace(), true, "the namespace the TrainJobs run in, such as ml-team");
    name(c, out, section, "runtime", c.runtime(), false, "the ClusterTrainingRuntime the TrainJob uses, such as"
        + " torch-distributed (kubectl get clustertrainingruntimes)");
    if (!c.runtimeKind().equals(KubeflowConfig.CLUSTER_RUNTIME) && !c.runtimeKind().equals(KubeflowConfig.NAMESPACED_RUNTIME)) {
      out.add(problem(c, section, "runtimeKind", "'" + c.runtimeKind() + "' is not ClusterTrainingRuntime or TrainingRuntime",
          "write ClusterTrainingRuntime (the default) or TrainingRuntime (a runtime in the TrainJob's namespace)"));
    }
    if (c.image().isEmpty()) {
      out.add(problem(c, section, "image", "is not set", "set it to the trainer's image, built from"
          + " trainers/trl/Dockerfile and pushed to a registry the cluster pulls from"));
    } else if (!c.image().get().matches("[a-z0-9]([a-z0-9._:/@-]*[a-zA-Z0-9])?") || c.image().get().contains("//")) {
      out.add(problem(c, section, "image", "'" + c.image().get() + "' is not an image reference",
          "write registry/name:tag or registry/name@sha256:digest, such as ghcr.io/acme/tunekit-trl:0.1.0"));
    }
    if (c.command().isEmpty() || c.command().get(0).isBlank()) {
      out.add(problem(c, section, "command", "is empty", "leave it unset (python /opt/tunekit/tunekit_train.py)"));
    }
    if (c.numNodes() < 1 || c.numNodes() > 1024) {
      out.add(problem(c, section, "numNodes", "numNodes " + c.numNodes() + " is outside 1..1024", "choose such as 1"));
    }
    if (c.gpusPerNode() < 0 || c.gpusPerNode() > 64) {
      out.add(problem(c, section, "gpusPerNode", "gpusPerNode " + c.gpusPerNode() + " is outside 0..64",
          "choose the GPUs each node's trainer needs, such as 1"));
    }
    quantity(c, out, section, "cpuPerNode", c.cpuPerNode(), "such as 8 or 7500m");
    quantity(c, out, section, "memoryPerNode", c.memoryPerNode(), "such as 64Gi");
    if (c.outputDir().isEmpty()) {
      out.add(problem(c, section, "outputDir", "is not set", "set it to a path on a volume the training runtime mounts"
          + " into the trainer (a shared PVC, such as /mnt/shared/adapters) or an object-storage URI the image can write"
          + " (s3://bucket/adapters); each run writes under its own directory"));
    } else if (!c.outputDir().get().startsWith("/") && !c.outputDir().get().matches("[a-z][a-z0-9+.-]*://.+")) {
      out.add(problem(c, section, "outputDir", "'" + c.outputDir().get() + "' is neither an absolute path nor a URI",
          "write an absolute path in the trainer's container, such as /mnt/shared/adapters, or s3://bucket/adapters"));
    }
    if (!c.dataMountPath().startsWith("/") || c.dataMountPath().contains(":")) {
      out.add(problem(c, section, "dataMountPath", "'" + c.dataMountPath() + "' is not an absolute path",
          "leave it unset (/tunekit/data) or write an absolute path in the trainer's container"));
    }
    if (!c.cancel().equals("suspend") && !c.cancel().equals("delete")) {
      out.add(problem(c, section, "cancel", "'" + c.cancel() + "' is not suspend or delete",
          "write suspend (keeps the TrainJob, stops its pods) or delete (removes it)"));
    }
    credentials(c, out, section);
    serving.check(plan, out);
    out.addAll(TrainerCli.check(plan, "the Kubeflow engine", section));
    return out;
  }

  /** The credential problems alone (no masterUrl, no kubeconfig, no service account...), for the reachability check. */
  static List<PreflightProblem> credentials(KubeflowConfig c) {
    List<PreflightProblem> out = new java.util.ArrayList<>();
    credentials(c, out, "providers." + c.settings().name() + ".");
    return out;
  }

  private static void credentials(KubeflowConfig c, List<PreflightProblem> out, String section) {
    if (c.masterUrl().isPresent()) {
      String u = c.masterUrl().get();
      URI uri;
      try {
        uri = new URI(u);
      } catch (java.net.URISyntaxException e) {
        uri = null;
      }
      if (uri == null || uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
        out.add(problem(c, section, "masterUrl", "'" + u + "' is not an absolute http(s) URL",
            "write the API server's address, such as https://k8s.example.com:6443, or leave it unset to use the kubeconfig"));
      }
      return;
    }
    Optional<Path> file = c.kubeconfigFile();
    if (file.isPresent()) {
      if (!Files.isReadable(file.get())) {
        out.add(problem(c, section, "kubeconfig", "the kubeconfig " + file.get() + " does not exist or cannot be read",
            "point kubeconfig (or $KUBECONFIG) at your cluster's kubeconfig file"));
      }
      return;
    }
    if (!KubeflowConfig.inCluster()) {
      out.add(problem(c, section, "kubeconfig", "no credentials: no masterUrl, no kubeconfig (neither $KUBECONFIG nor"
          + " ~/.kube/config) and no pod service account", "run where kubectl works (a kubeconfig), set kubeconfig to"
          + " its file, or set masterUrl and token"));
    }
  }

  private static void name(KubeflowConfig c, List<PreflightProblem> out, String section, String key,
      Optional<String> value, boolean label, String what) {
    if (value.isEmpty()) {
      out.add(problem(c, section, key, "is not set", "set it to " + what));
    } else if (label ? !(value.get().length() <= 63 && Names.isSubdomain(value.get()) && !value.get().contains("."))
        : !Names.isSubdomain(value.get())) {
      out.add(problem(c, section, key, "'" + value.get() + "' is not a Kubernetes " + (label ? "namespace" : "object")
          + " name (lower-case letters, digits and '-'" + (label ? ", at most 63" : "") + ")", "set it to " + what));
    }
  }

  private static void quantity(KubeflowConfig c, List<PreflightProblem> out, String section, String key,
      Optional<String> value, String example) {
    if (value.isPresent() && !value.get().matches("\\d+(\\.\\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?")) {
      out.add(problem(c, section, key, "'" + value.get() + "' is not a Kubernetes quantity", "write it " + example));
    }
  }

  private static PreflightProblem problem(KubeflowConfig c, String section, String key, String what, String fix) {
    return new PreflightProblem(c.settings().location(key), section + key, what, fix);
  }
}
