package dev.tunekit.fireworks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Fireworks' control-plane REST API ({@code https://api.fireworks.ai/v1/accounts/{accountId}}) in one small class:
 * JSON GET, POST and DELETE and one multipart upload, through the JDK's {@link HttpClient} with Jackson. Fireworks
 * publishes no Java SDK (its SDK is Python; for other languages it points to the OpenAI SDKs, which cover inference
 * only), and these few calls do not justify a generated client or another HTTP stack; chat, which is
 * OpenAI-compatible, goes through openai-java instead.
 *
 * <p>One attempt per call (the core retries); every failure is a Tunekit exception from {@link FireworksErrors}
 * that says whether the call may have taken effect. The API key is sent as a bearer token and appears in no
 * message, log or {@code toString}.
 */
final class FireworksApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<String> base;
  private final Supplier<String> apiKey;
  private final java.time.Duration timeout;
  private final HttpClient http;

  /**
   * @param base the account's API base without a trailing slash, such as https://api.fireworks.ai/v1/accounts/acme
   *     (read when a call is made, so a missing account id fails the call, not the constructor)
   * @param apiKey reveals the key when a call is made (so a missing key fails the call, not the constructor)
   */
  FireworksApi(Supplier<String> base, Supplier<String> apiKey, java.time.Duration timeout) {
    this.base = base;
    this.apiKey = apiKey;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /** GET {@code path} (relative to the base, such as {@code /supervisedFineTuningJobs/tk-1}); a read. */
  JsonNode get(String path) {
    return send("GET " + path, false, request(path).GET().build());
  }

  /** DELETE {@code path}. */
  JsonNode delete(String path) {
    return send("DELETE " + path, true, request(path).DELETE().build());
  }

  /** POST {@code body} as JSON to {@code path}. */
  JsonNode post(String path, JsonNode body, boolean write) {
    String json;
    try {
      json = JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // a JsonNode always serializes
    }
    return send("POST " + path, write, request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build());
  }

  /**
   * POST a multipart form to {@code path}: the text {@code fields}, then {@code file} as the part named
   * {@code file} with {@code fileName}. The file is streamed, not read into memory.
   */
  JsonNode postMultipart(String path, Map<String, String> fields, Path file, String fileName) {
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

  /** {@code value} as a query-string value. */
  static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private HttpRequest.Builder request(String path) {
    String key = apiKey.get();
    return HttpRequest.newBuilder(URI.create(base.get() + path)).timeout(timeout)
        .header("Authorization", "Bearer " + key).header("Accept", "application/json")
        .header("User-Agent", "tunekit-fireworks");
  }

  private JsonNode send(String op, boolean write, HttpRequest req) {
    HttpResponse<String> res;
    try {
      res = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw FireworksErrors.network(op, write, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProviderException.builder(FireworksErrors.PROVIDER, op + " was interrupted"
          + (write ? "; it may have been carried out" : "")).cause(e).retryable(false).outcomeUnknown(write).build();
    }
    int code = res.statusCode();
    // A server may echo the key it was sent: what it says is shown to the user, so the key is taken out first.
    String body = FireworksErrors.redact(res.body(), apiKey.get());
    if (code < 200 || code >= 300) {
      throw FireworksErrors.http(op, write, code, body,
          res.headers().firstValue("Retry-After").flatMap(FireworksErrors::seconds));
    }
    try {
      return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      // A 2xx whose body is not JSON: the call took effect, its answer is unreadable.
      throw ProviderException.builder(FireworksErrors.PROVIDER, op + " answered HTTP " + code + " with a body that is"
          + " not JSON (" + FireworksErrors.message(body) + ")").cause(e).retryable(write).outcomeUnknown(write).build();
    }
  }

  @Override
  public String toString() {
    return "FireworksApi{}";
  }
}
