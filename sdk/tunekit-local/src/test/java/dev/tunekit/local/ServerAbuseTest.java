package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local server against hostile clients (issue 11, items 9 and 12): raw sockets that announce huge
 * bodies, dribble them, stop sending, or send garbage. Every answer is OpenAI's JSON error shape.
 */
class ServerAbuseTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static LocalServer server;

  @BeforeAll
  static void start() {
    server = LocalServer.builder().dataDir(dir.resolve("data")).stepDelay(Duration.ZERO).start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A raw HTTP response: status, headers (lower-case names) and body. */
  record Raw(int status, String head, String body) {
    JsonNode error() throws IOException {
      assertThat(head.toLowerCase(Locale.ROOT)).as(head).contains("content-type: application/json");
      JsonNode e = JSON.readTree(body).path("error");
      assertThat(e.isObject()).as(body).isTrue();
      assertThat(e.path("message").asText()).as(body).isNotBlank();
      assertThat(e.path("type").asText()).as(body).isNotBlank();
      assertThat(e.has("param")).as(body).isTrue();
      assertThat(e.has("code")).as(body).isTrue();
      return e;
    }
  }

  static Socket connect(LocalServer s) throws IOException {
    Socket socket = new Socket("127.0.0.1", s.port());
    socket.setSoTimeout(5_000);
    return socket;
  }

  /** Reads one response (the body up to Content-Length, or to the end of the stream). */
  static Raw read(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the server closed the connection without a response: " + head);
      }
      head.write(c);
      matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
    }
    String h = head.toString(StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(h.substring(9, 12));
    long length = -1;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Long.parseLong(line.substring(15).trim());
      }
    }
    byte[] body = length >= 0 ? in.readNBytes((int) length) : in.readAllBytes();
    return new Raw(status, h, new String(body, StandardCharsets.UTF_8));
  }

  static Raw exchange(LocalServer s, String request) throws IOException {
    try (Socket socket = connect(s)) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return read(socket);
    }
  }

  static String auth(LocalServer s) {
    return "Authorization: Bearer " + s.token().reveal() + "\r\n";
  }

  // ---- (a) authenticate before reading a body

  @Test
  void anUnauthenticatedHugeBodyIsRefusedWith401WithoutBeingRead() throws Exception {
    // 900 MB announced, not one byte of it sent: the 401 can only come before the body is read.
    Raw r = exchange(server, "POST /v1/files HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 900000000\r\n\r\n");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.error().path("code").asText()).isEqualTo("invalid_api_key");
  }

  // ---- (b) oversized bodies: from the declared length, or counted as they stream

  @Test
  void aBodyDeclaredLargerThanTheLimitIs413BeforeItIsRead() throws Exception {
    Raw json = exchange(server, "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + auth(server)
        + "Content-Type: application/json\r\nContent-Length: " + (LocalServer.DEFAULT_MAX_JSON_BYTES + 1) + "\r\n\r\n");
    assertThat(json.status()).isEqualTo(413);
    assertThat(json.error().path("code").asText()).isEqualTo("request_too_large");
    assertThat(json.error().path("message").asText()).contains(String.valueOf(LocalServer.DEFAULT_MAX_JSON_BYTES));

    Raw file = exchange(server, "POST /v1/files HTTP/1.1\r\nHost: localhost\r\n" + auth(server)
        + "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: "
        + (LocalServer.DEFAULT_MAX_FILE_BYTES + 1) + "\r\n\r\n");
    assertThat(file.status()).isEqualTo(413);
    assertThat(file.error().path("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void aChunkedBodyIsCountedAsItStreams() throws Exception {
    try (LocalServer small = LocalServer.builder().dataDir(dir.resolve("chunked")).maxJsonBytes(16 * 1024)
        .stepDelay(Duration.ZERO).start(); Socket socket = connect(small)) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + auth(small)
          + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = ("2000\r\n" + " ".repeat(0x2000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
      for (int i = 0; i < 3; i++) { // 24 KiB, no last chunk: the server must stop counting at 16 KiB
        out.write(chunk);
      }
      out.flush();
      Raw r = read(socket);
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.error().path("message").asText()).contains("16384");
    }
  }

  // ---- (c) slow clients cannot freeze the API

  @Test
  void clientsThatDribbleTheirBodiesDoNotBlockOtherRequests() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) { // twice the old server's 4 worker threads
        Socket s = connect(server);
        s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + auth(server)
            + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"model\":").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        slow.add(s);
      }
      Thread.sleep(200); // every slow request has reached a worker
      for (Socket s : slow) {
        s.getOutputStream().write(' '); // still dribbling
      }
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models"))
          .header("Authorization", "Bearer " + server.token().reveal()).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(models.statusCode()).isEqualTo(200);
      assertThat(models.body()).contains("local-base");
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void aClientThatStopsSendingIsCutOffAfterTheIdleTimeout() throws Exception {
    try (LocalServer quick = LocalServer.builder().dataDir(dir.resolve("idle")).idleTimeout(Duration.ofMillis(500))
        .stepDelay(Duration.ZERO).start(); Socket socket = connect(quick)) {
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + auth(quick)
          + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"mo").getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      long start = System.nanoTime();
      try {
        // Within the socket's 5 s read timeout the server answers 408 (and closes the connection).
        Raw r = read(socket);
        assertThat(r.status()).isEqualTo(408);
        r.error();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server kept a silent client's connection open for 5 s", e);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
  }

  // ---- (e) expired uploads and orphaned parts

  @Test
  void expiredUploadsAreMarkedExpiredAndTheirPartsDeleted() throws Exception {
    Path data = dir.resolve("expiry");
    Path orphan = data.resolve("uploads").resolve("upload_fromALastRun").resolve("part_x");
    Files.createDirectories(orphan.getParent());
    Files.write(orphan, new byte[1024]);
    try (LocalServer s = LocalServer.builder().dataDir(data).uploadExpiry(Duration.ofMillis(600))
        .stepDelay(Duration.ZERO).start()) {
      assertThat(orphan.getParent()).as("parts of a previous run's uploads are orphans").doesNotExist();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/uploads"))
          .header("Authorization", "Bearer " + s.token().reveal()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"filename\":\"a.jsonl\",\"purpose\":\"fine-tune\",\"bytes\":5}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      JsonNode upload = JSON.readTree(created.body());
      String id = upload.path("id").asText();
      // 600 ms in whole seconds: created_at is rounded down and expires_at up, so 1 or 2 seconds apart.
      assertThat(upload.path("expires_at").asLong() - upload.path("created_at").asLong()).isBetween(1L, 2L);
      String boundary = "b0undary";
      String part = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"blob\"\r\n"
          + "Content-Type: application/octet-stream\r\n\r\nhello\r\n--" + boundary + "--\r\n";
      HttpResponse<String> added = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/uploads/" + id + "/parts"))
          .header("Authorization", "Bearer " + s.token().reveal())
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .POST(HttpRequest.BodyPublishers.ofString(part)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
      Path parts = data.resolve("uploads").resolve(id);
      assertThat(parts).isDirectory();
      long until = System.nanoTime() + 5_000_000_000L;
      while (Files.exists(parts) && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(parts).as("the expired upload's parts are deleted by the sweeper").doesNotExist();
      HttpResponse<String> complete = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/uploads/" + id + "/complete"))
          .header("Authorization", "Bearer " + s.token().reveal()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"part_ids\":[\"" + JSON.readTree(added.body()).path("id").asText()
              + "\"]}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(complete.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(complete.body()).at("/error/message").asText()).contains("is expired");
    }
  }

  // ---- item 12: every error is OpenAI's JSON shape, even for requests that never reach a route

  @Test
  void garbageGetsOpenAisJsonErrorShapeNeverAnHtmlPage() throws Exception {
    String a = auth(server);
    List<String> garbage = List.of(
        "GARBAGE\r\n\r\n",
        "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nthis header has no colon\r\n\r\n",
        "GET /v1/%zz HTTP/1.1\r\nHost: localhost\r\n" + a + "\r\n",
        "GET /v1/files/%2e%2e/%2e%2e/etc HTTP/1.1\r\nHost: localhost\r\n" + a + "\r\n",
        "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "x".repeat(20_000) + "\r\n\r\n",
        "GET /v1/models HTTP/7.3\r\nHost: localhost\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + a + "Content-Length: abc\r\n\r\n",
        "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n" + a + "\r\n",
        "BREW /v1/models HTTP/1.1\r\nHost: localhost\r\n" + a + "\r\n",
        "DELETE /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + a + "\r\n",
        "GET /nowhere HTTP/1.1\r\nHost: localhost\r\n" + a + "\r\n",
        "GET /v1/models\u0001 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    for (String request : garbage) {
      Raw r = exchange(server, request);
      String shown = request.length() > 80 ? request.substring(0, 80) + "..." : request;
      assertThat(r.status()).as(shown).isBetween(400, 599);
      assertThat(r.body()).as(shown).doesNotContain("<html").doesNotContain("<HTML");
      r.error();
    }
  }
}
