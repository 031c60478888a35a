package dev.tunekit.fireworks;

import dev.tunekit.model.Secret;
import dev.tunekit.spi.ProviderSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * The Fireworks provider's settings, read once from {@code providers.fireworks}. Only the shape of a value is
 * checked here (a bad one is an error naming the setting and the file); a missing {@code apiKey} or
 * {@code accountId} is reported by preflight, before anything is uploaded, and by the first call that needs it.
 * Nothing here makes a remote call.
 *
 * @param apiKey the Fireworks API key, normally written {@code apiKey: ${FIREWORKS_API_KEY}}
 * @param accountId the account every resource lives under ({@code accounts/<accountId>/...})
 * @param baseUrl the control-plane base, default {@value #DEFAULT_BASE_URL} (tests point it at WireMock)
 * @param inferenceUrl the OpenAI-compatible inference base, default {@value #DEFAULT_INFERENCE_URL}
 * @param callTimeout the per-call timeout (default 60 s)
 * @param datasetReadyTimeout how long an upload waits for the dataset to become READY (default 10 min)
 */
record FireworksConfig(ProviderSettings settings, Optional<Secret> apiKey, Optional<String> accountId, URI baseUrl,
    URI inferenceUrl, Duration callTimeout, Duration datasetReadyTimeout) {
  static final String DEFAULT_BASE_URL = "https://api.fireworks.ai/v1";
  static final String DEFAULT_INFERENCE_URL = "https://api.fireworks.ai/inference/v1";
  static final String HOW_TO_KEY = "set apiKey: ${FIREWORKS_API_KEY} and export FIREWORKS_API_KEY (from"
      + " fireworks.ai, Settings, API Keys)";
  static final String HOW_TO_ACCOUNT = "set accountId: ${FIREWORKS_ACCOUNT_ID} and export FIREWORKS_ACCOUNT_ID (the id"
      + " in accounts/<id>, shown by `firectl whoami` and on fireworks.ai under Settings)";

  static FireworksConfig from(ProviderSettings s) {
    URI base = s.string("baseUrl").map(v -> uri(s, "baseUrl", v.trim(), DEFAULT_BASE_URL)).orElse(URI.create(DEFAULT_BASE_URL));
    URI inference = s.string("inferenceUrl").map(v -> uri(s, "inferenceUrl", v.trim(), DEFAULT_INFERENCE_URL))
        .orElse(URI.create(DEFAULT_INFERENCE_URL));
    Duration timeout = positive(s, "callTimeout", Duration.ofSeconds(60));
    Duration ready = positive(s, "datasetReadyTimeout", Duration.ofMinutes(10));
    Optional<String> account = s.string("accountId").map(String::trim).filter(a -> !a.isEmpty());
    account.ifPresent(a -> {
      if (!Names.isResourceId(a)) {
        throw s.invalid("accountId", "must be a Fireworks account id such as my-team (lower-case letters, digits and"
            + " '-'), was '" + a + "'; write only the id, not accounts/<id>");
      }
    });
    return new FireworksConfig(s, s.secret("apiKey"), account, base, inference, timeout, ready);
  }

  private static Duration positive(ProviderSettings s, String key, Duration dflt) {
    Duration d = s.duration(key).orElse(dflt);
    if (d.isZero() || d.isNegative()) {
      throw s.invalid(key, "must be positive, such as " + (dflt.toMinutes() > 0 ? dflt.toMinutes() + "m" : dflt.toSeconds() + "s"));
    }
    return d;
  }

  /** The key, or an error naming the setting and how to set it (the value never appears). */
  Secret requireApiKey() {
    return apiKey.orElseThrow(() -> settings.invalid("apiKey", "is required; " + HOW_TO_KEY));
  }

  /** The account id, or an error naming the setting and how to set it. */
  String requireAccountId() {
    return accountId.orElseThrow(() -> settings.invalid("accountId", "is required; " + HOW_TO_ACCOUNT));
  }

  /** The account's control-plane base without a trailing slash, such as https://api.fireworks.ai/v1/accounts/acme. */
  String accountBase() {
    return strip(baseUrl) + "/accounts/" + requireAccountId();
  }

  /** The inference base without a trailing slash. */
  String inferenceBase() {
    return strip(inferenceUrl);
  }

  private static String strip(URI u) {
    String b = u.toString();
    return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
  }

  private static URI uri(ProviderSettings s, String key, String v, String example) {
    try {
      URI u = new URI(v);
      if (u.getScheme() == null || u.getHost() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
        throw s.invalid(key, "must be an absolute http(s) URL such as " + example + ", was '" + v + "'");
      }
      return u;
    } catch (URISyntaxException e) {
      throw s.invalid(key, "must be an absolute http(s) URL such as " + example + ", was '" + v + "'");
    }
  }

  /** Never prints values (the key is a secret). */
  @Override
  public String toString() {
    return "FireworksConfig" + settings;
  }
}
