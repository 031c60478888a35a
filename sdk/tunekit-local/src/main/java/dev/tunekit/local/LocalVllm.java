package dev.tunekit.local;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.http.VllmServer;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.ProviderSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local provider's serving target for command-trained adapters: a vLLM server (its {@code vllm:} settings).
 * Deploying a tuned model loads its adapter directory into vLLM under a name derived from the run
 * ({@link VllmServer#loraName}); chat goes to vLLM for every model but {@code local-base} and this server's own
 * {@code ft:} models, so the baseline is the real base model on the same vLLM and the tuned model is the adapter.
 */
final class LocalVllm implements Deployments, AutoCloseable {
  /** The keys of the {@code vllm:} block. */
  static final List<String> KEYS = List.of("baseUrl", "apiKey", "mountedDataDir", "timeout");

  /** The {@code vllm:} settings; the key is a {@link Secret} (its {@code toString} is redacted). */
  record Settings(String baseUrl, Secret apiKey, Optional<String> mountedDataDir, Duration timeout) {}

  private final LocalServer server;
  private final Settings settings;
  private final VllmServer vllm;
  /** Deployment id (the lora name) to tuned model, for {@link #deployment}. */
  private final Map<String, String> models = new ConcurrentHashMap<>();

  LocalVllm(String provider, LocalServer server, Settings settings) {
    this.server = server;
    this.settings = settings;
    this.vllm = new VllmServer(provider, "providers." + provider + ".vllm", settings.baseUrl(), settings.apiKey(),
        settings.timeout());
  }

  /** The {@code vllm:} block of {@code s}, if it has one; a bad one is an error naming its line and how to fix it. */
  static Optional<Settings> settings(ProviderSettings s) {
    if (!s.values().containsKey("vllm")) {
      return Optional.empty();
    }
    String where = s.location("vllm");
    String key = "providers." + s.name() + ".vllm";
    if (!(s.values().get("vllm") instanceof Map<?, ?> block)) {
      throw new InvalidInputException("setting " + key + " must be a map with baseUrl (and optionally apiKey,"
          + " mountedDataDir, timeout), such as  vllm: {baseUrl: http://gpu-box:8000/v1}", where);
    }
    for (Object k : block.keySet()) {
      if (!KEYS.contains(String.valueOf(k))) {
        throw new InvalidInputException("setting " + key + "." + k + " is not a vLLM setting; the settings are "
            + String.join(", ", KEYS), where);
      }
    }
    Object url = block.get("baseUrl");
    if (url == null || String.valueOf(url).isBlank()) {
      throw new InvalidInputException("setting " + key + ".baseUrl is required: the URL of the vLLM server started"
          + " with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, such as http://gpu-box:8000/v1", where);
    }
    if (!VllmServer.isHttpUrl(String.valueOf(url))) {
      throw new InvalidInputException("setting " + key + ".baseUrl must be an http(s) URL such as"
          + " http://gpu-box:8000/v1, was '" + url + "'", where);
    }
    Object rawKey = block.get("apiKey");
    Secret apiKey = rawKey instanceof Secret sk ? sk : Secret.of(rawKey == null ? "" : String.valueOf(rawKey));
    Object mounted = block.get("mountedDataDir");
    Optional<String> mountedDir = mounted == null || String.valueOf(mounted).isBlank() ? Optional.empty()
        : Optional.of(String.valueOf(mounted).trim());
    mountedDir.ifPresent(m -> {
      if (!m.startsWith("/")) {
        throw new InvalidInputException("setting " + key + ".mountedDataDir must be an absolute path on the vLLM"
            + " host (where it sees this server's data directory), was '" + m + "'", where);
      }
    });
    Duration timeout = Duration.ofMinutes(2);
    Object t = block.get("timeout");
    if (t != null) {
      timeout = ProviderSettings.parseDuration(String.valueOf(t)).filter(d -> !d.isZero() && !d.isNegative())
          .orElseThrow(() -> new InvalidInputException("setting " + key + ".timeout must be a positive duration such"
              + " as 2m or 90s, was '" + t + "'", where));
    }
    return Optional.of(new Settings(String.valueOf(url).trim(), apiKey, mountedDir, timeout));
  }

  /** Where the vLLM host finds {@code local}, a path under this server's data directory. */
  String hostPath(Path local) {
    Path abs = local.toAbsolutePath().normalize();
    if (settings.mountedDataDir().isEmpty()) {
      return abs.toString();
    }
    Path rel = server.dataDir().toAbsolutePath().normalize().relativize(abs);
    String m = settings.mountedDataDir().get();
    StringBuilder b = new StringBuilder(m.endsWith("/") ? m.substring(0, m.length() - 1) : m);
    rel.forEach(part -> b.append('/').append(part));
    return b.toString();
  }

  /**
   * Loads the adapter of {@code modelId} (a model this server's command trainer made) into vLLM as
   * {@code VllmServer.loraName(name, modelId)} and confirms it is listed. {@code options} are not used.
   */
  @Override
  public Deployment deploy(String modelId, String name, Map<String, Object> options) {
    JobRunner.Artifact a = server.artifact(modelId).orElseThrow(() -> new InvalidInputException("Model " + modelId
        + " is not a tuned model of this local server (or it was deleted), so it has no adapter to load into vLLM."));
    if (a.trainer().equals(ExemplarTrainer.NAME)) {
      throw new InvalidInputException("Model " + modelId + " was trained by the exemplar trainer (a retrieval model,"
          + " not LoRA weights), which vLLM cannot serve. Set trainer: command in providers.local to train adapters"
          + " vLLM can load, or leave out deployBeforeEvaluation / run.deploy() for exemplar models.");
    }
    String lora = VllmServer.loraName(name, modelId);
    models.put(lora, modelId);
    return vllm.load(modelId, lora, hostPath(a.path()));
  }

  @Override
  public Deployment deployment(String deploymentId) {
    return vllm.deployment(deploymentId, models.getOrDefault(deploymentId, deploymentId));
  }

  @Override
  public void undeploy(String deploymentId) {
    vllm.unload(deploymentId);
  }

  /** Chat that sends {@code local-base} and this server's {@code ft:} models to the server, the rest to vLLM. */
  Chat chat(Optional<Chat> local) {
    return new Chat() {
      @Override
      public ChatResponse chat(ChatRequest request) {
        String model = request.model();
        if (model.equals(ExemplarModels.BASE_MODEL) || model.startsWith("ft:")) {
          Optional<JobRunner.Artifact> a = server.artifact(model);
          if (a.isPresent() && !a.get().trainer().equals(ExemplarTrainer.NAME)) {
            throw new InvalidInputException("Model " + model + " is an adapter the command trainer wrote; it is"
                + " served through vLLM once deployed. Evaluate it with .deployBeforeEvaluation(true) on the"
                + " FineTune (or call run.deploy()) and chat with the deployment's inferenceModel().");
          }
          return local.orElseThrow(() -> new InvalidInputException("the local server has no chat")).chat(request);
        }
        return vllm.chat(request);
      }

      @Override
      public String toString() {
        return "LocalVllm.Chat{" + vllm + "}";
      }
    };
  }

  @Override
  public void close() {
    vllm.close();
  }

  @Override
  public String toString() {
    return "LocalVllm{" + vllm + "}";
  }
}
