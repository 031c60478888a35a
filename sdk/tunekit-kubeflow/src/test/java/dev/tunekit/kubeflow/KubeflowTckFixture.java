package dev.tunekit.kubeflow;

import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.testing.SharedServer;
import dev.tunekit.testing.tck.ProviderFixture;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The provider contract's fixture for Kubeflow: one CRUD mock API server per test class, reset for each test. Uploads
 * and creates need no scripting (the CRUD store keeps them); a lost reply is the {@link dev.tunekit.testing.FaultProxy}.
 */
final class KubeflowTckFixture implements ProviderFixture {
  static final SharedServer<KubeflowFakes> SHARED = new SharedServer<>(KubeflowFakes::new, KubeflowFakes::reset);

  private final Path dir;
  private final KubeflowFakes fakes;

  KubeflowTckFixture(Path dir) {
    this.dir = dir;
    this.fakes = SHARED.get();
  }

  @Override
  public TuningProvider provider() {
    return fakes.provider(dir);
  }

  @Override
  public String baseModel() {
    return KubeflowFakes.BASE_MODEL;
  }

  @Override
  public void nextUploadCommitsThenDropsConnection(FileUpload upload) {
    fakes.proxy.dropReplyToNext("POST", KubeflowFakes.CONFIGMAPS);
  }

  @Override
  public void nextCreateCommitsThenDropsConnection(JobRequest request) {
    fakes.proxy.dropReplyToNext("POST", KubeflowFakes.TRAINJOBS);
  }

  @Override
  public Map<String, Class<? extends JobStatus>> rawStatuses() {
    Map<String, Class<? extends JobStatus>> m = new LinkedHashMap<>();
    m.put("Created", JobStatus.Queued.class);
    m.put("Suspended", JobStatus.Queued.class);
    m.put("Running", JobStatus.Running.class);
    m.put("Complete", JobStatus.Succeeded.class);
    m.put("Failed", JobStatus.Failed.class);
    m.put("Cancelled", JobStatus.Cancelled.class);
    return m;
  }

  @Override
  public String unknownRawStatus() {
    return "Reticulating";
  }

  @Override
  public String jobReporting(String raw) {
    String id = "tck-" + raw.toLowerCase(java.util.Locale.ROOT);
    switch (raw) {
      case "Running" -> fakes.trainJob(id, Map.of("conditions", List.of(Map.of("type", "Created", "status", "True")),
          "jobsStatus", List.of(Map.of("name", "node", "active", 1))), Map.of(), false);
      case "Cancelled" -> fakes.trainJob(id, KubeflowFakes.condition("Suspended", "Suspended", "TrainJob is suspended"),
          Map.of(TrainJobs.CANCELLED_ANNOTATION, "true"), true);
      case "Failed" -> fakes.trainJob(id, KubeflowFakes.condition("Failed", "FailedJobs",
          "jobset failed: trainer exited with code 1"), Map.of(), false);
      default -> fakes.trainJob(id, KubeflowFakes.condition(raw, raw, raw), Map.of(), raw.equals("Suspended"));
    }
    return id;
  }

  @Override
  public String runningJob() {
    return jobReporting("Running");
  }

  @Override
  public String succeededJob() {
    return jobReporting("Complete");
  }

  @Override
  public String jobWithHistory() {
    String id = jobReporting("Running");
    fakes.trainerPod(id, id + "-node-0-0-abcde", String.join("\n",
        "[rank0]: loading model",
        "{\"tunekit\":\"event\",\"level\":\"info\",\"message\":\"training sft on Qwen: 40 items, 10 steps\",\"total_steps\":10}",
        "{\"tunekit\":\"metric\",\"step\":4,\"epoch\":0.8,\"train_loss\":2.31,\"learning_rate\":0.00014}", ""));
    return id;
  }

  @Override
  public void appendHistory(String jobId) {
    String pod = jobId + "-node-0-0-abcde";
    fakes.logs.put(pod, fakes.logs.get(pod) + String.join("\n",
        "{\"tunekit\":\"metric\",\"step\":5,\"epoch\":1.0,\"valid_loss\":2.4,\"valid_mean_token_accuracy\":0.5}",
        "{\"tunekit\":\"checkpoint\",\"step\":5,\"path\":\"" + KubeflowFakes.OUTPUT + "/" + jobId + "/checkpoint-5\"}",
        "{\"tunekit\":\"metric\",\"step\":8,\"epoch\":1.6,\"train_loss\":1.9}", ""));
  }
}
