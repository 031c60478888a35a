package dev.tunekit.spi;

import java.util.Objects;

/**
 * One problem a provider found in a planned job before anything was sent: what is wrong, where, and
 * how to fix it. Returned by {@link TuningProvider#preflight(JobPlan)}; the engine lists every problem
 * of a run in one {@link PreflightException}.
 *
 * @param where the setting or value at fault, such as {@code model}, {@code hyperparameters.epochs} or
 *     {@code providers.bedrock.roleArn} (the config file and line are added by the provider when known)
 * @param problem what is wrong, naming the value (never a secret)
 * @param fix how to fix it
 */
public record PreflightProblem(String where, String problem, String fix) {
  /** Canonical constructor; every part is required. */
  public PreflightProblem {
    Objects.requireNonNull(where, "where");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(fix, "fix");
  }

  /** {@code where: problem; fix}. */
  @Override
  public String toString() {
    return where + ": " + problem + "; " + fix;
  }
}
