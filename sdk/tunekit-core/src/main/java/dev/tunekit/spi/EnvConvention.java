package dev.tunekit.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The environment variables a provider's own SDK reads by convention (an API key, a region...),
 * declared through {@link TuningProviderFactory#envConventions()} so that {@code Tunekit.fromEnv()} can
 * choose a provider with no config file. Tunekit reads the variables; the factory names them only.
 *
 * @param provider the provider name this convention selects (one of the factory's {@code names()})
 * @param required the variables that must all be set (non-blank) for the convention to apply
 * @param settings provider setting → variable: each set variable becomes the setting {@code key: ${VAR}}
 *     (resolved like any {@code ${VAR}} reference, so no value is copied into messages); an unset one is left out
 * @param note how the rest of the provider's credentials are found, for the log line (may be empty), such as
 *     "credentials from the AWS default chain"
 */
public record EnvConvention(String provider, List<String> required, Map<String, String> settings, String note) {
  /** Checks the parts and copies them. */
  public EnvConvention {
    Objects.requireNonNull(provider, "provider");
    required = List.copyOf(required);
    settings = Map.copyOf(settings);
    note = note == null ? "" : note;
    if (required.isEmpty()) {
      throw new dev.tunekit.error.InvalidInputException("an environment convention for '" + provider
          + "' needs at least one required variable");
    }
  }

  /** Shorthand for {@code new EnvConvention(provider, required, settings, note)}. */
  public static EnvConvention of(String provider, List<String> required, Map<String, String> settings, String note) {
    return new EnvConvention(provider, required, settings, note);
  }

  /** Whether every required variable is set (non-blank) in {@code env}. */
  public boolean matches(Map<String, String> env) {
    return required.stream().allMatch(v -> env.get(v) != null && !env.get(v).isBlank());
  }
}
