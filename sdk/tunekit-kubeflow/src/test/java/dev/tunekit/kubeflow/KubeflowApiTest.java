package dev.tunekit.kubeflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.testing.SharedServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The TrainJob on the wire, the name rule, 409, status, cancel by delete, errors and preflight. */
class KubeflowApiTest {
  @RegisterExtension
  static final SharedServer<KubeflowFakes> SERVER = new SharedServer<>(KubeflowFakes::new, KubeflowFakes::reset);
  KubeflowFakes fakes;
  @TempDir Path tmp;

  @BeforeEach
  void setUp() {
    fakes = SERVER.get();
  }

  private FileUpload upload(String text) throws Exception {
    Path f = tmp.resolve("train-" + text.length() + ".jsonl");
    Files.writeString(f, text);
    byte[] bytes = Files.readAllBytes(f);
    return FileUpload.builder().path(f).fileName(f.getFileName().toString()).sha256(Names.sha256(bytes))
        .sizeBytes(bytes.length).format(dev.tunekit.dataset.DatasetFormat.neutral(DatasetKind.CHAT))
        .role(FileUpload.Role.TRAINING).build();
  }

  private static JobRequest request(String key, String trainFile) {
    return JobRequest.builder().runId("run-1").idempotencyKey(key).baseModel(KubeflowFakes.BASE_MODEL)
        .method(TrainingMethod.SUPERVISED).trainingFileId(trainFile)
        .hyperparameters(Hyperparameters.builder().epochs(2).seed(7).extra("learningRate", 2e-4)
            .extra("gradient_accumulation_steps", 4).build()).build();
  }

  @Test
  void theName_isADeterministicRfc1035Label_forAnyKey() {
    String[] keys = {"tk-0f8fad5b-d9cb-469f-a165-70867728950e", "Run_ABC", "run_abc", "x".repeat(300), "---", "ünï cödé",
        "9starts-with-a-digit", ""};
    Set<String> names = new HashSet<>();
    for (String k : keys) {
      String n = Names.trainJob(k);
      assertThat(Names.isLabel(n)).as("'%s' from key '%s'", n, k).isTrue();
      assertThat(n.length()).isLessThanOrEqualTo(63);
      assertThat(Names.trainJob(k)).as("same key, same name").isEqualTo(n);
      names.add(n);
    }
    assertThat(names).as("different keys, different names (Run_ABC and run_abc too)").hasSize(keys.length);
    assertThat(Names.trainJob("tk-0f8fad5b-d9cb-469f-a165-70867728950e")).startsWith("tk-0f8fad5b-d9cb-");
  }

  @Test
  @SuppressWarnings("unchecked")
  void createJob_writesTheTrainJobSpec_andTheDataAsAConfigMap() throws Exception {
    KubeflowProvider p = fakes.provider(tmp, Map.of("numNodes", "2", "cpuPerNode", "8", "runtimeKind", "TrainingRuntime"));
    String file = p.upload(upload("{\"messages\":[]}\n")).id();
    RemoteJob job = p.createJob(request("tk-run-1", file));
    String name = Names.trainJob("tk-run-1");
    assertThat(job.id()).isEqualTo(name);
    assertThat(job.status()).isInstanceOf(JobStatus.Queued.class);
    GenericKubernetesResource stored = fakes.trainJobs().get(0);
    Map<String, Object> spec = (Map<String, Object>) stored.getAdditionalProperties().get("spec");
    assertThat((Map<String, Object>) spec.get("runtimeRef")).containsEntry("name", "torch-distributed")
        .containsEntry("apiGroup", "trainer.kubeflow.org").containsEntry("kind", "TrainingRuntime");
    Map<String, Object> trainer = (Map<String, Object>) spec.get("trainer");
    assertThat(trainer).containsEntry("image", "ghcr.io/acme/tunekit-trl:0.1.0").containsEntry("numNodes", 2)
        .containsEntry("command", List.of("python", "/opt/tunekit/tunekit_train.py"));
    assertThat((List<String>) trainer.get("args")).containsSubsequence("--base-model", KubeflowFakes.BASE_MODEL)
        .containsSubsequence("--train-file", "/tunekit/data/" + file + "/data.jsonl")
        .containsSubsequence("--output-dir", KubeflowFakes.OUTPUT + "/" + name).containsSubsequence("--method", "sft")
        .containsSubsequence("--epochs", "2").containsSubsequence("--seed", "7")
        .containsSubsequence("--learning-rate", "2.0E-4").containsSubsequence("--extra", "gradient_accumulation_steps=4");
    assertThat(trainer.get("resourcesPerNode").toString()).contains("nvidia.com/gpu=1", "cpu=8", "memory=32Gi");
    assertThat(spec.get("podTemplateOverrides").toString()).contains("targetJobs=[{name=node}]", "configMap={name=" + file + "}",
        "mountPath=/tunekit/data/" + file);
    assertThat(stored.getMetadata().getAnnotations()).containsEntry(TrainJobs.KEY_ANNOTATION, "tk-run-1");
    assertThat(fakes.direct.configMaps().inNamespace(KubeflowFakes.NS).withName(file).get().getData())
        .containsEntry("data.jsonl", "{\"messages\":[]}\n");
    assertThat(p.findFile(upload("{\"messages\":[]}\n"))).as("found by content hash").isPresent();
    assertThat(p.upload(upload("{\"messages\":[]}\n")).id()).as("a second upload (409) is the same file").isEqualTo(file);
  }

