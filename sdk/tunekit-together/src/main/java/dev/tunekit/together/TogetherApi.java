package dev.tunekit.together;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tunekit.error.ProviderException;
import dev.tunekit.http.JsonHttpApi;
import dev.tunekit.model.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Together's fine-tuning REST API: JSON GET and POST and one multipart upload through the shared {@link JsonHttpApi}
 * (the JDK's {@link HttpClient} with Jackson), and the model download, which only Together has. Together publishes
 * no Java SDK (its SDKs are Python and TypeScript), its fine-tuning API is not OpenAI-shaped, and these few calls do
 * not justify a generated client or another HTTP stack; chat, which is OpenAI-compatible, goes through openai-java
 * instead.
 *
 * <p>One attempt per call (the core retries); every failure is a Tunekit exception from {@link TogetherErrors}
 * that says whether the call may have taken effect. The API key is sent as a bearer token and appears in no
 * message, log or {@code toString}; a key the server echoes back is redacted.
 */
final class TogetherApi {
  private final String base;
  private final Supplier<Secret> apiKey;
  private final java.time.Duration timeout;
  private final JsonHttpApi json;
  private final HttpClient noRedirects;

  /**
   * @param base the API base without a trailing slash, such as https://api.together.xyz/v1
   * @param apiKey the key, read when a call is made (so a missing key fails the call, not the constructor)
   */
  TogetherApi(String base, Supplier<Secret> apiKey, java.time.Duration timeout) {
    this.base = base;
    this.apiKey = apiKey;
    this.timeout = timeout;
    this.json = new JsonHttpApi(TogetherErrors.ERRORS, () -> base, apiKey, timeout, "tunekit-together");
    this.noRedirects = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** GET {@code path} (relative to the base, such as {@code /fine-tunes/ft-1}); a read. */
  JsonNode get(String path) {
    return json.get(path);
  }

  /** POST {@code body} as JSON to {@code path}. */
  JsonNode post(String path, JsonNode body, boolean write) {
    return json.post(path, body, write);
  }

  /**
   * POST a multipart form to {@code path}: the text {@code fields}, then {@code file} as the part named
   * {@code file} with {@code fileName}. The file is streamed, not read into memory.
   */
  JsonNode postMultipart(String path, Map<String, String> fields, Path file, String fileName) {
    return json.postMultipart(path, fields, file, fileName);
  }

  /**
   * GET {@code path} as bytes, streamed into {@code target} (replaced). Redirects (Together may answer with a
   * presigned storage URL) are followed by hand, at most five: the bearer token goes only to the base's own
   * origin, and neither a redirect's URL (it may carry a signature) nor another host's error body appears in a
   * message. Returns the file name of the answer's {@code Content-Disposition}, if it gives one.
   */
  java.util.Optional<String> download(String path, String op, Path target) {
    URI uri = URI.create(base + path);
    URI own = URI.create(base);
    for (int hop = 0; hop <= 5; hop++) {
      boolean ours = sameOrigin(uri, own);
      HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", "tunekit-together");
      if (ours) {
        rb.header("Authorization", "Bearer " + apiKey.get().reveal());
      }
      HttpResponse<java.io.InputStream> res;
      try {
        res = noRedirects.send(rb.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        throw TogetherErrors.ERRORS.network(op, false, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ProviderException.builder(TogetherErrors.PROVIDER, op + " was interrupted").cause(e).retryable(false).build();
      }
      int code = res.statusCode();
      try (java.io.InputStream in = res.body()) {
        if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
          java.util.Optional<String> location = res.headers().firstValue("Location");
          URI from = uri;
          URI next = location.map(l -> from.resolve(l.trim())).orElse(null);
          if (next == null || !("https".equals(next.getScheme()) || "http".equals(next.getScheme()))) {
            throw ProviderException.builder(TogetherErrors.PROVIDER, op + " was redirected (HTTP " + code + ") without a"
                + " usable http(s) location").statusCode(code).retryable(false).build();
          }
          uri = next;
          continue;
        }
        if (code < 200 || code >= 300) {
          String body = ours ? apiKey.get().redact(new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8))
              : "(the answer of the storage host " + uri.getHost() + " is not shown)";
          throw TogetherErrors.ERRORS.http(op, false, code, body, JsonHttpApi.retryAfter(res));
        }
        java.nio.file.Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } catch (java.nio.file.FileSystemException e) {
        throw new dev.tunekit.error.TunekitException(op + ": could not write the download (" + e.getMessage()
            + "); check the directory's free space and permissions", e);
      } catch (IOException e) {
        throw TogetherErrors.ERRORS.network(op, false, e);
      }
      return res.headers().firstValue("Content-Disposition").flatMap(TogetherApi::fileName);
    }
    throw ProviderException.builder(TogetherErrors.PROVIDER, op + " was redirected more than five times")
        .retryable(false).build();
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  /** The {@code filename} of a Content-Disposition header, if it is a plain file name (no path, no dot first). */
  static java.util.Optional<String> fileName(String disposition) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("filename=\"?([^\";]+)\"?").matcher(disposition);
    if (!m.find()) {
      return java.util.Optional.empty();
    }
    String name = m.group(1).trim();
    return name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}") ? java.util.Optional.of(name) : java.util.Optional.empty();
  }

  /** {@code value} as a query-string value. */
  static String query(String value) {
    return JsonHttpApi.query(value);
  }

  @Override
  public String toString() {
    return "TogetherApi{" + base + "}";
  }
}
