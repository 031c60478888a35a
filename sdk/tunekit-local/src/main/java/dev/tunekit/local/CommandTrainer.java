package dev.tunekit.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs an external training command per job (a real training script on a GPU box). Contract, also in
 * the module README:
 *
 * <ul>
 *   <li>Environment: {@code TUNEKIT_JOB_ID}, {@code TUNEKIT_BASE_MODEL}, {@code TUNEKIT_TRAINING_FILE},
 *       {@code TUNEKIT_VALIDATION_FILE} (empty if none), {@code TUNEKIT_OUTPUT_DIR} (also the working
 *       directory), {@code TUNEKIT_N_EPOCHS}, {@code TUNEKIT_BATCH_SIZE},
 *       {@code TUNEKIT_LEARNING_RATE_MULTIPLIER} (each {@code auto} when not set), {@code TUNEKIT_SEED},
 *       {@code TUNEKIT_SUFFIX}.
 *   <li>Standard output: lines of {@code key=value} pairs containing {@code step=} (for example
 *       {@code step=12 train_loss=0.53 valid_loss=0.61}), or JSON objects with a {@code step} field,
 *       become metrics; {@code checkpoint_path=DIR step=N [train_loss=...]} records a checkpoint; a line
 *       {@code model_path=/some/dir} names the trained model (default: the output directory); the JSON
 *       lines of {@code trainers/trl/tunekit_train.py} ({@code {"tunekit": "metric" | "checkpoint" |
 *       "model" | "event", ...}}) mean the same; any other line becomes an info event.
 *   <li>Exit code 0 means succeeded; anything else fails the job with the last lines of standard error.
 *   <li>Cancel destroys the process and all its descendants; pause sends SIGSTOP to them, resume SIGCONT
 *       (POSIX systems only).
 * </ul>
 */
final class CommandTrainer implements Trainer {
  static final String NAME = "command";
  private static final Pattern KEY_VALUE = Pattern.compile("([A-Za-z_][\\w.]*)=(\\S+)");
  private static final Pattern STEP = Pattern.compile("(?:^|\\s)step=\\d+");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<String> command;

  CommandTrainer(List<String> command) {
    if (command == null || command.isEmpty() || command.get(0).isBlank()) {
      throw new IllegalArgumentException("the training command is empty; set providers.local.command");
    }
    this.command = List.copyOf(command);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Path train(TrainingContext ctx) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(ctx.outputDir().toFile());
    Map<String, String> env = pb.environment();
    env.put("TUNEKIT_JOB_ID", ctx.jobId());
    env.put("TUNEKIT_BASE_MODEL", ctx.baseModel());
    env.put("TUNEKIT_TRAINING_FILE", ctx.trainingFile().toAbsolutePath().toString());
    env.put("TUNEKIT_VALIDATION_FILE", ctx.validationFile().map(p -> p.toAbsolutePath().toString()).orElse(""));
    env.put("TUNEKIT_OUTPUT_DIR", ctx.outputDir().toAbsolutePath().toString());
    env.put("TUNEKIT_N_EPOCHS", ctx.epochs().isPresent() ? String.valueOf(ctx.epochs().getAsInt()) : "auto");
    env.put("TUNEKIT_BATCH_SIZE", ctx.batchSize().isPresent() ? String.valueOf(ctx.batchSize().getAsInt()) : "auto");
    env.put("TUNEKIT_LEARNING_RATE_MULTIPLIER",
        ctx.learningRateMultiplier().isPresent() ? String.valueOf(ctx.learningRateMultiplier().getAsDouble()) : "auto");
    env.put("TUNEKIT_SEED", String.valueOf(ctx.seed()));
    env.put("TUNEKIT_SUFFIX", ctx.suffix().orElse(""));
    env.put("TUNEKIT_EXTRAS", JSON.writeValueAsString(ctx.extras()));
    ctx.log("info", "Starting training command " + command.get(0));
    Process process = pb.start();
    process.getOutputStream().close();
    AtomicReference<Path> modelPath = new AtomicReference<>();
    Deque<String> stderrTail = new ArrayDeque<>();
    Thread out = new Thread(() -> readStdout(process, ctx, modelPath), "tunekit-command-stdout-" + ctx.jobId());
    Thread err = new Thread(() -> readStderr(process, stderrTail), "tunekit-command-stderr-" + ctx.jobId());
    out.setDaemon(true);
    err.setDaemon(true);
    out.start();
    err.start();
    boolean stopped = false;
    try {
      while (!process.waitFor(100, TimeUnit.MILLISECONDS)) {
        if (ctx.paused() != stopped) {
          stopped = ctx.paused();
          signal(process, stopped ? "-STOP" : "-CONT");
        }
      }
    } catch (InterruptedException e) {
      destroyTree(process);
      throw new CancellationException("training command stopped");
    }
    out.join(5000);
    err.join(5000);
    int code = process.exitValue();
    if (code != 0) {
      String tail;
      synchronized (stderrTail) {
        tail = String.join("\n", stderrTail);
      }
      throw new TrainingCommandFailedException("training command exited with code " + code
          + (tail.isBlank() ? "" : "; last lines of its standard error:\n" + tail));
    }
    Path model = modelPath.get() != null ? modelPath.get() : ctx.outputDir();
    if (!Files.exists(model)) {
      throw new TrainingCommandFailedException("training command printed model_path=" + model + " but that path does not exist");
    }
    return model;
  }