  @Test
  void aCreateAnswered409_readsTheExistingTrainJob_andMakesNoSecond() throws Exception {
    String name = Names.trainJob("tk-run-2");
    fakes.trainJob(name, Map.of("jobsStatus", List.of(Map.of("name", "node", "active", 1))),
        Map.of("made-by", "the first attempt"), false);
    RemoteJob job = fakes.provider(tmp).createJob(request("tk-run-2", Names.dataConfigMap("a".repeat(64))));
    assertThat(job.id()).isEqualTo(name);
    assertThat(job.status()).isInstanceOf(JobStatus.Running.class);
    assertThat(fakes.trainJobs()).hasSize(1).allSatisfy(r ->
        assertThat(r.getMetadata().getAnnotations()).containsEntry("made-by", "the first attempt"));
  }

  @Test
  void aFailedTrainJob_givesTheConditionsMessageAndReason() {
    fakes.trainJob("tk-failed", KubeflowFakes.condition("Failed", "FailedJobs",
        "jobset failed: tunekit_train: error: line 3: role 'bot' is not user/assistant/system"), Map.of(), false);
    JobStatus s = fakes.provider(tmp).job("tk-failed").status();
    assertThat(s).isInstanceOfSatisfying(JobStatus.Failed.class, f -> {
      assertThat(f.reason()).contains("line 3: role 'bot'");
      assertThat(f.code()).contains("FailedJobs");
    });
  }

  @Test
  void aFailedTrainJob_leadsWithTheTrainersErrorLine_whenItsPodStillHasIt() {
    fakes.trainJob("tk-failed-2", KubeflowFakes.condition("Failed", "FailedJobs",
        "jobset failed: ReplicatedJob node failed"), Map.of(), false);
    fakes.trainerPod("tk-failed-2", "tk-failed-2-node-0-0-xyz", "[rank0]: loading\n"
        + "tunekit_train: error: --lora-r must be between 1 and 1024, was 0\n");
    JobStatus s = fakes.provider(tmp).job("tk-failed-2").status();
    assertThat(s).isInstanceOfSatisfying(JobStatus.Failed.class, f -> assertThat(f.reason())
        .isEqualTo("--lora-r must be between 1 and 1024, was 0 (jobset failed: ReplicatedJob node failed)"));
  }

  @Test
  void aPoll_readsTheTrainerLogOnce_forItsEventsAndMetrics() {
    fakes.trainJob("tk-poll", Map.of("jobsStatus", List.of(Map.of("name", "node", "active", 1))), Map.of(), false);
    fakes.trainerPod("tk-poll", "tk-poll-node-0-0-abc", "[rank0]: loading\n"
        + "{\"tunekit\":\"metric\",\"step\":1,\"epoch\":1.0,\"train_loss\":1.5}\n");
    KubeflowProvider p = fakes.provider(tmp);
    int before = fakes.logReads.get();
    dev.tunekit.spi.JobProgress poll = p.progress("tk-poll", Optional.empty(), Optional.empty());
    assertThat(poll.metrics().items()).extracting(dev.tunekit.model.MetricPoint::step).containsExactly(1L);
    assertThat(fakes.logReads.get() - before).isEqualTo(1);
    dev.tunekit.spi.JobProgress next = p.progress("tk-poll", poll.events().next(), poll.metrics().next());
    assertThat(next.metrics().items()).isEmpty(); // nothing delivered twice
    assertThat(fakes.logReads.get() - before).isEqualTo(2);
  }

