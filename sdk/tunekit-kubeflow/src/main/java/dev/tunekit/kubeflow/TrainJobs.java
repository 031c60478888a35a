package dev.tunekit.kubeflow;

import dev.tunekit.http.TrainerCli;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.JobRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The TrainJob's spec and its status, in Kubeflow Trainer v2 terms ({@code trainer.kubeflow.org/v1alpha1}). Plain
 * maps: fabric8's generic resources carry them as they are, and no Kubeflow model classes are needed.
 */
final class TrainJobs {
  static final String GROUP = "trainer.kubeflow.org";
  static final String VERSION = "v1alpha1";
  static final String KIND = "TrainJob";
  static final String PLURAL = "trainjobs";
  /** The job (of the runtime's JobSet) and container that run the trainer in Kubeflow's runtimes. */
  static final String TRAINER_JOB = "node";
  /** JobSet labels every pod of the TrainJob's JobSet (named after the TrainJob) with this. */
  static final String JOBSET_LABEL = "jobset.sigs.k8s.io/jobset-name";
  static final String KEY_ANNOTATION = "tunekit.dev/idempotency-key";
  static final String OUTPUT_ANNOTATION = "tunekit.dev/output";
  static final String BASE_MODEL_ANNOTATION = "tunekit.dev/base-model";
  static final String METADATA_ANNOTATION = "tunekit.dev/metadata";
  static final String CANCELLED_ANNOTATION = "tunekit.dev/cancelled";
  static final String DATA_KEY = "data.jsonl";

  private TrainJobs() {}

  /** {@code spec}: runtimeRef, trainer (image, command, args, env, numNodes, resourcesPerNode), the data volumes. */
  static Map<String, Object> spec(KubeflowConfig c, JobRequest req, String output, String trainMap,
      Optional<String> validationMap) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("runtimeRef", map("name", c.runtime().orElseThrow(() -> c.settings().invalid("runtime", "is required")),
        "apiGroup", GROUP, "kind", c.runtimeKind()));
    Map<String, Object> trainer = new LinkedHashMap<>();
    trainer.put("image", c.image().orElseThrow(() -> c.settings().invalid("image", "is required")));
    trainer.put("command", c.command());
    trainer.put("args", TrainerCli.args(req, dataFile(c, trainMap), validationMap.map(v -> dataFile(c, v)), output));
    trainer.put("env", List.of(map("name", "PYTHONUNBUFFERED", "value", "1"), map("name", "TUNEKIT_RUN_ID", "value", req.runId())));
    trainer.put("numNodes", c.numNodes());
    Map<String, Object> limits = new LinkedHashMap<>();
    if (c.gpusPerNode() > 0) {
      limits.put("nvidia.com/gpu", Integer.toString(c.gpusPerNode()));
    }
    c.cpuPerNode().ifPresent(v -> limits.put("cpu", v));
    c.memoryPerNode().ifPresent(v -> limits.put("memory", v));
    if (!limits.isEmpty()) {
      trainer.put("resourcesPerNode", map("limits", limits, "requests", limits));
    }
    spec.put("trainer", trainer);
    List<Object> volumes = new ArrayList<>();
    List<Object> mounts = new ArrayList<>();
    volume(c, "tunekit-train", trainMap, volumes, mounts);
    validationMap.ifPresent(v -> volume(c, "tunekit-validation", v, volumes, mounts));
    spec.put("podTemplateOverrides", List.of(map("targetJobs", List.of(map("name", TRAINER_JOB)), "spec",
        map("volumes", volumes, "containers", List.of(map("name", TRAINER_JOB, "volumeMounts", mounts))))));
    return spec;
  }

  private static void volume(KubeflowConfig c, String name, String configMap, List<Object> volumes, List<Object> mounts) {
    volumes.add(map("name", name, "configMap", map("name", configMap)));
    mounts.add(map("name", name, "mountPath", c.dataMountPath() + "/" + configMap, "readOnly", true));
  }

  /** Where the trainer finds a dataset ConfigMap's file. */
  static String dataFile(KubeflowConfig c, String configMap) {
    return c.dataMountPath() + "/" + configMap + "/" + DATA_KEY;
  }

  /**
   * From {@code status.conditions} (and {@code metadata}): being deleted is cancelled; Failed (True) failed with the
   * condition's message and reason; Complete succeeded with the output directory as the model; Suspended cancelled
   * (raw "Cancelled") when Tunekit suspended it, else queued (Kueue holds admitted-later jobs suspended); a job of the
   * JobSet with active pods running (raw "Running"); Created or no condition yet queued; any other condition that is
   * True unknown, its type kept.
   */
  @SuppressWarnings("unchecked")
  static JobStatus status(Map<String, Object> metadata, Map<String, Object> spec, Map<String, Object> status,
      Map<String, String> annotations) {
    if (metadata.get("deletionTimestamp") != null) {
      return new JobStatus.Cancelled("Deleting");
    }
    List<Map<String, Object>> conditions = status.get("conditions") instanceof List<?> l
        ? (List<Map<String, Object>>) l : List.of();
    Optional<Map<String, Object>> failed = condition(conditions, "Failed");
    if (failed.isPresent()) {
      String message = text(failed.get(), "message").orElse("the TrainJob failed without a message");
      return new JobStatus.Failed("Failed", message, text(failed.get(), "reason"));
    }
    if (condition(conditions, "Complete").isPresent()) {
      return new JobStatus.Succeeded("Complete", Optional.ofNullable(annotations.get(OUTPUT_ANNOTATION)));
    }
    if (condition(conditions, "Suspended").isPresent() || Boolean.TRUE.equals(spec.get("suspend"))) {
      return "true".equals(annotations.get(CANCELLED_ANNOTATION)) ? new JobStatus.Cancelled("Cancelled")
          : new JobStatus.Queued("Suspended");
    }
    if (status.get("jobsStatus") instanceof List<?> jobs) {
      for (Object j : jobs) {
        if (j instanceof Map<?, ?> m && m.get("active") instanceof Number n && n.intValue() > 0) {
          return new JobStatus.Running("Running");
        }
      }
    }
    for (Map<String, Object> cond : conditions) {
      String type = String.valueOf(cond.get("type"));
      if ("True".equals(cond.get("status")) && !type.equals("Created")) {
        return new JobStatus.Unknown(type);
      }
    }
    return new JobStatus.Queued("Created");
  }

  static Optional<Map<String, Object>> condition(List<Map<String, Object>> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.get("type")) && "True".equals(c.get("status"))).findFirst();
  }

  static Optional<String> text(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
  }

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
