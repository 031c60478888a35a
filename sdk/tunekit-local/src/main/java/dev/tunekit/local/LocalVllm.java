package dev.tunekit.local;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.http.VllmServer;
import dev.tunekit.http.VllmSettings;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.ProviderSettings;
import java.nio.file.Path;
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
  /** The keys of the {@code vllm:} block (shared with every engine that serves on vLLM). */
  static final List<String> KEYS = VllmSettings.KEYS;

  private final String provider;
  private final LocalServer server;
  private final VllmSettings settings;
  private final VllmServer vllm;
  /** Deployment id (the lora name) to tuned model, for {@link #deployment}. */
  private final Map<String, String> models = new ConcurrentHashMap<>();

  LocalVllm(String provider, LocalServer server, VllmSettings settings) {
    this.provider = provider;
    this.server = server;
    this.settings = settings;
    this.vllm = settings.server(provider);
  }

  /** The vLLM server, to check before a run. */
  dev.tunekit.spi.Endpoints.Endpoint endpoint() {
    return settings.endpoint(provider);
  }

  /** The {@code vllm:} block of {@code s}, if it has one; a bad one is an error naming its line and how to fix it. */
  static Optional<VllmSettings> settings(ProviderSettings s) {
    return VllmSettings.read(s, "this server's data directory");
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
