package dev.tunekit.bedrock;

import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.RemoteJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.bedrock.model.DataProcessingDetails;
import software.amazon.awssdk.services.bedrock.model.GetModelCustomizationJobResponse;
import software.amazon.awssdk.services.bedrock.model.JobStatusDetails;
import software.amazon.awssdk.services.bedrock.model.ModelCustomizationJobStatus;
import software.amazon.awssdk.services.bedrock.model.ModelCustomizationJobSummary;
import software.amazon.awssdk.services.bedrock.model.StatusDetails;
import software.amazon.awssdk.services.bedrock.model.TrainingDetails;
import software.amazon.awssdk.services.bedrock.model.ValidationDetails;

/**
 * Maps Bedrock customization jobs to neutral jobs, statuses and events.
 *
 * <p>Status: {@code InProgress} becomes Validating while validation or data processing runs (or has
 * not started), Running while training runs, Queued between the two; {@code Completed} becomes
 * Succeeded with the output model ARN; {@code Failed} becomes Failed with the failure message;
 * {@code Stopping} and {@code Stopped} become Cancelled (a stop cannot be undone, and billing ends at
 * the stop request); anything newer than this SDK becomes Unknown with the raw value.
 *
 * <p>Events: Bedrock has no event log, so events are synthesised from the job's state — creation, each
 * stage's start and end (validation, data processing, training), and the outcome. Each event's id is
 * derived from the job id, the stage and the state, so the same event has the same id on every poll
 * and the core de-duplicates them. A stage that is already completed also yields its start event, so
 * the history reads the same whether or not every transition was observed.
 */
final class JobMapper {
  private JobMapper() {}

  static RemoteJob toRemoteJob(GetModelCustomizationJobResponse r) {
    JobStatus status = status(r.status(), r.statusAsString(), r.statusDetails(), r.outputModelArn(), r.failureMessage());
    Map<String, String> md = new LinkedHashMap<>();
    putIf(md, "jobName", r.jobName());
    putIf(md, "clientRequestToken", r.clientRequestToken());
    putIf(md, "customizationType", r.customizationTypeAsString());
    putIf(md, "outputModelName", r.outputModelName());
    putIf(md, "outputModelArn", r.outputModelArn());
    if (r.outputDataConfig() != null) {
      putIf(md, "outputS3Uri", r.outputDataConfig().s3Uri());
    }
    return RemoteJob.builder().id(r.jobArn()).status(status).baseModel(baseModelId(r.baseModelArn()))
        .createdAt(Optional.ofNullable(r.creationTime())).finishedAt(Optional.ofNullable(r.endTime()))
        .trainedTokens(Optional.empty()).metadata(md).build();
  }

  static RemoteJob toRemoteJob(ModelCustomizationJobSummary s) {
    JobStatus status = status(s.status(), s.statusAsString(), s.statusDetails(), s.customModelArn(),
        "the job failed; see its failure message with job(id)");
    Map<String, String> md = new LinkedHashMap<>();
    putIf(md, "jobName", s.jobName());
    putIf(md, "customizationType", s.customizationTypeAsString());
    putIf(md, "outputModelName", s.customModelName());
    putIf(md, "outputModelArn", s.customModelArn());
    return RemoteJob.builder().id(s.jobArn()).status(status).baseModel(baseModelId(s.baseModelArn()))
        .createdAt(Optional.ofNullable(s.creationTime())).finishedAt(Optional.ofNullable(s.endTime()))
        .trainedTokens(Optional.empty()).metadata(md).build();
  }

  static JobStatus status(ModelCustomizationJobStatus st, String raw, StatusDetails details, String outputModel,
      String failureMessage) {
    String r = raw == null ? "null" : raw;
    if (st == null) {
      return new JobStatus.Unknown(r);
    }
    switch (st) {
      case COMPLETED:
        return new JobStatus.Succeeded(r, Optional.ofNullable(outputModel));
      case FAILED:
        return new JobStatus.Failed(r, failureMessage == null || failureMessage.isBlank()
            ? "Bedrock reported the job as failed without a message" : failureMessage, Optional.empty());
      case STOPPING:
      case STOPPED:
        return new JobStatus.Cancelled(r);
      case IN_PROGRESS:
        return inProgress(r, details);
      default:
        return new JobStatus.Unknown(r);
    }
  }

  private static JobStatus inProgress(String raw, StatusDetails d) {
    if (d == null) {
      return new JobStatus.Running(raw);
    }
    JobStatusDetails training = d.trainingDetails() == null ? null : d.trainingDetails().status();
    JobStatusDetails validation = d.validationDetails() == null ? null : d.validationDetails().status();
    JobStatusDetails data = d.dataProcessingDetails() == null ? null : d.dataProcessingDetails().status();
    if (training == JobStatusDetails.IN_PROGRESS || training == JobStatusDetails.COMPLETED) {
      return new JobStatus.Running(raw + "/Training");
    }
    if (validation == JobStatusDetails.IN_PROGRESS || validation == JobStatusDetails.NOT_STARTED) {
      return new JobStatus.Validating(raw + "/Validation");
    }
    if (data == JobStatusDetails.IN_PROGRESS || data == JobStatusDetails.NOT_STARTED) {
      return new JobStatus.Validating(raw + "/DataProcessing");
    }
    if (training == JobStatusDetails.NOT_STARTED) {
      return new JobStatus.Queued(raw + "/TrainingNotStarted");
    }
    return new JobStatus.Running(raw);
  }

