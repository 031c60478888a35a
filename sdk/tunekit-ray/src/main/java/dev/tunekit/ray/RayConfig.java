package dev.tunekit.ray;

import dev.tunekit.http.VllmSettings;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.ProviderSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The Ray provider's settings, read once from {@code providers.ray}. Presence and form of {@code dashboardUrl} and
 * {@code outputDir} are checked by preflight (before anything is uploaded) and again by the first call that needs
 * them; the other values' shape is checked here. Nothing here makes a remote call.
 *
 * @param dashboardUrl the Ray dashboard, such as http://ray-head:8265 (its Jobs API is under /api)
 * @param token a bearer token for a dashboard behind an authenticating proxy; none for an open dashboard
 * @param outputDir where adapters go: a shared filesystem path or object-storage URI the cluster can write and the
 *     serving engine can read; each run writes to {@code <outputDir>/<submission id>}
 * @param pip pip requirements installed in the job's environment (runtime_env {@code pip}), from a comma- or
 *     space-separated list
 * @param image a container image for the job (runtime_env {@code image_uri}); Ray does not combine it with pip
 * @param numGpus the GPUs reserved for the entrypoint ({@code entrypoint_num_gpus}), default 1
 * @param servingUrl an OpenAI-compatible server (vLLM) that serves the base model and the adapters, for chat
 * @param servingApiKey that server's key, if it wants one
 * @param callTimeout the per-call timeout (default 60 s)
 * @param vllm the {@code vllm:} block: the vLLM server a succeeded run's adapter is loaded into (deployments), which
 *     then serves chat for the base model and the adapters
 */
record RayConfig(ProviderSettings settings, Optional<String> dashboardUrl, Optional<Secret> token,
    Optional<String> outputDir, List<String> pip, Optional<String> image, double numGpus, Optional<String> servingUrl,
    Optional<Secret> servingApiKey, Duration callTimeout, Optional<VllmSettings> vllm) {
  static final String EXAMPLE_URL = "http://ray-head:8265";

  static RayConfig from(ProviderSettings s) {
    Duration timeout = s.duration("callTimeout").orElse(Duration.ofSeconds(60));
    if (timeout.isZero() || timeout.isNegative()) {
      throw s.invalid("callTimeout", "must be positive, such as 60s");
    }
    double gpus;
    try {
      gpus = s.string("numGpus").map(v -> Double.parseDouble(v.trim())).orElse(1.0);
    } catch (NumberFormatException e) {
      throw s.invalid("numGpus", "must be a number of GPUs, such as 1 or 0.5");
    }
    if (gpus < 0 || Double.isNaN(gpus)) {
      throw s.invalid("numGpus", "must not be negative");
    }
    List<String> pip = s.string("pip").map(v -> Arrays.stream(v.split("[,\\s]+")).filter(p -> !p.isBlank()).toList())
        .orElse(List.of());
    Optional<String> serving = s.string("servingUrl").map(String::trim);
    serving.ifPresent(u -> {
      if (problem(u).isPresent()) {
        throw s.invalid("servingUrl", "must be an absolute http(s) URL such as http://gpu-box:8000/v1, was '" + u + "'");
      }
    });
    return new RayConfig(s, s.string("dashboardUrl").map(String::trim), s.secret("token"),
        s.string("outputDir").map(String::trim), pip, s.string("image").map(String::trim), gpus, serving,
        s.secret("servingApiKey"), timeout, VllmSettings.read(s, "outputDir"));
  }

  /** What is wrong with {@code url} as the dashboard's address, if anything. */
  static Optional<String> problem(String url) {
    try {
      URI u = new URI(url);
      if (u.getScheme() == null || u.getHost() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
        return Optional.of("'" + url + "' is not an absolute http(s) URL");
      }
      if (u.getQuery() != null || u.getFragment() != null) {
        return Optional.of("'" + url + "' has a query or fragment");
      }
      return Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.of("'" + url + "' is not a URL (" + e.getReason() + ")");
    }
  }

  /** The dashboard without a trailing slash, or an error naming the setting and how to set it. */
  String dashboard() {
    String u = dashboardUrl.orElseThrow(() -> settings.invalid("dashboardUrl", "is required; set it to the Ray"
        + " dashboard's address, such as " + EXAMPLE_URL));
    problem(u).ifPresent(p -> {
      throw settings.invalid("dashboardUrl", p + "; write the dashboard's address, such as " + EXAMPLE_URL);
    });
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }

  /** The output directory without a trailing slash, or an error naming the setting. */
  String output() {
    String o = outputDir.orElseThrow(() -> settings.invalid("outputDir", "is required; set it to a shared path or"
        + " object-storage URI that the cluster writes and the serving engine reads, such as /mnt/shared/adapters"));
    return o.endsWith("/") && o.length() > 1 ? o.substring(0, o.length() - 1) : o;
  }

  /** The dashboard token, or an empty one (then no Authorization header is sent). */
  Secret tokenOrNone() {
    return token.orElse(Secret.of(""));
  }

  /** Never prints values (the tokens are secrets). */
  @Override
  public String toString() {
    return "RayConfig" + settings;
  }
}
