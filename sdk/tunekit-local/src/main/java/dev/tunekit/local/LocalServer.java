package dev.tunekit.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

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
 * <p>Standalone: {@code java -jar tunekit-local-VERSION-server.jar --help}.
 */
public final class LocalServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LocalServer.class.getName());

  static {
    // TCP_NODELAY on accepted connections. Without it every reply on a kept-alive connection waits for
    // the client's delayed ACK (about 40 ms: 22-38 requests/s). The JDK HttpServer reads this property
    // once, when its classes initialise, so it is set here, before any HttpServer is created. An
    // explicit -Dsun.net.httpserver.nodelay=false is respected (the benchmark's peer uses it).
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }
  private static final Set<String> PURPOSES = Set.of("fine-tune", "assistants", "batch", "vision", "user_data", "evals");
  private static final long MAX_FILE_BYTES = 512L * 1024 * 1024;
  private static final long MAX_UPLOAD_BYTES = 8L * 1024 * 1024 * 1024;

  private final Store store;
  private final JobRunner runner;
  private final HttpServer http;
  private final ExecutorService httpThreads;
  private final Secret token;
  private final byte[] tokenBytes;
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();

  /** An in-progress multipart upload (kept in memory; parts on disk). */
  private static final class Upload {
    String id;
    String filename;
    String purpose;
    long bytes;
    long createdAt;
    long expiresAt;
    String status = "pending";
    String fileId;
    final Map<String, Path> parts = new LinkedHashMap<>();
  }

  private LocalServer(Builder b) throws IOException {
    // Bind first: a taken port fails before any state is read or thread started.
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(b.host), b.port), 0);
    try {
      this.store = new Store(b.dataDir);
    } catch (RuntimeException e) {
      http.stop(0);
      throw e;
    }
    this.token = b.token != null ? b.token : store.token();
    this.tokenBytes = token.reveal().getBytes(StandardCharsets.UTF_8);
    this.runner = new JobRunner(store, b.trainer, b.stepDelay);
    this.httpThreads = Executors.newFixedThreadPool(4, JobRunner.daemon("tunekit-local-http"));
    http.createContext("/", this::handle);
    http.setExecutor(httpThreads);
    http.start();
    runner.recover();
  }

  /** A builder with defaults: loopback, an ephemeral port, a generated token, the exemplar trainer. */
  public static Builder builder() {
    return new Builder();
  }

  /** The base URL clients use, such as {@code http://127.0.0.1:8484/v1}. */
  public String baseUrl() {
    String host = http.getAddress().getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port() + "/v1";
  }

  /** The port the server listens on. */
  public int port() {
    return http.getAddress().getPort();
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

  /** Stops the server: running jobs are interrupted and, on the next start, restarted or marked failed. */
  @Override
  public void close() {
    http.stop(0);
    runner.close();
    httpThreads.shutdownNow();
    store.close();
  }

  // ---------------------------------------------------------------- HTTP

  /** How many HTTP requests the server has received since it started (for tests that assert none was sent). */
  long requestsReceived() {
    return requestsReceived.get();
  }

  private void handle(HttpExchange ex) {
    requestsReceived.incrementAndGet();
    try (ex) {
      try {
        String path = ex.getRequestURI().getRawPath();
        if (!authorised(ex)) {
          throw new ApiError(401, "invalid_request_error", "Incorrect API key provided. Use the local server's token: "
              + "the standalone server writes it to DATA_DIR/server.token; in process it is LocalServer.token().", null,
              "invalid_api_key");
        }
        route(ex, ex.getRequestMethod().toUpperCase(Locale.ROOT), path);
      } catch (ApiError e) {
        sendError(ex, e);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "request failed: " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath(), e);
        sendError(ex, new ApiError(500, "server_error", "The local server failed: " + e, null, null));
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, "client went away", e);
    }
  }

  private boolean authorised(HttpExchange ex) {
    String header = ex.getRequestHeaders().getFirst("Authorization");
    String presented = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      presented = header.substring(7).trim();
    } else if (ex.getRequestHeaders().getFirst("api-key") != null) {
      presented = ex.getRequestHeaders().getFirst("api-key").trim();
    }
    return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), tokenBytes);
  }

  private void route(HttpExchange ex, String method, String rawPath) throws IOException {
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
          send(ex, 200, createFile(ex));
          return;
        }
        if (n == 2 && method.equals("GET")) {
          send(ex, 200, listFiles(q));
          return;
        }
        if (n == 3 && method.equals("GET")) {
          send(ex, 200, fileJson(file(seg.get(2))));
          return;
        }
        if (n == 3 && method.equals("DELETE")) {
          send(ex, 200, deleteFile(seg.get(2)));
          return;
        }
        if (n == 4 && method.equals("GET") && seg.get(3).equals("content")) {
          Store.FileRec f = file(seg.get(2));
          byte[] data = Files.readAllBytes(store.dataPath(f.id));
          sendBytes(ex, 200, f.filename.endsWith(".csv") ? "text/csv" : "application/octet-stream", data);
          return;
        }
      } else if (r.equals("uploads")) {
        if (n == 2 && method.equals("POST")) {
          send(ex, 200, createUpload(body(ex)));
          return;
        }
        if (n == 4 && method.equals("POST") && seg.get(3).equals("parts")) {
          send(ex, 200, addPart(ex, seg.get(2)));
          return;
        }
        if (n == 4 && method.equals("POST") && seg.get(3).equals("complete")) {
          send(ex, 200, completeUpload(seg.get(2), body(ex)));
          return;
        }
        if (n == 4 && method.equals("POST") && seg.get(3).equals("cancel")) {
          send(ex, 200, cancelUpload(seg.get(2)));
          return;
        }
      } else if (r.equals("fine_tuning") && n >= 3 && seg.get(2).equals("jobs")) {
        if (n == 3 && method.equals("POST")) {
          send(ex, 200, createJob(body(ex)));
          return;
        }
        if (n == 3 && method.equals("GET")) {
          send(ex, 200, listJobs(q));
          return;
        }
        if (n == 4 && method.equals("GET")) {
          send(ex, 200, jobJson(job(seg.get(3))));
          return;
        }
        if (n == 5 && method.equals("POST")) {
          Store.JobRec j = job(seg.get(3));
          switch (seg.get(4)) {
            case "cancel": send(ex, 200, jobJson(runner.cancel(j))); return;
            case "pause": send(ex, 200, jobJson(runner.pause(j))); return;
            case "resume": send(ex, 200, jobJson(runner.resume(j))); return;
            default: break;
          }
        }
        if (n == 5 && method.equals("GET") && seg.get(4).equals("events")) {
          send(ex, 200, listEvents(job(seg.get(3)), q));
          return;
        }
        if (n == 5 && method.equals("GET") && seg.get(4).equals("checkpoints")) {
          send(ex, 200, listCheckpoints(job(seg.get(3)), q));
          return;
        }
      } else if (r.equals("chat") && n == 3 && seg.get(2).equals("completions") && method.equals("POST")) {
        send(ex, 200, chat(body(ex)));
        return;
      } else if (r.equals("models")) {
        if (n == 2 && method.equals("GET")) {
          ObjectNode list = Store.JSON.createObjectNode().put("object", "list");
          ArrayNode data = list.putArray("data");
          models().forEach(data::add);
          send(ex, 200, list);
          return;
        }
        if (n == 3 && method.equals("GET")) {
          send(ex, 200, models().stream().filter(m -> m.path("id").asText().equals(seg.get(2))).findFirst()
              .orElseThrow(() -> modelNotFound(seg.get(2))));
          return;
        }
        if (n == 3 && method.equals("DELETE")) {
          send(ex, 200, deleteModel(seg.get(2)));
          return;
        }
      }
    }
    throw ApiError.notFound("Invalid URL (" + method + " " + rawPath + ")", null);
  }

  // ---------------------------------------------------------------- files

  private ObjectNode createFile(HttpExchange ex) throws IOException {
    List<Multipart.Part> parts = multipart(ex, MAX_FILE_BYTES);
    Multipart.Part file = parts.stream().filter(p -> p.name().equals("file")).findFirst()
        .orElseThrow(() -> ApiError.invalid("Missing the 'file' part of the multipart form.", "file"));
    String purpose = parts.stream().filter(p -> p.name().equals("purpose")).map(Multipart.Part::text).findFirst()
        .orElseThrow(() -> ApiError.invalid("Missing the 'purpose' field.", "purpose"));
    checkPurpose(purpose);
    String name = file.filename() == null || file.filename().isBlank() ? "upload" : file.filename();
    return fileJson(store.addFile(name, purpose, new ByteArrayInputStream(file.data())));
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
    u.createdAt = Store.now();
    u.expiresAt = u.createdAt + 3600;
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

  private ObjectNode addPart(HttpExchange ex, String uploadId) throws IOException {
    Upload u = upload(uploadId);
    List<Multipart.Part> parts = multipart(ex, 64L * 1024 * 1024 + 65536);
    Multipart.Part data = parts.stream().filter(p -> p.name().equals("data")).findFirst()
        .orElseThrow(() -> ApiError.invalid("Missing the 'data' part of the multipart form.", "data"));
    synchronized (u) {
      if (!u.status.equals("pending")) {
        throw ApiError.invalid("Upload " + u.id + " is " + u.status + "; parts can only be added to a pending upload.", null);
      }
      String partId = Store.newId("part_");
      Path dir = store.dir().resolve("uploads").resolve(u.id);
      Files.createDirectories(dir);
      Path p = dir.resolve(partId);
      Files.write(p, data.data());
      u.parts.put(partId, p);
      return Store.JSON.createObjectNode().put("id", partId).put("object", "upload.part")
          .put("created_at", Store.now()).put("upload_id", u.id);
    }
  }

  private ObjectNode completeUpload(String uploadId, JsonNode body) throws IOException {
    Upload u = upload(uploadId);
    synchronized (u) {
      if (!u.status.equals("pending")) {
        throw ApiError.invalid("Upload " + u.id + " is already " + u.status + ".", null);
      }
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
      if (!u.status.equals("pending")) {
        throw ApiError.invalid("Upload " + u.id + " is already " + u.status + ".", null);
      }
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
    if (!model.equals(ExemplarModels.BASE_MODEL)) {
      throw new ApiError(400, "invalid_request_error", "Model " + model + " is not available for fine-tuning on the "
          + "local server; use " + ExemplarModels.BASE_MODEL + ".", "model", "model_not_available");
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

  private static JsonNode body(HttpExchange ex) throws IOException {
    byte[] bytes = ex.getRequestBody().readAllBytes();
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

  private static List<Multipart.Part> multipart(HttpExchange ex, long maxBytes) throws IOException {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null && Long.parseLong(length.trim()) > maxBytes) {
      throw new ApiError(413, "invalid_request_error", "The body is larger than " + maxBytes + " bytes.", null, null);
    }
    byte[] body = ex.getRequestBody().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (body.length > maxBytes) {
      throw new ApiError(413, "invalid_request_error", "The body is larger than " + maxBytes + " bytes.", null, null);
    }
    try {
      return Multipart.parse(ex.getRequestHeaders().getFirst("Content-Type"), body);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid("Bad upload: " + e.getMessage() + ".", null);
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
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

  private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    sendBytes(ex, status, "application/json", Store.JSON.writeValueAsBytes(body));
  }

  private static void sendBytes(HttpExchange ex, int status, String type, byte[] bytes) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("x-request-id", Store.newId("req_"));
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
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

  private static void sendError(HttpExchange ex, ApiError e) throws IOException {
    ObjectNode o = Store.JSON.createObjectNode();
    ObjectNode err = o.putObject("error");
    err.put("message", capped(e.getMessage()));
    err.put("type", e.type);
    err.put("param", e.param == null ? null : capped(e.param));
    err.put("code", e.code);
    ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
    send(ex, e.status, o);
  }

  // ---------------------------------------------------------------- builder and main

  /** Builds and starts a {@link LocalServer}. */
  public static final class Builder {
    private Path dataDir = Path.of("tunekit-local-data");
    private String host = "127.0.0.1";
    private int port;
    private Secret token;
    private Trainer trainer = Trainer.exemplar();
    private Duration stepDelay = Duration.ofMillis(20);

    private Builder() {}

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
