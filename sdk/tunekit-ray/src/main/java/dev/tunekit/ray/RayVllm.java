package dev.tunekit.ray;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.http.VllmServer;
import dev.tunekit.http.VllmSettings;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ray's serving target (its {@code vllm:} block): a succeeded run's adapter, written by the job to
 * {@code <outputDir>/<submission id>}, is loaded into vLLM by {@link VllmServer} as
 * {@link VllmServer#loraName}{@code (name, model)} from the same directory as the vLLM host sees it (under
 * {@code mountedDataDir} when set, else the very path; the storage must be shared). Chat goes to vLLM for the base
 * model and the loaded adapters, so the baseline and the tuned model are evaluated on the same server.
 */
final class RayVllm implements Deployments, AutoCloseable {
  private final RayConfig config;
  private final VllmSettings settings;
  private final VllmServer vllm;
  /** Deployment id (the lora name) to tuned model, for {@link #deployment}. */
  private final Map<String, String> models = new ConcurrentHashMap<>();

  RayVllm(RayConfig config, VllmSettings settings) {
    this.config = config;
    this.settings = settings;
    this.vllm = settings.server(config.settings().name());
  }

  /** The adapter directory of tuned model {@code modelId} (a path under {@code outputDir}) as vLLM sees it. */
  String hostPath(String modelId) {
    String out = config.output();
    String prefix = out.endsWith("/") ? out : out + "/";
    if (!modelId.startsWith(prefix) || modelId.length() == prefix.length()) {
      throw new InvalidInputException("Model " + modelId + " is not an adapter this Ray engine trained (those are"
          + " directories under outputDir " + out + "), so it has nothing to load into vLLM.");
    }
    List<String> rel = Arrays.stream(modelId.substring(prefix.length()).split("/")).filter(p -> !p.isEmpty()).toList();
    if (rel.contains("..")) {
      throw new InvalidInputException("Model " + modelId + " leaves outputDir (it contains '..')");
    }
    return settings.hostPath(out, rel);
  }

  /** Loads the adapter of {@code modelId} and confirms {@code GET /v1/models} lists it. {@code options} unused. */
  @Override
  public Deployment deploy(String modelId, String name, Map<String, Object> options) {
    String path = hostPath(modelId);
    String lora = VllmServer.loraName(name, modelId);
    models.put(lora, modelId);
    return vllm.load(modelId, lora, path);
  }

  @Override
  public Deployment deployment(String deploymentId) {
    return vllm.deployment(deploymentId, models.getOrDefault(deploymentId, deploymentId));
  }

  /** Unloads the adapter; one vLLM no longer holds (404) is already gone. */
  @Override
  public void undeploy(String deploymentId) {
    vllm.unload(deploymentId);
  }

  /**
   * Chat with the base model or a loaded adapter ({@code lora_name}). A tuned model's own id (its output path) is not
   * a name vLLM serves: that is refused with the way to deploy it.
   */
  ChatResponse chat(ChatRequest request) {
    String out = config.outputDir().map(o -> o.endsWith("/") ? o : o + "/").orElse(null);
    if (out != null && request.model().startsWith(out)) {
      throw new InvalidInputException("Model " + request.model() + " is an adapter directory; vLLM serves it once it"
          + " is loaded. Evaluate it with .deployBeforeEvaluation(true) on the FineTune (or call run.deploy()) and chat"
          + " with the deployment's inferenceModel().");
    }
    return vllm.chat(request);
  }

  Optional<String> mountedDataDir() {
    return settings.mountedDataDir();
  }

  @Override
  public void close() {
    vllm.close();
  }

  @Override
  public String toString() {
    return "RayVllm{" + vllm + "}";
  }
}
