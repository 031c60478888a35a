package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.Run;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.Graders;
import dev.tunekit.spi.Deployment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eval-gated workflow on provider {@code local} with a command trainer and a {@code vllm:} block, against
 * {@link VllmFake} (vLLM's endpoints and answers): a stub trainer writes an adapter directory; the run (a real base model name) is evaluated with
 * the baseline on vLLM's base model and the tuned model as the adapter that deploying loaded; a passing gate keeps
 * the adapter loaded, a blocking gate unloads it.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class LocalVllmEndToEndTest {
  static final String BASE = "Qwen/Qwen2.5-0.5B-Instruct";
  static VllmFake vllm;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    vllm = new VllmFake(BASE);
  }

  @AfterAll
  static void stop() {
    vllm.close();
  }

  @BeforeEach
  void reset() {
    vllm.reset();
  }

  private Tunekit open(Map<String, Object> vllmBlock) throws Exception {
    Path script = dir.resolve("train.sh");
    Files.writeString(script, String.join("\n", "#!/bin/bash", "set -e",
        "test \"$TUNEKIT_BASE_MODEL\" = '" + BASE + "'",
        "echo 'step=1 train_loss=0.9'", "echo 'step=2 train_loss=0.4'",
        "mkdir -p adapter && echo '{\"r\": 16}' > adapter/adapter_config.json",
        "echo \"$TUNEKIT_EXTRAS\" > adapter/extras.json",
        "echo model_path=adapter", ""), StandardCharsets.UTF_8);
    return Tunekit.builder().provider("local").setting("stepDelay", "0ms").setting("trainer", "command")
        .setting("command", List.of("/bin/bash", script.toString())).setting("vllm", vllmBlock)
        .ledger(dir.resolve("ledger.db")).workDir(dir.resolve("work"))
        .polling(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMinutes(1)).build();
  }

  private Path dataset() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      lines.add("{\"messages\":[{\"role\":\"user\",\"content\":\"question " + i + "\"},"
          + "{\"role\":\"assistant\",\"content\":\"answer " + i + "\"}]}");
    }
    return Files.write(dir.resolve("train.jsonl"), lines);
  }

  private static EvalSuite suite() {
    return EvalSuite.of("s", EvalCase.of("c1", "question 1", "answer 1"), EvalCase.of("c2", "question 2", "answer 2"))
        .withGrader(Graders.exactMatch());
  }

  /** The adapter answers right, the base model does not. */
  private static String tunedKnows(String model, String question) {
    return model.equals(BASE) ? "no idea" : question.replace("question", "answer");
  }

  @Test
  void aPassingGateKeepsTheAdapterLoaded_andDeployReturnsIt() throws Exception {
    vllm.answer = LocalVllmEndToEndTest::tunedKnows;
    try (Tunekit tk = open(Map.of("baseUrl", vllm.baseUrl()))) {
      Run run = tk.fineTune().model(BASE).trainingData(dataset()).evaluateWith(suite()).gate(0.5)
          .hyperparameters(h -> h.epochs(1).extra("warmup_ratio", 0.03).extra("lr_scheduler_type", "cosine"))
          .deployBeforeEvaluation(true).start();
      run.await();
      assertThat(run.state()).isEqualTo(RunState.GATE_PASSED);
      assertThat(vllm.loaded).hasSize(1);
      String lora = vllm.loaded.keySet().iterator().next();
      assertThat(lora).startsWith("tunekit-" + run.id() + "-");
      // the path is the adapter directory the command trainer wrote, as this machine sees it
      Path adapter = Path.of(vllm.loaded.get(lora));
      assertThat(adapter.resolve("adapter_config.json")).exists();
      assertThat(adapter.startsWith(dir.resolve("work").toAbsolutePath().normalize())).isTrue();
      // the run's hyperparameter extras reached the command trainer
      assertThat(VllmFake.JSON.readValue(adapter.resolve("extras.json").toFile(), Map.class))
          .isEqualTo(Map.of("warmup_ratio", 0.03, "lr_scheduler_type", "cosine"));

      Deployment d = run.deploy();
      assertThat(d.inferenceModel()).isEqualTo(lora);
      assertThat(d.state()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(vllm.calls).containsOnlyOnce("POST /v1/load_lora_adapter").contains("GET /v1/models")
          .doesNotContain("POST /v1/unload_lora_adapter");
      // the provider's chat: the adapter and the base model go to vLLM; the command-trained ft: id is refused
      dev.tunekit.spi.Chat chat = dev.tunekit.internal.Internals.workflow(tk).provider()
          .require(dev.tunekit.spi.Chat.class, "chat");
      assertThat(chat.chat(dev.tunekit.model.ChatRequest.of(lora, List.of(dev.tunekit.model.ChatMessage.user(
          "question 7")))).content()).isEqualTo("answer 7");
      String ft = run.fineTunedModel().orElseThrow();
      assertThat(ft).startsWith("ft:" + BASE + ":tunekit:");
      assertThatThrownBy(() -> chat.chat(dev.tunekit.model.ChatRequest.of(ft, List.of(
          dev.tunekit.model.ChatMessage.user("q"))))).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("deployBeforeEvaluation(true)");
    }
  }

  @Test
  void aBlockingGateUnloadsTheAdapterLoadedForTheEvaluation() throws Exception {
    vllm.answer = (model, q) -> "no idea"; // the adapter is no better than the base model
    try (Tunekit tk = open(Map.of("baseUrl", vllm.baseUrl(), "mountedDataDir", "/mnt/tunekit"))) {
      Run run = tk.fineTune().model(BASE).trainingData(dataset()).evaluateWith(suite()).gate(0.05)
          .deployBeforeEvaluation(true).start();
      run.await();
      assertThat(run.state()).isEqualTo(RunState.GATE_BLOCKED);
      assertThat(vllm.calls).containsSubsequence("POST /v1/load_lora_adapter", "GET /v1/models",
          "POST /v1/chat/completions", "POST /v1/unload_lora_adapter");
      assertThat(vllm.loaded).isEmpty();
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class);
    }
    // mountedDataDir: the path vLLM was given is under the mount, not this machine's data directory
    assertThat(vllm.bodies.stream().filter(b -> b.startsWith("POST /v1/load_lora_adapter ")).findFirst().orElseThrow())
        .contains("\"lora_path\":\"/mnt/tunekit/models/ftjob-").contains("/adapter\"");
  }

  @Test
  void aBadVllmBlockIsRefusedNamingTheSettingAndHowToFixIt() {
    assertThatThrownBy(() -> open(Map.of("baseUrl", "gpu-box:8000"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("providers.local.vllm.baseUrl must be an http(s) URL such as http://gpu-box:8000/v1");
    assertThatThrownBy(() -> open(Map.of("baseURL", "http://gpu:8000", "apiKey", "sk-shh-123")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("providers.local.vllm.baseURL is not a vLLM setting; the settings are baseUrl")
        .hasMessageNotContaining("sk-shh-123");
    assertThatThrownBy(() -> open(Map.of("baseUrl", "http://gpu:8000", "mountedDataDir", "relative/dir")))
        .hasMessageContaining("mountedDataDir must be an absolute path on the vLLM host");
  }

  @Test
  void checkReachableNamesTheVllmServerButNotTheEmbeddedOne() throws Exception {
    try (Tunekit tk = open(Map.of("baseUrl", vllm.baseUrl()))) {
      tk.checkReachable();
    }
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (Tunekit tk = open(Map.of("baseUrl", "http://127.0.0.1:" + closed + "/v1"))) {
      assertThatThrownBy(tk::checkReachable).isInstanceOf(dev.tunekit.error.ProviderException.class)
          .hasMessageContaining("cannot reach the vLLM server at http://127.0.0.1:" + closed + "/v1 (connection refused)")
          .hasMessageContaining("providers.local.vllm.baseUrl");
      assertThat(tk.runs()).isEmpty();
    }
  }
}
