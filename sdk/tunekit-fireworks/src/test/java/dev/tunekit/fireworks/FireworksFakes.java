package dev.tunekit.fireworks;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tunekit.spi.ProviderSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loopback Fireworks a test talks to: WireMock speaking the shapes of Fireworks' REST reference and its Python
 * SDK's generated types (github.com/fw-ai-external/python-sdk): {@code Dataset}, {@code SupervisedFineTuningJob},
 * {@code Deployment}, the gateway's error body, and the OpenAI-shaped {@code /inference/v1/chat/completions}.
 */
final class FireworksFakes implements AutoCloseable {
  static final String KEY = "fw-test-key-0123456789abcdef";
  static final String ACCOUNT = "acme";
  static final String API = "/v1/accounts/" + ACCOUNT;
  static final String CHAT = "/inference/v1/chat/completions";
  static final String BASE_MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct";
  static final String OUTPUT_MODEL = "accounts/acme/models/one-script-tk-0123456789abcdef0123";

  final WireMockServer wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
      .templatingEnabled(true).globalTemplating(false));

  FireworksFakes() {
    wm.start();
  }

  Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("apiKey", KEY);
    s.put("accountId", ACCOUNT);
    s.put("baseUrl", "http://127.0.0.1:" + wm.port() + "/v1");
    s.put("inferenceUrl", "http://127.0.0.1:" + wm.port() + "/inference/v1");
    s.put("callTimeout", "5s");
    s.put("datasetReadyTimeout", "5s");
    return s;
  }

  FireworksProvider provider(Path dir) {
    return new FireworksProvider(FireworksConfig.from(ProviderSettings.of("fireworks", "FireworksFakes", dir, settings())));
  }

  /** A {@code SupervisedFineTuningJob}; {@code extra} is added inside the object. */
  static String job(String id, String state, String extra) {
    return "{\"name\":\"accounts/acme/supervisedFineTuningJobs/" + id + "\",\"state\":\"" + state + "\","
        + "\"dataset\":\"accounts/acme/datasets/tk-ds\",\"baseModel\":\"" + BASE_MODEL + "\",\"outputModel\":\""
        + OUTPUT_MODEL + "\",\"createTime\":\"2026-11-02T10:00:00Z\",\"updateTime\":\"2026-11-02T10:05:00Z\","
        + "\"epochs\":2,\"loraRank\":8,\"learningRate\":0.0001,\"status\":{\"code\":\"OK\",\"message\":\"\"},"
        + "\"estimatedCost\":{\"currencyCode\":\"USD\",\"units\":\"1\",\"nanos\":250000000}" + extra + "}";
  }

  static String completed(String id) {
    return job(id, "JOB_STATE_COMPLETED", ",\"completedTime\":\"2026-11-02T10:06:00Z\"");
  }

  /** A {@code Dataset} in {@code state}. */
  static String dataset(String id, String state) {
    return "{\"name\":\"accounts/acme/datasets/" + id + "\",\"state\":\"" + state + "\",\"exampleCount\":\"12\","
        + "\"userUploaded\":{},\"format\":\"CHAT\",\"createTime\":\"2026-11-02T09:59:00Z\"}";
  }

  /** The {@code :upload} answer ({@code DatasetUploadResponse}). */
  static String uploaded(String name) {
    return "{\"id\":\"file-1\",\"object\":\"file\",\"bytes\":100,\"created_at\":1762077600,\"filename\":\"" + name
        + "\",\"purpose\":\"fine-tune\"}";
  }

  /** A {@code Deployment} of {@code model} in {@code state}. */
  static String deployment(String id, String model, String state) {
    return "{\"name\":\"accounts/acme/deployments/" + id + "\",\"baseModel\":\"" + model + "\",\"state\":\"" + state
        + "\",\"minReplicaCount\":0,\"maxReplicaCount\":1,\"status\":{\"code\":\"OK\",\"message\":\"\"}}";
  }

  static String chat(String model, String text) {
    return "{\"id\":\"chat-1\",\"object\":\"chat.completion\",\"created\":1762077600,\"model\":\"" + model + "\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}";
  }

  /** The gateway's gRPC-style error body. */
  static String error(int grpcCode, String message) {
    return "{\"code\":" + grpcCode + ",\"message\":\"" + message + "\",\"details\":[]}";
  }

  @Override
  public void close() {
    wm.stop();
  }
}
