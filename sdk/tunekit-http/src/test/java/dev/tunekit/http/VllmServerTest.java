package dev.tunekit.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.Deployment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link VllmServer} against stubs that answer as vLLM does ({@code vllm/entrypoints/openai/models/serving.py} and the
 * LoRA router): a text 200 on load and unload, JSON errors {@code {"error":{message,type,param,code}}}, the 400 for a
 * name already loaded, the 404 for an unknown name on unload, and adapters listed in {@code /v1/models} with their
 * path as {@code root}.
 */
class VllmServerTest {
  static WireMockServer wm;
  static final String BASE = "Qwen/Qwen2.5-0.5B-Instruct";
  static final String PATH = "/data/jobs/ftjob-1/adapter";

  @BeforeAll
  static void start() {
    wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
  }

  @AfterAll
  static void stop() {
    wm.stop();
  }

  @BeforeEach
  void reset() {
    wm.resetAll();
  }

  private VllmServer server(String key) {
    return new VllmServer("local", "providers.local.vllm", "http://127.0.0.1:" + wm.port() + "/v1/", Secret.of(key),
        Duration.ofSeconds(5));
  }

  static String error(String message, String type, int code) {
    return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":" + code
        + "}}";
  }

  private static void models(String... adapters) {
    StringBuilder b = new StringBuilder("{\"object\":\"list\",\"data\":[{\"id\":\"" + BASE + "\",\"object\":\"model\","
        + "\"owned_by\":\"vllm\",\"root\":\"" + BASE + "\",\"parent\":null,\"max_model_len\":32768}");
    for (int i = 0; i < adapters.length; i += 2) {
      b.append(",{\"id\":\"").append(adapters[i]).append("\",\"object\":\"model\",\"owned_by\":\"vllm\",\"root\":\"")
          .append(adapters[i + 1]).append("\",\"parent\":\"").append(BASE).append("\"}");
    }
    wm.stubFor(get("/v1/models").willReturn(okJson(b.append("]}").toString())));
  }

  private static void loadAnswers(int status, String body) {
    wm.stubFor(post("/v1/load_lora_adapter").willReturn(aResponse().withStatus(status).withBody(body)
        .withHeader("Content-Type", status == 200 ? "text/plain; charset=utf-8" : "application/json")));
  }

  @Test
  void aLoadPostsNameAndPath_thenConfirmsThroughTheModelList() {
    loadAnswers(200, "Success: LoRA adapter 'tk-a' added successfully.");
    models("tk-a", PATH);
    try (VllmServer v = server("")) {
      Deployment d = v.load("ft:m:1", "tk-a", PATH);
      assertThat(d.state()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(d.id()).isEqualTo("tk-a");
      assertThat(d.inferenceModel()).isEqualTo("tk-a");
      assertThat(d.modelId()).isEqualTo("ft:m:1");
    }
    wm.verify(postRequestedFor(urlPathEqualTo("/v1/load_lora_adapter"))
        .withRequestBody(equalToJson("{\"lora_name\":\"tk-a\",\"lora_path\":\"" + PATH + "\"}"))
        .withHeader("Authorization", absent()));
    wm.verify(getRequestedFor(urlPathEqualTo("/v1/models")));
  }

  @Test
  void aLoadNotListedYetIsCreating_andReadsActiveOnceListed() {
    loadAnswers(200, "Success: LoRA adapter 'tk-a' added successfully.");
    models();
    try (VllmServer v = server("")) {
      Deployment d = v.load("ft:m:1", "tk-a", PATH);
      assertThat(d.state()).isEqualTo(Deployment.State.CREATING);
      assertThat(d.rawState()).contains("not listed in /v1/models yet");
      models("tk-a", PATH);
      assertThat(v.deployment("tk-a", "ft:m:1").state()).isEqualTo(Deployment.State.ACTIVE);
    }
  }

  @Test
  void alreadyLoadedFromTheSamePathIsSuccess_fromAnotherPathItIsRefusedAndNotReplaced() {
    loadAnswers(400, error("The lora adapter 'tk-a' has already been loaded. If you want to load the adapter in"
        + " place, set 'load_inplace' to True.", "InvalidUserInput", 400));
    models("tk-a", PATH + "/");
    try (VllmServer v = server("")) {
      assertThat(v.load("ft:m:1", "tk-a", PATH).state()).isEqualTo(Deployment.State.ACTIVE);

      assertThatThrownBy(() -> v.load("ft:m:2", "tk-a", "/data/other"))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("already serves an adapter named 'tk-a' from " + PATH)
          .hasMessageContaining("not from /data/other")
          .hasMessageContaining("/v1/unload_lora_adapter")
          .satisfies(e -> assertThat(((ProviderException) e).retryable()).isFalse());
    }
    // never load_inplace
    wm.verify(0, postRequestedFor(urlPathEqualTo("/v1/load_lora_adapter"))
        .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("load_inplace")));
  }

