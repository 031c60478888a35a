package dev.tunekit.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * One problem a provider found in a planned job before anything was sent: what is wrong, where, and
 * how to fix it. Returned by {@link TuningProvider#preflight(JobPlan)}; the engine lists every problem
 * of a run in one {@link PreflightException}.
 *
 * @param location the file (and line) the bad value was read from, such as the config file of a
 *     provider setting ({@link ProviderSettings#source()}), or null when it did not come from a file
 * @param where the setting or value at fault, such as {@code model}, {@code hyperparameters.epochs} or
 *     {@code providers.<name>.<setting>}
 * @param problem what is wrong, naming the value (never a secret)
 * @param fix how to fix it
 */
public record PreflightProblem(String location, String where, String problem, String fix) {
  /** Canonical constructor; everything but the location is required. */
  public PreflightProblem {
    Objects.requireNonNull(where, "where");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(fix, "fix");
  }

  /** A problem with a value that was not read from a file (the model, a hyperparameter). */
  public PreflightProblem(String where, String problem, String fix) {
    this(null, where, problem, fix);
  }

  /** The file (and line) the bad value was read from, if it was read from one. */
  public Optional<String> fileLocation() {
    return Optional.ofNullable(location);
  }

  /** {@code [location: ]where: problem; fix}. */
  @Override
  public String toString() {
    return (location == null ? "" : location + ": ") + where + ": " + problem + "; " + fix;
  }
}
