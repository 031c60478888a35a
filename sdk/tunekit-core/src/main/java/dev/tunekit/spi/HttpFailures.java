package dev.tunekit.spi;

import dev.tunekit.error.ProviderException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * For providers that call an HTTP API themselves: turns an HTTP error status or a network failure into the
 * {@link ProviderException} the core's one retry layer expects, with the rules every provider keeps:
 * <ul>
 *   <li>401 and 403 are an {@code AuthenticationException} (never retried) that ends with the provider's advice;
 *       404 is a {@code NotFoundException}; 429 is a retryable {@code RateLimitedException} with the server's
 *       {@code Retry-After}; 5xx is retryable (501 excepted) and, on a call that changes something, leaves its
 *       outcome unknown, so the core looks the result up before it repeats the call; any other status is final.</li>
 *   <li>A network failure is retryable; its outcome is unknown on a write unless the request was never sent
 *       (refused connection, unknown host, connect time-out, found anywhere in the cause chain).</li>
 * </ul>
 * The provider passes the message it read from the error body; this class reads no body and no credential.
 */
public final class HttpFailures {
  private HttpFailures() {}

  /**
   * An HTTP error answer: the message is {@code "<op> failed with HTTP <code>: <message>"}.
   *
   * @param provider the provider's name, such as {@code "acme"}
   * @param op what was called, such as {@code "POST /fine-tunes"}
   * @param write whether the call changes something (then a 5xx leaves its outcome unknown)
   * @param message what the server said, already read from its error body (and without any secret)
   * @param authAdvice appended to a 401 or 403, such as {@code "Check the API key (apiKey: ${ACME_API_KEY})."}
   */
  public static ProviderException status(String provider, String op, boolean write, int code, String message,
      Optional<Duration> retryAfter, String authAdvice) {
    String text = op + " failed with HTTP " + code + ": " + message;
    ProviderException.Builder b = ProviderException.builder(provider, text).statusCode(code);
    if (code == 401 || code == 403) {
      return ProviderException.builder(provider, text + ". " + authAdvice).statusCode(code).buildAuthentication();
    }
    if (code == 404) {
      return b.buildNotFound();
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

  /**
   * A failure with no HTTP answer: retryable; on a write its outcome is unknown unless the request was never sent.
   * The message names the root cause and, when the outcome is unknown, says the call may have been carried out.
   */
  public static ProviderException network(String provider, String op, boolean write, Throwable e) {
    // The JDK client wraps its causes both ways (a ConnectException caused by a ClosedChannelException), so
    // the whole chain is searched for a failure that happened before any byte was sent.
    Throwable root = e;
    boolean neverSent = false;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      neverSent |= t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof HttpConnectTimeoutException;
      root = t;
    }
    return ProviderException.builder(provider, op + " failed on the network (" + root.getClass().getSimpleName()
            + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")"
            + (write && !neverSent ? "; it may have been carried out" : ""))
        .cause(e).retryable(true).outcomeUnknown(write && !neverSent).build();
  }

  /** {@link #retryAfter(String, Instant)} measured from now. */
  public static Optional<Duration> retryAfter(String value) {
    return retryAfter(value, Instant.now());
  }

  /**
   * A {@code Retry-After} header's wait: seconds (a fraction is kept to the millisecond) or an HTTP date, measured
   * from {@code now} (a date in the past is zero); empty when the value is neither or negative.
   */
  public static Optional<Duration> retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.trim();
    try {
      double secs = Double.parseDouble(v);
      return secs >= 0 && !Double.isInfinite(secs) && !Double.isNaN(secs)
          ? Optional.of(Duration.ofMillis((long) (secs * 1000d))) : Optional.empty();
    } catch (NumberFormatException notSeconds) {
      try {
        Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }
}
