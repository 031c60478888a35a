package dev.tunekit.internal;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.spi.EnvConvention;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Chooses a provider from the environment with no config file ({@code Tunekit.fromEnv()}): an explicit
 * {@code TUNEKIT_PROVIDER} wins; otherwise the one provider whose conventional variables are all set;
 * none is the default provider; two or more is an error listing them and how to choose. Names variables, never
 * their values.
 *
 * @param provider the chosen provider
 * @param settings provider settings from the chosen convention, as {@code ${VAR}} references
 * @param reason why, for the log line and {@code Tunekit.providerChoice()}
 */
public record EnvChoice(String provider, Map<String, Object> settings, String reason) {

  /** Applies the rules above to {@code conventions} (every factory's, in any order) and {@code env}. */
  public static EnvChoice choose(List<EnvConvention> conventions, Map<String, String> env) {
    Map<String, EnvConvention> found = new LinkedHashMap<>();
    for (EnvConvention c : conventions) {
      if (c.matches(env)) {
        found.putIfAbsent(c.provider(), c);
      }
    }
    String explicit = env.getOrDefault(ConfigLoader.ENV_PROVIDER, "").trim();
    if (!explicit.isEmpty()) {
      EnvConvention c = found.get(explicit);
      String reason = ConfigLoader.ENV_PROVIDER + "=" + explicit
          + (c == null ? "" : " (with " + String.join(", ", c.required()) + note(c) + ")");
      return new EnvChoice(explicit, c == null ? Map.of() : settings(c, env), reason);
    }
    if (found.isEmpty()) {
      List<String> lookedFor = new ArrayList<>();
      conventions.forEach(c -> lookedFor.add(c.provider() + " (" + String.join(" + ", c.required()) + ")"));
      return new EnvChoice("local", Map.of(), "no provider's environment variables are set"
          + (lookedFor.isEmpty() ? "" : "; looked for " + String.join(", ", lookedFor)));
    }
    if (found.size() > 1) {
      throw new InvalidInputException("the environment has the variables of " + found.size() + " providers: "
          + found.values().stream().map(c -> c.provider() + " (" + String.join(", ", c.required()) + ")")
              .collect(Collectors.joining(", "))
          + "; Tunekit will not guess: set TUNEKIT_PROVIDER to one of " + String.join(", ", found.keySet())
          + ", or choose it with Tunekit.builder().provider(...) or a tunekit.yaml (docs/config.md)",
          ConfigLoader.ENV_PROVIDER);
    }
    EnvConvention c = found.values().iterator().next();
    return new EnvChoice(c.provider(), settings(c, env), String.join(" and ", c.required())
        + (c.required().size() == 1 ? " is set" : " are set") + note(c));
  }

  private static String note(EnvConvention c) {
    return c.note().isBlank() ? "" : "; " + c.note();
  }

  private static Map<String, Object> settings(EnvConvention c, Map<String, String> env) {
    Map<String, Object> out = new LinkedHashMap<>();
    c.settings().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      String v = env.get(e.getValue());
      if (v != null && !v.isBlank()) {
        out.put(e.getKey(), "${" + e.getValue() + "}");
      }
    });
    return out;
  }
}
