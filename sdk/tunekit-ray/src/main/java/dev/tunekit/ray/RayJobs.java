package dev.tunekit.ray;

import dev.tunekit.http.TrainerCli;
import dev.tunekit.http.TrainerLog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.JobRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The job's submit body (entrypoint, runtime_env, resources, metadata) and its status, in Ray's Jobs API terms. */
final class RayJobs {
  static final String BASE_MODEL_METADATA_KEY = "tunekit_base_model";

  private RayJobs() {}

  /** {@code POST /api/jobs/}'s body. */
  static ObjectNode submitBody(RayConfig config, JobRequest req, String submissionId, String codePackage,
      String trainPackage, Optional<String> validationPackage) {
    String output = config.output() + "/" + submissionId;
    ObjectNode b = JsonNodeFactory.instance.objectNode();
    b.put("entrypoint", entrypoint(req, trainPackage, validationPackage, output));
    b.put("submission_id", submissionId);
    ObjectNode env = b.putObject("runtime_env");
    env.put("working_dir", "gcs://" + codePackage);
    ArrayNode modules = env.putArray("py_modules").add("gcs://" + trainPackage);
    validationPackage.ifPresent(v -> modules.add("gcs://" + v));
    if (config.image().isPresent()) {
      env.put("image_uri", config.image().get());
    } else if (!config.pip().isEmpty()) {
      ArrayNode pip = env.putArray("pip");
      config.pip().forEach(pip::add);
    }
    env.putObject("env_vars").put("PYTHONUNBUFFERED", "1").put("TUNEKIT_RUN_ID", req.runId());
    if (config.numGpus() > 0) {
      b.put("entrypoint_num_gpus", config.numGpus());
    }
    ObjectNode md = b.putObject("metadata");
    req.metadata().forEach(md::put);
    md.put(JobRequest.IDEMPOTENCY_METADATA_KEY, req.idempotencyKey());
    md.put(RayProvider.OUTPUT_METADATA_KEY, output);
    md.put(BASE_MODEL_METADATA_KEY, req.baseModel());
    return b;
  }

  /**
   * {@code python tunekit_ray_launch.py} with the trainer's command line ({@link TrainerCli#args}, the one copy
   * tunekit-kubeflow uses too; trainers/trl/README.md), each value quoted.
   */
  static String entrypoint(JobRequest req, String trainPackage, Optional<String> validationPackage, String output) {
    List<String> a = new java.util.ArrayList<>(List.of("python", Packages.LAUNCHER));
    a.addAll(TrainerCli.args(req, "@" + Names.dataModule(trainPackage) + "/" + Packages.DATA,
        validationPackage.map(v -> "@" + Names.dataModule(v) + "/" + Packages.DATA), output));
    return String.join(" ", a.stream().map(RayJobs::quote).toList());
  }

  /** A word for the shell Ray runs the entrypoint with: as it is when plain, else in single quotes. */
  static String quote(String s) {
    if (s.matches("[A-Za-z0-9@%+=:,./_-]+")) {
      return s;
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /**
   * PENDING is queued, RUNNING running, STOPPED cancelled (Ray's word for a stopped job), SUCCEEDED succeeded with
   * the output directory as the model, FAILED failed with the trainer's last error line (Ray's {@code message} ends
   * with the log's tail) and Ray's {@code error_type} as the code; anything else unknown.
   */
  static JobStatus status(JsonNode j, Map<String, String> metadata) {
    String raw = j.path("status").asText("");
    return switch (raw) {
      case "PENDING" -> new JobStatus.Queued(raw);
      case "RUNNING" -> new JobStatus.Running(raw);
      case "STOPPED" -> new JobStatus.Cancelled(raw);
      case "SUCCEEDED" -> new JobStatus.Succeeded(raw, Optional.ofNullable(metadata.get(RayProvider.OUTPUT_METADATA_KEY)));
      case "FAILED" -> new JobStatus.Failed(raw, failure(j), text(j, "error_type"));
      default -> new JobStatus.Unknown(raw.isEmpty() ? "(no status)" : raw);
    };
  }

  private static String failure(JsonNode j) {
    String message = j.path("message").asText("");
    String first = message.lines().findFirst().orElse("").strip();
    Optional<String> trainer = TrainerLog.lastError(message);
    if (trainer.isPresent()) {
      return trainer.get() + (first.isEmpty() ? "" : " (" + first + ")");
    }
    return first.isEmpty() ? "Ray reported the job FAILED without a message" : first;
  }

  private static Optional<String> text(JsonNode j, String field) {
    JsonNode v = j.path(field);
    return v.isTextual() && !v.asText().isBlank() ? Optional.of(v.asText()) : Optional.empty();
  }
}
