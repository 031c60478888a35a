package dev.tunekit.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Reads a job's log as {@code trainers/trl/tunekit_train.py} writes it (trainers/trl/README.md, "What it prints"):
 * one JSON object per line with a {@code "tunekit"} key ({@code metric}, {@code event}, {@code checkpoint},
 * {@code model}), and on failure {@code tunekit_train: error: …} lines. A job's log mixes the trainer's standard
 * output and error with the engine's and the libraries' lines; those are skipped.
 *
 * <p>Shared by the engines that run that trainer (tunekit-ray reads Ray's job log, tunekit-kubeflow the trainer
 * pod's log), so both turn the same lines into the same neutral {@link MetricPoint} and {@link JobEvent}.
 * {@code tunekit-local}'s command trainer reads the same format into its own job store. Only whole lines are read: a
 * line the engine has not finished writing waits for the next poll. Positions are character offsets in the log, so a
 * poll reads only what came after the cursor and an event's id (its offset) never changes. Not a user API: support
 * for provider modules, like the rest of this package.
 */
public final class TrainerLog {
  /** What the trainer writes before the reason when it exits non-zero. */
  public static final String ERROR_PREFIX = "tunekit_train: error: ";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What one read found, and the offset just after the last whole line (the next read's start).
   *
   * @param events the trainer's events, checkpoints, model line and error lines, oldest first
   * @param metrics the trainer's metric lines, oldest first
   * @param end the character offset just after the last whole line read
   */
  public record Chunk(List<JobEvent> events, List<MetricPoint> metrics, long end) {}

  private TrainerLog() {}

  /**
   * The whole lines of {@code log} from character {@code from} on.
   *
   * @param log the job's log as the engine returns it (all of it, or only a part that starts at a line)
   * @param from the character offset to start at (a previous {@link Chunk#end()}, or 0)
   * @param now the time stamped on each event (log lines carry none)
   */
  public static Chunk read(String log, long from, Instant now) {
    List<JobEvent> events = new ArrayList<>();
    List<MetricPoint> metrics = new ArrayList<>();
    int start = (int) Math.min(Math.max(from, 0), log.length());
    int pos = start;
    while (true) {
      int nl = log.indexOf('\n', pos);
      if (nl < 0) {
        break;
      }
      line(log.substring(pos, nl).strip(), pos, now, events, metrics);
      pos = nl + 1;
    }
    return new Chunk(events, metrics, pos);
  }

  private static void line(String line, long offset, Instant now, List<JobEvent> events, List<MetricPoint> metrics) {
    String id = "log-" + offset;
    if (line.startsWith(ERROR_PREFIX)) {
      events.add(new JobEvent(id, now, "error", line.substring(ERROR_PREFIX.length())));
      return;
    }
    if (!line.startsWith("{") || !line.contains("\"tunekit\"")) {
      return;
    }
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (IOException e) {
      return; // not one of the trainer's lines after all
    }
    switch (n.path("tunekit").asText("")) {
      case "metric" -> {
        if (n.path("step").canConvertToLong()) {
          metrics.add(new MetricPoint(n.path("step").asLong(), num(n, "train_loss"), num(n, "valid_loss"),
              num(n, "train_mean_token_accuracy"), num(n, "valid_mean_token_accuracy")));
        }
      }
      case "event" -> events.add(new JobEvent(id, now, level(n), n.path("message").asText("")));
      case "checkpoint" -> events.add(new JobEvent(id, now, "info", "checkpoint at step " + n.path("step").asText("?")
          + ": " + n.path("path").asText("")));
      case "model" -> events.add(new JobEvent(id, now, "info", "adapter written to " + n.path("path").asText("")));
      default -> {
        // dry_run and kinds a newer trainer may add: not progress
      }
    }
  }

  /**
   * The reason on the last {@code tunekit_train: error:} line of {@code text} (an engine's failure message, or a log's
   * tail), if it has one.
   */
  public static Optional<String> lastError(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String found = null;
    for (String l : text.split("\\R")) {
      int i = l.indexOf(ERROR_PREFIX);
      if (i >= 0) {
        found = l.substring(i + ERROR_PREFIX.length()).strip();
      }
    }
    return Optional.ofNullable(found);
  }

  private static String level(JsonNode n) {
    String l = n.path("level").asText("info");
    return l.equals("warning") ? "warn" : l;
  }

  private static OptionalDouble num(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNumber() ? OptionalDouble.of(v.asDouble()) : OptionalDouble.empty();
  }
}
