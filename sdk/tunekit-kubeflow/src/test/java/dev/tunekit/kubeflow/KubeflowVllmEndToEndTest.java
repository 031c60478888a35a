package dev.tunekit.kubeflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.Run;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.Graders;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.testing.VllmWireMock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eval-gated workflow on {@code provider: kubeflow} with a {@code vllm:} block: the TrainJob is stored by fabric8's
 * CRUD mock API server (a stand-in controller completes it), the adapter written to {@code <outputDir>/<TrainJob name>}
 * is loaded into vLLM (WireMock) from where the vLLM host mounts outputDir, the baseline is the base model on the same
 * server and the tuned model the adapter; a passing gate keeps it loaded, a blocking gate unloads it.
 */
class KubeflowVllmEndToEndTest {
  static KubeflowFakes kube;
  static VllmWireMock vllm;
  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    kube = new KubeflowFakes();
    vllm = new VllmWireMock(KubeflowFakes.BASE_MODEL);
  }

  @AfterAll
  static void stop() {
    vllm.close();
    kube.close();
  }

  @BeforeEach
  void reset() {
    vllm.reset();
    kube.reset();
  }

  private Tunekit open(Map<String, Object> vllmBlock) {
    Map<String, Object> s = new LinkedHashMap<>(kube.settings());
    if (vllmBlock != null) {
      s.put("vllm", vllmBlock);
    }
    Tunekit.Builder b = Tunekit.builder().provider("kubeflow");
    s.forEach(b::setting);
    return b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(2, Duration.ofMillis(1), Duration.ofMillis(2), 2.0)
        .polling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(20)).build();
  }

  private static EvalSuite suite() {
    return EvalSuite.of("s", EvalCase.of("c1", "question 1", "answer 1"), EvalCase.of("c2", "question 2", "answer 2"))
        .withGrader(Graders.exactMatch());
  }

  private Path data() throws Exception {
    return dev.tunekit.testing.ChatData.write(tmp.resolve("train.jsonl"), 12);
  }

  @Test
  void trainOnKubeflow_deployOnVllm_evaluate_aPassingGateKeepsTheAdapterLoaded() throws Exception {
    vllm.answer = (model, q) -> model.equals(KubeflowFakes.BASE_MODEL) ? "no idea" : q.replace("question", "answer");
    try (AutoCloseable controller = kube.completingController();
        Tunekit tk = open(Map.of("baseUrl", vllm.baseUrl(), "mountedDataDir", "/models/adapters"))) {
      Run run = tk.fineTune().model(KubeflowFakes.BASE_MODEL).trainingData(data()).evaluateWith(suite()).gate(0.5)
          .deployBeforeEvaluation(true).start();
      RunResult r = run.await();
      assertThat(r.state()).as("%s", r).isEqualTo(RunState.GATE_PASSED);
      String tuned = run.fineTunedModel().orElseThrow();
      assertThat(kube.trainJobs()).hasSize(1);
      String trainJob = kube.trainJobs().get(0).getMetadata().getName();
      assertThat(tuned).as("the adapter's directory: <outputDir>/<TrainJob name>")
          .isEqualTo(KubeflowFakes.OUTPUT + "/" + trainJob).matches(Pattern.quote(KubeflowFakes.OUTPUT) + "/tk-[a-z0-9-]+");
      assertThat(vllm.loaded).hasSize(1);
      String lora = vllm.loaded.keySet().iterator().next();
      assertThat(lora).startsWith("tunekit-" + run.id() + "-");
      // the adapter directory as the vLLM host mounts outputDir
      assertThat(vllm.loaded.get(lora)).isEqualTo("/models/adapters/" + trainJob);
      // baseline on the base model, tuned on the adapter, on the same server
      assertThat(vllm.calls).containsSubsequence("POST /v1/load_lora_adapter", "GET /v1/models",
          "POST /v1/chat/completions").doesNotContain("POST /v1/unload_lora_adapter");

      Deployment d = run.deploy();
      assertThat(d.inferenceModel()).isEqualTo(lora);
      assertThat(d.state()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(vllm.calls.stream().filter("POST /v1/load_lora_adapter"::equals).count()).isEqualTo(1);
      // the provider's chat: a tuned model's directory is not a name vLLM serves
      dev.tunekit.spi.Chat chat = dev.tunekit.internal.Internals.workflow(tk).provider()
          .require(dev.tunekit.spi.Chat.class, "chat");
      assertThatThrownBy(() -> chat.chat(dev.tunekit.model.ChatRequest.of(tuned, java.util.List.of(
          dev.tunekit.model.ChatMessage.user("q"))))).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("deployBeforeEvaluation(true)");
    }
  }

  @Test
  void aBlockingGateUnloadsTheAdapterLoadedForTheEvaluation() throws Exception {
    vllm.answer = (model, q) -> "no idea"; // the adapter is no better than the base model
    try (AutoCloseable controller = kube.completingController(); Tunekit tk = open(Map.of("baseUrl", vllm.baseUrl()))) {
      Run run = tk.fineTune().model(KubeflowFakes.BASE_MODEL).trainingData(data()).evaluateWith(suite()).gate(0.05)
          .deployBeforeEvaluation(true).start();
      RunResult r = run.await();
      assertThat(r.state()).as("%s", r).isEqualTo(RunState.GATE_BLOCKED);
      assertThat(vllm.calls).containsSubsequence("POST /v1/load_lora_adapter", "GET /v1/models",
          "POST /v1/chat/completions", "POST /v1/unload_lora_adapter");
      assertThat(vllm.loaded).isEmpty();
      // without mountedDataDir the path is the output path itself (shared storage)
      assertThat(vllm.loads.get(0).path("lora_path").asText()).isEqualTo(run.fineTunedModel().orElseThrow());
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class);
      assertThat(kube.trainJobs()).hasSize(1);
    }
  }

  @Test
  void preflightChecksTheServingSettingsOffline_beforeAnythingIsSent() throws Exception {
    try (Tunekit tk = open(null)) {
      assertThatThrownBy(() -> tk.fineTune().model(KubeflowFakes.BASE_MODEL).trainingData(data()).evaluateWith(suite())
          .gate(0.5).deployBeforeEvaluation(true).start()).isInstanceOf(PreflightException.class)
          .hasMessageContaining("providers.kubeflow.vllm").hasMessageContaining("add a vllm: block");
    }
    KubeflowProvider p = kube.provider(tmp, Map.of("outputDir", "s3://bucket/adapters", "servingUrl",
        "http://127.0.0.1:9/v1", "vllm", Map.of("baseUrl", vllm.baseUrl())));
    var problems = p.preflight(dev.tunekit.spi.JobPlan.builder().baseModel(KubeflowFakes.BASE_MODEL)
        .method(dev.tunekit.spi.TrainingMethod.SUPERVISED).kind(dev.tunekit.dataset.DatasetKind.CHAT).build());
    assertThat(problems).extracting(Object::toString).anySatisfy(t -> assertThat(t)
        .contains("providers.kubeflow.servingUrl").contains("remove servingUrl"))
        .anySatisfy(t -> assertThat(t).contains("vllm.mountedDataDir").contains("object storage"));
    assertThat(kube.trainJobs()).isEmpty();
    assertThat(vllm.calls).isEmpty();
  }

  @Test
  void aBadVllmBlockIsRefusedNamingTheSettingAndHowToFixIt() {
    assertThatThrownBy(() -> open(Map.of("baseUrl", "gpu-box:8000"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("providers.kubeflow.vllm.baseUrl must be an http(s) URL such as http://gpu-box:8000/v1");
    assertThatThrownBy(() -> open(Map.of("baseURL", "http://gpu:8000", "apiKey", "sk-shh-123")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("providers.kubeflow.vllm.baseURL is not a vLLM setting; the settings are baseUrl")
        .hasMessageNotContaining("sk-shh-123");
    assertThatThrownBy(() -> open(Map.of("baseUrl", "http://gpu:8000", "mountedDataDir", "adapters")))
        .hasMessageContaining("mountedDataDir must be an absolute path on the vLLM host (where it sees outputDir)");
  }
}