  /** The command's failure, reported as the job's error. */
  static final class TrainingCommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TrainingCommandFailedException(String message) {
      super(message);
    }
  }

  private static void readStdout(Process process, TrainingContext ctx, AtomicReference<Path> modelPath) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        handleLine(line.strip(), ctx, modelPath);
      }
    } catch (IOException e) {
      // the process was destroyed: nothing more to read
    }
  }

  static void handleLine(String line, TrainingContext ctx, AtomicReference<Path> modelPath) {
    if (line.isEmpty()) {
      return;
    }
    if (line.startsWith("checkpoint_path=")) {
      checkpointLine(line, ctx);
      return;
    }
    if (line.startsWith("model_path=")) {
      Path p = Path.of(line.substring("model_path=".length()).trim());
      modelPath.set(p.isAbsolute() ? p : ctx.outputDir().resolve(p));
      ctx.log("info", "Training command wrote its model to " + modelPath.get());
      return;
    }
    Map<String, Double> values = new LinkedHashMap<>();
    Long step = null;
    if (line.startsWith("{")) {
      try {
        JsonNode node = JSON.readTree(line);
        if (tunekitLine(node, ctx, modelPath)) {
          return;
        }
        if (node.path("step").canConvertToLong()) {
          step = node.path("step").asLong();
          for (Map.Entry<String, JsonNode> f : node.properties()) {
            if (f.getValue().isNumber() && !f.getKey().equals("step")) {
              values.put(alias(f.getKey()), f.getValue().asDouble());
            }
          }
        }
      } catch (IOException e) {
        step = null;
      }
    } else if (STEP.matcher(line).find()) {
      Matcher m = KEY_VALUE.matcher(line);
      while (m.find()) {
        try {
          if (m.group(1).equals("step")) {
            step = Long.parseLong(m.group(2));
          } else {
            values.put(alias(m.group(1)), Double.parseDouble(m.group(2)));
          }
        } catch (NumberFormatException e) {
          // a non-numeric value: not a metric
        }
      }
    }
    if (step != null) {
      ctx.metrics(step, values);
    } else {
      ctx.log("info", line.length() > 500 ? line.substring(0, 500) + "…" : line);
    }
  }

  /**
   * The JSON lines of {@code trainers/trl/tunekit_train.py}, told apart by their {@code "tunekit"} key:
   * {@code checkpoint} ({@code step}, {@code path}), {@code model} ({@code path}) and {@code event}
   * ({@code level}, {@code message}); {@code metric} lines are read like any JSON line with a step.
   * Returns whether the line was one of those three.
   */
  private static boolean tunekitLine(JsonNode node, TrainingContext ctx, AtomicReference<Path> modelPath) {
    String kind = node.path("tunekit").asText("");
    String path = node.path("path").asText("");
    switch (kind) {
      case "checkpoint":
        if (path.isEmpty() || !node.path("step").canConvertToLong()) {
          ctx.log("warn", "Ignored checkpoint line without path and step: " + node);
        } else {
          ctx.checkpoint(node.path("step").asLong(), Map.of(), resolve(ctx, path));
        }
        return true;
      case "model":
        if (path.isEmpty()) {
          ctx.log("warn", "Ignored model line without a path: " + node);
        } else {
          modelPath.set(resolve(ctx, path));
          ctx.log("info", "Training command wrote its model to " + modelPath.get());
        }
        return true;
      case "event":
        String level = node.path("level").asText("info");
        String message = node.path("message").asText("");
        ctx.log(level.equals("warn") || level.equals("error") ? level : "info",
            message.length() > 500 ? message.substring(0, 500) + "…" : message);
        return true;
      default:
        return false;
    }
  }

  private static Path resolve(TrainingContext ctx, String path) {
    Path p = Path.of(path);
    return p.isAbsolute() ? p : ctx.outputDir().resolve(p);
  }

  /** {@code checkpoint_path=PATH step=N [key=value ...]}: a checkpoint the script saved (its metrics optional). */
  private static void checkpointLine(String line, TrainingContext ctx) {
    Path path = null;
    Long step = null;
    Map<String, Double> metrics = new LinkedHashMap<>();
    Matcher m = KEY_VALUE.matcher(line);
    while (m.find()) {
      String key = m.group(1);
      String value = m.group(2);
      if (key.equals("checkpoint_path")) {
        Path p = Path.of(value);
        path = p.isAbsolute() ? p : ctx.outputDir().resolve(p);
      } else if (key.equals("step") && value.matches("\\d+")) {
        step = Long.parseLong(value);
      } else {
        try {
          metrics.put(alias(key), Double.parseDouble(value));
        } catch (NumberFormatException e) {
          // not a metric
        }
      }
    }
    if (path == null || step == null) {
      ctx.log("warn", "Ignored checkpoint line without checkpoint_path=PATH and step=N: " + line);
      return;
    }
    ctx.checkpoint(step, metrics, path);
  }

  private static String alias(String key) {
    switch (key) {
      case "train_accuracy": return "train_mean_token_accuracy";
      case "valid_accuracy": return "valid_mean_token_accuracy";
      default: return key;
    }
  }

  private static void readStderr(Process process, Deque<String> tail) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (tail) {
          tail.addLast(line);
          while (tail.size() > 20) {
            tail.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      // the process was destroyed
    }
  }

  /** Destroys the process and every descendant (children first), forcibly after five seconds. */
  static void destroyTree(Process process) {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private static void signal(Process process, String signal) {
    List<String> cmd = new ArrayList<>(List.of("kill", signal, String.valueOf(process.pid())));
    process.descendants().forEach(h -> cmd.add(String.valueOf(h.pid())));
    try {
      new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no kill command (not POSIX): the process keeps running while the job shows paused
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
