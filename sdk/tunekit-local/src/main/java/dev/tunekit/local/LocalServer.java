package dev.tunekit.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible fine-tuning server that runs on this machine: {@code /v1/files},
 * {@code /v1/uploads}, {@code /v1/fine_tuning/jobs} (with events, checkpoints, cancel, pause, resume),
 * {@code /v1/chat/completions} and {@code /v1/models}, with OpenAI's object and error shapes, so the
 * official OpenAI clients work against it unchanged. It binds to loopback by default, requires a
 * bearer token, and keeps its files, jobs and models under a data directory.
 *
 * <pre>{@code
 * try (LocalServer server = LocalServer.builder().dataDir(Path.of("work/local-server")).start()) {
 *   String baseUrl = server.baseUrl();          // http://127.0.0.1:PORT/v1
 *   Secret token = server.token();               // pass as the API key
 * }
 * }</pre>
 *
 * <p>HTTP is served by Eclipse Jetty 12 (core API, no servlets): the token is checked before a body
 * is read, bodies larger than the configured limits are refused from their declared length (or as they
 * stream, when chunked), slow clients time out, uploads are streamed to disk, and every error — including
 * a malformed request line or header that never reaches a route — is OpenAI's JSON error shape.
 *
 * <p>Standalone: {@code java -jar tunekit-local-VERSION-server.jar --help}.
 */
