package dev.tunekit.http;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.ProviderSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A provider's {@code vllm:} block, the same keys wherever a training engine serves its adapters on vLLM
 * ({@code tunekit-local}'s command trainer, {@code tunekit-ray}, {@code tunekit-kubeflow}): {@code baseUrl} (required), {@code apiKey},
 * {@code mountedDataDir} (an absolute path: where the vLLM host sees the directory the engine writes adapters to, when
 * it is mounted elsewhere there) and {@code timeout} (each call's, default 2 minutes). Read once, offline; a bad block
 * is an {@link InvalidInputException} naming the setting, its file and line, and how to fix it.
 *
 * @param baseUrl the vLLM server, with or without {@code /v1}
 * @param apiKey its {@code --api-key}; blank when it has none (a {@link Secret}: redacted in {@code toString})
 * @param mountedDataDir where the vLLM host sees the engine's adapter directory, when that differs
 * @param timeout each call's timeout
 */
public record VllmSettings(String baseUrl, Secret apiKey, Optional<String> mountedDataDir, Duration timeout) {
  /** The keys of a {@code vllm:} block. */
  public static final List<String> KEYS = List.of("baseUrl", "apiKey", "mountedDataDir", "timeout");

  /**
   * The {@code vllm:} block of {@code s}, if it has one.
   *
   * @param mountedMeaning what {@code mountedDataDir} maps, for its error message, such as "this server's data
   *     directory" or "outputDir"
   */
  public static Optional<VllmSettings> read(ProviderSettings s, String mountedMeaning) {
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
            + " host (where it sees " + mountedMeaning + "), was '" + m + "'", where);
      }
    });
    Duration timeout = Duration.ofMinutes(2);
    Object t = block.get("timeout");
    if (t != null) {
      timeout = ProviderSettings.parseDuration(String.valueOf(t)).filter(d -> !d.isZero() && !d.isNegative())
          .orElseThrow(() -> new InvalidInputException("setting " + key + ".timeout must be a positive duration such"
              + " as 2m or 90s, was '" + t + "'", where));
    }
    return Optional.of(new VllmSettings(String.valueOf(url).trim(), apiKey, mountedDir, timeout));
  }

  /**
   * {@code relative} (path segments under the engine's adapter directory {@code engineDir}) as the vLLM host sees
   * it: under {@code mountedDataDir} when set, else under {@code engineDir} itself.
   */
  public String hostPath(String engineDir, List<String> relative) {
    String root = mountedDataDir.orElse(engineDir);
    StringBuilder b = new StringBuilder(root.endsWith("/") && root.length() > 1 ? root.substring(0, root.length() - 1)
        : root);
    relative.forEach(part -> b.append('/').append(part));
    return b.toString();
  }

  /** A server for these settings; {@code provider} names the exceptions' provider. */
  public VllmServer server(String provider) {
    return new VllmServer(provider, "providers." + provider + ".vllm", baseUrl, apiKey, timeout);
  }

  /** The vLLM server as an endpoint to check before a run ({@link dev.tunekit.spi.Endpoints}). */
  public dev.tunekit.spi.Endpoints.Endpoint endpoint(String provider) {
    return new dev.tunekit.spi.Endpoints.Endpoint("the vLLM server", java.net.URI.create(baseUrl),
        "providers." + provider + ".vllm.baseUrl");
  }
}
