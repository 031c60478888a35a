package dev.tunekit.openai;

import dev.tunekit.spi.PreflightProblem;
import java.time.Instant;
import java.util.Optional;

/**
 * OpenAI's wind-down of self-serve fine-tuning (OpenAI's deprecations page, entry of 2026-05-07): since
 * 2026-05-07 organizations that never fine-tuned cannot create jobs; since 2026-07-02 neither can those
 * without fine-tuned-model inference in the previous 60 days; from 2027-01-06 no one can. Inference on
 * existing fine-tunes continues until their base models retire. The create call refuses an organization
 * without access with HTTP 403 and code {@value #REFUSAL_CODE}.
 *
 * <p>Only {@code openai} (api.openai.com) is concerned: Azure OpenAI and OpenAI-compatible servers train
 * on their own terms.
 */
final class OpenAiWindDown {
  /** The error code of the create call's refusal. */
  static final String REFUSAL_CODE = "training_not_available";
  /** From this instant (UTC) OpenAI creates no new fine-tuning job for anyone. */
  static final Instant NO_NEW_JOBS = Instant.parse("2027-01-06T00:00:00Z");

  private OpenAiWindDown() {}

  /**
   * What to do instead: the one config line that runs the same script on another provider than one of
   * kind {@code flavor}.
   */
  static String switchAdvice(OpenAiConfig.Flavor flavor) {
    String to = flavor == OpenAiConfig.Flavor.AZURE ? "bedrock" : "azure";
    return "To run the same script on another provider, change one config line: `provider: " + to
        + "` in tunekit.yaml (or set TUNEKIT_PROVIDER=" + to + "), with that provider's base model as `model:` in its"
        + " section (see docs/config.md, \"One script, every provider\"). Models tuned before keep serving, and a"
        + " tuned model can still be evaluated as a baseline (EvalTarget)";
  }

  /** The create call's refusal, as the message of a {@link dev.tunekit.error.TrainingUnavailableException}. */
  static String refusal(String provider, OpenAiConfig.Flavor flavor, String head) {
    String why = flavor == OpenAiConfig.Flavor.OPENAI
        ? "OpenAI no longer lets this organization create fine-tuning jobs: it is winding self-serve fine-tuning"
            + " down (since 2026-05-07 for organizations that never fine-tuned, since 2026-07-02 for those without"
            + " recent fine-tuned-model inference, from 2027-01-06 for everyone). "
        : provider + " no longer lets this account create fine-tuning jobs. ";
    return head + why + "No fine-tuning job was created and nothing was trained or billed for training; a retry"
        + " or a resume would get the same answer. " + switchAdvice(flavor) + ".";
  }

  /** On {@code openai} from 2027-01-06 (UTC) on, the one preflight problem; otherwise none. */
  static Optional<PreflightProblem> preflight(OpenAiConfig.Flavor flavor, Instant now) {
    if (flavor != OpenAiConfig.Flavor.OPENAI || now.isBefore(NO_NEW_JOBS)) {
      return Optional.empty();
    }
    return Optional.of(new PreflightProblem("provider",
        "OpenAI creates no new fine-tuning jobs since 2027-01-06 (its wind-down of self-serve fine-tuning);"
            + " nothing was uploaded or sent, and no job was created",
        switchAdvice(flavor)));
  }
}
