package dev.tunekit.together;

import dev.tunekit.http.ProviderErrors;

/**
 * Together's error translation: its name and the advice a 401 or 403 ends with. Together's error shape,
 * {@code {"error":{"message","type","code","param"}}}, is read by {@link ProviderErrors}; the status and network
 * rules (retry, outcome unknown, never-sent connections, {@code Retry-After}) are {@link dev.tunekit.spi.HttpFailures}'.
 * Messages carry the operation, the status and Together's message, and advice; never the API key (a key the server
 * echoes back is redacted before its answer is read).
 */
final class TogetherErrors {
  static final String PROVIDER = "together";
  static final ProviderErrors ERRORS = new ProviderErrors(PROVIDER, "Check the Together API key (apiKey:"
      + " ${TOGETHER_API_KEY}; keys are at api.together.ai, Settings, API keys).");

  private TogetherErrors() {}
}
