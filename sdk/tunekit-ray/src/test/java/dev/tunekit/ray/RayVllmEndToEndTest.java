package dev.tunekit.ray;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
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
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.Deployment;
import dev.tunekit.testing.SharedServer;
import dev.tunekit.testing.VllmWireMock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eval-gated workflow on {@code provider: ray} with a {@code vllm:} block: Ray (WireMock) trains, the adapter
 * written to {@code <outputDir>/<submission id>} is loaded into vLLM (WireMock) from where the vLLM host mounts
 * outputDir, the baseline is the base model on the same server and the tuned model the adapter; a passing gate keeps it
 * loaded, a blocking gate unloads it.
 */
class RayVllmEndToEndTest {
  @RegisterExtension
  static final SharedServer<RayFakes> RAY = new SharedServer<>(RayFakes::new, f -> f.wm.resetAll());
  static VllmWireMock vllm;
  @TempDir Path tmp;
  RayFakes ray;

  @BeforeAll
  static void start() {
    vllm = new VllmWireMock(RayFakes.BASE_MODEL);
  }

  @AfterAll
  static void stop() {
    vllm.close();
  }

  @BeforeEach
  void reset() {
    vllm.reset();
    ray = RAY.get(); // taken once per test: each get() resets the server
    ray.wm.stubFor(get(urlPathMatching(RayFakes.PACKAGES + ".*")).willReturn(aResponse().withStatus(200)));
    ray.wm.stubFor(put(urlPathMatching(RayFakes.PACKAGES + ".*")).willReturn(aResponse().withStatus(200)));
    ray.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).willReturn(okJson(
        "{\"submission_id\":\"{{jsonPath request.body '$.submission_id'}}\"}").withTransformers("response-template")));
    ray.wm.stubFor(get(urlPathMatching(RayFakes.JOBS + "[^/]+")).willReturn(okJson(
        RayFakes.job("{{request.pathSegments.[2]}}", "SUCCEEDED", "")).withTransformers("response-template")));
    ray.wm.stubFor(get(urlPathMatching(RayFakes.JOBS + "[^/]+/logs")).willReturn(okJson(RayFakes.logs(
        "{\"tunekit\":\"metric\",\"step\":1,\"epoch\":1.0,\"train_loss\":1.5}"))));
  }

  private Tunekit open(Map<String, Object> vllmBlock) {
    Map<String, Object> s = new LinkedHashMap<>(ray.settings());
    s.remove("servingUrl");
    if (vllmBlock != null) {
      s.put("vllm", vllmBlock);
    }
    Tunekit.Builder b = Tunekit.builder().provider("ray");
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
  void trainOnRay_deployOnVllm_evaluate_aPassingGateKeepsTheAdapterLoaded() throws Exception {
    vllm.answer = (model, q) -> model.equals(RayFakes.BASE_MODEL) ? "no idea" : q.replace("question", "answer");
    try (Tunekit tk = open(Map.of("baseUrl", vllm.baseUrl(), "mountedDataDir", "/models/adapters"))) {
      Run run = tk.fineTune().model(RayFakes.BASE_MODEL).trainingData(data()).evaluateWith(suite()).gate(0.5)
          .deployBeforeEvaluation(true).start();
      RunResult r = run.await();
      assertThat(r.state()).as("%s", r).isEqualTo(RunState.GATE_PASSED);
      String tuned = run.fineTunedModel().orElseThrow();
      assertThat(tuned).startsWith(RayFakes.OUTPUT + "/tunekit-");
      assertThat(vllm.loaded).hasSize(1);
      String lora = vllm.loaded.keySet().iterator().next();
      assertThat(lora).startsWith("tunekit-" + run.id() + "-");
      // the adapter directory as the vLLM host mounts outputDir
      assertThat(vllm.loaded.get(lora))
          .isEqualTo("/models/adapters/" + tuned.substring(RayFakes.OUTPUT.length() + 1));
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
    ray.wm.verify(1, postRequestedFor(urlPathEqualTo(RayFakes.JOBS)));
  }

  @Test
  void aBlockingGateUnloadsTheAdapterLoadedForTheEvaluation() throws Exception {
    vllm.answer = (model, q) -> "no idea"; // the adapter is no better than the base model
    try (Tunekit tk = open(Map.of("baseUrl", vllm.baseUrl()))) {
      Run run = tk.fineTune().model(RayFakes.BASE_MODEL).trainingData(data()).evaluateWith(suite()).gate(0.05)
          .deployBeforeEvaluation(true).start();
      RunResult r = run.await();
      assertThat(r.state()).as("%s", r).isEqualTo(RunState.GATE_BLOCKED);
      assertThat(vllm.calls).containsSubsequence("POST /v1/load_lora_adapter", "GET /v1/models",
          "POST /v1/chat/completions", "POST /v1/unload_lora_adapter");
      assertThat(vllm.loaded).isEmpty();
      // without mountedDataDir the path is the output path itself (shared storage)
      assertThat(vllm.loads.get(0).path("lora_path").asText()).isEqualTo(run.fineTunedModel().orElseThrow());
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class);
    }
  }

  @Test
  void preflightChecksTheServingSettingsOffline_beforeAnythingIsSent() throws Exception {
    try (Tunekit tk = open(null)) {
      assertThatThrownBy(() -> tk.fineTune().model(RayFakes.BASE_MODEL).trainingData(data()).evaluateWith(suite())
          .gate(0.5).deployBeforeEvaluation(true).start()).isInstanceOf(PreflightException.class)
          .hasMessageContaining("providers.ray.vllm").hasMessageContaining("add a vllm: block");
    }
    Map<String, Object> s = new LinkedHashMap<>(ray.settings());
    s.put("outputDir", "s3://bucket/adapters");
    s.put("vllm", Map.of("baseUrl", vllm.baseUrl()));
    RayProvider p = new RayProvider(RayConfig.from(dev.tunekit.spi.ProviderSettings.of("ray", "tunekit.yaml", tmp, s)));
    var problems = p.preflight(dev.tunekit.spi.JobPlan.builder().baseModel(RayFakes.BASE_MODEL)
        .method(dev.tunekit.spi.TrainingMethod.SUPERVISED).kind(dev.tunekit.dataset.DatasetKind.CHAT).build());
    assertThat(problems).extracting(Object::toString).anySatisfy(t -> assertThat(t)
        .contains("providers.ray.servingUrl").contains("remove servingUrl"))
        .anySatisfy(t -> assertThat(t).contains("vllm.mountedDataDir").contains("object storage"));
    assertThat(ray.wm.getAllServeEvents()).isEmpty();
    assertThat(vllm.calls).isEmpty();
  }

  @Test
  void aBadVllmBlockIsRefusedNamingTheSettingAndHowToFixIt() {
    assertThatThrownBy(() -> open(Map.of("baseUrl", "gpu-box:8000"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("providers.ray.vllm.baseUrl must be an http(s) URL such as http://gpu-box:8000/v1");
    assertThatThrownBy(() -> open(Map.of("baseURL", "http://gpu:8000", "apiKey", "sk-shh-123")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("providers.ray.vllm.baseURL is not a vLLM setting; the settings are baseUrl")
        .hasMessageNotContaining("sk-shh-123");
    assertThatThrownBy(() -> open(Map.of("baseUrl", "http://gpu:8000", "mountedDataDir", "adapters")))
        .hasMessageContaining("mountedDataDir must be an absolute path on the vLLM host (where it sees outputDir)");
  }
}
