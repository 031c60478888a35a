package dev.tunekit.local;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The server's persistent state under its data directory: {@code files/<id>.json} + {@code .data},
 * {@code jobs/<id>.json}, and per-job trainer output under {@code models/<job id>/}. Every change is
 * written at once (atomically, by rename), so a restarted server knows every file, job and model.
 * All methods are synchronized on the store.
 */
final class Store {
  static final ObjectMapper JSON = new ObjectMapper()
      .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
      .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

  /** A stored file. */
  static final class FileRec {
    String id;
    String filename;
    String purpose;
    long bytes;
    long createdAt;
    long seq;
  }

  /** A job event. */
  static final class EventRec {
    String id;
    long createdAt;
    String level;
    String message;
    String type;
    Map<String, Object> data;
  }

  /** A checkpoint and the artifact that serves it. */
  static final class CheckpointRec {
    String id;
    long createdAt;
    long step;
    String model;
    String artifact;
    Map<String, Double> metrics;
  }

  /** A fine-tuning job and everything that happened to it. */
  static final class JobRec {
    String id;
    long seq;
    String model;
    String status;
    String trainer;
    long createdAt;
    Long finishedAt;
    String fineTunedModel;
    String modelArtifact;
    boolean modelDeleted;
    String trainingFile;
    String validationFile;
    String suffix;
    Integer nEpochs;
    Integer batchSize;
    Double learningRateMultiplier;
    /** Hyperparameters beyond the three the server knows, as sent (for a command trainer's TUNEKIT_EXTRAS). */
    Map<String, Object> extras = new LinkedHashMap<>();
    long seed;
    Map<String, String> metadata = new LinkedHashMap<>();
    Map<String, String> error;
    List<String> resultFiles = new ArrayList<>();
    Long trainedTokens;
    List<EventRec> events = new ArrayList<>();
    List<CheckpointRec> checkpoints = new ArrayList<>();
    List<Map<String, Double>> metricRows = new ArrayList<>();

    boolean terminal() {
      return status.equals("succeeded") || status.equals("failed") || status.equals("cancelled");
    }
  }

  private final Path dir;
  private final Map<String, FileRec> files = new LinkedHashMap<>();
  private final Map<String, JobRec> jobs = new LinkedHashMap<>();
  private final java.util.Set<String> dirty = new java.util.LinkedHashSet<>();
  private final java.util.concurrent.ScheduledExecutorService flusher =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(JobRunner.daemon("tunekit-local-store"));
  private long seq;

