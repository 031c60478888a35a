package dev.tunekit.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * A vLLM server started with {@code --enable-lora} and {@code VLLM_ALLOW_RUNTIME_LORA_UPDATING=True}, on WireMock,
 * answering as PROVIDER-FACTS "Self-hosted engines" and vLLM's {@code OpenAIServingModels} do: load (200 text
 * {@code Success: LoRA adapter '…' added successfully.}; 400 "… has already been loaded …" for a loaded name),
 * unload (200 text; 404 for an unknown name), {@code /v1/models} (the base model, then each adapter with its path as
 * {@code root} and the base as {@code parent}), chat completions (404 for a model it does not serve) whose answer a
 * test chooses per model and question. The state (which adapters are loaded) is kept by a response transformer.
 * Shared by the engines that serve on vLLM (tunekit-ray, tunekit-kubeflow); a module that uses it declares
 * {@code org.wiremock:wiremock-standalone} itself (an optional dependency of this kit).
 */
public final class VllmWireMock implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The base model the server was started with. */
  public final String baseModel;
  /** lora_name → lora_path. */
  public final Map<String, String> loaded = new ConcurrentHashMap<>();
  /** "METHOD /path" of each request, in order. */
  public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  /** Request bodies of the loads. */
  public final List<JsonNode> loads = Collections.synchronizedList(new ArrayList<>());
  /** The answer to a question (second argument) asked of a model (first). */
  public volatile BiFunction<String, String, String> answer = (model, question) -> "I do not know";
  /** The server. */
  public final WireMockServer wm;

  /** Starts it on a free loopback port, serving {@code baseModel}. */
  public VllmWireMock(String baseModel) {
    this.baseModel = baseModel;
    wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").extensions(new State()));
    wm.start();
    wm.stubFor(any(urlPathMatching("/.*")).willReturn(new ResponseDefinitionBuilder().withTransformers("vllm")));
  }

  /** The OpenAI-compatible base, {@code http://127.0.0.1:<port>/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + wm.port() + "/v1";
  }

  /** Forgets the loaded adapters, the calls and the answers. */
  public void reset() {
    loaded.clear();
    calls.clear();
    loads.clear();
    answer = (model, question) -> "I do not know";
  }

  private final class State implements ResponseDefinitionTransformerV2 {
    @Override
    public String getName() {
      return "vllm";
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      String op = event.getRequest().getMethod().getName() + " " + event.getRequest().getUrl().replaceAll("\\?.*", "");
      calls.add(op);
      try {
        String raw = event.getRequest().getBodyAsString();
        JsonNode body = raw == null || raw.isBlank() ? JSON.createObjectNode() : JSON.readTree(raw);
        return switch (op) {
          case "POST /v1/load_lora_adapter" -> {
            loads.add(body);
            String name = body.path("lora_name").asText();
            if (loaded.containsKey(name) && !body.path("load_inplace").asBoolean(false)) {
              yield error(400, "InvalidUserInput", "The lora adapter '" + name + "' has already been loaded. If you"
                  + " want to load the adapter in place, set 'load_inplace' to True.");
            }
            loaded.put(name, body.path("lora_path").asText());
            yield text(200, "Success: LoRA adapter '" + name + "' added successfully.");
          }
          case "POST /v1/unload_lora_adapter" -> {
            String name = body.path("lora_name").asText();
            yield loaded.remove(name) == null ? error(404, "NotFoundError", "The lora adapter '" + name
                + "' cannot be found.") : text(200, "Success: LoRA adapter '" + name + "' removed successfully.");
          }
          case "GET /v1/models" -> {
            ObjectNode list = JSON.createObjectNode().put("object", "list");
            ArrayNode data = list.putArray("data");
            data.addObject().put("id", baseModel).put("object", "model").put("owned_by", "vllm")
                .put("root", baseModel).putNull("parent");
            loaded.forEach((n, p) -> data.addObject().put("id", n).put("object", "model").put("owned_by", "vllm")
                .put("root", p).put("parent", baseModel));
            yield json(200, list.toString());
          }
          case "POST /v1/chat/completions" -> {
            String model = body.path("model").asText();
            if (!model.equals(baseModel) && !loaded.containsKey(model)) {
              yield error(404, "NotFoundError", "The model `" + model + "` does not exist.");
            }
            JsonNode messages = body.path("messages");
            String question = messages.get(messages.size() - 1).path("content").asText();
            yield json(200, chat(model, answer.apply(model, question)));
          }
          default -> json(404, "{\"detail\":\"Not Found\"}");
        };
      } catch (java.io.IOException e) {
        return error(400, "BadRequestError", e.getMessage());
      }
    }
  }

  private static String chat(String model, String text) {
    ObjectNode c = JSON.createObjectNode().put("id", "chat-1").put("object", "chat.completion")
        .put("created", 1762077600L).put("model", model);
    ObjectNode choice = c.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
    choice.putObject("message").put("role", "assistant").put("content", text);
    c.putObject("usage").put("prompt_tokens", 12).put("completion_tokens", 3).put("total_tokens", 15);
    return c.toString();
  }

  private static ResponseDefinition text(int status, String body) {
    return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "text/plain; charset=utf-8")
        .withBody(body).build();
  }

  private static ResponseDefinition json(int status, String body) {
    return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "application/json")
        .withBody(body).build();
  }

  private static ResponseDefinition error(int status, String type, String message) {
    ObjectNode e = JSON.createObjectNode();
    e.putObject("error").put("message", message).put("type", type).putNull("param").put("code", status);
    return json(status, e.toString());
  }

  @Override
  public void close() {
    wm.stop();
  }
}
