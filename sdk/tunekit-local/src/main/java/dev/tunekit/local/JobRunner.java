package dev.tunekit.local;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.tunekit.model.ChatModel;
import dev.tunekit.error.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves jobs through validating_files → queued → running → succeeded / failed / cancelled (with
 * paused in between), one training job at a time (a paused job gives up the slot to the next queued
 * job; resume queues it again), and records events, metrics, checkpoints and the
 * result file in the {@link Store}. Also loads tuned models for chat.
 */
final class JobRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  static final int MIN_EXAMPLES = 10;

  private final Store store;
  private final Trainer trainer;
  private final Map<String, Trainer> trainers = new LinkedHashMap<>();
  private final Duration stepDelay;
  private final ExecutorService validation = Executors.newSingleThreadExecutor(daemon("tunekit-local-validate"));
  /** One thread per started job; only the holder of the training slot makes progress. */
  private final ExecutorService training = Executors.newCachedThreadPool(daemon("tunekit-local-train"));
  /** Jobs waiting for the one training slot, in order (guarded by the store's lock). */
  private final java.util.ArrayDeque<String> waiting = new java.util.ArrayDeque<>();
  /** The job holding the training slot, or null (guarded by the store's lock). */
  private String slotHolder;
  private final Map<String, Control> controls = new ConcurrentHashMap<>();
  private volatile boolean closing;
  private final Map<String, ChatModel> loaded = new ConcurrentHashMap<>();
  private final Encoding tokenizer = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  /** In-memory control of a job that is queued or training in this process. */
  static final class Control {
    volatile boolean pause;
    volatile boolean cancel;
    volatile Thread thread;
    /** Whether this job holds the training slot; a paused job gives it up. */
    volatile boolean granted;
    volatile boolean started;
    volatile boolean validated;
    volatile long tokens;
  }

  JobRunner(Store store, Trainer trainer, Duration stepDelay) {
    this.store = store;
    this.trainer = trainer;
    this.stepDelay = stepDelay;
    trainers.put(ExemplarTrainer.NAME, trainer.name().equals(ExemplarTrainer.NAME) ? trainer : new ExemplarTrainer());
    trainers.put(trainer.name(), trainer);
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  Trainer trainer() {
    return trainer;
  }

  int countTokens(String text) {
    return tokenizer.countTokens(text);
  }

  /** The text cut to at most {@code max} tokens, or null when it already fits. */
  String truncate(String text, int max) {
    com.knuddels.jtokkit.api.EncodingResult r = tokenizer.encode(text, max);
    return r.isTruncated() ? tokenizer.decode(r.getTokens()) : null;
  }

  /** Deals with jobs that were in flight when the server last stopped. */
  void recover() {
    for (Store.JobRec j : store.jobs()) {
      if (j.terminal() || j.status.equals("paused")) {
        continue;
      }
      if (trainers.containsKey(j.trainer) && j.trainer.equals(ExemplarTrainer.NAME)) {
        synchronized (store) {
          event(j, "warn", "The local server restarted while this job was " + j.status
              + "; training restarts from the beginning (the exemplar trainer is deterministic).");
          resetProgress(j);
          j.status = "validating_files";
          store.saveJob(j);
        }
        submitValidation(j.id);
      } else {
        synchronized (store) {
          fail(j, "server_restarted", "The local server stopped while this job was " + j.status
              + " with the " + j.trainer + " trainer; it cannot be resumed. Create a new job.", null);
        }
      }
    }
  }

  private static void resetProgress(Store.JobRec j) {
    j.metricRows.clear();
    j.checkpoints.clear();
  }

  void submitValidation(String jobId) {
    controls.putIfAbsent(jobId, new Control());
    validation.submit(() -> validate(jobId));
  }

  private void validate(String jobId) {
    Store.JobRec j = store.job(jobId).orElseThrow();
    Control control = controls.get(jobId);
    if (control == null || control.cancel) {
      return;
    }
    try {
      long tokens = checkFile(j.trainingFile, "training_file", true);
      if (j.validationFile != null) {
        checkFile(j.validationFile, "validation_file", false);
      }
      synchronized (store) {
        if (j.terminal()) {
          return;
        }
        control.tokens = tokens;
        control.validated = true;
        event(j, "info", "Files validated (" + tokens + " training tokens), moving job to queued state");
        if (!j.status.equals("paused")) {
          j.status = "queued";
          store.saveJob(j);
          enqueue(jobId);
        } else {
          store.saveJob(j);
        }
      }
    } catch (InvalidInputException e) {
      synchronized (store) {
        fail(j, "invalid_" + e.location().orElse("training_file"), e.getMessage(), e.location().orElse("training_file"));
      }
      controls.remove(jobId);
    } catch (IOException | RuntimeException e) {
      // One line at WARN (the job's error says the same to the client); the trace at DEBUG.
      LOG.warn("validation of {} failed: {}", jobId, e.toString());
      LOG.debug("validation of {} failed", jobId, e);
      synchronized (store) {
        fail(j, "server_error", "The local server could not read the files: " + e.getMessage(), null);
      }
      controls.remove(jobId);
    }
  }

  /** Checks every line of a file; returns its token count. */
  private long checkFile(String fileId, String param, boolean training) throws IOException {
    Optional<Store.FileRec> f = store.file(fileId);
    if (f.isEmpty()) {
      throw new InvalidInputException("File " + fileId + " no longer exists.", param);
    }
    long tokens = 0;
    int examples = 0;
    try (BufferedReader r = Files.newBufferedReader(store.dataPath(fileId), StandardCharsets.UTF_8)) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        try {
          ExemplarTrainer.parseLine(line, no, param);
          tokens += conversationTokens(line);
        } catch (InvalidInputException e) {
          throw new InvalidInputException("File " + fileId + " (" + f.get().filename + ") " + e.getMessage(), param);
        }
        examples++;
      }
    } catch (java.nio.charset.MalformedInputException e) {
      throw new InvalidInputException("File " + fileId + " (" + f.get().filename + ") is not UTF-8 text.", param);
    }
    if (training && examples < MIN_EXAMPLES) {
      throw new InvalidInputException("File " + fileId + " (" + f.get().filename + ") has " + examples
          + " examples; at least " + MIN_EXAMPLES + " are required.", param);
    }
    return tokens;
  }

  // ---- the training slot (all under the store's lock)

  /** Puts a job at the back of the queue for the training slot and hands the slot on if it is free. */
  private void enqueue(String jobId) {
    waiting.remove(jobId);
    waiting.add(jobId);
    dispatch();
  }

  /** Gives up the slot (or a place in the queue) held by a job, and hands the slot to the next one. */
  private void release(String jobId) {
    waiting.remove(jobId);
    Control c = controls.get(jobId);
    if (c != null) {
      c.granted = false;
    }
    if (jobId.equals(slotHolder)) {
      slotHolder = null;
      dispatch();
    }
  }

  private void dispatch() {
    while (slotHolder == null && !waiting.isEmpty() && !closing) {
      String id = waiting.poll();
      Control c = controls.get(id);
      Store.JobRec j = store.job(id).orElse(null);
      if (c == null || c.cancel || c.pause || j == null || j.terminal()) {
        continue;
      }
      slotHolder = id;
      c.granted = true;
      if (!c.started) {
        c.started = true;
        try {
          training.submit(() -> train(id));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
          slotHolder = null;
          return;
        }
      } else {
        // a resumed job: its thread waits in awaitNextStep (or its command is stopped) until granted
        j.status = "running";
        store.saveJob(j);
        synchronized (c) {
          c.notifyAll();
        }
      }
    }
  }

  /**
   * The tokens one example trains on, counted as OpenAI counts a conversation (its cookbook): per
   * message 3 + role + content (+1 with a name), plus 3 priming the reply. A job's trained tokens are
   * this sum over the file times the epochs.
   */
  int conversationTokens(String line) {
    int n = 3;
    try {
      for (com.fasterxml.jackson.databind.JsonNode m : Store.JSON.readTree(line).path("messages")) {
        n += 3 + countTokens(m.path("role").asText()) + countTokens(LocalServer.text(m.path("content")));
        if (m.path("name").isTextual()) {
          n += 1 + countTokens(m.path("name").asText());
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a line already parsed cannot fail to parse", e);
    }
    return n;
  }

  private void train(String jobId) {
    Store.JobRec j = store.job(jobId).orElseThrow();
    Control control = controls.get(jobId);
    if (control == null || control.cancel || j.terminal()) {
      synchronized (store) {
        release(jobId);
      }
      return;
    }
    long tokens = control.tokens;
    control.thread = Thread.currentThread();
    Trainer t = trainers.get(j.trainer);
    try {
      if (store.file(j.trainingFile).isEmpty()
          || (j.validationFile != null && store.file(j.validationFile).isEmpty())) {
        throw deletedFile(j);
      }
      Path out = store.jobDir(jobId);
      deleteTree(out);
      Files.createDirectories(out);
      synchronized (store) {
        if (!j.status.equals("paused")) {
          j.status = "running";
        }
        event(j, "info", "Fine-tuning job started");
        store.saveJob(j);
      }
      Path model = t.train(new Context(j, control, out));
      if (control.cancel) {
        throw new CancellationException();
      }
      synchronized (store) {
        j.modelArtifact = store.dir().relativize(model.toAbsolutePath().normalize()).toString();
        j.fineTunedModel = modelId(j);
        j.trainedTokens = tokens * Math.max(1, j.nEpochs != null ? j.nEpochs : ExemplarTrainer.DEFAULT_EPOCHS);
        Store.FileRec results = store.addFile("step_metrics.csv", "fine-tune-results",
            new java.io.ByteArrayInputStream(resultCsv(j).getBytes(StandardCharsets.UTF_8)));
        j.resultFiles.add(results.id);
        event(j, "info", "New fine-tuned model created: " + j.fineTunedModel);
        event(j, "info", "The job has successfully completed");
        j.status = "succeeded";
        j.finishedAt = Store.now();
        store.saveJob(j);
      }
    } catch (CancellationException | InterruptedException e) {
      synchronized (store) {
        if (closing && !control.cancel) {
          // Server shutdown, not a user's cancel: the job stays in flight and is recovered at the next start.
          LOG.info("server stopping: job {} left {} for recovery at the next start", jobId, j.status);
        } else if (!j.terminal()) {
          cancelled(j);
        }
      }
    } catch (InvalidInputException e) {
      synchronized (store) {
        String param = e.location().orElse("training_file");
        fail(j, "invalid_" + param, e.getMessage(), param);
      }
    } catch (CommandTrainer.TrainingCommandFailedException e) {
      synchronized (store) {
        fail(j, "training_command_failed", e.getMessage(), null);
      }
    } catch (Exception e) {
      if (e instanceof java.nio.file.NoSuchFileException && (store.file(j.trainingFile).isEmpty()
          || (j.validationFile != null && store.file(j.validationFile).isEmpty()))) {
        InvalidInputException gone = deletedFile(j);
        synchronized (store) {
          fail(j, "invalid_" + gone.location().orElseThrow(), gone.getMessage(), gone.location().orElseThrow());
        }
      } else {
        LOG.warn("training of {} failed: {}", jobId, e.toString());
        LOG.debug("training of {} failed", jobId, e);
        synchronized (store) {
          fail(j, "server_error", "Training failed: " + e, null);
        }
      }
    } finally {
      control.thread = null;
      synchronized (store) {
        controls.remove(jobId);
        release(jobId);
      }
      Thread.interrupted();
    }
  }

  /** The error for a job whose training or validation file was deleted before or while it trained. */
  private InvalidInputException deletedFile(Store.JobRec j) {
    boolean training = store.file(j.trainingFile).isEmpty();
    String param = training ? "training_file" : "validation_file";
    String id = training ? j.trainingFile : j.validationFile;
    return new InvalidInputException("The " + param.replace('_', ' ') + " " + id + " was deleted before training "
        + "finished. Upload the file again and create a new job with it.", param);
  }

  static String modelId(Store.JobRec j) {
    return "ft:" + j.model + ":tunekit:" + (j.suffix == null ? "" : j.suffix) + ":" + j.id.substring(j.id.length() - 8);
  }

  static String resultCsv(Store.JobRec j) {
    StringBuilder b = new StringBuilder("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n");
    for (Map<String, Double> row : j.metricRows) {
      b.append(row.get("step").longValue()).append(',')
          .append(cell(row.get("train_loss"))).append(',')
          .append(cell(row.get("train_mean_token_accuracy"))).append(',')
          .append(cell(row.get("valid_loss"))).append(',')
          .append(cell(row.get("valid_mean_token_accuracy"))).append('\n');
    }
    return b.toString();
  }

  private static String cell(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.5f", v);
  }

  // ---- user actions (callers hold no lock)

  Store.JobRec cancel(Store.JobRec j) {
    synchronized (store) {
      if (j.terminal()) {
        throw ApiError.invalid("Job " + j.id + " has already " + j.status + " and cannot be cancelled.", null);
      }
      Control c = controls.get(j.id);
      if (c != null) {
        c.cancel = true;
        Thread t = c.thread;
        if (t != null) {
          t.interrupt();
        }
        synchronized (c) {
          c.notifyAll();
        }
      }
      release(j.id);
      if (c != null && !c.started) {
        controls.remove(j.id); // never got a training thread, so nothing else will forget it
      }
      cancelled(j);
      return j;
    }
  }

  Store.JobRec pause(Store.JobRec j) {
    synchronized (store) {
      if (!j.status.equals("running") && !j.status.equals("queued") && !j.status.equals("validating_files")) {
        throw ApiError.invalid("Job " + j.id + " is " + j.status + "; only a queued or running job can be paused.", null);
      }
      Control c = controls.get(j.id);
      if (c != null) {
        c.pause = true;
        release(j.id); // the training slot goes to the next queued job; resume re-queues this one
      }
      j.status = "paused";
      event(j, "info", "Fine-tuning job paused");
      store.saveJob(j);
      return j;
    }
  }

  Store.JobRec resume(Store.JobRec j) {
    boolean restart = false;
    synchronized (store) {
      if (!j.status.equals("paused")) {
        throw ApiError.invalid("Job " + j.id + " is " + j.status + "; only a paused job can be resumed.", null);
      }
      Control c = controls.get(j.id);
      if (c != null) {
        c.pause = false;
        event(j, "info", "Fine-tuning job resumed");
        if (c.validated) {
          j.status = "queued";
          store.saveJob(j);
          enqueue(j.id); // runs at once if the slot is free (status becomes running)
        } else {
          j.status = "validating_files";
        }
      } else if (j.trainer.equals(ExemplarTrainer.NAME)) {
        restart = true;
        resetProgress(j);
        j.status = "validating_files";
        event(j, "info", "Fine-tuning job resumed after a server restart; training restarts from the beginning");
      } else {
        fail(j, "server_restarted", "The local server restarted while this job was paused; the "
            + j.trainer + " trainer cannot resume it. Create a new job.", null);
      }
      store.saveJob(j);
    }
    if (restart) {
      submitValidation(j.id);
    }
    return j;
  }

  private void cancelled(Store.JobRec j) {
    j.status = "cancelled";
    j.finishedAt = Store.now();
    event(j, "info", "Fine-tuning job cancelled");
    store.saveJob(j);
  }

  private void fail(Store.JobRec j, String code, String message, String param) {
    j.status = "failed";
    j.finishedAt = Store.now();
    Map<String, String> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", message);
    error.put("param", param);
    j.error = error;
    event(j, "error", message);
    store.saveJob(j);
  }

  static Store.EventRec event(Store.JobRec j, String level, String message) {
    Store.EventRec e = new Store.EventRec();
    e.id = Store.newId("ftevent-");
    e.createdAt = Store.now();
    e.level = level;
    e.message = message;
    e.type = "message";
    j.events.add(e);
    return e;
  }

  // ---- models

  /** The chat model behind a model id, if this server serves it. */
  Optional<ChatModel> model(String id) {
    if (id.equals(ExemplarModels.BASE_MODEL)) {
      return Optional.of(ExemplarModels.base());
    }
    ChatModel cached = loaded.get(id);
    if (cached != null) {
      return Optional.of(cached);
    }
    for (Store.JobRec j : store.jobs()) {
      String artifact = null;
      synchronized (store) {
        if (j.modelDeleted || j.fineTunedModel == null) {
          continue;
        }
        if (id.equals(j.fineTunedModel)) {
          artifact = j.modelArtifact;
        } else {
          for (Store.CheckpointRec c : j.checkpoints) {
            if (id.equals(c.model)) {
              artifact = c.artifact;
            }
          }
        }
      }
      if (artifact != null) {
        Trainer t = trainers.get(j.trainer);
        if (t == null) {
          throw new ApiError(400, "invalid_request_error", "Model " + id + " was trained by the " + j.trainer
              + " trainer, which this server is not configured with.", "model", "model_not_servable");
        }
        Optional<ChatModel> m = t.load(store.dir().resolve(artifact));
        if (m.isEmpty()) {
          throw new ApiError(400, "invalid_request_error", "Model " + id + " was trained by the " + j.trainer
              + " trainer; its weights are at " + store.dir().resolve(artifact) + ". The local server cannot run "
              + "them: serve them with an inference server (such as vLLM) and use the openai-compatible provider.",
              "model", "model_not_servable");
        }
        loaded.put(id, m.get());
        return m;
      }
    }
    return Optional.empty();
  }

  /** Where a tuned model (or a checkpoint) of this server lies, and which trainer made it. */
  record Artifact(Path path, String trainer) {}

  /** The artifact behind tuned model (or checkpoint) {@code id}, if this server made it and it is not deleted. */
  Optional<Artifact> artifact(String id) {
    for (Store.JobRec j : store.jobs()) {
      synchronized (store) {
        if (j.modelDeleted || j.fineTunedModel == null) {
          continue;
        }
        if (id.equals(j.fineTunedModel)) {
          return Optional.of(new Artifact(store.dir().resolve(j.modelArtifact), j.trainer));
        }
        for (Store.CheckpointRec c : j.checkpoints) {
          if (id.equals(c.model)) {
            return Optional.of(new Artifact(store.dir().resolve(c.artifact), j.trainer));
          }
        }
      }
    }
    return Optional.empty();
  }

  void forget(String modelId) {
    loaded.remove(modelId);
  }

  @Override
  public void close() {
    closing = true;
    for (Control c : controls.values()) {
      Thread t = c.thread;
      if (t != null) {
        t.interrupt();
      }
    }
    validation.shutdownNow();
    training.shutdownNow();
    try {
      training.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  /** The context handed to a trainer for one job. */
  private final class Context implements TrainingContext {
    private final Store.JobRec job;
    private final Control control;
    private final Path outputDir;

    Context(Store.JobRec job, Control control, Path outputDir) {
      this.job = job;
      this.control = control;
      this.outputDir = outputDir;
    }

    @Override
    public String jobId() {
      return job.id;
    }

    @Override
    public String baseModel() {
      return job.model;
    }

    @Override
    public Path trainingFile() {
      return store.dataPath(job.trainingFile);
    }

    @Override
    public Optional<Path> validationFile() {
      return Optional.ofNullable(job.validationFile).map(store::dataPath);
    }

    @Override
    public OptionalInt epochs() {
      return job.nEpochs == null ? OptionalInt.empty() : OptionalInt.of(job.nEpochs);
    }

    @Override
    public OptionalInt batchSize() {
      return job.batchSize == null ? OptionalInt.empty() : OptionalInt.of(job.batchSize);
    }

    @Override
    public OptionalDouble learningRateMultiplier() {
      return job.learningRateMultiplier == null ? OptionalDouble.empty() : OptionalDouble.of(job.learningRateMultiplier);
    }

    @Override
    public long seed() {
      return job.seed;
    }

    @Override
    public Map<String, Object> extras() {
      return job.extras == null ? Map.of() : java.util.Collections.unmodifiableMap(job.extras);
    }

    @Override
    public Optional<String> suffix() {
      return Optional.ofNullable(job.suffix);
    }

    @Override
    public Path outputDir() {
      return outputDir;
    }

    @Override
    public void log(String level, String message) {
      synchronized (store) {
        event(job, level, message);
        store.saveJobSoon(job);
      }
    }

    @Override
    public void metrics(long step, Map<String, Double> values) {
      Map<String, Double> row = new LinkedHashMap<>();
      row.put("step", (double) step);
      row.putAll(values);
      synchronized (store) {
        job.metricRows.add(row);
        Store.EventRec e = event(job, "info", String.format(Locale.ROOT, "Step %d%s: training loss=%.4f%s", step,
            values.containsKey("total_steps") ? "/" + values.get("total_steps").longValue() : "",
            values.getOrDefault("train_loss", Double.NaN),
            values.containsKey("valid_loss") ? String.format(Locale.ROOT, ", validation loss=%.4f", values.get("valid_loss")) : ""));
        e.type = "metrics";
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("step", step);
        values.forEach((k, v) -> data.put(k, k.equals("total_steps") ? (Object) v.longValue() : v));
        e.data = data;
        store.saveJobSoon(job);
      }
    }

    @Override
    public void checkpoint(long step, Map<String, Double> metrics, Path artifact) {
      synchronized (store) {
        Store.CheckpointRec c = new Store.CheckpointRec();
        c.id = Store.newId("ftckpt-");
        c.createdAt = Store.now();
        c.step = step;
        c.model = modelId(job) + ":ckpt-step-" + step;
        c.artifact = store.dir().relativize(artifact.toAbsolutePath().normalize()).toString();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("step", (double) step);
        m.putAll(metrics);
        c.metrics = m;
        job.checkpoints.add(c);
        event(job, "info", "Checkpoint created at step " + step);
        store.saveJob(job);
      }
    }

    @Override
    public void awaitNextStep() throws InterruptedException {
      if (control.cancel) {
        throw new CancellationException("job cancelled");
      }
      if (!stepDelay.isZero()) {
        Thread.sleep(stepDelay.toMillis());
      }
      synchronized (control) {
        while (!control.granted && !control.cancel) {
          control.wait(200);
        }
      }
      if (control.cancel) {
        throw new CancellationException("job cancelled");
      }
    }

    @Override
    public boolean paused() {
      return !control.granted; // paused, or resumed and waiting in the queue for the training slot
    }
  }
}
