package dev.tunekit.ray;

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
 * Reads the job's log as {@code trainers/trl/tunekit_train.py} writes it (trainers/trl/README.md, "What it prints"):
 * one JSON object per line with a {@code "tunekit"} key ({@code metric}, {@code event}, {@code checkpoint},
 * {@code model}), and on failure {@code tunekit_train: error: …} lines. Ray's job log mixes the trainer's standard
 * output and error with Ray's and the libraries' lines; those are skipped.
 *
 * <p>The same format {@code tunekit-local}'s command trainer reads into its own job store; this reads it into the
 * neutral {@link MetricPoint} and {@link JobEvent}. Only whole lines are read: a line Ray has not finished writing
 * waits for the next poll. Positions are character offsets in the log, so a poll reads only what came after the
 * cursor and an event's id (its offset) never changes.
 */
final class TrainerLog {
  static final String ERROR_PREFIX = "tunekit_train: error: ";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one read found, and the offset just after the last whole line. */
  record Chunk(List<JobEvent> events, List<MetricPoint> metrics, long end) {}

  private TrainerLog() {}

  /** The whole lines of {@code log} from character {@code from} on. */
  static Chunk read(String log, long from, Instant now) {
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

  /** The last {@code tunekit_train: error:} line of {@code text} (Ray's failure message ends with the log's tail). */
  static Optional<String> lastError(String text) {
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
