package dev.tunekit.openai;

import com.openai.core.JsonValue;
import com.openai.core.http.Headers;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIRetryableException;
import com.openai.errors.OpenAIServiceException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.spi.HttpFailures;
import dev.tunekit.model.Secret;
import dev.tunekit.error.TunekitException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Translates openai-java exceptions into Tunekit exceptions: what the resilience layer needs to
 * decide on a retry (retryable, retry-after, outcome unknown), plus the status code and request id
 * for support tickets. Messages say what to do and never contain the API key.
 */
final class OpenAiErrors {
  /** Anything that looks like an OpenAI key, even partly masked, is cut from provider messages. */
  private static final Pattern KEY_LIKE = Pattern.compile("sk-[A-Za-z0-9_*.\\-]{4,}");

  private final String provider;
  private final String baseUrl;
  private final Optional<Secret> apiKey;
  private final String keySetting;
  private final Clock clock;
  private final OpenAiConfig.Flavor flavor;

  OpenAiErrors(OpenAiConfig config, Clock clock) {
    this.provider = config.name();
    this.flavor = config.flavor();
    this.baseUrl = config.baseUrl();
    this.apiKey = config.apiKey();
    this.keySetting = "providers." + config.name() + ".apiKey";
    this.clock = clock;
  }

  /** Translates {@code e}, thrown while doing {@code what} (such as "creating a fine-tuning job"). */
  TunekitException translate(String what, RuntimeException e) {
    if (e instanceof TunekitException te) {
      return te;
    }
    if (e instanceof OpenAIServiceException se) {
      return service(what, se);
    }
    if (e instanceof OpenAIIoException io) {
      return io(what, io);
    }
    if (e instanceof OpenAIRetryableException) {
      return ProviderException.builder(provider, provider + " failed while " + what
              + ": the request may or may not have been processed. It is safe to retry after checking for duplicates.")
          .cause(safeCause(e)).retryable(true).outcomeUnknown(true).build();
    }
    if (e instanceof OpenAIInvalidDataException) {
      // A 2xx arrived but its body was not the shape we expected: the call may have taken effect.
      return ProviderException.builder(provider, provider + " answered with an unexpected response while " + what
              + " (" + redact(e.getMessage()) + "). Check that " + baseUrl
              + " is an OpenAI-compatible API base URL (it usually ends in /v1).")
          .cause(safeCause(e)).retryable(false).outcomeUnknown(true).build();
    }
    if (e instanceof OpenAIException) {
      return ProviderException.builder(provider, provider + " client failed while " + what + ": "
              + redact(e.getMessage()))
          .cause(safeCause(e)).retryable(false).outcomeUnknown(false).build();
    }
    return new TunekitException("Unexpected error from the " + provider + " provider while " + what + ": "
        + redact(String.valueOf(e.getMessage())), safeCause(e));
  }

