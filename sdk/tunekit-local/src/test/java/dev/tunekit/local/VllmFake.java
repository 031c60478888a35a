package dev.tunekit.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
 * {@code root}), chat completions (404 for a model it does not serve) whose answer a test chooses per model and
 * question, and FastAPI's {@code {"detail":"Not Found"}} elsewhere. State lives in {@link #loaded}; every request
 * body is kept in {@link #bodies}.
 *
 * <p>On the JDK's HTTP server rather than WireMock: WireMock on this module's test class path makes
 * {@code SmallHeapUploadTest}'s 32 MB child JVM run out of heap at start (seen).
 */
final class VllmFake implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  final String baseModel;
  /** lora_name → lora_path, as vLLM's {@code lora_requests}. */
  final Map<String, String> loaded = new ConcurrentHashMap<>();
  /** "METHOD /path" of each request, in order. */
  final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
  /** "METHOD /path body" of each request, in order. */
  final List<String> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
  volatile BiFunction<String, String, String> answer = (model, question) -> "I do not know";
  private final HttpServer http;

  VllmFake(String baseModel) throws IOException {
    this.baseModel = baseModel;
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", this::handle);
    http.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/v1";
  }

  void reset() {
    loaded.clear();
    calls.clear();
    bodies.clear();
  }

  private void handle(HttpExchange ex) throws IOException {
    String op = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
    String raw = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    calls.add(op);
    bodies.add(op + " " + raw);
    JsonNode body = raw.isBlank() ? JSON.createObjectNode() : JSON.readTree(raw);
    switch (op) {
      case "POST /v1/load_lora_adapter" -> {
        String name = body.path("lora_name").asText();
        if (loaded.containsKey(name) && !body.path("load_inplace").asBoolean(false)) {
          error(ex, 400, "InvalidUserInput", "The lora adapter '" + name + "' has already been loaded. If you"
              + " want to load the adapter in place, set 'load_inplace' to True.");
        } else {
          loaded.put(name, body.path("lora_path").asText());
          send(ex, 200, null, "Success: LoRA adapter '" + name + "' added successfully.");
        }
      }
      case "POST /v1/unload_lora_adapter" -> {
        String name = body.path("lora_name").asText();
        if (loaded.remove(name) == null) {
          error(ex, 404, "NotFoundError", "The lora adapter '" + name + "' cannot be found.");
        } else {
          send(ex, 200, null, "Success: LoRA adapter '" + name + "' removed successfully.");
        }
      }
      case "GET /v1/models" -> {
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        data.addObject().put("id", baseModel).put("object", "model").put("owned_by", "vllm").put("root", baseModel)
            .putNull("parent");
        loaded.forEach((n, p) -> data.addObject().put("id", n).put("object", "model").put("owned_by", "vllm")
            .put("root", p).put("parent", baseModel));
        send(ex, 200, "application/json", list.toString());
      }
      case "POST /v1/chat/completions" -> {
        String model = body.path("model").asText();
        if (!model.equals(baseModel) && !loaded.containsKey(model)) {
          error(ex, 404, "NotFoundError", "The model `" + model + "` does not exist.");
          return;
        }
        JsonNode messages = body.path("messages");
        String question = messages.get(messages.size() - 1).path("content").asText();
        ObjectNode c = JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
            .put("created", 1).put("model", model);
        c.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("message")
            .put("role", "assistant").put("content", answer.apply(model, question));
        c.putObject("usage").put("prompt_tokens", 5).put("completion_tokens", 2).put("total_tokens", 7);
        send(ex, 200, "application/json", c.toString());
      }
      default -> send(ex, 404, "application/json", "{\"detail\":\"Not Found\"}");
    }
  }

  private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
    ObjectNode e = JSON.createObjectNode();
    e.putObject("error").put("message", message).put("type", type).putNull("param").put("code", status);
    send(ex, status, "application/json", e.toString());
  }

  private static void send(HttpExchange ex, int status, String type, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    if (type != null) {
      ex.getResponseHeaders().set("Content-Type", type);
    }
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
