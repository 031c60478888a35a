package dev.tunekit.eval;

import dev.tunekit.model.ChatMessage;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The fine-tuning run behind an {@link EvalComparison}: which run, which provider and models, how it
 * was trained and on what. A comparison carries it ({@link EvalComparison#run()}) when it comes from a
 * run ({@code run.evaluation()}), and its HTML page and JSON show it. It holds no secrets: settings are
 * text, and a {@code Secret} given as a setting is shown as {@code [redacted]}.
 *
 * @param runId the run id ({@code run-…})
 * @param provider the provider name
 * @param baseModel the model that was tuned
 * @param fineTunedModel the tuned model id, once training succeeded
 * @param jobId the provider's job id, once submitted
 * @param createdAt when the run was started
 * @param settings the training settings the run set, by name, in order: hyperparameters ({@code epochs},
 *     {@code batchSize}, {@code learningRateMultiplier}, {@code seed}), provider extras, {@code method},
 *     {@code grader} (a reinforcement run's reward grader, such as {@code lambda arn:aws:lambda:…}), {@code suffix};
 *     a setting left out is the provider's default
 * @param trainingFile the training data's file name (no directory)
 * @param trainingExamples examples uploaded for training, when known
 * @param validationFile the validation data: its file name, or how it was split off the training data
 * @param validationExamples examples uploaded for validation, when known
 * @param gateMinImprovement the margin the gate requires over the baseline (0.05 = five points), when
 *     the run is gated
 * @param baselinePreamble what the run's built-in baseline sends before each case: its system prompt
 *     and few-shot examples ({@code FineTune.baselinePrompt} and {@code baselineExample}); empty when it
 *     has none or the baseline is the caller's own target
 */
public record RunContext(
    String runId,
    String provider,
    String baseModel,
    Optional<String> fineTunedModel,
    Optional<String> jobId,
    Instant createdAt,
    Map<String, String> settings,
    Optional<String> trainingFile,
    OptionalLong trainingExamples,
    Optional<String> validationFile,
    OptionalLong validationExamples,
    OptionalDouble gateMinImprovement,
    List<ChatMessage> baselinePreamble) {

  /** Canonical constructor: copies {@code settings}, keeping its order. */
  public RunContext {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(baseModel, "baseModel");
    Objects.requireNonNull(fineTunedModel, "fineTunedModel");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(createdAt, "createdAt");
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    Objects.requireNonNull(trainingFile, "trainingFile");
    Objects.requireNonNull(trainingExamples, "trainingExamples");
    Objects.requireNonNull(validationFile, "validationFile");
    Objects.requireNonNull(validationExamples, "validationExamples");
    Objects.requireNonNull(gateMinImprovement, "gateMinImprovement");
    baselinePreamble = List.copyOf(baselinePreamble);
  }

  /**
   * A setting's value as a report shows it: {@code [redacted]} for a {@code Secret}, else its text.
   * Use it to build {@link #settings()} from values of any type.
   */
  public static String settingText(Object value) {
    if (value instanceof dev.tunekit.model.Secret) {
      return "[redacted]";
    }
    return String.valueOf(value);
  }
}
