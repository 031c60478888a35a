package dev.tunekit.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.error.ProviderException;
import dev.tunekit.spi.HttpFailures;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * One provider's error translation: its name, the advice a 401 or 403 ends with, and how its error bodies are read.
 * The status and network rules are {@link HttpFailures}'. The reader takes the message of the common JSON shapes,
 * {@code {"error":{"message":…}}} (OpenAI-style) and {@code {"message":…}} (gRPC-gateway style), and shows any
 * other body as text, on one line and shortened to 300 characters.
 */
public final class ProviderErrors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String provider;
  private final String authAdvice;

  /**
   * @param provider the provider's name, such as {@code "together"}
   * @param authAdvice what a 401 or 403 ends with: which setting holds the key and where keys are made
   */
  public ProviderErrors(String provider, String authAdvice) {
    this.provider = provider;
    this.authAdvice = authAdvice;
  }

  /** The provider's name, as exceptions carry it. */
  public String provider() {
    return provider;
  }

  /** The server's message from an error body, or the body itself (one line, shortened) when it has no known shape. */
  public String message(String body) {
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
   * An HTTP error answer, by {@link HttpFailures#status}.
   *
   * @param op what was called, such as "POST /fine-tunes"
   * @param write whether the call changes something (then a 5xx leaves its outcome unknown)
   * @param body the error body, with any secret already redacted
   */
  public ProviderException http(String op, boolean write, int code, String body, Optional<Duration> retryAfter) {
    return HttpFailures.status(provider, op, write, code, message(body), retryAfter, authAdvice);
  }

  /** A failure with no HTTP answer, by {@link HttpFailures#network}. */
  public ProviderException network(String op, boolean write, Throwable e) {
    return HttpFailures.network(provider, op, write, e);
  }

  @Override
  public String toString() {
    return "ProviderErrors{" + provider + "}";
  }
}
