package dev.tunekit.together;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tunekit.spi.ProviderSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loopback Together a test talks to: WireMock speaking the shapes of Together's OpenAPI spec
 * (github.com/togethercomputer/openapi, openapi.yaml): {@code FileResponse}, {@code FileList},
 * {@code FinetuneResponse}/{@code FinetuneResponseTruncated}, {@code FinetuneTruncatedList},
 * {@code FinetuneListEvents} and {@code ErrorData}, and the OpenAI-shaped {@code /chat/completions}.
 */
final class TogetherFakes implements AutoCloseable {
  static final String KEY = "test-together-key-0123456789";
  static final String BASE_MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference";
  static final String OUTPUT_MODEL = "acme/Meta-Llama-3.1-8B-Instruct-Reference-one-script-tk0123456789abcdef";

  final WireMockServer wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
      .templatingEnabled(true).globalTemplating(false).extensions(new JobListTransformer()));

  TogetherFakes() {
    wm.start();
    JobListTransformer.server = wm;
  }

  Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("apiKey", KEY);
    s.put("baseUrl", "http://127.0.0.1:" + wm.port() + "/v1");
    s.put("callTimeout", "5s");
    return s;
  }

  TogetherProvider provider(Path dir) {
    return new TogetherProvider(TogetherConfig.from(ProviderSettings.of("together", "TogetherFakes", dir, settings())));
  }

  /** A fine-tune job as {@code GET /fine-tunes/{id}} returns it; {@code extra} is added inside the object. */
  static String job(String id, String status, String suffix, String extra) {
    return "{\"id\":\"" + id + "\",\"status\":\"" + status + "\",\"model\":\"" + BASE_MODEL + "\",\"suffix\":\""
        + suffix + "\",\"training_file\":\"file-1\",\"created_at\":\"2026-11-02T10:00:00.000Z\","
        + "\"updated_at\":\"2026-11-02T10:05:00.000Z\",\"n_epochs\":2,\"batch_size\":16,\"learning_rate\":0.00001"
        + extra + "}";
  }

  static String completed(String id, String suffix) {
    return job(id, "completed", suffix, ",\"model_output_name\":\"" + OUTPUT_MODEL + "\",\"token_count\":4096");
  }

  /** A {@code FileResponse}. */
  static String file(String id, String name, long bytes) {
    return "{\"id\":\"" + id + "\",\"object\":\"file\",\"created_at\":1762077600,\"filename\":\"" + name
        + "\",\"bytes\":" + bytes + ",\"purpose\":\"fine-tune\",\"FileType\":\"jsonl\",\"Processed\":true}";
  }

  /** A {@code FineTuneEvent}. */
  static String event(String type, String message, int step, String time) {
    return "{\"object\":\"fine-tune-event\",\"created_at\":\"" + time + "\",\"level\":\"info\",\"message\":\"" + message
        + "\",\"type\":\"" + type + "\",\"param_count\":0,\"token_count\":0,\"total_steps\":20,\"wandb_url\":\"\","
        + "\"step\":" + step + ",\"checkpoint_path\":\"\",\"model_path\":\"\",\"training_offset\":0,\"hash\":\"\"}";
  }

  static String chat(String model, String text) {
    return "{\"id\":\"chat-1\",\"object\":\"chat.completion\",\"created\":1762077600,\"model\":\"" + model + "\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}";
  }

  static String error(String type, String message) {
    return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":null}}";
  }

  @Override
  public void close() {
    wm.stop();
  }
}
