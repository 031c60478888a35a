package dev.tunekit.fireworks;

import dev.tunekit.http.ProviderErrors;

/**
 * Fireworks' error translation: its name and the advice a 401 or 403 ends with. Fireworks' error bodies are not
 * documented: the gateway's gRPC-style {@code {"code":6,"message":"…","details":[]}}, the wrapped
 * {@code {"error":{"message","status","code"}}} and the OpenAI-style {@code {"error":{"message","type"}}} of
 * inference are all read by {@link ProviderErrors}, and anything else is shown as text. The status and network rules
 * are {@link dev.tunekit.spi.HttpFailures}': a 409 (ALREADY_EXISTS: the id Tunekit chose is taken) is final, and
 * callers that chose the id from a key read the resource instead. Messages carry the operation, the status and
 * Fireworks' message, and advice; never the API key (a key the server echoes back is redacted before its answer is
 * read).
 */
final class FireworksErrors {
  static final String PROVIDER = "fireworks";
  static final ProviderErrors ERRORS = new ProviderErrors(PROVIDER, "Check the Fireworks API key and account id"
      + " (apiKey: ${FIREWORKS_API_KEY}, accountId: ${FIREWORKS_ACCOUNT_ID}; keys are at fireworks.ai, Settings, API"
      + " Keys).");

  private FireworksErrors() {}
}