  @Test
  void cancelByDelete_removesTheTrainJob_andStaysCancelled() {
    fakes.trainJob("tk-running", Map.of("jobsStatus", List.of(Map.of("name", "node", "active", 1))), Map.of(), false);
    KubeflowProvider p = fakes.provider(tmp, Map.of("cancel", "delete"));
    assertThat(p.cancel("tk-running").status()).isInstanceOf(JobStatus.Cancelled.class);
    assertThat(fakes.trainJobs()).isEmpty();
    assertThat(p.cancel("tk-running").status()).as("a second cancel").isInstanceOf(JobStatus.Cancelled.class);
  }

  @Test
  void aDatasetOverTheConfigMapLimit_isRefusedBeforeAnythingIsSent() throws Exception {
    String big = "{\"messages\":[]}\n".repeat(70_000);
    assertThat(big.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(1_048_576);
    assertThatThrownBy(() -> fakes.provider(tmp).upload(upload(big))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at most 1 MiB").hasMessageContaining("nothing was sent");
    assertThat(fakes.direct.configMaps().inNamespace(KubeflowFakes.NS).list().getItems()).isEmpty();
  }

  @Test
  void aForbiddenCall_saysWhatToCheck_andNeverShowsTheToken() {
    fakes.server.expect().get().withPath(KubeflowFakes.TRAINJOBS + "/tk-x").andReturn(403, "{\"kind\":\"Status\","
        + "\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"trainjobs.trainer.kubeflow.org \\\"tk-x\\\" is"
        + " forbidden: User \\\"alice\\\" cannot get resource\",\"reason\":\"Forbidden\",\"code\":403}").once();
    assertThatThrownBy(() -> fakes.provider(tmp).job("tk-x")).isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("forbidden").hasMessageContaining("pods/log")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("test-token-not-a-secret"));
    assertThat(fakes.provider(tmp).toString()).doesNotContain("test-token-not-a-secret");
  }

  private static JobPlan plan() {
    return JobPlan.builder().baseModel(KubeflowFakes.BASE_MODEL).method(TrainingMethod.SUPERVISED)
        .kind(DatasetKind.CHAT).hyperparameters(Hyperparameters.defaults()).trainingExamples(100).build();
  }

  @Test
  void preflight_acceptsTheFakesSettings_andNamesEveryBadSetting() {
    assertThat(fakes.provider(tmp).preflight(plan())).isEmpty();
    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("namespace", "ML_Team");
    bad.put("runtimeKind", "Runtime");
    bad.put("image", "not an image");
    bad.put("numNodes", "0");
    bad.put("memoryPerNode", "lots");
    bad.put("outputDir", "relative/dir");
    bad.put("cancel", "kill");
    bad.put("masterUrl", "k8s.example.com");
    List<PreflightProblem> problems = fakes.provider(tmp, bad).preflight(plan());
    assertThat(problems).extracting(PreflightProblem::where).containsExactlyInAnyOrder("providers.kubeflow.namespace",
        "providers.kubeflow.runtimeKind", "providers.kubeflow.image", "providers.kubeflow.numNodes",
        "providers.kubeflow.memoryPerNode", "providers.kubeflow.outputDir", "providers.kubeflow.cancel",
        "providers.kubeflow.masterUrl");
    assertThat(problems).allSatisfy(pr -> assertThat(pr.fix()).isNotBlank());
  }

  @Test
  void preflight_refusesMissingSettings_aMissingKubeconfig_andLocalBase() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("kubeconfig", tmp.resolve("no-such-kubeconfig").toString());
    KubeflowProvider p = new KubeflowProvider(KubeflowConfig.from(dev.tunekit.spi.ProviderSettings.of("kubeflow",
        "test", tmp, s)));
    JobPlan localBase = JobPlan.builder().baseModel("local-base").method(TrainingMethod.SUPERVISED)
        .kind(DatasetKind.CHAT).hyperparameters(Hyperparameters.defaults()).trainingExamples(100).build();
    assertThat(p.preflight(localBase)).extracting(PreflightProblem::where).contains("providers.kubeflow.namespace",
        "providers.kubeflow.runtime", "providers.kubeflow.image", "providers.kubeflow.outputDir",
        "providers.kubeflow.kubeconfig", "model");
  }
}
