package dev.tunekit.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.Deployment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A vLLM OpenAI-compatible server used as a serving target for LoRA adapters: load an adapter at run time, confirm
 * it is served, unload it, and chat with the base model or an adapter. Engine-neutral: whoever trained the adapter
 * (the local provider's command trainer, a Ray job) hands over the adapter's path as the vLLM host sees it.
 *
 * <p>The server must run with {@code VLLM_ALLOW_RUNTIME_LORA_UPDATING=True} and {@code --enable-lora}. The calls,
 * as vLLM serves them ({@code vllm/entrypoints/openai/models/serving.py}):
 * <ul>
 *   <li>{@code POST /v1/load_lora_adapter {lora_name, lora_path}}: 200 with the text {@code Success: LoRA adapter
 *       '…' added successfully.}; a name already loaded is a 400 "… has already been loaded …". That 400 is success
 *       when {@code GET /v1/models} shows the same name with the same path (a load whose answer was lost); with
 *       another path it is refused, never replaced with {@code load_inplace}: the name may be serving another run.
 *   <li>{@code GET /v1/models}: the base model(s), then each adapter as {@code {id: lora_name, root: lora_path,
 *       parent: base}}. A load counts as done only once its adapter is listed here.
 *   <li>{@code POST /v1/unload_lora_adapter {lora_name}}: a 404 (an unknown name) means it is already gone.
 *   <li>{@code POST /v1/chat/completions} through openai-java ({@link OpenAiChat}, no retries of its own), with the
 *       base model's name or an adapter's {@code lora_name} as the model.
 * </ul>
 * One attempt per call (the core retries); failures are Tunekit exceptions that say what to fix. The API key, if
 * any, appears in no message.
 */
public final class VllmServer implements AutoCloseable {
  private static final String ALREADY_LOADED = "has already been loaded";

  /** One entry of {@code GET /v1/models}: a base model ({@code parent} empty) or a loaded adapter. */
  public record ServedModel(String id, Optional<String> root, Optional<String> parent) {}

  private final String origin;
  private final ProviderErrors errors;
  private final JsonHttpApi api;
  private final OpenAiChat chat;

  /**
   * @param provider the provider name exceptions carry, such as {@code local}
   * @param setting where the settings are written, for advice, such as {@code providers.local.vllm}
   * @param baseUrl the server, with or without {@code /v1}: {@code http://gpu-box:8000} or {@code http://gpu-box:8000/v1}
   * @param apiKey the server's {@code --api-key}; blank when it runs without one
   * @param timeout each call's timeout (a load may take a while: it reads the adapter's weights)
   */
  public VllmServer(String provider, String setting, String baseUrl, Secret apiKey, Duration timeout) {
    this.origin = origin(baseUrl);
    this.errors = new ProviderErrors(provider, "Set " + setting + ".apiKey to the --api-key the vLLM server at "
        + origin + " was started with (or leave it out if the server has none).");
    this.api = new JsonHttpApi(errors, () -> origin, () -> apiKey, timeout, "tunekit-vllm");
    // openai-java needs some key; vLLM without --api-key accepts any.
    Secret chatKey = apiKey.isBlank() ? Secret.of("EMPTY") : apiKey;
    this.chat = new OpenAiChat(errors, "vLLM", () -> origin + "/v1", () -> chatKey, timeout);
  }

  /** {@code baseUrl} without a trailing slash or {@code /v1}. */
  static String origin(String baseUrl) {
    String s = baseUrl.trim();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.endsWith("/v1")) {
      s = s.substring(0, s.length() - 3);
    }
    return s;
  }

  /** Whether {@code baseUrl} is an absolute http(s) URL with a host (what the constructor needs). */
  public static boolean isHttpUrl(String baseUrl) {
    try {
      URI u = URI.create(baseUrl.trim());
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The OpenAI-compatible base, {@code …/v1}. */
  public String baseUrl() {
    return origin + "/v1";
  }

  /**
   * The adapter name for a deployment: {@code name} (the core's per-run deployment name) kept to letters, digits,
   * {@code .}, {@code _} and {@code -}, then the first 8 hex digits of SHA-256 of {@code modelId}. The same run and
   * model always give the same name (a retried load finds its own adapter); two runs, or two models, never share one.
   */
  public static String loraName(String name, String modelId) {
    String safe = name.replaceAll("[^A-Za-z0-9._-]", "-");
    if (safe.length() > 100) {
      safe = safe.substring(0, 100);
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(modelId.getBytes(StandardCharsets.UTF_8));
      return safe + "-" + HexFormat.of().formatHex(h, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /**
   * Loads the adapter at {@code adapterPath} (a directory on the vLLM host) as {@code loraName} and confirms it is
   * listed; returns an {@code ACTIVE} deployment whose inference model is {@code loraName}, or {@code CREATING} when
   * the load was accepted but the adapter is not listed yet.
   */
  public Deployment load(String modelId, String loraName, String adapterPath) {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("lora_name", loraName).put("lora_path", adapterPath);
    try {
      api.postForText("/v1/load_lora_adapter", body, true);
    } catch (NotFoundException e) {
      throw notFoundOnLoad(loraName, adapterPath, e);
    } catch (ProviderException e) {
      if (e.statusCode().orElse(0) != 400 || !e.getMessage().contains(ALREADY_LOADED)) {
        throw e;
      }
      Optional<ServedModel> loaded = adapter(loraName);
      Optional<String> root = loaded.flatMap(ServedModel::root);
      if (root.isPresent() && !samePath(root.get(), adapterPath)) {
        throw ProviderException.builder(errors.provider(), "vLLM at " + origin + " already serves an adapter named '"
            + loraName + "' from " + root.get() + ", not from " + adapterPath + ". Tunekit does not replace it (a run"
            + " may be evaluating it). Unload it first: POST " + origin + "/v1/unload_lora_adapter {\"lora_name\": \""
            + loraName + "\"}, then deploy again.").statusCode(400).retryable(false).build();
      }
      // the same adapter: an earlier load whose answer was lost
    }
    return deployment(loraName, modelId, true);
  }

  private ProviderException notFoundOnLoad(String loraName, String adapterPath, NotFoundException e) {
    String m = e.getMessage();
    boolean noRoute = m.contains("\"detail\"") || m.contains("Not Found") && !m.contains(adapterPath);
    String advice = noRoute
        ? "vLLM at " + origin + " has no runtime LoRA endpoint: start it with the environment variable"
            + " VLLM_ALLOW_RUNTIME_LORA_UPDATING=True and the flag --enable-lora (and --max-lora-rank at least the"
            + " adapter's rank)."
        : "vLLM at " + origin + " found no adapter at " + adapterPath + " for '" + loraName + "': the path must be"
            + " the adapter directory as the vLLM host sees it (a shared filesystem; see the mountedDataDir setting).";
    return ProviderException.builder(errors.provider(), advice + " (" + m + ")").statusCode(404).retryable(false)
        .build();
  }

  private static boolean samePath(String a, String b) {
    return strip(a).equals(strip(b));
  }

  private static String strip(String p) {
    String s = p.trim();
    while (s.endsWith("/") && s.length() > 1) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  /**
   * The deployment of adapter {@code loraName}: {@code ACTIVE} when {@code GET /v1/models} lists it, {@code DELETED}
   * when it does not.
   */
  public Deployment deployment(String loraName, String modelId) {
    return deployment(loraName, modelId, false);
  }

  private Deployment deployment(String loraName, String modelId, boolean justLoaded) {
    boolean listed = adapter(loraName).isPresent();
    Deployment.State state = listed ? Deployment.State.ACTIVE
        : justLoaded ? Deployment.State.CREATING : Deployment.State.DELETED;
    String raw = listed ? "loaded" : justLoaded ? "load accepted, not listed in /v1/models yet" : "not loaded";
    return Deployment.builder().id(loraName).modelId(modelId).inferenceModel(loraName).state(state).rawState(raw)
        .build();
  }

  /** Unloads adapter {@code loraName}; one that is not loaded (404) is already gone. */
  public void unload(String loraName) {
    try {
      api.postForText("/v1/unload_lora_adapter", JsonNodeFactory.instance.objectNode().put("lora_name", loraName),
          true);
    } catch (NotFoundException gone) {
      // vLLM: "The lora adapter '…' cannot be found." — nothing to unload
    }
  }

  /** {@code GET /v1/models}: the base models and the loaded adapters. */
  public List<ServedModel> models() {
    JsonNode list = api.get("/v1/models");
    List<ServedModel> out = new ArrayList<>();
    for (JsonNode m : list.path("data")) {
      out.add(new ServedModel(m.path("id").asText(), text(m, "root"), text(m, "parent")));
    }
    return out;
  }

  private Optional<ServedModel> adapter(String loraName) {
    return models().stream().filter(m -> m.id().equals(loraName)).findFirst();
  }

  private static Optional<String> text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isTextual() && !v.asText().isBlank() ? Optional.of(v.asText()) : Optional.empty();
  }

  /** Chat with {@code request.model()}: a base model's name or an adapter's {@code lora_name}. */
  public ChatResponse chat(ChatRequest request) {
    return chat.chat(request, request.model());
  }

  @Override
  public void close() {
    chat.close();
  }

  @Override
  public String toString() {
    return "VllmServer{" + origin + "}";
  }
}
