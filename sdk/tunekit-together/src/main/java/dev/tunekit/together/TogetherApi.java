package dev.tunekit.together;

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
 * Together's fine-tuning REST API in one small class: JSON GET and POST and one multipart upload, through the
 * JDK's {@link HttpClient} with Jackson. Together publishes no Java SDK (its SDKs are Python and TypeScript), its
 * fine-tuning API is not OpenAI-shaped, and these few calls do not justify a generated client or another HTTP
 * stack; chat, which is OpenAI-compatible, goes through openai-java instead.
 *
 * <p>One attempt per call (the core retries); every failure is a Tunekit exception from {@link TogetherErrors}
 * that says whether the call may have taken effect. The API key is sent as a bearer token and appears in no
 * message, log or {@code toString}.
 */
final class TogetherApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final Supplier<String> apiKey;
  private final java.time.Duration timeout;
  private final HttpClient http;

  /**
   * @param base the API base without a trailing slash, such as https://api.together.xyz/v1
   * @param apiKey reveals the key when a call is made (so a missing key fails the call, not the constructor)
   */
  TogetherApi(String base, Supplier<String> apiKey, java.time.Duration timeout) {
    this.base = base;
    this.apiKey = apiKey;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /** GET {@code path} (relative to the base, such as {@code /fine-tunes/ft-1}); a read. */
  JsonNode get(String path) {
    return send("GET " + path, false, request(path).GET().build());
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
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
        .header("Authorization", "Bearer " + key).header("Accept", "application/json")
        .header("User-Agent", "tunekit-together");
  }

  private JsonNode send(String op, boolean write, HttpRequest req) {
    HttpResponse<String> res;
    try {
      res = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw TogetherErrors.network(op, write, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProviderException.builder(TogetherErrors.PROVIDER, op + " was interrupted"
          + (write ? "; it may have been carried out" : "")).cause(e).retryable(false).outcomeUnknown(write).build();
    }
    int code = res.statusCode();
    if (code < 200 || code >= 300) {
      throw TogetherErrors.http(op, write, code, res.body(),
          res.headers().firstValue("Retry-After").flatMap(TogetherErrors::seconds));
    }
    try {
      String body = res.body();
      return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      // A 2xx whose body is not JSON: the call took effect, its answer is unreadable.
      throw ProviderException.builder(TogetherErrors.PROVIDER, op + " answered HTTP " + code + " with a body that is"
          + " not JSON (" + TogetherErrors.message(res.body()) + ")").cause(e).retryable(write).outcomeUnknown(write).build();
    }
  }

  @Override
  public String toString() {
    return "TogetherApi{" + base + "}";
  }
}
