package dev.tunekit.together;

import dev.tunekit.model.Secret;
import dev.tunekit.spi.ProviderSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * The Together provider's settings, read once from {@code providers.together}. Only the shape of a value is
 * checked here (a bad one is an error naming the setting and the file); a missing {@code apiKey} is reported by
 * preflight, before anything is uploaded, and by the first call that needs it. Nothing here makes a remote call.
 *
 * @param apiKey the Together API key, normally written {@code apiKey: ${TOGETHER_API_KEY}}
 * @param baseUrl the API base, default {@value #DEFAULT_BASE_URL} (tests point it at WireMock)
 * @param callTimeout the per-call timeout (default 60 s)
 */
record TogetherConfig(ProviderSettings settings, Optional<Secret> apiKey, URI baseUrl, Duration callTimeout) {
  static final String DEFAULT_BASE_URL = "https://api.together.xyz/v1";

  static TogetherConfig from(ProviderSettings s) {
    URI base = s.string("baseUrl").map(v -> uri(s, v.trim())).orElse(URI.create(DEFAULT_BASE_URL));
    Duration timeout = s.duration("callTimeout").orElse(Duration.ofSeconds(60));
    if (timeout.isZero() || timeout.isNegative()) {
      throw s.invalid("callTimeout", "must be positive, such as 60s");
    }
    return new TogetherConfig(s, s.secret("apiKey"), base, timeout);
  }

  /** The key, or an error naming the setting and how to set it (the value never appears). */
  Secret requireApiKey() {
    return apiKey.orElseThrow(() -> settings.invalid("apiKey",
        "is required; set apiKey: ${TOGETHER_API_KEY} and export TOGETHER_API_KEY (from api.together.ai, Settings, API keys)"));
  }

  /** The base without a trailing slash, such as https://api.together.xyz/v1. */
  String base() {
    String b = baseUrl.toString();
    return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
  }

  private static URI uri(ProviderSettings s, String v) {
    try {
      URI u = new URI(v);
      if (u.getScheme() == null || u.getHost() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
        throw s.invalid("baseUrl", "must be an absolute http(s) URL such as " + DEFAULT_BASE_URL + ", was '" + v + "'");
      }
      return u;
    } catch (URISyntaxException e) {
      throw s.invalid("baseUrl", "must be an absolute http(s) URL such as " + DEFAULT_BASE_URL + ", was '" + v + "'");
    }
  }

  /** Never prints values (the key is a secret). */
  @Override
  public String toString() {
    return "TogetherConfig" + settings;
  }
}
