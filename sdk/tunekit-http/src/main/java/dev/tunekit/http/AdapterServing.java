package dev.tunekit.http;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * How a self-hosted training engine (tunekit-ray, tunekit-kubeflow) serves the adapters its jobs write to
 * {@code <outputDir>/<job name>}: either a {@code vllm:} block ({@link VllmSettings}), which loads a succeeded run's
 * adapter into vLLM ({@link Deployments}, through {@link VllmServer}) from the same directory as the vLLM host sees it
 * (under {@code mountedDataDir} when set, else the very path; the storage must be shared) and chats there with the
 * base model and the loaded adapters, so the baseline and the tuned model are evaluated on the same server; or a plain
 * {@code servingUrl}, an OpenAI-compatible server that already serves the adapters by their directory's name; or
 * neither (no chat). Not a user API: the engines' shared wiring, with their offline serving checks ({@link #check}).
 */
public final class AdapterServing implements AutoCloseable {
  private final ProviderSettings settings;
  private final String engine;
  private final Optional<String> outputDir;
  private final Optional<String> servingUrl;
  private final Optional<VllmSettings> vllmSettings;
  private final OpenAiChat chat;
  private final Vllm vllm;

  /**
   * @param settings the provider's section (its name, and where each key was written, for messages)
   * @param errors the provider's error translation, for chat through {@code servingUrl}
   * @param engine the engine as a message names it, such as {@code "this Ray engine"}
   * @param outputDir the engine's {@code outputDir}, as written (checked by the engine's preflight)
   * @param servingUrl the {@code servingUrl} setting, if any
   * @param servingApiKey its key, if any
   * @param vllm the {@code vllm:} block, if any
   * @param callTimeout each chat call's timeout through {@code servingUrl}
   */
  public AdapterServing(ProviderSettings settings, ProviderErrors errors, String engine, Optional<String> outputDir,
      Optional<String> servingUrl, Optional<Secret> servingApiKey, Optional<VllmSettings> vllm, Duration callTimeout) {
    this.settings = settings;
    this.engine = engine;
    this.outputDir = outputDir;
    this.servingUrl = servingUrl;
    this.vllmSettings = vllm;
    this.chat = servingUrl.isEmpty() ? null : new OpenAiChat(errors, "the serving engine", () -> strip(servingUrl.get()),
        () -> servingApiKey.orElse(Secret.of("EMPTY")), callTimeout);
    this.vllm = vllm.map(Vllm::new).orElse(null);
  }

  /**
   * The engine's {@link TuningProvider#capability}: {@link Chat} when {@code servingUrl} or a {@code vllm:} block names
   * the server that serves the adapters, {@link Deployments} (loading the adapter into vLLM) only with a {@code vllm:}
   * block, any other type as {@code otherwise} says (the provider's own, such as {@code TuningProvider.super::capability}).
   */
  public <C extends Capability> Optional<C> capability(Class<C> type, Function<Class<C>, Optional<C>> otherwise) {
    if (type == Deployments.class) {
      return Optional.ofNullable(vllm).map(type::cast);
    }
    if (type == Chat.class && chat == null && vllm == null) {
      return Optional.empty();
    }
    return otherwise.apply(type);
  }

  /**
   * The serving side's offline checks, added to {@code out}: deploying before evaluation needs a {@code vllm:} block;
   * that block and {@code servingUrl} are two answers to one question; vLLM loads adapters from a directory, so an
   * object-storage {@code outputDir} needs {@code mountedDataDir} (where the vLLM host sees it).
   */
  public void check(JobPlan plan, List<PreflightProblem> out) {
    String section = "providers." + settings.name() + ".";
    if (plan.deploysBeforeEvaluation() && vllmSettings.isEmpty()) {
      out.add(new PreflightProblem(settings.location("vllm"), section + "vllm", "deployBeforeEvaluation needs"
          + " a server to load the adapter into, and none is configured", "add a vllm: block with the baseUrl of a vLLM"
          + " server started with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, or leave"
          + " deployBeforeEvaluation off"));
    }
    if (vllmSettings.isEmpty()) {
      return;
    }
    if (servingUrl.isPresent()) {
      out.add(new PreflightProblem(settings.location("servingUrl"), section + "servingUrl", "is set together"
          + " with a vllm: block, which already names the server that serves the adapters", "remove servingUrl (and"
          + " servingApiKey; the block's apiKey is the server's key)"));
    }
    if (outputDir.isPresent() && outputDir.get().contains("://") && vllmSettings.get().mountedDataDir().isEmpty()) {
      out.add(new PreflightProblem(settings.location("vllm"), section + "vllm.mountedDataDir", "is not set,"
          + " and outputDir " + outputDir.get() + " is object storage, which vLLM does not load adapters from",
          "mount that storage on the vLLM host and set mountedDataDir to where it is mounted, such as /mnt/adapters"));
    }
  }

