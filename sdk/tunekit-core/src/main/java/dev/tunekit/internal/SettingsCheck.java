package dev.tunekit.internal;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.spi.SettingSpec;
import dev.tunekit.spi.TuningProviderFactory;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a config against what the providers on the class path declare, before any provider is created:
 * the chosen provider (or its section's {@code type:}) must exist, no section may be a misspelt provider
 * name, and every key of the chosen section must be one its factory declares
 * ({@link TuningProviderFactory#settingKeys(String)}). Errors name {@code file:line} and the nearest known
 * name; values are never quoted (they may be secrets).
 */
public final class SettingsCheck {
  /** Always allowed in a section: it names the section's kind. */
  public static final String TYPE = "type";
  /** Always allowed in a section: the base model a run tunes when {@code FineTune.model(...)} is not called. */
  public static final String MODEL = "model";
  /** Always allowed in a section: a run's price cap in USD when {@code FineTune.maxPrice(...)} is not called. */
  public static final String MAX_PRICE = "maxPrice";
  /** Always allowed in a section: the checkpoint a run starts from when {@code FineTune.fromCheckpoint} is not called. */
  public static final String FROM_CHECKPOINT = "fromCheckpoint";
  /** Always allowed in a section: the reward grader of a reinforcement run that names none (a Lambda ARN). */
  public static final String GRADER = "grader";

  private SettingsCheck() {}

  /** Checks {@code config} and returns the factory of its provider. */
  public static TuningProviderFactory check(Config config, List<TuningProviderFactory> factories) {
    TreeSet<String> known = new TreeSet<>();
    factories.forEach(f -> known.addAll(f.names()));
    Object typeSetting = config.providerValues().get(TYPE);
    boolean typed = typeSetting != null && !String.valueOf(typeSetting).isBlank();
    String kind = typed ? String.valueOf(typeSetting).trim() : config.provider();
    TuningProviderFactory chosen = factories.stream().filter(f -> f.names().contains(kind)).findFirst().orElse(null);
    if (chosen == null) {
      String where = typed ? locationOf(config, "providers." + config.provider() + "." + TYPE)
          : config.providerLocation();
      throw new InvalidInputException((typed ? "providers." + config.provider() + ".type: " : "")
          + "unknown provider '" + kind + "'." + suggestion(kind, known) + " "
          + (known.isEmpty() ? "No provider is on the classpath"
              : "Providers on the classpath: " + String.join(", ", known))
          + ". Check the spelling, or add the module that provides it to the class path (see docs/config.md).",
          where);
    }
    checkSections(config, known);
    checkKeys(config, chosen, kind);
    return chosen;
  }

  /**
   * A section without {@code type:} whose name is no provider is an error when it looks like a misspelt
   * provider name, or when the chosen provider has no section of its own (its settings are most likely
   * under the misspelt name). Other unknown names are left alone: they may belong to a provider module
   * that this class path lacks, so that switching provider stays a one-line change.
   */
  private static void checkSections(Config config, TreeSet<String> known) {
    boolean chosenHasSection = config.sections().containsKey(config.provider());
    for (Map.Entry<String, String> s : config.sections().entrySet()) {
      String name = s.getKey();
      String type = s.getValue();
      boolean hasType = !type.isEmpty();
      String what = hasType ? type : name;
      if (known.contains(what) || what.contains("${") || name.equals(config.provider())) {
        continue;
      }
      Optional<String> near = nearest(what, known);
      if (near.isEmpty() && (hasType || chosenHasSection)) {
        continue;
      }
      String where = locationOf(config, "providers." + name + (hasType ? "." + TYPE : ""));
      throw new InvalidInputException(hasType
          ? "providers." + name + ".type: no provider is named '" + type + "'." + suggestion(type, known)
              + " Providers on the classpath: " + String.join(", ", known) + "."
          : "providers." + name + ": no provider is named '" + name + "' and the section has no type:."
              + suggestion(name, known) + " Providers on the classpath: " + String.join(", ", known)
              + ". Rename the section, or add 'type: <provider>' to it.", where);
    }
  }

  private static void checkKeys(Config config, TuningProviderFactory factory, String kind) {
    List<SettingSpec> specs = factory.settingKeys(kind);
    if (specs == null || specs.isEmpty()) {
      return; // a factory that declares nothing is not checked (see TuningProviderFactory#settingKeys)
    }
    Map<String, String> declared = new TreeMap<>();
    specs.forEach(s -> declared.put(s.key(), s.description()));
    declared.putIfAbsent(TYPE, "the kind of provider this section configures");
    declared.putIfAbsent(MODEL, "the base model a run tunes when FineTune.model(...) is not called");
    declared.putIfAbsent(MAX_PRICE, "the most a run may cost, in USD, when FineTune.maxPrice(...) is not called");
    declared.putIfAbsent(FROM_CHECKPOINT, "the checkpoint a run starts from when FineTune.fromCheckpoint(...) is not called");
    declared.putIfAbsent(GRADER, "the reward grader (a Lambda ARN) of a reinforcement run when FineTune.grader(...) is not called");
    for (String key : config.providerValues().keySet()) {
      if (declared.containsKey(key)) {
        continue;
      }
      String path = "providers." + config.provider() + "." + key;
      String where = config.locations().get(path);
      Optional<String> near = nearest(key, declared.keySet());
      StringBuilder m = new StringBuilder();
      if (where == null) {
        m.append("Tunekit.builder().setting(\"").append(key).append("\", …): ");
        where = "Tunekit.builder()";
      } else {
        m.append(path).append(": ");
      }
      m.append("unknown setting '").append(key).append("' for provider ").append(config.provider())
          .append(kind.equals(config.provider()) ? "" : " (type " + kind + ")").append('.');
      near.ifPresent(n -> m.append(" Did you mean ").append(n).append(" (").append(declared.get(n)).append(")?"));
      m.append(" Known settings: ").append(String.join(", ", declared.keySet())).append('.');
      throw new InvalidInputException(m.toString(), where);
    }
  }

  private static String locationOf(Config config, String path) {
    return config.locations().getOrDefault(path, config.source());
  }

  private static String suggestion(String name, Collection<String> known) {
    return nearest(name, known).map(n -> " Did you mean " + n + "?").orElse("");
  }

  /**
   * The known name closest to {@code name} (ignoring case), if it is close enough to be a misspelling:
   * at most 2 edits, and at most a third of the name's length when that is larger.
   */
  public static Optional<String> nearest(String name, Collection<String> known) {
    String a = name.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(a, k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(2, a.length() / 3) ? Optional.of(best) : Optional.empty();
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