  private ProviderException service(String what, OpenAIServiceException e) {
    int status = e.statusCode();
    Headers headers = e.headers();
    String requestId = header(headers, "x-request-id").orElse(null);
    ErrorBody body = ErrorBody.of(e.body());
    String detail = redact(body.message().orElse("no error message"))
        + body.code().map(c -> " [code " + c + "]").orElse("")
        + body.param().map(p -> " [param " + p + "]").orElse("");
    String ref = requestId == null ? "" : " (request id " + requestId + ")";
    String head = provider + " returned HTTP " + status + " while " + what + ": " + detail + ref + ". ";
    Optional<Boolean> shouldRetry = header(headers, "x-should-retry").map(v -> v.trim().equalsIgnoreCase("true"));
    ProviderException.Builder b;
    if (body.code().filter(OpenAiWindDown.REFUSAL_CODE::equals).isPresent()) {
      // OpenAI's wind-down (HTTP 403): definite, not a credentials problem; the job was not created.
      return ProviderException.builder(provider, OpenAiWindDown.refusal(provider, flavor, head))
          .statusCode(status).requestId(requestId).cause(safeCause(e)).buildTrainingUnavailable();
    }
    if (status == 401 || status == 403) {
      b = ProviderException.builder(provider, head + (status == 401
          ? "Check " + keySetting + " (the key is missing, mistyped, revoked or for another organization/project)."
          : "The key is valid but lacks permission for this: check the project, organization and model access."));
      return b.statusCode(status).requestId(requestId).cause(safeCause(e)).buildAuthentication();
    }
    if (status == 404) {
      b = ProviderException.builder(provider, head + "Check the id or model name, and that it belongs to this "
          + "organization/project" + (baseUrl.contains("/openai/v1") ? " and Azure resource" : "") + ".");
      return b.statusCode(status).requestId(requestId).cause(safeCause(e)).buildNotFound();
    }
    if (status == 429) {
      b = ProviderException.builder(provider, head + "Rate limited or out of quota: wait and retry; if it persists, "
          + "check your usage limits and billing.");
      return b.statusCode(status).requestId(requestId).retryAfter(retryAfter(headers).orElse(null))
          .cause(safeCause(e)).buildRateLimited();
    }
    boolean serverError = status >= 500;
    boolean retryable = shouldRetry.orElse(serverError || status == 408 || status == 409);
    String advice;
    if (status == 400 || status == 422) {
      advice = "The request was refused and will not be retried: fix the input (or, for a fine-tuning policy "
          + "refusal, use another provider).";
    } else if (serverError) {
      advice = "The provider failed; the request may have been processed. Retry later.";
    } else if (retryable) {
      advice = "Transient conflict or timeout: retry.";
    } else {
      advice = "Not retried.";
    }
    return ProviderException.builder(provider, head + advice)
        .statusCode(status).requestId(requestId).retryAfter(retryAfter(headers).orElse(null))
        .retryable(retryable).outcomeUnknown(serverError).cause(safeCause(e)).build();
  }

  private ProviderException io(String what, OpenAIIoException e) {
    boolean notSent = causedBy(e, ConnectException.class) || causedBy(e, UnknownHostException.class)
        || causedBy(e, NoRouteToHostException.class);
    String msg = notSent
        ? provider + " could not be reached at " + baseUrl + " while " + what + " ("
            + redact(rootMessage(e)) + "). Check the network and the base URL; the request was not sent."
        : provider + " connection failed while " + what + " (" + redact(rootMessage(e))
            + "). The request may have reached the provider; it is checked for duplicates before any retry.";
    return ProviderException.builder(provider, msg)
        .cause(safeCause(e)).retryable(true).outcomeUnknown(!notSent).build();
  }

  /**
   * The longest of the server's hints: {@code retry-after-ms}, else {@code Retry-After} (seconds or an HTTP date),
   * and OpenAI's {@code x-ratelimit-reset-requests} ({@code 86ms}, {@code 1s}, {@code 6m0s}) — a 429 may carry
   * several, and waiting the shortest would only meet the next 429.
   */
  Optional<Duration> retryAfter(Headers headers) {
    Optional<Duration> hinted = retryAfter(header(headers, "retry-after-ms"), header(headers, "retry-after"),
        clock.instant());
    Optional<Duration> reset = header(headers, "x-ratelimit-reset-requests").flatMap(OpenAiErrors::goDuration);
    if (reset.isPresent() && (hinted.isEmpty() || reset.get().compareTo(hinted.get()) > 0)) {
      return reset;
    }
    return hinted;
  }

