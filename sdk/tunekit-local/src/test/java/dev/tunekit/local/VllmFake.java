package dev.tunekit.local;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * A vLLM server started with {@code --enable-lora} and {@code VLLM_ALLOW_RUNTIME_LORA_UPDATING=True}, as far as
 * Tunekit uses it, answering as vLLM's {@code OpenAIServingModels} and LoRA router do: load (200 text
 * {@code Success: LoRA adapter '…' added successfully.}, 400 "… has already been loaded …" for a loaded name), unload
 * (200 text, 404 for an unknown name), {@code /v1/models} (the base model, then each adapter with its path as
 * {@code root}) and chat completions, whose answer a test chooses per model and question. State lives in
 * {@link #loaded}.
 */
final class VllmFake implements ResponseDefinitionTransformerV2, AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  final String baseModel;
  /** lora_name → lora_path, as vLLM's {@code lora_requests}. */
  final Map<String, String> loaded = new ConcurrentHashMap<>();
  final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
  volatile BiFunction<String, String, String> answer = (model, question) -> "I do not know";
  final WireMockServer wm;

  VllmFake(String baseModel) {
    this.baseModel = baseModel;
    this.wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").extensions(this));
    wm.start();
    wm.stubFor(any(anyUrl()).willReturn(ResponseDefinitionBuilder.okForEmptyJson()));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + wm.port() + "/v1";
  }

  @Override
  public ResponseDefinition transform(ServeEvent event) {
    String method = event.getRequest().getMethod().getName();
    String path = event.getRequest().getUrl();
    calls.add(method + " " + path);
    try {
      JsonNode body = method.equals("POST") ? JSON.readTree(event.getRequest().getBodyAsString()) : null;
      switch (method + " " + path) {
        case "POST /v1/load_lora_adapter": {
          String name = body.path("lora_name").asText();
          if (loaded.containsKey(name) && !body.path("load_inplace").asBoolean(false)) {
            return error(400, "InvalidUserInput", "The lora adapter '" + name + "' has already been loaded. If you"
                + " want to load the adapter in place, set 'load_inplace' to True.");
          }
          loaded.put(name, body.path("lora_path").asText());
          return text("Success: LoRA adapter '" + name + "' added successfully.");
        }
        case "POST /v1/unload_lora_adapter": {
          String name = body.path("lora_name").asText();
          if (loaded.remove(name) == null) {
            return error(404, "NotFoundError", "The lora adapter '" + name + "' cannot be found.");
          }
          return text("Success: LoRA adapter '" + name + "' removed successfully.");
        }
        case "GET /v1/models": {
          ObjectNode list = JSON.createObjectNode().put("object", "list");
          ArrayNode data = list.putArray("data");
          data.addObject().put("id", baseModel).put("object", "model").put("owned_by", "vllm").put("root", baseModel)
              .putNull("parent");
          loaded.forEach((n, p) -> data.addObject().put("id", n).put("object", "model").put("owned_by", "vllm")
              .put("root", p).put("parent", baseModel));
          return json(200, list);
        }
        case "POST /v1/chat/completions": {
          String model = body.path("model").asText();
          if (!model.equals(baseModel) && !loaded.containsKey(model)) {
            return error(404, "NotFoundError", "The model `" + model + "` does not exist.");
          }
          JsonNode messages = body.path("messages");
          String question = messages.get(messages.size() - 1).path("content").asText();
          ObjectNode c = JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
              .put("created", 1).put("model", model);
          c.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("message")
              .put("role", "assistant").put("content", answer.apply(model, question));
          c.putObject("usage").put("prompt_tokens", 5).put("completion_tokens", 2).put("total_tokens", 7);
          return json(200, c);
        }
        default:
          return ResponseDefinitionBuilder.responseDefinition().withStatus(404).withHeader("Content-Type",
              "application/json").withBody("{\"detail\":\"Not Found\"}").build();
      }
    } catch (IOException e) {
      return error(400, "BadRequestError", "not JSON");
    }
  }

  private static ResponseDefinition text(String s) {
    return ResponseDefinitionBuilder.responseDefinition().withStatus(200).withBody(s).build();
  }

  private static ResponseDefinition json(int status, JsonNode n) {
    return ResponseDefinitionBuilder.responseDefinition().withStatus(status)
        .withHeader("Content-Type", "application/json").withBody(n.toString()).build();
  }

  private static ResponseDefinition error(int status, String type, String message) {
    ObjectNode e = JSON.createObjectNode();
    e.putObject("error").put("message", message).put("type", type).putNull("param").put("code", status);
    return json(status, e);
  }

  @Override
  public String getName() {
    return "vllm-fake";
  }

  @Override
  public void close() {
    wm.stop();
  }
}