  @Test
  void aServerWithoutRuntimeLoraUpdatingIsExplained_andAPathTheHostCannotSeeToo() {
    wm.stubFor(post("/v1/load_lora_adapter").willReturn(aResponse().withStatus(404)
        .withHeader("Content-Type", "application/json").withBody("{\"detail\":\"Not Found\"}")));
    try (VllmServer v = server("")) {
      assertThatThrownBy(() -> v.load("ft:m:1", "tk-a", PATH)).isInstanceOf(ProviderException.class)
          .hasMessageContaining("VLLM_ALLOW_RUNTIME_LORA_UPDATING=True").hasMessageContaining("--enable-lora");
    }
    loadAnswers(404, error("Loading lora tk-a failed: No adapter found for " + PATH, "NotFoundError", 404));
    try (VllmServer v = server("")) {
      assertThatThrownBy(() -> v.load("ft:m:1", "tk-a", PATH)).isInstanceOf(ProviderException.class)
          .hasMessageContaining("found no adapter at " + PATH).hasMessageContaining("mountedDataDir");
    }
  }

  @Test
  void unloadPostsTheName_andAnUnknownNameIsAlreadyGone() {
    wm.stubFor(post("/v1/unload_lora_adapter").willReturn(aResponse().withStatus(404)
        .withHeader("Content-Type", "application/json")
        .withBody(error("The lora adapter 'tk-a' cannot be found.", "NotFoundError", 404))));
    models();
    try (VllmServer v = server("")) {
      v.unload("tk-a");
      assertThat(v.deployment("tk-a", "ft:m:1").state()).isEqualTo(Deployment.State.DELETED);
    }
    wm.verify(postRequestedFor(urlPathEqualTo("/v1/unload_lora_adapter"))
        .withRequestBody(equalToJson("{\"lora_name\":\"tk-a\"}")));
  }

  @Test
  void theKeyIsSentAsBearer_andNeverShownWhenTheServerEchoesIt() {
    loadAnswers(401, error("Unauthorized: key sk-vllm-secret-1 is wrong", "Unauthorized", 401));
    try (VllmServer v = server("sk-vllm-secret-1")) {
      assertThatThrownBy(() -> v.load("ft:m:1", "tk-a", PATH))
          .hasMessageNotContaining("sk-vllm-secret-1").hasMessageContaining("providers.local.vllm.apiKey");
      assertThat(v.toString()).doesNotContain("sk-vllm");
    }
    wm.verify(postRequestedFor(urlPathEqualTo("/v1/load_lora_adapter"))
        .withHeader("Authorization", equalTo("Bearer sk-vllm-secret-1")));
  }

  @Test
  void chatGoesToTheOpenAiCompatibleApiWithTheAdapterNameAsTheModel() {
    wm.stubFor(post("/v1/chat/completions").willReturn(okJson("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
        + "\"created\":1,\"model\":\"tk-a\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
        + "\"FIND x\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
        + "\"total_tokens\":7}}")));
    try (VllmServer v = server("")) {
      assertThat(v.chat(ChatRequest.of("tk-a", List.of(ChatMessage.user("q")))).content()).isEqualTo("FIND x");
      assertThat(v.baseUrl()).isEqualTo("http://127.0.0.1:" + wm.port() + "/v1");
    }
    wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
        .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.model", equalTo("tk-a"))));
  }

  @Test
  void loraNamesAreStablePerRunAndModel_andDifferAcrossRunsAndModels() {
    String a = VllmServer.loraName("tunekit-run-20261203-0751-ab12", "ft:Qwen/Q:tunekit::abcd1234");
    assertThat(a).isEqualTo(VllmServer.loraName("tunekit-run-20261203-0751-ab12", "ft:Qwen/Q:tunekit::abcd1234"))
        .startsWith("tunekit-run-20261203-0751-ab12-").matches("[A-Za-z0-9._-]+");
    assertThat(a).isNotEqualTo(VllmServer.loraName("tunekit-run-20261203-0751-ab13", "ft:Qwen/Q:tunekit::abcd1234"))
        .isNotEqualTo(VllmServer.loraName("tunekit-run-20261203-0751-ab12", "ft:Qwen/Q:tunekit::abcd9999"));
    assertThat(VllmServer.isHttpUrl("http://gpu:8000/v1")).isTrue();
    assertThat(VllmServer.isHttpUrl("gpu:8000")).isFalse();
  }
}