  static List<JobEvent> events(GetModelCustomizationJobResponse r) {
    String id = r.jobArn();
    Instant created = r.creationTime() == null ? Instant.EPOCH : r.creationTime();
    List<Entry> out = new ArrayList<>();
    out.add(new Entry(0, new JobEvent(id + "#created", created, "info",
        "Customization job " + r.jobName() + " created (" + r.customizationTypeAsString() + " of "
            + baseModelId(r.baseModelArn()) + ")")));
    StatusDetails d = r.statusDetails();
    if (d != null) {
      ValidationDetails v = d.validationDetails();
      if (v != null) {
        stage(out, 1, id, "validation", "Validation", v.status(), v.statusAsString(), v.creationTime(), v.lastModifiedTime(), created);
      }
      DataProcessingDetails p = d.dataProcessingDetails();
      if (p != null) {
        stage(out, 2, id, "data-processing", "Data processing", p.status(), p.statusAsString(), p.creationTime(),
            p.lastModifiedTime(), created);
      }
      TrainingDetails t = d.trainingDetails();
      if (t != null) {
        stage(out, 3, id, "training", "Training", t.status(), t.statusAsString(), t.creationTime(), t.lastModifiedTime(), created);
      }
    }
    Instant end = r.endTime() != null ? r.endTime() : r.lastModifiedTime() != null ? r.lastModifiedTime() : created;
    ModelCustomizationJobStatus st = r.status();
    if (st == ModelCustomizationJobStatus.COMPLETED) {
      out.add(new Entry(9, new JobEvent(id + "#completed", end, "info",
          "Job completed; custom model " + (r.outputModelArn() == null ? "(no ARN reported)" : r.outputModelArn()))));
    } else if (st == ModelCustomizationJobStatus.FAILED) {
      out.add(new Entry(9, new JobEvent(id + "#failed", end, "error",
          "Job failed: " + (r.failureMessage() == null ? "no message" : r.failureMessage()))));
    } else if (st == ModelCustomizationJobStatus.STOPPING) {
      out.add(new Entry(8, new JobEvent(id + "#stopping", end, "warn", "Job is stopping at the user's request")));
    } else if (st == ModelCustomizationJobStatus.STOPPED) {
      out.add(new Entry(8, new JobEvent(id + "#stopping", end, "warn", "Job is stopping at the user's request")));
      out.add(new Entry(9, new JobEvent(id + "#stopped", end, "warn", "Job stopped")));
    }
    out.sort(Comparator.comparing((Entry e) -> e.event().time()).thenComparingInt(Entry::order));
    List<JobEvent> events = new ArrayList<>(out.size());
    for (Entry e : out) {
      events.add(e.event());
    }
    return events;
  }

  private record Entry(int order, JobEvent event) {}

  private static void stage(List<Entry> out, int order, String jobId, String key, String label, JobStatusDetails s,
      String raw, Instant started, Instant modified, Instant created) {
    if (s == null || s == JobStatusDetails.NOT_STARTED) {
      return;
    }
    Instant start = started != null ? started : created;
    Instant last = modified != null ? modified : start;
    out.add(new Entry(order * 10, new JobEvent(jobId + "#" + key + ":started", start, "info", label + " started")));
    switch (s) {
      case IN_PROGRESS:
        break;
      case COMPLETED:
        out.add(new Entry(order * 10 + 1, new JobEvent(jobId + "#" + key + ":completed", last, "info", label + " completed")));
        break;
      case FAILED:
        out.add(new Entry(order * 10 + 1, new JobEvent(jobId + "#" + key + ":failed", last, "error", label + " failed")));
        break;
      case STOPPING:
      case STOPPED:
        out.add(new Entry(order * 10 + 1, new JobEvent(jobId + "#" + key + ":stopped", last, "warn", label + " stopped")));
        break;
      default:
        out.add(new Entry(order * 10 + 1, new JobEvent(jobId + "#" + key + ":" + raw, last, "info", label + " is " + raw)));
    }
  }

  /** {@code amazon.nova-micro-v1:0:128k} from its foundation-model ARN; anything else unchanged. */
  static String baseModelId(String arnOrId) {
    if (arnOrId == null) {
      return "unknown";
    }
    int i = arnOrId.indexOf(":foundation-model/");
    return i >= 0 ? arnOrId.substring(i + ":foundation-model/".length()) : arnOrId;
  }

  private static void putIf(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }
}