  /** A Go-style duration as OpenAI writes its reset headers: {@code 1h2m3.5s}, {@code 86ms}, {@code 20s}. */
  static Optional<Duration> goDuration(String value) {
    java.util.regex.Matcher m = GO_DURATION_PART.matcher(value.trim());
    double nanos = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        return Optional.empty();
      }
      double v = Double.parseDouble(m.group(1));
      nanos += v * switch (m.group(2)) {
        case "h" -> 3600e9;
        case "m" -> 60e9;
        case "s" -> 1e9;
        case "ms" -> 1e6;
        case "us", "µs" -> 1e3;
        default -> 1;
      };
      end = m.end();
    }
    if (end == 0 || end != value.trim().length()) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos((long) nanos));
  }

  private static final java.util.regex.Pattern GO_DURATION_PART =
      java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|µs|ns|h|m|s)");

  /**
   * The wait a server asked for: {@code retryAfterMs} (milliseconds) first, then {@code retryAfter} (seconds
   * or an HTTP date, measured from {@code now}); empty when neither is usable.
   */
  static Optional<Duration> retryAfter(Optional<String> retryAfterMs, Optional<String> retryAfter, Instant now) {
    if (retryAfterMs.isPresent()) {
      try {
        double v = Double.parseDouble(retryAfterMs.get().trim());
        if (v >= 0 && !Double.isInfinite(v)) {
          return Optional.of(Duration.ofNanos((long) (v * 1_000_000d)));
        }
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    return retryAfter.flatMap(v -> HttpFailures.retryAfter(v, now));
  }

  private static Optional<String> header(Headers headers, String name) {
    if (headers == null) {
      return Optional.empty();
    }
    for (String n : headers.names()) {
      if (n.equalsIgnoreCase(name)) {
        List<String> vs = headers.values(n);
        if (!vs.isEmpty() && vs.get(0) != null && !vs.get(0).isBlank()) {
          return Optional.of(vs.get(0));
        }
      }
    }
    return Optional.empty();
  }

  /** Removes the API key (and anything key-like) from a provider-supplied text. */
  String redact(String text) {
    if (text == null) {
      return "";
    }
    String t = text;
    if (apiKey.isPresent() && !apiKey.get().isBlank()) {
      t = t.replace(apiKey.get().reveal(), "[redacted]");
    }
    return KEY_LIKE.matcher(t).replaceAll("sk-[redacted]");
  }

  /**
   * The SDK exception as the cause, unless its message would leak the key: then a stand-in with the
   * redacted message and the original stack trace.
   */
  Throwable safeCause(Throwable e) {
    boolean leaks = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && !redact(m).equals(m)) {
        leaks = true;
        break;
      }
    }
    if (!leaks) {
      return e;
    }
    RedactedCause c = new RedactedCause(e.getClass().getName() + ": " + redact(e.getMessage()));
    c.setStackTrace(e.getStackTrace());
    return c;
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** The innermost cause's class and message: what actually went wrong under the SDK's wrappers. */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** Stands in for an SDK exception whose message contained the key. */
  static final class RedactedCause extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedactedCause(String message) {
      super(message);
    }
  }

  /** The {@code error} object of an OpenAI error body, read leniently. */
  record ErrorBody(Optional<String> message, Optional<String> code, Optional<String> param) {
    static ErrorBody of(JsonValue body) {
      try {
        Object raw = body == null ? null : body.convert(Object.class);
        if (raw instanceof Map<?, ?> m) {
          Object inner = m.get("error");
          Map<?, ?> err = inner instanceof Map<?, ?> im ? im : m;
          Object msg = inner instanceof String s ? s : err.get("message");
          return new ErrorBody(str(msg), str(err.get("code")), str(err.get("param")));
        }
        if (raw instanceof String s) {
          return new ErrorBody(str(s), Optional.empty(), Optional.empty());
        }
      } catch (RuntimeException ignored) {
        // a missing or non-JSON body: no details
      }
      return new ErrorBody(Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static Optional<String> str(Object o) {
      if (o == null) {
        return Optional.empty();
      }
      String s = String.valueOf(o);
      return s.isBlank() ? Optional.empty() : Optional.of(s.length() > 2000 ? s.substring(0, 2000) + "…" : s);
    }
  }
}