  Store(Path dir) {
    // Absolute from here on: model and checkpoint paths are stored relative to it, and a relative data
    // directory (the standalone server's --data-dir ./tunekit-local-data) cannot be relativized against them.
    dir = dir.toAbsolutePath().normalize();
    this.dir = dir;
    try {
      Files.createDirectories(dir.resolve("files"));
      Files.createDirectories(dir.resolve("jobs"));
      Files.createDirectories(dir.resolve("models"));
      // Bodies half received and upload parts of a previous run are orphans: uploads live in memory only.
      JobRunner.deleteTree(dir.resolve("tmp"));
      JobRunner.deleteTree(dir.resolve("uploads"));
      Files.createDirectories(dir.resolve("tmp"));
      for (FileRec f : readAll(dir.resolve("files"), FileRec.class)) {
        files.put(f.id, f);
        seq = Math.max(seq, f.seq);
      }
      for (JobRec j : readAll(dir.resolve("jobs"), JobRec.class)) {
        jobs.put(j.id, j);
        seq = Math.max(seq, j.seq);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the local server's data directory " + dir, e);
    }
  }

  private static <T> List<T> readAll(Path folder, Class<T> type) throws IOException {
    List<T> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(folder)) {
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
        out.add(JSON.readValue(p.toFile(), type));
      }
    }
    out.sort(Comparator.comparingLong(o -> o instanceof FileRec f ? f.seq : ((JobRec) o).seq));
    return out;
  }

  Path dir() {
    return dir;
  }

  /** The file that keeps the server's bearer token across restarts. */
  Path tokenFile() {
    return dir.resolve("server.token");
  }

  /**
   * The server's bearer token: read from {@link #tokenFile()}, or generated and written there readable
   * and writable by the owner only (rw-------), so a client keeps working across a restart.
   */
  synchronized dev.tunekit.model.Secret token() {
    Path file = tokenFile();
    try {
      if (Files.exists(file)) {
        String text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8).trim();
        if (!text.isEmpty()) {
          return dev.tunekit.model.Secret.of(text);
        }
      }
      String token = "tk-local-" + newId("");
      writeOwnerOnly(file, token + "\n");
      return dev.tunekit.model.Secret.of(token);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the local server's token in " + file + " (" + e.getMessage()
          + "); make the data directory writable, or pass a token with LocalServer.Builder.token", e);
    }
  }

  /** Writes text to a file created rw------- where the file system supports POSIX permissions. */
  static void writeOwnerOnly(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
  }

  static String newId(String prefix) {
    StringBuilder b = new StringBuilder(prefix);
    for (int i = 0; i < 24; i++) {
      b.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return b.toString();
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  // ---- files

  /**
   * Adds a file from a stream. The bytes are copied to a temporary file first, outside the store's lock,
   * so a large upload does not hold up other requests; only the rename and the record are synchronized.
   */
  FileRec addFile(String filename, String purpose, InputStream content) throws IOException {
    Path tmp = tempFile();
    try (InputStream in = content) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      return addFile(filename, purpose, tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Adds a file by moving {@code source} (a file from {@link #tempFile()}) into the store. */
  synchronized FileRec addFile(String filename, String purpose, Path source) throws IOException {
    FileRec f = new FileRec();
    f.id = newId("file-");
    f.filename = filename;
    f.purpose = purpose;
    f.createdAt = now();
    f.seq = ++seq;
    Path data = dataPath(f.id);
    Files.move(source, data, StandardCopyOption.REPLACE_EXISTING);
    f.bytes = Files.size(data);
    write(dir.resolve("files").resolve(f.id + ".json"), f);
    files.put(f.id, f);
    return f;
  }

  /** The directory for bodies being received ({@code tmp/}, emptied at every start; same file system as the files). */
  Path tempDir() {
    return dir.resolve("tmp");
  }

  /** A new empty file in {@link #tempDir()}. */
  Path tempFile() throws IOException {
    return Files.createTempFile(tempDir(), "incoming-", ".part");
  }

  synchronized Optional<FileRec> file(String id) {
    return Optional.ofNullable(files.get(id));
  }

  synchronized List<FileRec> files() {
    return new ArrayList<>(files.values());
  }

  Path dataPath(String fileId) {
    return dir.resolve("files").resolve(fileId + ".data");
  }

  synchronized boolean deleteFile(String id) throws IOException {
    if (files.remove(id) == null) {
      return false;
    }
    Files.deleteIfExists(dir.resolve("files").resolve(id + ".json"));
    Files.deleteIfExists(dataPath(id));
    return true;
  }

  // ---- jobs

  synchronized JobRec addJob(JobRec j) {
    j.seq = ++seq;
    jobs.put(j.id, j);
    saveJob(j);
    return j;
  }

  synchronized Optional<JobRec> job(String id) {
    return Optional.ofNullable(jobs.get(id));
  }

  synchronized List<JobRec> jobs() {
    return new ArrayList<>(jobs.values());
  }

  /** Persists a job now; call after changing its state. */
  synchronized void saveJob(JobRec j) {
    dirty.remove(j.id);
    write(dir.resolve("jobs").resolve(j.id + ".json"), j);
  }

  /**
   * Persists a job within {@link #FLUSH_INTERVAL_MS} (for progress: events and metrics), so a job with
   * thousands of steps does not rewrite its file thousands of times.
   */
  synchronized void saveJobSoon(JobRec j) {
    if (dirty.add(j.id) && dirty.size() == 1) {
      try {
        flusher.schedule(this::flush, FLUSH_INTERVAL_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        saveJob(j); // the server is closing: write at once
      }
    }
  }

  static final long FLUSH_INTERVAL_MS = 250;

  /** Writes every job with unsaved progress. */
  synchronized void flush() {
    for (String id : new ArrayList<>(dirty)) {
      JobRec j = jobs.get(id);
      if (j != null) {
        saveJob(j);
      }
    }
    dirty.clear();
  }

  /** Flushes pending progress and stops the flusher. */
  void close() {
    flusher.shutdownNow();
    flush();
  }

  Path jobDir(String jobId) {
    return dir.resolve("models").resolve(jobId);
  }

  private static void write(Path file, Object value) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), value);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
