package dev.tunekit.fireworks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.RemoteJob;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Fireworks supervised fine-tuning jobs ({@code SupervisedFineTuningJob}: {@code name}, {@code state},
 * {@code status}, {@code outputModel}, {@code baseModel}, {@code createTime}, {@code completedTime},
 * {@code updateTime}, {@code estimatedCost}, {@code jobProgress}) as neutral values. Every documented
 * {@code JOB_STATE_*} value maps (see {@link #status}); a state this table does not know becomes
 * {@link JobStatus.Unknown} with the raw value, never an error.
 */
final class JobMapper {
  private JobMapper() {}

  /** The short id of a resource name such as {@code accounts/acme/supervisedFineTuningJobs/tk-1}. */
  static String shortId(String name) {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? name : name.substring(slash + 1);
  }

  static RemoteJob toRemoteJob(JsonNode j) {
    String id = text(j, "name").map(JobMapper::shortId).orElseThrow(() -> ProviderException.builder(
        FireworksErrors.PROVIDER, "Fireworks returned a fine-tuning job without a name").retryable(false).build());
    Map<String, String> md = new LinkedHashMap<>();
    text(j, "outputModel").ifPresent(m -> md.put("outputModel", m));
    text(j, "dataset").ifPresent(d -> md.put("dataset", d));
    estimatedCost(j).ifPresent(c -> md.put("estimatedCost", c));
    JsonNode progress = j.path("jobProgress");
    if (progress.path("percent").canConvertToInt()) {
      md.put("progressPercent", progress.path("percent").asText());
    }
    JobStatus status = status(j);
    long tokens = progress.path("inputTokens").asLong(0);
    return RemoteJob.builder().id(id).status(status).baseModel(text(j, "baseModel").orElse("unknown"))
        .createdAt(time(j.path("createTime")))
        .finishedAt(status.isTerminal() ? time(j.path("completedTime")).or(() -> time(j.path("updateTime"))) : Optional.empty())
        .trainedTokens(tokens > 0 ? Optional.of(tokens) : Optional.empty())
        .metadata(md).build();
  }

  /**
   * CREATING, PENDING, RE_QUEUEING and IDLE are queued; VALIDATING and CREATING_INPUT_DATASET validating; RUNNING
   * and WRITING_RESULTS running; PAUSED paused (Fireworks pauses a job itself, "typically due to account suspension
   * or manual intervention"; {@code :resume} continues it); COMPLETED succeeded, the model being
   * {@code outputModel}; EARLY_STOPPED and ARCHIVED succeeded when the job names its output model (early stopping
   * keeps the model trained so far), failed otherwise; FAILED and EXPIRED failed, with {@code status.message};
   * CANCELLING and CANCELLED cancelled; DELETING, DELETING_CLEANING_UP and DELETED failed (the job was deleted on
   * Fireworks); anything else, UNSPECIFIED and a missing state included, unknown.
   */
  static JobStatus status(JsonNode j) {
    String raw = j.path("state").isTextual() ? j.path("state").asText() : "null";
    Optional<String> model = text(j, "outputModel");
    Optional<String> code = text(j.path("status"), "code").filter(c -> !c.equals("OK"));
    switch (raw) {
      case "JOB_STATE_CREATING":
      case "JOB_STATE_PENDING":
      case "JOB_STATE_RE_QUEUEING":
      case "JOB_STATE_IDLE":
        return new JobStatus.Queued(raw);
      case "JOB_STATE_VALIDATING":
      case "JOB_STATE_CREATING_INPUT_DATASET":
        return new JobStatus.Validating(raw);
      case "JOB_STATE_RUNNING":
      case "JOB_STATE_WRITING_RESULTS":
        return new JobStatus.Running(raw);
      case "JOB_STATE_PAUSED":
        return new JobStatus.Paused(raw);
      case "JOB_STATE_COMPLETED":
        return new JobStatus.Succeeded(raw, model);
      case "JOB_STATE_EARLY_STOPPED":
      case "JOB_STATE_ARCHIVED":
        return model.isPresent() ? new JobStatus.Succeeded(raw, model)
            : new JobStatus.Failed(raw, reason(j, "the job stopped (" + raw + ") without naming an output model"), code);
      case "JOB_STATE_FAILED":
        return new JobStatus.Failed(raw, reason(j, "Fireworks gave no reason; see the job on fireworks.ai"), code);
      case "JOB_STATE_EXPIRED":
        return new JobStatus.Failed(raw, reason(j, "the job expired before it could run"), code);
      case "JOB_STATE_CANCELLING":
      case "JOB_STATE_CANCELLED":
        return new JobStatus.Cancelled(raw);
      case "JOB_STATE_DELETING":
      case "JOB_STATE_DELETING_CLEANING_UP":
      case "JOB_STATE_DELETED":
        return new JobStatus.Failed(raw, "the job was deleted on Fireworks (" + raw + ")", code);
      default:
        return new JobStatus.Unknown(raw);
    }
  }

  private static String reason(JsonNode j, String dflt) {
    return text(j.path("status"), "message").orElse(dflt);
  }

  /** {@code estimatedCost} (a google.type.Money: currencyCode, units, nanos) as text such as {@code 12.50 USD}. */
  static Optional<String> estimatedCost(JsonNode j) {
    JsonNode c = j.path("estimatedCost");
    if (!c.isObject() || (c.path("units").isMissingNode() && c.path("nanos").isMissingNode())) {
      return Optional.empty();
    }
    try {
      BigDecimal units = new BigDecimal(c.path("units").asText("0").isBlank() ? "0" : c.path("units").asText("0"));
      BigDecimal amount = units.add(BigDecimal.valueOf(c.path("nanos").asLong(0), 9)).stripTrailingZeros();
      if (amount.scale() < 2) {
        amount = amount.setScale(2);
      }
      return Optional.of(amount.toPlainString() + " " + c.path("currencyCode").asText("USD"));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Events derived from the job, because Fireworks lists no events for a supervised fine-tuning job: its
   * creation, its cost estimate, each epoch it reached ({@code jobProgress.epoch}, counted from 0), a pause while it
   * lasts, and its end. Apart from the pause the list only grows as the job moves on, and each event has a stable id,
   * so the core's cursor never delivers one twice.
   */
  static List<JobEvent> events(JsonNode j) {
    List<JobEvent> out = new ArrayList<>();
    Instant created = time(j.path("createTime")).orElse(Instant.EPOCH);
    Instant updated = time(j.path("updateTime")).orElse(created);
    String id = text(j, "name").map(JobMapper::shortId).orElse("?");
    out.add(new JobEvent("created", created, "info", "Fireworks created fine-tuning job " + id));
    estimatedCost(j).ifPresent(c -> out.add(new JobEvent("estimated-cost", created, "info",
        "Fireworks estimates the cost of this job at " + c)));
    JsonNode epoch = j.path("jobProgress").path("epoch");
    if (epoch.canConvertToInt()) {
      for (int e = 0; e <= epoch.asInt(); e++) {
        out.add(new JobEvent("epoch-" + (e + 1), updated, "info", "training epoch " + (e + 1)
            + (j.path("epochs").canConvertToInt() ? " of " + j.path("epochs").asInt() : "")));
      }
    }
    JobStatus s = status(j);
    if (s instanceof JobStatus.Paused) {
      // Fireworks pauses a job itself (account suspension, manual intervention); say so while it lasts, once per pause.
      out.add(new JobEvent("paused-" + j.path("updateTime").asText(""), updated, "warning", "Fireworks paused the job"
          + text(j.path("status"), "message").map(m -> ": " + m).orElse("") + "; resume it with "
          + runId(j).map(r -> "tk.run(\"" + r + "\").resumeJob()").orElse("run.resumeJob()")
          + " once the cause is fixed (or `firectl supervised-fine-tuning-job resume " + id + "`), and Tunekit goes on"
          + " waiting"));
    }
    if (s.isTerminal()) {
      Instant end = time(j.path("completedTime")).orElse(updated);
      String message = s instanceof JobStatus.Failed f ? "the job failed: " + f.reason()
          : s instanceof JobStatus.Succeeded ok ? "the job ended (" + s.raw() + "); output model " + ok.model().orElse("?")
          : "the job ended " + s.raw();
      out.add(new JobEvent("end-" + s.raw(), end, s instanceof JobStatus.Failed ? "error" : "info", message));
    }
    return out;
  }

  /** The Tunekit run that created the job, from the display name Tunekit gives it ({@code tunekit <run id>}). */
  static Optional<String> runId(JsonNode j) {
    return text(j, "displayName").filter(n -> n.matches("tunekit run-[A-Za-z0-9-]+")).map(n -> n.substring(8));
  }

  /** One point per epoch reached (step = the epoch, from 1), without loss: Fireworks' metrics file is not read yet. */
  static List<MetricPoint> metrics(JsonNode j) {
    List<MetricPoint> out = new ArrayList<>();
    JsonNode epoch = j.path("jobProgress").path("epoch");
    if (epoch.canConvertToInt()) {
      for (int e = 0; e <= epoch.asInt(); e++) {
        out.add(new MetricPoint(e + 1, OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalDouble.empty()));
      }
    }
    return out;
  }

  static Optional<Instant> time(JsonNode n) {
    if (!n.isTextual() || n.asText().isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(n.asText().trim()).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  static Optional<String> text(JsonNode j, String field) {
    JsonNode n = j.path(field);
    return n.isTextual() && !n.asText().isBlank() ? Optional.of(n.asText()) : Optional.empty();
  }
}
