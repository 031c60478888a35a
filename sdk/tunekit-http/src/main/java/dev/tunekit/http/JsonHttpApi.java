package dev.tunekit.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.HttpFailures;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A provider's JSON REST API: GET, POST, PUT of raw bytes, DELETE and a streamed multipart upload, through the JDK's {@link HttpClient}
 * with Jackson, the API key as a bearer token. For backends without a Java SDK, whose few calls do not justify a
 * generated client or another HTTP stack.
 *
 * <p>One attempt per call (the core retries); every failure is a Tunekit exception from the provider's {@link
 * ProviderErrors} that says whether the call may have taken effect. What the server answers has the key redacted
 * before anything reads it (a server may echo the key it was sent), and the key appears in no message, log or
 * {@code toString}.
 */
public final class JsonHttpApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProviderErrors errors;
  private final Supplier<String> base;
  private final Supplier<Secret> apiKey;
  private final Duration timeout;
  private final String userAgent;
  private final HttpClient http;

  /**
   * @param errors the provider's error translation
   * @param base the API base without a trailing slash, read when a call is made (so a missing setting in it fails
   *     the call, not the constructor)
   * @param apiKey the key, read when a call is made (so a missing key fails the call, not the constructor); an empty
   *     key sends no {@code Authorization} header
   * @param timeout the connect timeout and each request's timeout
   * @param userAgent the {@code User-Agent} header, such as {@code tunekit-together}
   */
  public JsonHttpApi(ProviderErrors errors, Supplier<String> base, Supplier<Secret> apiKey, Duration timeout,
      String userAgent) {
    this.errors = errors;
    this.base = base;
    this.apiKey = apiKey;
    this.timeout = timeout;
    this.userAgent = userAgent;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /** GET {@code path} (relative to the base, such as {@code /fine-tunes/ft-1}); a read. */
  public JsonNode get(String path) {
    return send("GET " + path, false, request(path).GET().build());
  }

  /** DELETE {@code path}; a write. */
  public JsonNode delete(String path) {
    return send("DELETE " + path, true, request(path).DELETE().build());
  }

  /** POST {@code body} as JSON to {@code path}; {@code write} says whether it changes something. */
  public JsonNode post(String path, JsonNode body, boolean write) {
    return send("POST " + path, write, jsonPost(path, body));
  }

  /**
   * POST {@code body} as JSON to {@code path} and return the answer as text (key redacted), for an endpoint whose
   * success answer is not JSON (vLLM's {@code /v1/load_lora_adapter} answers {@code Success: …}). Errors are
   * translated as for {@link #post}.
   */
  public String postForText(String path, JsonNode body, boolean write) {
    return exchange("POST " + path, write, jsonPost(path, body)).body();
  }

  private HttpRequest jsonPost(String path, JsonNode body) {
    String json;
    try {
      json = JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // a JsonNode always serializes
    }
    return request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
  }

  /**
   * POST a multipart form to {@code path}: the text {@code fields}, then {@code file} as the part named
   * {@code file} with {@code fileName}. The file is streamed, not read into memory. A write.
   */
  public JsonNode postMultipart(String path, Map<String, String> fields, Path file, String fileName) {
    String boundary = "tunekit-" + UUID.randomUUID();
    StringBuilder head = new StringBuilder();
    fields.forEach((k, v) -> head.append("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"").append(k).append("\"\r\n\r\n").append(v).append("\r\n"));
    head.append("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"file\"; filename=\"").append(fileName.replace("\"", "_"))
        .append("\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    String tail = "\r\n--" + boundary + "--\r\n";
    HttpRequest.BodyPublisher filePart;
    try {
      filePart = HttpRequest.BodyPublishers.ofFile(file);
    } catch (FileNotFoundException e) {
      throw new InvalidInputException("the file to upload does not exist: " + file, file.toString());
    }
    return send("POST " + path, true, request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head.toString(), StandardCharsets.UTF_8),
            filePart, HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8))).build());
  }

  /**
   * PUT {@code body} as raw bytes of {@code contentType} to {@code path}; a write. For stores that take a blob as it
   * is (Ray's package store); a blank answer is an empty object.
   */
  public JsonNode put(String path, byte[] body, String contentType) {
    return send("PUT " + path, true, request(path).header("Content-Type", contentType)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  /** {@code value} as a query-string value. */
  public static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private HttpRequest.Builder request(String path) {
    Secret key = apiKey.get();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.get() + path)).timeout(timeout)
        .header("Accept", "application/json").header("User-Agent", userAgent);
    // A blank key sends no Authorization header: a server without authentication (a Ray dashboard by default, a
    // vLLM started without --api-key).
    return key.isBlank() ? b : b.header("Authorization", "Bearer " + key.reveal());
  }

  /** A 2xx answer: its status and its body with the key redacted. */
  private record Answer(int code, String body) {}

  private JsonNode send(String op, boolean write, HttpRequest req) {
    Answer a = exchange(op, write, req);
    int code = a.code();
    String body = a.body();
    try {
      return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      // A 2xx whose body is not JSON: the call took effect, its answer is unreadable.
      throw ProviderException.builder(errors.provider(), op + " answered HTTP " + code + " with a body that is"
          + " not JSON (" + errors.message(body) + ")").cause(e).retryable(write).outcomeUnknown(write).build();
    }
  }

  private Answer exchange(String op, boolean write, HttpRequest req) {
    HttpResponse<String> res;
    try {
      res = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw errors.network(op, write, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProviderException.builder(errors.provider(), op + " was interrupted"
          + (write ? "; it may have been carried out" : "")).cause(e).retryable(false).outcomeUnknown(write).build();
    }
    int code = res.statusCode();
    // A server may echo the key it was sent: what it says is shown to the user, so the key is taken out first.
    String body = apiKey.get().redact(res.body());
    if (code < 200 || code >= 300) {
      throw errors.http(op, write, code, body, retryAfter(res));
    }
    return new Answer(code, body);
  }

  /** The wait an answer's {@code Retry-After} asks for (seconds or an HTTP date). */
  public static Optional<Duration> retryAfter(HttpResponse<?> res) {
    return res.headers().firstValue("Retry-After").flatMap(HttpFailures::retryAfter);
  }

  @Override
  public String toString() {
    return "JsonHttpApi{" + errors.provider() + "}";
  }
}
