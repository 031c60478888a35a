package dev.tunekit.vertex;

import com.google.genai.types.TunedModel;
import com.google.genai.types.TunedModelCheckpoint;
import com.google.genai.types.TuningJob;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.RemoteJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Vertex tuning jobs as neutral {@link RemoteJob}s. Every {@code JOB_STATE_*} maps (see {@link #status});
 * a state this table does not know becomes {@link JobStatus.Unknown} with the raw value, never an error.
 */
final class JobMapper {
  private JobMapper() {}

  static RemoteJob toRemoteJob(TuningJob j, String baseModel) {
    Map<String, String> md = new LinkedHashMap<>();
    j.tunedModel().flatMap(TunedModel::model).ifPresent(m -> md.put("tunedModel", m));
    j.tunedModel().flatMap(TunedModel::endpoint).ifPresent(e -> md.put("endpoint", e));
    j.tunedModelDisplayName().ifPresent(n -> md.put("tunedModelDisplayName", n));
    return RemoteJob.builder().id(j.name().orElseThrow(() -> dev.tunekit.error.ProviderException.builder(
            VertexErrors.PROVIDER, "Vertex AI returned a tuning job without a name").build()))
        .status(status(j)).baseModel(baseModel)
        .createdAt(j.createTime()).finishedAt(j.endTime()).trainedTokens(Optional.empty())
        .metadata(md).build();
  }

  /**
   * QUEUED and PENDING are queued; RUNNING and UPDATING running; PAUSED paused; SUCCEEDED succeeded (the
   * model is the tuned endpoint); PARTIALLY_SUCCEEDED succeeded when it has an endpoint, else failed;
   * FAILED and EXPIRED failed; CANCELLING still running (Vertex cancels on a best-effort basis: the job may
   * yet succeed, so only CANCELLED ends it); CANCELLED cancelled;
   * UNSPECIFIED, a missing state and anything else unknown.
   */
  static JobStatus status(TuningJob j) {
    String raw = j.state().map(Object::toString).orElse("null");
    Optional<String> served = j.tunedModel().flatMap(TunedModel::endpoint)
        .or(() -> j.tunedModel().flatMap(TunedModel::model)).filter(s -> !s.isBlank());
    String reason = j.error().flatMap(e -> e.message()).filter(m -> !m.isBlank()).orElse(null);
    Optional<String> code = j.error().flatMap(e -> e.code()).map(String::valueOf);
    switch (raw) {
      case "JOB_STATE_QUEUED":
      case "JOB_STATE_PENDING":
        return new JobStatus.Queued(raw);
      case "JOB_STATE_RUNNING":
      case "JOB_STATE_UPDATING":
      case "JOB_STATE_CANCELLING":
        return new JobStatus.Running(raw);
      case "JOB_STATE_PAUSED":
        return new JobStatus.Paused(raw);
      case "JOB_STATE_SUCCEEDED":
        return new JobStatus.Succeeded(raw, served);
      case "JOB_STATE_PARTIALLY_SUCCEEDED":
        return served.isPresent() ? new JobStatus.Succeeded(raw, served)
            : new JobStatus.Failed(raw, reason != null ? reason : "the job partially succeeded without a tuned model", code);
      case "JOB_STATE_FAILED":
        return new JobStatus.Failed(raw, reason != null ? reason : "Vertex AI gave no reason", code);
      case "JOB_STATE_EXPIRED":
        return new JobStatus.Failed(raw, reason != null ? reason : "the job expired before it finished (Vertex AI"
            + " ends jobs that run or wait too long)", code.or(() -> Optional.of("EXPIRED")));
      case "JOB_STATE_CANCELLED":
        return new JobStatus.Cancelled(raw);
      default:
        return new JobStatus.Unknown(raw);
    }
  }

  /** Created, started, one per checkpoint, and the end (with its state), oldest first. */
  static List<JobEvent> events(TuningJob j) {
    List<JobEvent> out = new ArrayList<>();
    Instant created = j.createTime().orElse(Instant.EPOCH);
    out.add(new JobEvent("created", created, "info", "tuning job created for " + j.baseModel().orElse("a base model")));
    j.startTime().ifPresent(t -> out.add(new JobEvent("started", t, "info", "tuning started")));
    for (TunedModelCheckpoint cp : j.tunedModel().flatMap(TunedModel::checkpoints).orElse(List.of())) {
      String id = cp.checkpointId().orElse(String.valueOf(cp.step().orElse(0L)));
      out.add(new JobEvent("checkpoint-" + id, j.updateTime().orElse(created), "info", "checkpoint " + id
          + cp.epoch().map(e -> " at epoch " + e).orElse("") + cp.step().map(s -> ", step " + s).orElse("")));
    }
    JobStatus s = status(j);
    if (s.isTerminal()) {
      String msg = s instanceof JobStatus.Failed f ? "tuning failed: " + f.reason() : "tuning ended " + s.raw();
      out.add(new JobEvent("end-" + s.raw(), j.endTime().or(j::updateTime).orElse(created),
          s instanceof JobStatus.Failed ? "error" : "info", msg));
    }
    return out;
  }
}
