package dev.tunekit.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.error.TunekitException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Completions cached by (provider, request): model id, every message, temperature, token limit and
 * seed. Re-running a report against the same targets then costs nothing: only cases whose request
 * changed (or that failed before — errors are never cached) are sent again.
 *
 * <p>{@link #inDirectory(Path)} keeps the cache in an SQLite file ({@code completions.db}) that
 * survives restarts; {@link #inMemory()} lasts as long as the object; {@link #none()} caches nothing.
 * Thread-safe. Close a directory cache when done (or let the JVM exit).
 */
public final class EvalCache implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FILE_NAME = "completions.db";

  private final Store store;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  private EvalCache(Store store) {
    this.store = store;
  }

  /**
   * A persistent cache in {@code directory}/completions.db (SQLite), created if absent.
   *
   * @throws TunekitException if the directory or database cannot be created or opened
   */
  public static EvalCache inDirectory(Path directory) {
    Path file = directory.resolve(FILE_NAME);
    try {
      // Cached completions may hold prompts and answers from private data: owner-only, like the run ledger.
      if (POSIX && !Files.isDirectory(directory)) {
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(directory);
      }
      if (POSIX) {
        try {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (java.nio.file.FileAlreadyExistsException exists) {
          // an earlier cache: tightened below
        }
        ownerOnly(file);
      }
    } catch (IOException e) {
      throw new TunekitException("cannot create the eval cache " + file + " (owner-only): " + e.getMessage()
          + "; choose a writable directory", e);
    }
    EvalCache cache = new EvalCache(new SqliteStore(file));
    if (POSIX) {
      try {
        for (String suffix : List.of("-wal", "-shm", "-journal")) {
          ownerOnly(file.resolveSibling(FILE_NAME + suffix));
        }
      } catch (IOException e) {
        cache.close();
        throw new TunekitException("cannot make the eval cache's journal files owner-only: " + e.getMessage(), e);
      }
    }
    return cache;
  }

  private static final boolean POSIX =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private static void ownerOnly(Path f) throws IOException {
    try {
      if (!Files.getPosixFilePermissions(f).equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(f, OWNER_ONLY);
      }
    } catch (java.nio.file.NoSuchFileException absent) {
      // SQLite creates its journals with the database file's mode
    }
  }

  /** A cache held in memory by this object. */
  public static EvalCache inMemory() {
    return new EvalCache(new MemoryStore());
  }

  /** No caching: every case is sent every time. */
  public static EvalCache none() {
    return new EvalCache(new Store() {
      @Override
      public Optional<String> get(String key) {
        return Optional.empty();
      }

      @Override
      public void put(String key, String namespace, String model, String value) {}
    });
  }

  /**
   * {@code model} with this cache in front, under {@code namespace} (such as a provider name): for an
   * LLM judge, so grading a re-run report costs nothing either.
   */
  public ChatModel cached(String namespace, ChatModel model) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(model, "model");
    return request -> {
      Optional<ChatResponse> hit = get(namespace, request);
      if (hit.isPresent()) {
        return hit.get();
      }
      ChatResponse response = model.chat(request);
      put(namespace, request, response);
      return response;
    };
  }

  /** How many lookups found a completion since this object was created. */
  public long hits() {
    return hits.get();
  }

  /** How many lookups found nothing since this object was created. */
  public long misses() {
    return misses.get();
  }

  Optional<ChatResponse> get(String namespace, ChatRequest request) {
    Optional<String> stored = store.get(key(namespace, request));
    if (stored.isEmpty()) {
      misses.incrementAndGet();
      return Optional.empty();
    }
    try {
      var n = JSON.readTree(stored.get());
      hits.incrementAndGet();
      return Optional.of(new ChatResponse(n.path("model").asText(), n.path("content").asText(),
          n.path("finishReason").asText(), n.path("inputTokens").asLong(-1), n.path("outputTokens").asLong(-1)));
    } catch (JsonProcessingException e) {
      misses.incrementAndGet();
      return Optional.empty();
    }
  }

  void put(String namespace, ChatRequest request, ChatResponse response) {
    ObjectNode n = JSON.createObjectNode();
    n.put("model", response.model());
    n.put("content", response.content());
    n.put("finishReason", response.finishReason());
    n.put("inputTokens", response.inputTokens());
    n.put("outputTokens", response.outputTokens());
    store.put(key(namespace, request), namespace, request.model(), n.toString());
  }

  static String key(String namespace, ChatRequest request) {
    ObjectNode n = JSON.createObjectNode();
    n.put("namespace", namespace);
    n.put("model", request.model());
    ArrayNode ms = n.putArray("messages");
    for (ChatMessage m : request.messages()) {
      ms.addArray().add(m.role()).add(m.content());
    }
    request.temperature().ifPresent(t -> n.put("temperature", t));
    request.maxTokens().ifPresent(t -> n.put("maxTokens", t));
    request.seed().ifPresent(s -> n.put("seed", s));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(n.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new TunekitException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Closes the database, if any. */
  @Override
  public void close() {
    if (store instanceof SqliteStore s) {
      s.close();
    }
  }

  @Override
  public String toString() {
    return "EvalCache[" + store + ", hits=" + hits + ", misses=" + misses + "]";
  }

  interface Store {
    Optional<String> get(String key);

    void put(String key, String namespace, String model, String value);
  }

  static final class MemoryStore implements Store {
    private final Map<String, String> map = new ConcurrentHashMap<>();

    @Override
    public Optional<String> get(String key) {
      return Optional.ofNullable(map.get(key));
    }

    @Override
    public void put(String key, String namespace, String model, String value) {
      map.put(key, value);
    }

    @Override
    public String toString() {
      return "memory";
    }
  }

  static final class SqliteStore implements Store {
    private final Path file;
    private final Connection connection;

    SqliteStore(Path file) {
      this.file = file;
      try {
        connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = connection.createStatement()) {
          s.execute("PRAGMA journal_mode=WAL");
          s.execute("PRAGMA busy_timeout=5000");
          s.execute("CREATE TABLE IF NOT EXISTS completions (key TEXT PRIMARY KEY, namespace TEXT NOT NULL,"
              + " model TEXT NOT NULL, response TEXT NOT NULL, created_at TEXT NOT NULL)");
        }
      } catch (SQLException e) {
        throw new TunekitException("cannot open the eval cache " + file + ": " + e.getMessage()
            + "; delete the file if it is corrupt, or choose another directory", e);
      }
    }

    @Override
    public synchronized Optional<String> get(String key) {
      try (PreparedStatement ps = connection.prepareStatement("SELECT response FROM completions WHERE key = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      } catch (SQLException e) {
        throw new TunekitException("cannot read the eval cache " + file + ": " + e.getMessage(), e);
      }
    }

    @Override
    public synchronized void put(String key, String namespace, String model, String value) {
      try (PreparedStatement ps = connection.prepareStatement(
          "INSERT OR REPLACE INTO completions (key, namespace, model, response, created_at) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, key);
        ps.setString(2, namespace);
        ps.setString(3, model);
        ps.setString(4, value);
        ps.setString(5, Instant.now().toString());
        ps.executeUpdate();
      } catch (SQLException e) {
        throw new TunekitException("cannot write the eval cache " + file + ": " + e.getMessage(), e);
      }
    }

    synchronized void close() {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing a read/write cache: nothing left to save
      }
    }

    @Override
    public String toString() {
      return "sqlite:" + file;
    }
  }
}
