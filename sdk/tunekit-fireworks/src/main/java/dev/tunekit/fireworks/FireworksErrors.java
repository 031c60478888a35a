package dev.tunekit.fireworks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TunekitException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * Translates Fireworks' HTTP answers and network failures (from {@link FireworksApi} and from openai-java for
 * chat) into Tunekit exceptions that say whether to retry and whether the call may have taken effect. The only
 * place that reads Fireworks' error bodies. Their shape is not documented: the gateway's gRPC-style
 * {@code {"code":6,"message":"…","details":[]}}, the wrapped {@code {"error":{"message","status","code"}}} and the
 * OpenAI-style {@code {"error":{"message","type"}}} of inference are all read, and anything else is shown as text.
 * Messages carry the operation, the status and Fireworks' message, and advice; never the API key (nothing here
 * reads it).
 */
final class FireworksErrors {
  static final String PROVIDER = "fireworks";
  private static final ObjectMapper JSON = new ObjectMapper();

  private FireworksErrors() {}

  /** Fireworks' message from an error body, or the body itself (shortened) when it is not the documented shape. */
  static String message(String body) {
    if (body == null || body.isBlank()) {
      return "(no message)";
    }
    try {
      JsonNode n = JSON.readTree(body);
      JsonNode m = n.path("error").path("message");
      if (m.isTextual()) {
        return m.asText();
      }
      if (n.path("message").isTextual()) {
        return n.path("message").asText();
      }
    } catch (IOException e) {
      // not JSON: show the text
    }
    String flat = body.replaceAll("\\s*\\R\\s*", " ").trim();
    return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
  }

  /**
   * An HTTP error answer.
   *
   * @param op what was called, such as "POST /supervisedFineTuningJobs"
   * @param write whether the call changes something (then a 5xx leaves its outcome unknown)
   */
  static ProviderException http(String op, boolean write, int code, String body, Optional<Duration> retryAfter) {
    String text = op + " failed with HTTP " + code + ": " + message(body);
    ProviderException.Builder b = ProviderException.builder(PROVIDER, text).statusCode(code);
    if (code == 401 || code == 403) {
      return ProviderException.builder(PROVIDER, text + ". Check the Fireworks API key and account id (apiKey:"
          + " ${FIREWORKS_API_KEY}, accountId: ${FIREWORKS_ACCOUNT_ID}; keys are at fireworks.ai, Settings, API Keys).")
          .statusCode(code).buildAuthentication();
    }
    if (code == 404) {
      return b.buildNotFound();
    }
    if (code == 409) {
      // ALREADY_EXISTS: the id Tunekit chose is taken. Callers that chose it from a key read the resource instead.
      return b.retryable(false).build();
    }
    if (code == 429) {
      retryAfter.ifPresent(b::retryAfter);
      return b.retryable(true).buildRateLimited();
    }
    if (code >= 500) {
      // A 5xx on a create may come after the job was stored: the core looks the job up before it creates again.
      return b.retryable(code != 501).outcomeUnknown(write).build();
    }
    return b.retryable(false).build();
  }

  /** A failure with no HTTP answer: refused or unresolved connections were never sent; anything else may have been. */
  static ProviderException network(String op, boolean write, Throwable e) {
    // The JDK client wraps its causes both ways (a ConnectException caused by a ClosedChannelException), so
    // the whole chain is searched for a failure that happened before any byte was sent.
    Throwable root = e;
    boolean neverSent = false;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      neverSent |= t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof HttpConnectTimeoutException;
      root = t;
    }
    return ProviderException.builder(PROVIDER, op + " failed on the network (" + root.getClass().getSimpleName()
            + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")"
            + (write && !neverSent ? "; it may have been carried out" : ""))
        .cause(e).retryable(true).outcomeUnknown(write && !neverSent).build();
  }

  /**
   * An openai-java failure on a chat call (a read: never outcome-unknown). {@code secret} is redacted from what the
   * server said, and a cause whose message holds it is not kept.
   */
  static RuntimeException chat(String op, RuntimeException e, String secret) {
    if (e instanceof TunekitException te) {
      return te;
    }
    if (e instanceof OpenAIServiceException s) {
      Optional<Duration> after = s.headers().values("retry-after").stream().findFirst().flatMap(FireworksErrors::seconds);
      return http(op, false, s.statusCode(), redact(s.body() == null ? null : s.body().toString(), secret), after);
    }
    if (e instanceof OpenAIIoException) {
      return network(op, false, e);
    }
    String m = e.getMessage();
    boolean leaks = m != null && secret != null && !secret.isEmpty() && m.contains(secret);
    ProviderException.Builder b = ProviderException.builder(PROVIDER, op + " failed: " + e.getClass().getSimpleName()
        + (m == null ? "" : ": " + redact(m, secret))).retryable(false);
    return (leaks ? b : b.cause(e)).build();
  }

  /**
   * {@code text} with every occurrence of {@code secret} replaced by {@code [redacted]}: a server may echo the key it
   * was sent ("invalid API key …"), and what it says is shown to the user.
   */
  static String redact(String text, String secret) {
    return text == null || secret == null || secret.isEmpty() ? text : text.replace(secret, "[redacted]");
  }

  /** A Retry-After value in whole seconds. */
  static Optional<Duration> seconds(String v) {
    try {
      long s = Long.parseLong(v.trim());
      return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
