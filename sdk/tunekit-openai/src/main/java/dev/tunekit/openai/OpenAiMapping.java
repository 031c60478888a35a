package dev.tunekit.openai;

import com.openai.core.JsonValue;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.FineTuningJobEvent;
import com.openai.models.finetuning.jobs.checkpoints.FineTuningJobCheckpoint;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Checkpoint;
import dev.tunekit.spi.RemoteJob;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Maps openai-java models to neutral Tunekit values. Reads every field leniently (through the SDK's
 * raw {@code _field()} accessors) so that OpenAI-compatible servers that omit fields, Azure's extra
 * statuses and OpenAI's {@code "error": {}} do not break polling.
 */
final class OpenAiMapping {
  private OpenAiMapping() {}

  /** Maps OpenAI's raw job status (and error) to the neutral status. */
  static JobStatus status(String raw, Optional<String> fineTunedModel, Optional<String> errorMessage,
      Optional<String> errorCode) {
    switch (raw) {
      case "validating_files":
        return new JobStatus.Validating(raw);
      case "queued":
      case "pending":
        return new JobStatus.Queued(raw);
      case "running":
        return new JobStatus.Running(raw);
      case "paused":
        return new JobStatus.Paused(raw);
      case "succeeded":
        return new JobStatus.Succeeded(raw, fineTunedModel);
      case "failed":
        return new JobStatus.Failed(raw,
            errorMessage.orElse("The job failed and the provider gave no reason; see the job's events."),
            errorCode);
      case "cancelled":
        return new JobStatus.Cancelled(raw);
      default:
        return new JobStatus.Unknown(raw);
    }
  }

  static RemoteJob job(FineTuningJob j) {
    // status().asString() keeps values the SDK does not know (paused, pending); known() would throw.
    String raw = j._status().asKnown().map(FineTuningJob.Status::asString)
        .or(() -> j._status().asString())
        .orElse("unknown");
    Optional<String> model = nonBlank(j._fineTunedModel().asKnown());
    Optional<Map<String, JsonValue>> error = j._error().asKnown().map(FineTuningJob.Error::_allProperties)
        .or(() -> j._error().asObject());
    Optional<String> errMessage = error.flatMap(e -> string(e.get("message")));
    Optional<String> errCode = error.flatMap(e -> string(e.get("code")));
    Optional<String> errParam = error.flatMap(e -> string(e.get("param")));
    if (errMessage.isPresent() && errParam.isPresent()) {
      errMessage = Optional.of(errMessage.get() + " (parameter " + errParam.get() + ")");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    j._metadata().asKnown().ifPresent(m -> m._additionalProperties()
        .forEach((k, v) -> string(v).ifPresent(s -> metadata.put(k, s))));
    return RemoteJob.builder().id(j._id().asKnown().orElseThrow(() -> new IllegalStateException("job without an id")))
        .status(status(raw, model, errMessage, errCode)).baseModel(j._model().asKnown().orElse(""))
        .createdAt(j._createdAt().asKnown().filter(t -> t > 0).map(Instant::ofEpochSecond))
        .finishedAt(j._finishedAt().asKnown().filter(t -> t > 0).map(Instant::ofEpochSecond))
        .trainedTokens(j._trainedTokens().asKnown()).metadata(metadata).build();
  }

  static JobEvent event(FineTuningJobEvent e) {
    return new JobEvent(
        e._id().asKnown().orElse(""),
        Instant.ofEpochSecond(e._createdAt().asKnown().orElse(0L)),
        e._level().asKnown().map(FineTuningJobEvent.Level::asString).or(() -> e._level().asString()).orElse("info"),
        e._message().asKnown().orElse(""));
  }

  static long createdAt(FineTuningJobEvent e) {
    return e._createdAt().asKnown().orElse(0L);
  }

  /** Whether the event is a {@code type: metrics} event. */
  static boolean isMetrics(FineTuningJobEvent e) {
    return e._type().asKnown().map(FineTuningJobEvent.Type::asString).or(() -> e._type().asString())
        .map("metrics"::equals).orElse(false);
  }

  /** The metrics in a {@code type: metrics} event's {@code data}, if it has a step. */
  static Optional<MetricPoint> eventMetrics(FineTuningJobEvent e) {
    Optional<Map<String, JsonValue>> data = e._data().asObject();
    if (data.isEmpty()) {
      return Optional.empty();
    }
    Map<String, JsonValue> d = data.get();
    OptionalDouble step = number(d.get("step"));
    if (step.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new MetricPoint((long) step.getAsDouble(),
        number(d.get("train_loss")),
        first(number(d.get("valid_loss")), number(d.get("full_valid_loss"))),
        first(number(d.get("train_mean_token_accuracy")), number(d.get("train_accuracy"))),
        first(number(d.get("valid_mean_token_accuracy")), number(d.get("full_valid_mean_token_accuracy")))));
  }

  static Checkpoint checkpoint(FineTuningJobCheckpoint c) {
    long step = c._stepNumber().asKnown().orElse(0L);
    MetricPoint metrics = c._metrics().asKnown().map(m -> new MetricPoint(
            m.step().map(Double::longValue).orElse(step),
            opt(m.trainLoss()),
            first(opt(m.validLoss()), opt(m.fullValidLoss())),
            opt(m.trainMeanTokenAccuracy()),
            first(opt(m.validMeanTokenAccuracy()), opt(m.fullValidMeanTokenAccuracy()))))
        .orElse(new MetricPoint(step, OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalDouble.empty()));
    return Checkpoint.builder().id(c._id().asKnown().orElse(""))
        .model(c._fineTunedModelCheckpoint().asKnown().orElse("")).metrics(metrics).build();
  }

  static long checkpointStep(FineTuningJobCheckpoint c) {
    return c._stepNumber().asKnown().orElse(0L);
  }

  private static OptionalDouble opt(Optional<Double> d) {
    return d.isPresent() ? OptionalDouble.of(d.get()) : OptionalDouble.empty();
  }

  private static OptionalDouble first(OptionalDouble a, OptionalDouble b) {
    return a.isPresent() ? a : b;
  }

  private static OptionalDouble number(JsonValue v) {
    if (v == null) {
      return OptionalDouble.empty();
    }
    Optional<Number> n = v.asNumber();
    if (n.isPresent()) {
      return OptionalDouble.of(n.get().doubleValue());
    }
    Optional<String> s = v.asString();
    if (s.isPresent()) {
      try {
        return OptionalDouble.of(Double.parseDouble(s.get().trim()));
      } catch (NumberFormatException ignored) {
        return OptionalDouble.empty();
      }
    }
    return OptionalDouble.empty();
  }

  private static Optional<String> string(JsonValue v) {
    if (v == null) {
      return Optional.empty();
    }
    Optional<String> s = v.asString();
    if (s.isPresent()) {
      return nonBlank(s);
    }
    Optional<Number> n = v.asNumber();
    return n.map(String::valueOf);
  }

  private static Optional<String> nonBlank(Optional<String> s) {
    return s.filter(x -> !x.isBlank());
  }
}
