package dev.tunekit.together;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.RemoteJob;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Together fine-tune jobs ({@code FinetuneResponse}, {@code FinetuneResponseTruncated}) and events
 * ({@code FineTuneEvent}) as neutral values. Every documented status maps (see {@link #status}); a status this
 * table does not know becomes {@link JobStatus.Unknown} with the raw value, never an error.
 */
final class JobMapper {
  private JobMapper() {}

  static RemoteJob toRemoteJob(JsonNode j) {
    String id = text(j, "id").orElseThrow(() -> ProviderException.builder(TogetherErrors.PROVIDER,
        "Together returned a fine-tune job without an id").retryable(false).build());
    Map<String, String> md = new LinkedHashMap<>();
    text(j, "model_output_name").ifPresent(m -> md.put("modelOutputName", m));
    text(j, "suffix").ifPresent(s -> md.put("suffix", s));
    text(j, "training_file").ifPresent(f -> md.put("trainingFile", f));
    boolean terminal = status(j).isTerminal();
    return RemoteJob.builder().id(id).status(status(j)).baseModel(text(j, "model").orElse("unknown"))
        .createdAt(time(j.path("created_at"))).finishedAt(terminal ? time(j.path("updated_at")) : Optional.empty())
        .trainedTokens(j.path("token_count").canConvertToLong() && j.path("token_count").asLong() > 0
            ? Optional.of(j.path("token_count").asLong()) : Optional.empty())
        .metadata(md).build();
  }

  /**
   * pending and queued are queued; running, compressing and uploading running (the last two come after training,
   * while Together packs and stores the model); completed succeeded, the model being {@code model_output_name};
   * error failed; cancel_requested and cancelled cancelled (a cancel Together accepted does not resume); anything
   * else, a missing status included, unknown.
   */
  static JobStatus status(JsonNode j) {
    String raw = j.path("status").isTextual() ? j.path("status").asText() : "null";
    switch (raw) {
      case "pending":
      case "queued":
        return new JobStatus.Queued(raw);
      case "running":
      case "compressing":
      case "uploading":
        return new JobStatus.Running(raw);
      case "completed":
        return new JobStatus.Succeeded(raw, text(j, "model_output_name"));
      case "error":
        return new JobStatus.Failed(raw, lastError(j).orElse("Together gave no reason; its events may say more"),
            Optional.empty());
      case "cancel_requested":
      case "cancelled":
        return new JobStatus.Cancelled(raw);
      default:
        return new JobStatus.Unknown(raw);
    }
  }

  /** The message of the last error-level or job_error event the job carries, if any. */
  private static Optional<String> lastError(JsonNode j) {
    String found = null;
    for (JsonNode e : j.path("events")) {
      if ("error".equals(e.path("level").asText()) || "job_error".equals(e.path("type").asText())) {
        String m = e.path("message").asText("");
        if (!m.isBlank()) {
          found = m;
        }
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * Events as Together lists them, oldest first. They have no ids: the id is the position and the type, and the
   * list is read again on each poll (the core's cursor skips what was delivered).
   */
  static List<JobEvent> events(JsonNode list) {
    List<JobEvent> out = new ArrayList<>();
    int i = 0;
    for (JsonNode e : list.path("data")) {
      String type = e.path("type").asText("event");
      String message = e.path("message").asText("");
      if (message.isBlank()) {
        message = type.replace('_', ' ');
      }
      out.add(new JobEvent(i + "-" + type, time(e.path("created_at")).orElse(Instant.EPOCH), level(e), message));
      i++;
    }
    return out;
  }

  static String level(JsonNode e) {
    String l = e.path("level").asText("");
    if (l.endsWith("error") || "job_error".equals(e.path("type").asText())) {
      return "error";
    }
    if (l.endsWith("warning") || l.endsWith("iwarning")) {
      return "warning";
    }
    return "info";
  }

  static Optional<Instant> time(JsonNode n) {
    if (!n.isTextual() || n.asText().isBlank()) {
      return Optional.empty();
    }
    String s = n.asText().trim();
    try {
      return Optional.of(OffsetDateTime.parse(s).toInstant());
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(Instant.parse(s.endsWith("Z") ? s : s + "Z"));
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
  }

  static Optional<String> text(JsonNode j, String field) {
    JsonNode n = j.path(field);
    return n.isTextual() && !n.asText().isBlank() ? Optional.of(n.asText()) : Optional.empty();
  }
}