public final class LocalServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalServer.class);

  private static final Set<String> PURPOSES = Set.of("fine-tune", "assistants", "batch", "vision", "user_data", "evals");
  /** OpenAI's limit on one part of an Upload. */
  static final long MAX_PART_BYTES = 64L * 1024 * 1024;
  private static final long MAX_UPLOAD_BYTES = 8L * 1024 * 1024 * 1024;
  /** Multipart fields up to this size are kept in memory; larger ones (the file) go to disk as they arrive. */
  private static final long MAX_MEMORY_PART_BYTES = 64 * 1024;
  /** HTTP worker threads at most; a blocked reader holds one only until the idle timeout. */
  private static final int MAX_THREADS = 64;

  private final Store store;
  private final JobRunner runner;
  private final Server jetty;
  private final ServerConnector connector;
  private final ScheduledExecutorService sweeper;
  private final Secret token;
  private final byte[] tokenBytes;
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
  private final long maxJsonBytes;
  private final long maxFileBytes;
  private final Duration uploadExpiry;

  /** An in-progress multipart upload (kept in memory; parts on disk). */
  private static final class Upload {
    String id;
    String filename;
    String purpose;
    long bytes;
    long createdAt;
    long expiresAt;
    long expiresAtMillis;
    String status = "pending";
    String fileId;
    final Map<String, Path> parts = new LinkedHashMap<>();
  }

  private LocalServer(Builder b) throws IOException {
    this.maxJsonBytes = b.maxJsonBytes;
    this.maxFileBytes = b.maxFileBytes;
    this.uploadExpiry = b.uploadExpiry;
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
    threads.setName("tunekit-local-http");
    threads.setDaemon(true);
    this.jetty = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    this.connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(config));
    connector.setHost(b.host);
    connector.setPort(b.port);
    connector.setIdleTimeout(b.idleTimeout.toMillis());
    // TCP_NODELAY on accepted connections (Jetty's default, made explicit). Without it every reply on a
    // kept-alive connection waits for the client's delayed ACK (about 40 ms: 22-38 requests/s).
    // -Dtunekit.local.tcpNoDelay=false turns it off: only LocalServerChatBenchmark's peer does that.
    connector.setAcceptedTcpNoDelay(!"false".equals(System.getProperty("tunekit.local.tcpNoDelay")));
    jetty.addConnector(connector);
    jetty.setErrorHandler(new JsonErrorHandler());
    jetty.setHandler(new Api());
    // Bind first: a taken port fails before any state is read or thread started.
    try {
      connector.open();
    } catch (IOException e) {
      stopQuietly(jetty);
      throw e;
    }
    try {
      this.store = new Store(b.dataDir);
    } catch (RuntimeException e) {
      stopQuietly(jetty);
      throw e;
    }
    this.token = b.token != null ? b.token : store.token();
    this.tokenBytes = token.reveal().getBytes(StandardCharsets.UTF_8);
    this.runner = new JobRunner(store, b.trainer, b.stepDelay);
    this.sweeper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(JobRunner.daemon("tunekit-local-uploads"));
    long every = Math.max(100, Math.min(60_000, uploadExpiry.toMillis() / 2));
    sweeper.scheduleWithFixedDelay(this::expireUploads, every, every, TimeUnit.MILLISECONDS);
    try {
      jetty.start();
    } catch (Exception e) {
      close();
      throw new IOException("Jetty did not start: " + e.getMessage(), e);
    }
    runner.recover();
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.debug("stopping Jetty failed", e);
    }
  }

  /** A builder with defaults: loopback, an ephemeral port, a generated token, the exemplar trainer. */
  public static Builder builder() {
    return new Builder();
  }

  /** The base URL clients use, such as {@code http://127.0.0.1:8484/v1}. */
  public String baseUrl() {
    String host = connector.getHost();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port() + "/v1";
  }

  /** The port the server listens on. */
  public int port() {
    return connector.getLocalPort();
  }

  private final java.util.concurrent.atomic.AtomicLong requestsReceived = new java.util.concurrent.atomic.AtomicLong();

  /** The bearer token clients must send (the API key). */
  public Secret token() {
    return token;
  }

  /** The directory holding the server's files, jobs and models. */
  public Path dataDir() {
    return store.dir();
  }

  /** The artifact of tuned model (or checkpoint) {@code modelId} and the trainer that made it, if this server has it. */
  Optional<JobRunner.Artifact> artifact(String modelId) {
    return runner.artifact(modelId);
  }

  /** Whether new jobs train with the exemplar trainer (which tunes only {@code local-base}). */
  boolean exemplarTrainer() {
    return runner.trainer().name().equals(ExemplarTrainer.NAME);
  }

  /** Stops the server: running jobs are interrupted and, on the next start, restarted or marked failed. */
  @Override
  public void close() {
    stopQuietly(jetty);
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    if (runner != null) {
      runner.close();
    }
    if (store != null) {
      store.close();
    }
  }

  // ---------------------------------------------------------------- HTTP

  /** How many HTTP requests the server has received since it started (for tests that assert none was sent). */
  long requestsReceived() {
    return requestsReceived.get();
  }

  /** What a route answers: a status, a content type and either bytes or a file streamed from disk. */
  private record Reply(int status, String type, byte[] bytes, Path file) {
    static Reply json(int status, JsonNode body) {
      try {
        return new Reply(status, "application/json", Store.JSON.writeValueAsBytes(body), null);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    static Reply ok(JsonNode body) {
      return json(200, body);
    }
  }

  /** The API: every request. Blocking (Jetty's default for a handler): it runs on a worker thread. */
  private final class Api extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      LocalServer.this.handle(request, response, callback);
      return true;
    }
  }

  private void handle(Request request, Response response, Callback callback) {
    requestsReceived.incrementAndGet();
    String method = request.getMethod().toUpperCase(Locale.ROOT);
    String path = request.getHttpURI().getPath();
    Reply reply;
    try {
      // The token is checked before any byte of a body is read: an unauthenticated client cannot make
      // the server read (or buffer) anything. The unread body is not drained; Jetty closes the connection.
      if (!authorised(request)) {
        throw new ApiError(401, "invalid_request_error", "Incorrect API key provided. Use the local server's token: "
            + "the standalone server writes it to DATA_DIR/server.token; in process it is LocalServer.token().", null,
            "invalid_api_key");
      }
      reply = route(request, method, path == null ? "/" : path);
    } catch (ApiError e) {
      reply = Reply.json(e.status, errorJson(e));
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("{} {}: reading the request failed", method, path, e);
      if (!timedOut(e)) {
        // The client went away: nothing can be answered.
        callback.failed(e instanceof UncheckedIOException u ? u.getCause() : e);
        return;
      }
      // The client stopped sending for the idle timeout: a 408 (Jetty closes the connection after it).
      reply = Reply.json(408, errorJson(protocolError(408, "no data for the idle timeout of "
          + connector.getIdleTimeout() + " ms")));
    } catch (RuntimeException e) {
      LOG.warn("request failed: {} {}: {}", method, path, e.toString());
      LOG.debug("request failed: {} {}", method, path, e);
      reply = Reply.json(500, errorJson(new ApiError(500, "server_error", "The local server failed: " + e, null, null)));
    }
    send(response, callback, reply);
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static void send(Response response, Callback callback, Reply reply) {
    response.setStatus(reply.status());
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(HttpHeader.CONTENT_TYPE, reply.type());
    headers.put("x-request-id", Store.newId("req_"));
    if (reply.file() == null) {
      headers.put(HttpHeader.CONTENT_LENGTH, reply.bytes().length);
      response.write(true, ByteBuffer.wrap(reply.bytes()), callback);
      return;
    }
    try {
      headers.put(HttpHeader.CONTENT_LENGTH, Files.size(reply.file()));
      try (OutputStream out = Content.Sink.asOutputStream(response)) {
        Files.copy(reply.file(), out);
      }
      callback.succeeded();
    } catch (IOException e) {
      LOG.debug("sending {} failed", reply.file().getFileName(), e);
      callback.failed(e);
    }
  }

  private boolean authorised(Request request) {
    String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    String apiKey = request.getHeaders().get("api-key");
    String presented = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      presented = header.substring(7).trim();
    } else if (apiKey != null) {
      presented = apiKey.trim();
    }
    return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), tokenBytes);
  }

  private Reply route(Request ex, String method, String rawPath) throws IOException {
    List<String> seg = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        try {
          seg.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw ApiError.invalid("The path is not validly percent-encoded: " + e.getMessage(), null);
        }
      }
    }
    Map<String, String> q = query(ex);
    int n = seg.size();
    if (n >= 2 && seg.get(0).equals("v1")) {
      String r = seg.get(1);
      if (r.equals("files")) {
        if (n == 2 && method.equals("POST")) {
          return Reply.ok(createFile(ex));
        }
        if (n == 2 && method.equals("GET")) {
          return Reply.ok(listFiles(q));
        }
        if (n == 3 && method.equals("GET")) {
          return Reply.ok(fileJson(file(seg.get(2))));
        }
        if (n == 3 && method.equals("DELETE")) {
          return Reply.ok(deleteFile(seg.get(2)));
        }
        if (n == 4 && method.equals("GET") && seg.get(3).equals("content")) {
          Store.FileRec f = file(seg.get(2));
          return new Reply(200, f.filename.endsWith(".csv") ? "text/csv" : "application/octet-stream", null,
              store.dataPath(f.id));
        }
      } else if (r.equals("uploads")) {
        if (n == 2 && method.equals("POST")) {
          return Reply.ok(createUpload(body(ex)));
        }
        if (n == 4 && method.equals("POST") && seg.get(3).equals("parts")) {
          return Reply.ok(addPart(ex, seg.get(2)));
        }
        if (n == 4 && method.equals("POST") && seg.get(3).equals("complete")) {
          return Reply.ok(completeUpload(seg.get(2), body(ex)));
        }
        if (n == 4 && method.equals("POST") && seg.get(3).equals("cancel")) {
          return Reply.ok(cancelUpload(seg.get(2)));
        }
      } else if (r.equals("fine_tuning") && n >= 3 && seg.get(2).equals("jobs")) {
        if (n == 3 && method.equals("POST")) {
          return Reply.ok(createJob(body(ex)));
        }
        if (n == 3 && method.equals("GET")) {
          return Reply.ok(listJobs(q));
        }
        if (n == 4 && method.equals("GET")) {
          return Reply.ok(jobJson(job(seg.get(3))));
        }
        if (n == 5 && method.equals("POST")) {
          Store.JobRec j = job(seg.get(3));
          switch (seg.get(4)) {
            case "cancel": return Reply.ok(jobJson(runner.cancel(j)));
            case "pause": return Reply.ok(jobJson(runner.pause(j)));
            case "resume": return Reply.ok(jobJson(runner.resume(j)));
            default: break;
          }
        }
        if (n == 5 && method.equals("GET") && seg.get(4).equals("events")) {
          return Reply.ok(listEvents(job(seg.get(3)), q));
        }
        if (n == 5 && method.equals("GET") && seg.get(4).equals("checkpoints")) {
          return Reply.ok(listCheckpoints(job(seg.get(3)), q));
        }
      } else if (r.equals("chat") && n == 3 && seg.get(2).equals("completions") && method.equals("POST")) {
        return Reply.ok(chat(body(ex)));
      } else if (r.equals("models")) {
        if (n == 2 && method.equals("GET")) {
          ObjectNode list = Store.JSON.createObjectNode().put("object", "list");
          ArrayNode data = list.putArray("data");
          models().forEach(data::add);
          return Reply.ok(list);
        }
        if (n == 3 && method.equals("GET")) {
          return Reply.ok(models().stream().filter(m -> m.path("id").asText().equals(seg.get(2))).findFirst()
              .orElseThrow(() -> modelNotFound(seg.get(2))));
        }
        if (n == 3 && method.equals("DELETE")) {
          return Reply.ok(deleteModel(seg.get(2)));
        }
      }
    }
    throw ApiError.notFound("Invalid URL (" + method + " " + rawPath + ")", null);
  }

  // ---------------------------------------------------------------- files

  private ObjectNode createFile(Request ex) throws IOException {
    try (MultiPartFormData.Parts parts = multipart(ex, maxFileBytes)) {
      MultiPart.Part file = parts.getFirst("file");
      if (file == null) {
        throw ApiError.invalid("Missing the 'file' part of the multipart form.", "file");
      }
      MultiPart.Part purposePart = parts.getFirst("purpose");
      if (purposePart == null) {
        throw ApiError.invalid("Missing the 'purpose' field.", "purpose");
      }
      String purpose = purposePart.getContentAsString(StandardCharsets.UTF_8);
      checkPurpose(purpose);
      String name = file.getFileName() == null || file.getFileName().isBlank() ? "upload" : file.getFileName();
      Path tmp = store.tempFile();
      try {
        file.writeTo(tmp); // a part already on disk is moved, not copied
        return fileJson(store.addFile(name, purpose, tmp));
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }

  private static void checkPurpose(String purpose) {
    if (!PURPOSES.contains(purpose)) {
      throw ApiError.invalid("'" + purpose + "' is not a valid purpose; use one of " + PURPOSES + ".", "purpose");
    }
  }

  private Store.FileRec file(String id) {
    return store.file(id).orElseThrow(() -> ApiError.notFound("No such File object: " + id, "id"));
  }

  private ObjectNode listFiles(Map<String, String> q) {
    List<Store.FileRec> all = store.files();
    if (!"asc".equals(q.get("order"))) {
      java.util.Collections.reverse(all);
    }
    String purpose = q.get("purpose");
    if (purpose != null) {
      all.removeIf(f -> !f.purpose.equals(purpose));
    }
    ObjectNode page = page(all, q, f -> f.id, this::fileJson, 10000);
    page.put("first_id", page.path("data").isEmpty() ? null : page.path("data").get(0).path("id").asText());
    page.put("last_id", page.path("data").isEmpty() ? null
        : page.path("data").get(page.path("data").size() - 1).path("id").asText());
    return page;
  }

  private ObjectNode deleteFile(String id) throws IOException {
    file(id);
    store.deleteFile(id);
    return Store.JSON.createObjectNode().put("id", id).put("object", "file").put("deleted", true);
  }

  private ObjectNode fileJson(Store.FileRec f) {
    ObjectNode o = Store.JSON.createObjectNode();
    o.put("id", f.id);
    o.put("object", "file");
    o.put("bytes", f.bytes);
    o.put("created_at", f.createdAt);
    o.put("filename", f.filename);
    o.put("purpose", f.purpose);
    o.put("status", "processed");
    return o;
  }

  // ---------------------------------------------------------------- uploads

  private ObjectNode createUpload(JsonNode body) {
    Upload u = new Upload();
    u.id = Store.newId("upload_");
    u.filename = requireText(body, "filename");
    u.purpose = requireText(body, "purpose");
    checkPurpose(u.purpose);
    if (!body.path("bytes").canConvertToLong() || body.path("bytes").asLong() < 0) {
      throw ApiError.invalid("'bytes' must be the file's size in bytes.", "bytes");
    }
    u.bytes = body.path("bytes").asLong();
    if (u.bytes > MAX_UPLOAD_BYTES) {
      throw ApiError.invalid("Uploads are limited to 8 GB.", "bytes");
    }
    long now = System.currentTimeMillis();
    u.createdAt = now / 1000;
    u.expiresAtMillis = now + uploadExpiry.toMillis();
    u.expiresAt = (u.expiresAtMillis + 999) / 1000;
    uploads.put(u.id, u);
    return uploadJson(u);
  }

  private Upload upload(String id) {
    Upload u = uploads.get(id);
    if (u == null) {
      throw ApiError.notFound("No such Upload object: " + id, "upload_id");
    }
    return u;
  }

  private ObjectNode addPart(Request ex, String uploadId) throws IOException {
    Upload u = upload(uploadId);
    checkPending(u, "parts can only be added to a pending upload");
    try (MultiPartFormData.Parts parts = multipart(ex, MAX_PART_BYTES + 65536)) {
      MultiPart.Part data = parts.getFirst("data");
      if (data == null) {
        throw ApiError.invalid("Missing the 'data' part of the multipart form.", "data");
      }
      if (data.getLength() > MAX_PART_BYTES) {
        throw new ApiError(413, "invalid_request_error", "An upload part is limited to " + MAX_PART_BYTES
            + " bytes (64 MB); split the file into more parts.", "data", "request_too_large");
      }
      synchronized (u) {
        checkPending(u, "parts can only be added to a pending upload");
        String partId = Store.newId("part_");
        Path dir = store.dir().resolve("uploads").resolve(u.id);
        Files.createDirectories(dir);
        Path p = dir.resolve(partId);
        data.writeTo(p); // a part already on disk is moved, not copied
        u.parts.put(partId, p);
        return Store.JSON.createObjectNode().put("id", partId).put("object", "upload.part")
            .put("created_at", Store.now()).put("upload_id", u.id);
      }
    }
  }

  /** Refuses an upload that is not pending; one past its expiry is expired first (and its parts deleted). */
  private void checkPending(Upload u, String what) throws IOException {
    synchronized (u) {
      expireIfDue(u, System.currentTimeMillis());
      if (!u.status.equals("pending")) {
        throw ApiError.invalid("Upload " + u.id + " is " + u.status + "; " + what + "."
            + (u.status.equals("expired") ? " Uploads expire " + uploadExpiry.toSeconds()
            + " s after they are created; create a new one." : ""), null);
      }
    }
  }

  /** Marks a pending upload past its expiry {@code expired} and deletes its parts from disk. */
  private void expireIfDue(Upload u, long nowMillis) throws IOException {
    synchronized (u) {
      if (u.status.equals("pending") && nowMillis >= u.expiresAtMillis) {
        u.status = "expired";
        u.parts.clear();
        JobRunner.deleteTree(store.dir().resolve("uploads").resolve(u.id));
      }
    }
  }

  /**
   * Runs on a timer: expires pending uploads past their expiry (their parts are deleted) and forgets
   * uploads that ended (completed, cancelled, expired) more than one expiry period ago.
   */
  void expireUploads() {
    long now = System.currentTimeMillis();
    for (Upload u : uploads.values()) {
      try {
        expireIfDue(u, now);
        synchronized (u) {
          if (!u.status.equals("pending") && now >= u.expiresAtMillis + uploadExpiry.toMillis()) {
            uploads.remove(u.id);
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("cleaning upload {} failed: {}", u.id, e.toString());
        LOG.debug("cleaning upload {} failed", u.id, e);
      }
    }
  }

  private ObjectNode completeUpload(String uploadId, JsonNode body) throws IOException {
    Upload u = upload(uploadId);
    synchronized (u) {
      checkPending(u, "only a pending upload can be completed");
      JsonNode ids = body.path("part_ids");
      if (!ids.isArray() || ids.isEmpty()) {
        throw ApiError.invalid("'part_ids' must list the parts in order.", "part_ids");
      }
      List<Path> ordered = new ArrayList<>();
      long total = 0;
      for (JsonNode id : ids) {
        Path p = u.parts.get(id.asText());
        if (p == null) {
          throw ApiError.invalid("Part " + id.asText() + " does not belong to upload " + u.id + ".", "part_ids");
        }
        ordered.add(p);
        total += Files.size(p);
      }
      if (total != u.bytes) {
        throw ApiError.invalid("The parts add up to " + total + " bytes but the upload was created for "
            + u.bytes + " bytes.", "part_ids");
      }
      MessageDigest md5 = md5();
      List<InputStream> streams = new ArrayList<>();
      for (Path p : ordered) {
        streams.add(new java.security.DigestInputStream(Files.newInputStream(p), md5));
      }
      Store.FileRec f = store.addFile(u.filename, u.purpose,
          new java.io.SequenceInputStream(java.util.Collections.enumeration(streams)));
      String expected = body.path("md5").asText("");
      String actual = HexFormat.of().formatHex(md5.digest());
      if (!expected.isBlank() && !expected.equalsIgnoreCase(actual)) {
        store.deleteFile(f.id);
        throw ApiError.invalid("The md5 checksum does not match the uploaded bytes (got " + actual + ").", "md5");
      }
      JobRunner.deleteTree(store.dir().resolve("uploads").resolve(u.id));
      u.status = "completed";
      u.fileId = f.id;
      return uploadJson(u);
    }
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode cancelUpload(String uploadId) throws IOException {
    Upload u = upload(uploadId);
    synchronized (u) {
      checkPending(u, "only a pending upload can be cancelled");
      JobRunner.deleteTree(store.dir().resolve("uploads").resolve(u.id));
      u.status = "cancelled";
      return uploadJson(u);
    }
  }

  private ObjectNode uploadJson(Upload u) {
    ObjectNode o = Store.JSON.createObjectNode();
    o.put("id", u.id);
    o.put("object", "upload");
    o.put("bytes", u.bytes);
    o.put("created_at", u.createdAt);
    o.put("filename", u.filename);
    o.put("purpose", u.purpose);
    o.put("status", u.status);
    o.put("expires_at", u.expiresAt);
    if (u.fileId != null) {
      o.set("file", fileJson(file(u.fileId)));
    } else {
      o.putNull("file");
    }
    return o;
  }

  // ---------------------------------------------------------------- jobs

  private ObjectNode createJob(JsonNode body) {
    String model = requireText(body, "model");
    if (!model.equals(ExemplarModels.BASE_MODEL) && exemplarTrainer()) {
      throw new ApiError(400, "invalid_request_error", "Model " + model + " is not available for fine-tuning on the "
          + "local server; use " + ExemplarModels.BASE_MODEL + " (or configure a command trainer, which is given any "
          + "base model name).", "model", "model_not_available");
    }
    if (!LocalPreflight.BASE_MODEL_NAME.matcher(model).matches()) {
      throw ApiError.invalid("Model name '" + model + "' is not a model name: use letters, digits and . _ - / : "
          + "(at most 256), such as Qwen/Qwen2.5-0.5B-Instruct.", "model");
    }
    String trainingFile = requireText(body, "training_file");
    checkTrainingFile(trainingFile, "training_file");
    String validationFile = optionalText(body, "validation_file");
    if (validationFile != null) {
      checkTrainingFile(validationFile, "validation_file");
    }
    JsonNode method = optionalObject(body, "method", "method");
    String methodType = method.isMissingNode() ? "supervised" : optionalText(method, "type");
    if (methodType == null) {
      methodType = "supervised";
    }
    if (!methodType.equals("supervised")) {
      throw ApiError.invalid("The local server trains with method 'supervised' only, not '" + methodType + "'.", "method.type");
    }
    JsonNode supervised = optionalObject(method, "supervised", "method.supervised");
    JsonNode hp = optionalObject(supervised, "hyperparameters", "method.supervised.hyperparameters");
    String hpParam = "method.supervised.hyperparameters.";
    if (hp.isMissingNode()) {
      hp = optionalObject(body, "hyperparameters", "hyperparameters");
      hpParam = "hyperparameters.";
    }
    Store.JobRec j = new Store.JobRec();
    j.id = Store.newId("ftjob-");
    j.model = model;
    j.status = "validating_files";
    j.trainer = runner.trainer().name();
    j.createdAt = Store.now();
    j.trainingFile = trainingFile;
    j.validationFile = validationFile;
    j.nEpochs = intOrAuto(hp, "n_epochs", 1, LocalPreflight.MAX_EPOCHS, hpParam);
    j.batchSize = intOrAuto(hp, "batch_size", 1, LocalPreflight.MAX_BATCH_SIZE, hpParam);
    JsonNode lr = hp.path("learning_rate_multiplier");
    if (lr.isNumber()) {
      if (lr.asDouble() <= 0 || !Double.isFinite(lr.asDouble())) {
        throw ApiError.invalid("learning_rate_multiplier must be greater than 0.", hpParam + "learning_rate_multiplier");
      }
      j.learningRateMultiplier = lr.asDouble();
    } else if (!lr.isMissingNode() && !lr.isNull() && !(lr.isTextual() && lr.asText().equals("auto"))) {
      throw ApiError.invalid("Invalid 'learning_rate_multiplier': expected 'auto' or a number greater than 0, but got "
          + kind(lr) + ".", hpParam + "learning_rate_multiplier");
    }
    for (Map.Entry<String, JsonNode> e : hp.properties()) {
      if (!Set.of("n_epochs", "batch_size", "learning_rate_multiplier").contains(e.getKey())) {
        j.extras.put(e.getKey(), Store.JSON.convertValue(e.getValue(), Object.class));
      }
    }
    JsonNode suffix = body.path("suffix");
    optionalText(body, "suffix");
    if (suffix.isTextual()) {
      if (suffix.asText().length() > 64 || !suffix.asText().matches("[A-Za-z0-9_.-]*")) {
        throw ApiError.invalid("suffix must be at most 64 characters of letters, digits, '-', '_' and '.'.", "suffix");
      }
      j.suffix = suffix.asText().isEmpty() ? null : suffix.asText();
    }
    Integer seed = optionalInt(body, "seed", 0, Integer.MAX_VALUE);
    j.seed = seed != null ? seed : Math.floorMod(new java.security.SecureRandom().nextLong(), 2_147_483_647L);
    JsonNode metadata = optionalObject(body, "metadata", "metadata");
    if (metadata.isObject()) {
      if (metadata.size() > 16) {
        throw ApiError.invalid("metadata can have at most 16 keys.", "metadata");
      }
      for (Map.Entry<String, JsonNode> e : metadata.properties()) {
        if (e.getKey().length() > 64 || !e.getValue().isTextual() || e.getValue().asText().length() > 512) {
          throw ApiError.invalid("metadata keys must be at most 64 characters and values strings of at most 512.", "metadata");
        }
        j.metadata.put(e.getKey(), e.getValue().asText());
      }
    }
    JobRunner.event(j, "info", "Created fine-tuning job: " + j.id);
    JobRunner.event(j, "info", "Validating training file: " + trainingFile
        + (validationFile == null ? "" : " and validation file: " + validationFile));
    store.addJob(j);
    runner.submitValidation(j.id);
    return jobJson(j);
  }

  private void checkTrainingFile(String id, String param) {
    Store.FileRec f = store.file(id).orElseThrow(() -> ApiError.invalid("invalid " + param + ": " + id
        + " (no such file on this server)", param));
    if (!f.purpose.equals("fine-tune")) {
      throw ApiError.invalid("File " + id + " has purpose '" + f.purpose + "'; upload it with purpose 'fine-tune'.", param);
    }
  }

  private static Integer intOrAuto(JsonNode hp, String name, int min, int max, String paramPrefix) {
    JsonNode v = hp.path(name);
    if (v.isMissingNode() || v.isNull() || (v.isTextual() && v.asText().equals("auto"))) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw ApiError.invalid(name + " must be 'auto' or a whole number from " + min + " to " + max + ", but got "
          + kind(v) + (v.isIntegralNumber() ? " (" + v.asText() + ")" : "") + ".", paramPrefix + name);
    }
    return v.asInt();
  }

  private Store.JobRec job(String id) {
    return store.job(id).orElseThrow(() -> ApiError.notFound("Could not find fine-tuning job " + id + ".", "fine_tuning_job_id"));
  }

  private ObjectNode listJobs(Map<String, String> q) {
    List<Store.JobRec> all = store.jobs();
    java.util.Collections.reverse(all);
    Map<String, String> filter = new LinkedHashMap<>();
    q.forEach((k, v) -> {
      if (k.startsWith("metadata[") && k.endsWith("]")) {
        filter.put(k.substring(9, k.length() - 1), v);
      }
    });
    if (!filter.isEmpty()) {
      synchronized (store) {
        all.removeIf(j -> filter.entrySet().stream().anyMatch(e -> !e.getValue().equals(j.metadata.get(e.getKey()))));
      }
    }
    return page(all, q, j -> j.id, this::jobJson, 20);
  }

  private ObjectNode jobJson(Store.JobRec j) {
    synchronized (store) {
      ObjectNode o = Store.JSON.createObjectNode();
      o.put("object", "fine_tuning.job");
      o.put("id", j.id);
      o.put("created_at", j.createdAt);
      if (j.error != null) {
        ObjectNode e = o.putObject("error");
        e.put("code", j.error.get("code"));
        e.put("message", j.error.get("message"));
        e.put("param", j.error.get("param"));
      } else {
        o.putNull("error");
      }
      o.put("fine_tuned_model", j.fineTunedModel);
      if (j.finishedAt != null) {
        o.put("finished_at", j.finishedAt);
      } else {
        o.putNull("finished_at");
      }
      ObjectNode hp = Store.JSON.createObjectNode();
      putAuto(hp, "batch_size", j.batchSize);
      if (j.learningRateMultiplier == null) {
        hp.put("learning_rate_multiplier", "auto");
      } else {
        hp.put("learning_rate_multiplier", j.learningRateMultiplier);
      }
      putAuto(hp, "n_epochs", j.nEpochs);
      o.set("hyperparameters", hp);
      o.put("model", j.model);
      o.put("organization_id", "org-tunekit-local");
      ArrayNode results = o.putArray("result_files");
      j.resultFiles.forEach(results::add);
      o.put("seed", j.seed);
      o.put("status", j.status);
      if (j.trainedTokens != null) {
        o.put("trained_tokens", j.trainedTokens);
      } else {
        o.putNull("trained_tokens");
      }
      o.put("training_file", j.trainingFile);
      o.put("validation_file", j.validationFile);
      o.putNull("integrations");
      o.putNull("estimated_finish");
      ObjectNode method = o.putObject("method");
      method.put("type", "supervised");
      method.putObject("supervised").set("hyperparameters", hp.deepCopy());
      ObjectNode md = o.putObject("metadata");
      j.metadata.forEach(md::put);
      o.put("suffix", j.suffix);
      return o;
    }
  }

  private static void putAuto(ObjectNode o, String name, Integer value) {
    if (value == null) {
      o.put(name, "auto");
    } else {
      o.put(name, value);
    }
  }

  private ObjectNode listEvents(Store.JobRec j, Map<String, String> q) {
    List<Store.EventRec> events;
    synchronized (store) {
      events = new ArrayList<>(j.events);
    }
    java.util.Collections.reverse(events);
    return page(events, q, e -> e.id, e -> {
      ObjectNode o = Store.JSON.createObjectNode();
      o.put("object", "fine_tuning.job.event");
      o.put("id", e.id);
      o.put("created_at", e.createdAt);
      o.put("level", e.level);
      o.put("message", e.message);
      o.put("type", e.type);
      if (e.data != null) {
        o.set("data", Store.JSON.valueToTree(e.data));
      } else {
        o.putObject("data");
      }
      return o;
    }, 20);
  }

  private ObjectNode listCheckpoints(Store.JobRec j, Map<String, String> q) {
    List<Store.CheckpointRec> all;
    synchronized (store) {
      all = new ArrayList<>(j.checkpoints);
    }
    java.util.Collections.reverse(all);
    ObjectNode page = page(all, q, c -> c.id, c -> {
      ObjectNode o = Store.JSON.createObjectNode();
      o.put("object", "fine_tuning.job.checkpoint");
      o.put("id", c.id);
      o.put("created_at", c.createdAt);
      o.put("fine_tuned_model_checkpoint", c.model);
      o.put("fine_tuning_job_id", j.id);
      o.put("step_number", c.step);
      o.set("metrics", Store.JSON.valueToTree(c.metrics));
      return o;
    }, 10);
    ArrayNode data = (ArrayNode) page.get("data");
    page.put("first_id", data.isEmpty() ? null : data.get(0).path("id").asText());
    page.put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).path("id").asText());
    return page;
  }

  /** A cursor page: items after the one with id {@code after}, at most {@code limit}, and has_more. */
  private static <T> ObjectNode page(List<T> items, Map<String, String> q, Function<T, String> id,
      Function<T, ObjectNode> render, int defaultLimit) {
    int limit = defaultLimit;
    if (q.containsKey("limit")) {
      try {
        limit = Integer.parseInt(q.get("limit"));
      } catch (NumberFormatException e) {
        throw ApiError.invalid("limit must be a whole number.", "limit");
      }
      if (limit < 1) {
        throw ApiError.invalid("limit must be at least 1.", "limit");
      }
    }
    int start = 0;
    String after = q.get("after");
    if (after != null) {
      start = items.size();
      for (int i = 0; i < items.size(); i++) {
        if (id.apply(items.get(i)).equals(after)) {
          start = i + 1;
          break;
        }
      }
    }
    int end = (int) Math.min(items.size(), (long) start + limit);
    ObjectNode o = Store.JSON.createObjectNode();
    o.put("object", "list");
    ArrayNode data = o.putArray("data");
    for (int i = start; i < end; i++) {
      data.add(render.apply(items.get(i)));
    }
    o.put("has_more", end < items.size());
    return o;
  }

  // ---------------------------------------------------------------- models and chat

  private List<ObjectNode> models() {
    List<ObjectNode> out = new ArrayList<>();
    out.add(modelJson(ExemplarModels.BASE_MODEL, 1735689600L, "tunekit-local"));
    for (Store.JobRec j : store.jobs()) {
      synchronized (store) {
        if (j.fineTunedModel != null && !j.modelDeleted) {
          out.add(modelJson(j.fineTunedModel, j.finishedAt == null ? j.createdAt : j.finishedAt, "user"));
          for (Store.CheckpointRec c : j.checkpoints) {
            out.add(modelJson(c.model, c.createdAt, "user"));
          }
        }
      }
    }
    return out;
  }

  private static ObjectNode modelJson(String id, long created, String owner) {
    return Store.JSON.createObjectNode().put("id", id).put("object", "model").put("created", created).put("owned_by", owner);
  }

  private static ApiError modelNotFound(String id) {
    return new ApiError(404, "invalid_request_error", "The model `" + id + "` does not exist or you do not have access to it.",
        "model", "model_not_found");
  }

  private ObjectNode deleteModel(String id) {
    for (Store.JobRec j : store.jobs()) {
      synchronized (store) {
        if (id.equals(j.fineTunedModel) && !j.modelDeleted) {
          j.modelDeleted = true;
          store.saveJob(j);
          runner.forget(id);
          j.checkpoints.forEach(c -> runner.forget(c.model));
          return Store.JSON.createObjectNode().put("id", id).put("object", "model").put("deleted", true);
        }
      }
    }
    if (id.equals(ExemplarModels.BASE_MODEL)) {
      throw new ApiError(403, "invalid_request_error", "The base model cannot be deleted.", "model", null);
    }
    throw modelNotFound(id);
  }

  private ObjectNode chat(JsonNode body) {
    String model = requireText(body, "model");
    if (body.path("stream").asBoolean(false)) {
      throw ApiError.invalid("The local server does not stream; send stream=false.", "stream");
    }
    JsonNode messages = body.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      throw ApiError.invalid("'messages' must be a non-empty array.", "messages");
    }
    Integer n = optionalInt(body, "n", 1, 128);
    Integer maxTokens = optionalInt(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
    if (maxTokens == null) {
      maxTokens = optionalInt(body, "max_tokens", 1, Integer.MAX_VALUE);
    }
    List<ChatMessage> chat = new ArrayList<>();
    StringBuilder prompt = new StringBuilder();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String where = "messages[" + i + "]";
      if (!m.isObject()) {
        throw ApiError.invalid("Invalid type for '" + where + "': expected an object, but got " + kind(m) + ".", where);
      }
      JsonNode role = m.path("role");
      if (!role.isTextual() || !ROLES.contains(role.asText())) {
        throw ApiError.invalid("Invalid value for '" + where + ".role': expected one of " + ROLES + ", but got "
            + (role.isTextual() ? "'" + role.asText() + "'" : kind(role)) + ".", where + ".role");
      }
      String content = checkedText(m.path("content"), where + ".content", role.asText());
      chat.add(new ChatMessage(role.asText(), content));
      prompt.append(content).append('\n');
    }
    ChatModel target = runner.model(model).orElseThrow(() -> modelNotFound(model));
    ChatResponse r = target.chat(ChatRequest.of(model, chat));
    int promptTokens = runner.countTokens(prompt.toString()) + 3 * chat.size();
    String reply = r.content();
    String finish = r.finishReason();
    if (maxTokens != null) {
      String cut = runner.truncate(reply, maxTokens);
      if (cut != null) {
        reply = cut;
        finish = "length";
      }
    }
    int perChoice = finish.equals("length") ? Math.min(maxTokens, runner.countTokens(reply)) : runner.countTokens(reply);
    int choicesWanted = n == null ? 1 : n;
    int completionTokens = perChoice * choicesWanted;
    ObjectNode o = Store.JSON.createObjectNode();
    o.put("id", Store.newId("chatcmpl-"));
    o.put("object", "chat.completion");
    o.put("created", Store.now());
    o.put("model", model);
    ArrayNode choices = o.putArray("choices");
    for (int i = 0; i < choicesWanted; i++) {
      // The local models are deterministic: n choices are n copies of the one answer.
      ObjectNode choice = choices.addObject();
      choice.put("index", i);
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant");
      message.put("content", reply);
      message.putNull("refusal");
      message.putArray("annotations");
      choice.putNull("logprobs");
      choice.put("finish_reason", finish);
    }
    ObjectNode usage = o.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    return o;
  }

  private static final List<String> ROLES = List.of("system", "developer", "user", "assistant", "tool", "function");
  private static final Set<String> PART_TYPES = Set.of("text", "image_url", "input_audio", "file", "refusal");

  /**
   * The text of a chat message's content as the spec types it: a string, a list of parts of which the
   * local models read the {@code text} ones, or null (only for an assistant message). Anything else is a 400.
   */
  private static String checkedText(JsonNode content, String where, String role) {
    if (content.isTextual()) {
      return content.asText();
    }
    if ((content.isNull() || content.isMissingNode()) && role.equals("assistant")) {
      return "";
    }
    if (!content.isArray()) {
      throw ApiError.invalid("Invalid type for '" + where + "': expected a string or an array of content parts, but got "
          + kind(content) + ".", where);
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < content.size(); i++) {
      JsonNode part = content.get(i);
      String at = where + "[" + i + "]";
      JsonNode type = part.path("type");
      if (!part.isObject() || !type.isTextual() || !PART_TYPES.contains(type.asText())) {
        throw ApiError.invalid("Invalid value for '" + at + ".type': expected one of " + new java.util.TreeSet<>(PART_TYPES)
            + ", but got " + (type.isTextual() ? "'" + type.asText() + "'" : kind(type)) + ".", at + ".type");
      }
      String key = type.asText().equals("refusal") ? "refusal" : "text";
      if (!type.asText().equals("text") && !type.asText().equals("refusal")) {
        throw ApiError.invalid("The local models read text only; '" + at + "' is a '" + type.asText()
            + "' part. Send its content as a 'text' part.", at + ".type");
      }
      if (!part.path(key).isTextual()) {
        throw ApiError.invalid("Missing or invalid '" + at + "." + key + "': expected a string, but got "
            + kind(part.path(key)) + ".", at + "." + key);
      }
      b.append(part.path(key).asText());
    }
    return b.toString();
  }

  /** The text of a message's content, leniently (training files were validated when the job started). */
  static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    if (content.isArray()) {
      StringBuilder b = new StringBuilder();
      for (JsonNode part : content) {
        if (part.path("text").isTextual()) {
          b.append(part.path("text").asText());
        }
      }
      return b.toString();
    }
    return "";
  }

  // ---------------------------------------------------------------- plumbing

  /** The JSON type of a value, as an error message names it. */
  static String kind(JsonNode v) {
    if (v.isTextual()) {
      return "a string";
    }
    if (v.isIntegralNumber()) {
      return "an integer";
    }
    if (v.isNumber()) {
      return "a number with a fraction (" + v.asText() + ")";
    }
    if (v.isBoolean()) {
      return "a boolean";
    }
    if (v.isArray()) {
      return "an array";
    }
    if (v.isObject()) {
      return "an object";
    }
    return "null";
  }

  /** A field that is absent or null, or else must be a string. */
  private static String optionalText(JsonNode body, String field) {
    JsonNode v = body.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw ApiError.invalid("Invalid type for '" + field + "': expected a string, but got " + kind(v) + ".", field);
    }
    return v.asText();
  }

  /** A field that is absent or null, or else must be a JSON object. */
  private static JsonNode optionalObject(JsonNode body, String field, String param) {
    JsonNode v = body.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    if (!v.isObject()) {
      throw ApiError.invalid("Invalid type for '" + param + "': expected an object, but got " + kind(v) + ".", param);
    }
    return v;
  }

  /** An optional whole number within bounds; a fraction, a string or anything else is refused. */
  private static Integer optionalInt(JsonNode body, String field, int min, int max) {
    JsonNode v = body.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw ApiError.invalid("Invalid '" + field + "': expected a whole number from " + min + " to " + max
          + ", but got " + kind(v) + (v.isIntegralNumber() ? " (" + v.asText() + ")" : "") + ".", field);
    }
    return v.asInt();
  }

  private static String requireText(JsonNode body, String field) {
    JsonNode v = body.path(field);
    if (!v.isTextual() || v.asText().isBlank()) {
      throw ApiError.invalid("Missing required parameter: '" + field + "'.", field);
    }
    return v.asText();
  }

  private JsonNode body(Request ex) throws IOException {
    byte[] bytes = readBody(ex, maxJsonBytes);
    if (bytes.length == 0) {
      return Store.JSON.createObjectNode();
    }
    try {
      JsonNode node = Store.JSON.readTree(bytes);
      if (!node.isObject()) {
        throw ApiError.invalid("The request body must be a JSON object, not " + kind(node) + ".", null);
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiError.invalid("The request body is not valid JSON: " + e.getOriginalMessage(), null);
    }
  }

  /** 413 in OpenAI's shape: the body is larger than the limit of this endpoint. */
  private static ApiError tooLarge(long max) {
    return new ApiError(413, "invalid_request_error", "The request body is larger than this endpoint's limit of "
        + max + " bytes.", null, "request_too_large");
  }

  /** Refuses a body whose declared Content-Length is over the limit, before a byte of it is read. */
  private static void checkDeclaredLength(Request ex, long max) {
    if (ex.getLength() > max) {
      throw tooLarge(max);
    }
  }

  /** A JSON body, at most {@code max} bytes: refused from its declared length, or counted as it streams (chunked). */
  private static byte[] readBody(Request ex, long max) throws IOException {
    checkDeclaredLength(ex, max);
    try (InputStream in = Content.Source.asInputStream(ex)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        throw tooLarge(max);
      }
      return bytes;
    }
  }

  /**
   * A multipart/form-data body parsed by Jetty as it arrives: fields up to 64 KiB in memory, larger
   * parts (the file) written to the store's temp directory, the whole body refused past {@code max}.
   * The caller closes the parts, which deletes what was not moved into the store.
   */
  private MultiPartFormData.Parts multipart(Request ex, long max) throws IOException {
    checkDeclaredLength(ex, max);
    String type = ex.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw ApiError.invalid("Bad upload: expected a multipart/form-data body.", null);
    }
    if (!type.toLowerCase(Locale.ROOT).contains("boundary=")) {
      throw ApiError.invalid("Bad upload: the multipart Content-Type has no boundary.", null);
    }
    MultiPartConfig config = new MultiPartConfig.Builder().location(store.tempDir()).maxSize(max).maxPartSize(max)
        .maxMemoryPartSize(MAX_MEMORY_PART_BYTES).maxParts(16).useFilesForPartsWithoutFileName(true).build();
    try {
      return MultiPartFormData.from(ex, ex, type, config).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the upload", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String why = String.valueOf(cause == null ? null : cause.getMessage());
      if (cause instanceof IOException || cause instanceof TimeoutException) {
        throw new IOException("the upload was not received: " + why, cause);
      }
      if (why.toLowerCase(Locale.ROOT).contains("max")) {
        throw tooLarge(max);
      }
      throw ApiError.invalid("Bad upload: " + why + ".", null);
    }
  }

  private static Map<String, String> query(Request ex) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = ex.getHttpURI().getQuery();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      try {
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.put(k, v);
      } catch (IllegalArgumentException e) {
        throw ApiError.invalid("The query string is not validly percent-encoded: " + e.getMessage(), null);
      }
    }
    return out;
  }

  /** Longest error message sent: client input echoed in a message is cut, never sent back in megabytes. */
  static final int MAX_ERROR_MESSAGE = 1000;

  static String capped(String message) {
    if (message == null || message.length() <= MAX_ERROR_MESSAGE) {
      return message;
    }
    return message.substring(0, MAX_ERROR_MESSAGE) + "... (" + (message.length() - MAX_ERROR_MESSAGE)
        + " more characters not shown)";
  }

  private static ObjectNode errorJson(ApiError e) {
    ObjectNode o = Store.JSON.createObjectNode();
    ObjectNode err = o.putObject("error");
    err.put("message", capped(e.getMessage()));
    err.put("type", e.type);
    err.put("param", e.param == null ? null : capped(e.param));
    err.put("code", e.code);
    return o;
  }

  /** The error Jetty answers itself (a malformed request line or header, a body it refused, ...) as an ApiError. */
  static ApiError protocolError(int status, String reason) {
    String message = switch (status) {
      case 400 -> "Bad request";
      case 404 -> "Invalid URL";
      case 405 -> "Method not allowed";
      case 408 -> "Timed out reading the request";
      case 413 -> "The request body is too large";
      case 414 -> "The request URI is too long";
      case 431 -> "The request headers are too large";
      case 501 -> "Not implemented";
      case 505 -> "HTTP version not supported; use HTTP/1.1";
      default -> status >= 500 ? "The local server failed" : "The request was refused";
    };
    if (reason != null && !reason.isBlank() && !reason.equalsIgnoreCase(message)) {
      message += ": " + reason;
    }
    return new ApiError(status, status >= 500 ? "server_error" : "invalid_request_error", message + ".", null,
        status == 413 ? "request_too_large" : null);
  }

  /**
   * Every error Jetty produces before or outside a route — malformed request line, bad header, bad URI,
   * a failure thrown out of the handler — in OpenAI's JSON error shape instead of Jetty's HTML page.
   */
  private static final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      int status = request.getAttribute(ERROR_STATUS) instanceof Integer i ? i : response.getStatus();
      if (status < 400) {
        status = 500;
      }
      Object message = request.getAttribute(ERROR_MESSAGE);
      byte[] body = errorBytes(protocolError(status, message == null ? null : message.toString()));
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      fields.put(HttpHeader.CONTENT_TYPE, "application/json");
      return ByteBuffer.wrap(errorBytes(protocolError(status, reason)));
    }

    private static byte[] errorBytes(ApiError e) {
      try {
        return Store.JSON.writeValueAsBytes(errorJson(e));
      } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
        throw new IllegalStateException(x);
      }
    }
  }

  /** Whether every connection open now has TCP_NODELAY set on the server's side (for tests). */
  boolean acceptedConnectionsHaveNoDelay() throws IOException {
    boolean any = false;
    for (EndPoint e : connector.getConnectedEndPoints()) {
      if (e.getTransport() instanceof SocketChannel ch) {
        any = true;
        if (!ch.getOption(StandardSocketOptions.TCP_NODELAY)) {
          return false;
        }
      }
    }
    return any;
  }

  // ---------------------------------------------------------------- builder and main

  /** Default limit of a JSON request body: 32 MiB. */
  public static final long DEFAULT_MAX_JSON_BYTES = 32L * 1024 * 1024;
  /** Default limit of a {@code POST /v1/files} body: 512 MiB, OpenAI's file limit. */
  public static final long DEFAULT_MAX_FILE_BYTES = 512L * 1024 * 1024;
  /** Default idle timeout of a connection: 30 s. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  /** Default lifetime of an Upload: 1 hour, as at OpenAI. */
  public static final Duration DEFAULT_UPLOAD_EXPIRY = Duration.ofHours(1);

  /** Builds and starts a {@link LocalServer}. */
  public static final class Builder {
    private Path dataDir = Path.of("tunekit-local-data");
    private String host = "127.0.0.1";
    private int port;
    private Secret token;
    private Trainer trainer = Trainer.exemplar();
    private Duration stepDelay = Duration.ofMillis(20);
    private long maxJsonBytes = DEFAULT_MAX_JSON_BYTES;
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration uploadExpiry = DEFAULT_UPLOAD_EXPIRY;

    private Builder() {}

    /**
     * The largest JSON request body, in bytes. Default 32 MiB. A larger declared Content-Length is
     * refused (413) before the body is read; a chunked body is counted as it streams.
     */
    public Builder maxJsonBytes(long maxJsonBytes) {
      if (maxJsonBytes < 1) {
        throw new IllegalArgumentException("maxJsonBytes must be positive, was " + maxJsonBytes);
      }
      this.maxJsonBytes = maxJsonBytes;
      return this;
    }

    /**
     * The largest {@code POST /v1/files} body, in bytes. Default 512 MiB (OpenAI's file limit); larger
     * files go through {@code /v1/uploads} (parts of at most 64 MiB, 8 GB in all). Uploads are streamed
     * to disk, so this bounds disk use per request, not memory.
     */
    public Builder maxFileBytes(long maxFileBytes) {
      if (maxFileBytes < 1) {
        throw new IllegalArgumentException("maxFileBytes must be positive, was " + maxFileBytes);
      }
      this.maxFileBytes = maxFileBytes;
      return this;
    }

    /**
     * How long a connection may stay silent — no byte of a request arriving, or a reply not taken —
     * before it is closed. Default 30 s. A client that announces a body and stops sending is cut off
     * after this and holds a worker thread only until then.
     */
    public Builder idleTimeout(Duration idleTimeout) {
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("idleTimeout must be positive, was " + idleTimeout);
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * How long an Upload ({@code /v1/uploads}) stays open after it is created. Default 1 hour, as at
     * OpenAI. A pending upload past it becomes {@code expired} and its parts are deleted from disk.
     */
    public Builder uploadExpiry(Duration uploadExpiry) {
      if (uploadExpiry.isNegative() || uploadExpiry.isZero()) {
        throw new IllegalArgumentException("uploadExpiry must be positive, was " + uploadExpiry);
      }
      this.uploadExpiry = uploadExpiry;
      return this;
    }

    /** Where files, jobs and models are kept (created if missing). Default {@code ./tunekit-local-data}. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** The address to bind. Default {@code 127.0.0.1}; anything else exposes the server to the network. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The bearer token clients must present. Default: the token kept in {@code DATA_DIR/server.token}
     * (owner-only), generated at the first start, so clients keep working across restarts.
     */
    public Builder token(Secret token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    /** The trainer for new jobs. Default {@link Trainer#exemplar()}. */
    public Builder trainer(Trainer trainer) {
      this.trainer = Objects.requireNonNull(trainer, "trainer");
      return this;
    }

    /** A pause between training steps, so progress is visible. Default 20 ms; zero in tests. */
    public Builder stepDelay(Duration stepDelay) {
      if (stepDelay.isNegative()) {
        throw new IllegalArgumentException("stepDelay must not be negative");
      }
      this.stepDelay = stepDelay;
      return this;
    }

    /** Starts the server. */
    public LocalServer start() {
      try {
        return new LocalServer(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the local server on " + host + ":" + port + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Runs the server in the foreground until interrupted. Options: {@code --data-dir DIR},
   * {@code --port N} (default 8484), {@code --host ADDR} (default 127.0.0.1), {@code --step-delay MS},
   * {@code --token-file FILE} (default DATA_DIR/server.token), {@code --trainer exemplar|command} and,
   * for the command trainer, the command after {@code --}. The token is taken from
   * {@code TUNEKIT_LOCAL_TOKEN} if set, otherwise the one kept in {@code DATA_DIR/server.token} (generated,
   * owner-only, at the first start) and written to the token file.
   */
  public static void main(String[] args) throws Exception {
    ServerMain.run(args);
  }

  static Optional<String> env(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(s -> !s.isBlank());
  }
}
