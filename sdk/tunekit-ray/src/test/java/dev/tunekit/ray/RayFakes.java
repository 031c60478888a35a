package dev.tunekit.ray;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.tunekit.spi.ProviderSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loopback Ray dashboard a test talks to: WireMock speaking Ray's Jobs REST API as its OpenAPI document
 * ({@code doc/source/cluster/running-applications/job-submission/openapi.yml}) and its handlers
 * ({@code python/ray/dashboard/modules/job/job_head.py}) define it: {@code JobDetails} for a job, {@code {"logs"}}
 * for its log, {@code {"submission_id"}} for a submit, {@code {"stopped"}} for a stop, an empty 200 for the package
 * store, and every error as {@code text/plain}. Also the OpenAI-shaped chat of a vLLM server under {@code /v1}.
 */
final class RayFakes implements AutoCloseable {
  static final String BASE_MODEL = "Qwen/Qwen2.5-0.5B-Instruct";
  static final String OUTPUT = "/mnt/shared/adapters";
  static final String JOBS = "/api/jobs/";
  static final String PACKAGES = "/api/packages/gcs/";
  static final String CHAT = "/v1/chat/completions";

  final WireMockServer wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
      .templatingEnabled(true).globalTemplating(false));

  RayFakes() {
    wm.start();
  }

  Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("dashboardUrl", "http://127.0.0.1:" + wm.port());
    s.put("outputDir", OUTPUT);
    s.put("servingUrl", "http://127.0.0.1:" + wm.port() + "/v1");
    s.put("pip", "trl==1.13.0, peft==0.21.0");
    s.put("numGpus", "1");
    s.put("callTimeout", "5s");
    return s;
  }

  RayProvider provider(Path dir) {
    return new RayProvider(RayConfig.from(ProviderSettings.of("ray", "RayFakes", dir, settings())));
  }

  /** Ray's error answer: {@code text/plain}, as every handler of the Jobs API writes it. */
  static ResponseDefinitionBuilder text(int status, String body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "text/plain; charset=utf-8").withBody(body);
  }

  /** A {@code JobDetails} of a submission job; {@code extra} is added inside the object. */
  static String job(String id, String status, String extra) {
    return "{\"type\":\"SUBMISSION\",\"job_id\":null,\"submission_id\":\"" + id + "\",\"driver_info\":null,"
        + "\"status\":\"" + status + "\",\"entrypoint\":\"python tunekit_ray_launch.py --base-model " + BASE_MODEL
        + "\",\"message\":\"Job is currently " + status.toLowerCase(java.util.Locale.ROOT) + ".\",\"error_type\":null,"
        + "\"start_time\":1764748800000,\"end_time\":null,\"metadata\":{\"tunekit_output\":\"" + OUTPUT + "/" + id
        + "\",\"tunekit_base_model\":\"" + BASE_MODEL + "\"},\"runtime_env\":{},\"driver_agent_http_address\":null,"
        + "\"driver_node_id\":null,\"driver_exit_code\":null" + extra + "}";
  }

  /** A FAILED job whose message ends with the log's tail, as Ray writes it when the entrypoint exits non-zero. */
  static String failed(String id) {
    return job(id, "FAILED", "").replace("\"message\":\"Job is currently failed.\",\"error_type\":null",
        "\"message\":\"Job entrypoint command failed with exit code 2, last available logs (truncated to 20,000"
            + " chars):\\ntunekit_train: error: train.jsonl:3: a weight of 0.5; use 0 or 1\\n"
            + "tunekit_train: error: --lora-r 0 is outside 1..1024; choose a rank in that range\\n\","
            + "\"error_type\":\"JOB_ENTRYPOINT_COMMAND_ERROR\"");
  }

  /** {@code {"logs": …}} with {@code lines}, each ended by a newline. */
  static String logs(String... lines) {
    StringBuilder b = new StringBuilder();
    for (String l : lines) {
      b.append(l).append('\n');
    }
    return "{\"logs\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(b.toString()) + "}";
  }

  static String chat(String model, String text) {
    return "{\"id\":\"chat-1\",\"object\":\"chat.completion\",\"created\":1762077600,\"model\":\"" + model + "\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}";
  }

  @Override
  public void close() {
    wm.stop();
  }
}