  /**
   * Chat: on vLLM with a {@code vllm:} block (the base model or a loaded adapter; a tuned model's own id, its output
   * path, is refused with the way to deploy it), else through {@code servingUrl}, where a tuned model (a path under
   * {@code outputDir}) is asked by its directory's name, the name the adapter is served under.
   */
  public ChatResponse chat(ChatRequest request) {
    String out = outputDir.map(o -> o.endsWith("/") ? o : o + "/").orElse(null);
    boolean adapterPath = out != null && request.model().startsWith(out);
    if (vllm != null) {
      if (adapterPath) {
        throw new InvalidInputException("Model " + request.model() + " is an adapter directory; vLLM serves it once"
            + " it is loaded. Evaluate it with .deployBeforeEvaluation(true) on the FineTune (or call run.deploy()) and"
            + " chat with the deployment's inferenceModel().");
      }
      return vllm.server.chat(request);
    }
    if (chat == null) {
      throw settings.invalid("servingUrl", "is required for chat; set it to the OpenAI-compatible server (vLLM) that"
          + " serves the adapters, such as http://gpu-box:8000/v1, or add a vllm: block");
    }
    return chat.chat(request, adapterPath ? request.model().substring(out.length()) : request.model());
  }

  /** The adapter directory of tuned model {@code modelId} (a path under {@code outputDir}) as vLLM sees it. */
  String hostPath(String modelId) {
    String o = outputDir.orElseThrow(() -> settings.invalid("outputDir", "is required to load an adapter into vLLM"));
    String root = o.endsWith("/") && o.length() > 1 ? o.substring(0, o.length() - 1) : o;
    String prefix = root.endsWith("/") ? root : root + "/";
    if (!modelId.startsWith(prefix) || modelId.length() == prefix.length()) {
      throw new InvalidInputException("Model " + modelId + " is not an adapter " + engine + " trained (those are"
          + " directories under outputDir " + root + "), so it has nothing to load into vLLM.");
    }
    List<String> rel = Arrays.stream(modelId.substring(prefix.length()).split("/")).filter(p -> !p.isEmpty()).toList();
    if (rel.contains("..")) {
      throw new InvalidInputException("Model " + modelId + " leaves outputDir (it contains '..')");
    }
    return vllmSettings.orElseThrow().hostPath(root, rel);
  }

  private static String strip(String u) {
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }

  /**
   * The server that serves the adapters, if one is configured: the {@code vllm:} block's, else {@code servingUrl}'s;
   * for the engine's {@link dev.tunekit.spi.Endpoints}.
   */
  public Optional<dev.tunekit.spi.Endpoints.Endpoint> endpoint() {
    if (vllmSettings.isPresent()) {
      return Optional.of(vllmSettings.get().endpoint(settings.name()));
    }
    return servingUrl.map(u -> new dev.tunekit.spi.Endpoints.Endpoint("the serving engine",
        java.net.URI.create(strip(u)), "providers." + settings.name() + ".servingUrl"));
  }

  @Override
  public void close() {
    if (chat != null) {
      chat.close();
    }
    if (vllm != null) {
      vllm.server.close();
    }
  }

  @Override
  public String toString() {
    return "AdapterServing{" + (vllm != null ? vllm.server : chat != null ? "servingUrl" : "none") + "}";
  }

  /** The deployments of a {@code vllm:} block: load, read, unload an adapter. */
  private final class Vllm implements Deployments {
    final VllmServer server;
    /** Deployment id (the lora name) to tuned model, for {@link #deployment}. */
    private final Map<String, String> models = new ConcurrentHashMap<>();

    Vllm(VllmSettings s) {
      this.server = s.server(settings.name());
    }

    /** Loads the adapter of {@code modelId} and confirms {@code GET /v1/models} lists it. {@code options} unused. */
    @Override
    public Deployment deploy(String modelId, String name, Map<String, Object> options) {
      String path = hostPath(modelId);
      String lora = VllmServer.loraName(name, modelId);
      models.put(lora, modelId);
      return server.load(modelId, lora, path);
    }

    @Override
    public Deployment deployment(String deploymentId) {
      return server.deployment(deploymentId, models.getOrDefault(deploymentId, deploymentId));
    }

    /** Unloads the adapter; one vLLM no longer holds (404) is already gone. */
    @Override
    public void undeploy(String deploymentId) {
      server.unload(deploymentId);
    }
  }
}
