package dev.tunekit.spi;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of one provider, as read from {@code tunekit.yaml} (with {@code ${ENV}} references
 * already resolved) and environment overrides. Typed getters fail with an
 * {@link InvalidInputException} that names the setting and the config file, never the value of a
 * secret.
 */
public final class ProviderSettings {
  private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private final String name;
  private final String source;
  private final Path workDir;
  private final Map<String, Object> values;
  private final Map<String, String> locations;

  private ProviderSettings(String name, String source, Path workDir, Map<String, Object> values,
      Map<String, String> locations) {
    this.name = Objects.requireNonNull(name, "name");
    this.source = Objects.requireNonNull(source, "source");
    this.workDir = Objects.requireNonNull(workDir, "workDir").toAbsolutePath().normalize();
    this.values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.locations = Map.copyOf(locations);
  }

  /**
   * Settings for provider {@code name}.
   *
   * @param source where the settings came from, for error messages (such as {@code tunekit.yaml})
   * @param workDir a directory the provider may use for its own files (converted data, server state); a
   *     relative one is made absolute against the current working directory
   * @param values setting name to value (strings, numbers, booleans, lists, nested maps)
   */
  public static ProviderSettings of(String name, String source, Path workDir, Map<String, ?> values) {
    return new ProviderSettings(name, source, workDir, new LinkedHashMap<>(values), Map.of());
  }

  /**
   * Settings for provider {@code name}, with where each key was written ({@code key → "tunekit.yaml:7"}),
   * so that a provider's preflight can name the line of a bad value ({@link #location(String)}).
   */
  public static ProviderSettings of(String name, String source, Path workDir, Map<String, ?> values,
      Map<String, String> locations) {
    return new ProviderSettings(name, source, workDir, new LinkedHashMap<>(values), locations);
  }

  /** The provider name chosen in config (a section's own name when it sets {@code type:}). */
  public String name() {
    return name;
  }

  /** Where these settings came from, for error messages. */
  public String source() {
    return source;
  }

  /**
   * Where setting {@code key} was written, such as {@code tunekit.yaml:7}; {@link #source()} when its line
   * is not known (set in code, from the environment, or absent).
   */
  public String location(String key) {
    return locations.getOrDefault(key, source);
  }

  /** A directory this provider may write to; created on demand by the provider. */
  public Path workDir() {
    return workDir;
  }

  /** All raw values (secrets included: never log this map). */
  public Map<String, Object> values() {
    return values;
  }

  /** A string setting, if present and not blank. */
  public Optional<String> string(String key) {
    Object v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Map || v instanceof java.util.Collection) {
      throw invalid(key, "must be a single value, not a list or map");
    }
    String s = String.valueOf(v);
    return s.isBlank() ? Optional.empty() : Optional.of(s);
  }

  /** A required string setting. */
  public String requireString(String key) {
    return string(key).orElseThrow(() -> invalid(key, "is required; set it in the config file or its environment variable"));
  }

  /** A secret setting, if present and not blank. The value never appears in an error message. */
  public Optional<Secret> secret(String key) {
    Object v = values.get(key);
    if (v instanceof Secret s) {
      return s.isBlank() ? Optional.empty() : Optional.of(s);
    }
    return string(key).map(Secret::of);
  }

  /** A required secret setting. */
  public Secret requireSecret(String key) {
    return secret(key).orElseThrow(() -> invalid(key, "is required; set it (preferably as ${ENV_VAR}) in the config file"));
  }

  /** An integer setting. */
  public Optional<Integer> integer(String key) {
    return string(key).map(s -> {
      try {
        return Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        throw invalid(key, "must be a whole number");
      }
    });
  }

  /** A boolean setting ({@code true} or {@code false}). */
  public Optional<Boolean> bool(String key) {
    return string(key).map(s -> {
      String t = s.trim().toLowerCase(java.util.Locale.ROOT);
      if (t.equals("true") || t.equals("false")) {
        return Boolean.parseBoolean(t);
      }
      throw invalid(key, "must be true or false");
    });
  }

  /** A duration setting, as ISO-8601 ({@code PT30S}) or a number with a unit ({@code 30s}, {@code 500ms}, {@code 5m}, {@code 2h}). */
  public Optional<Duration> duration(String key) {
    return string(key).map(s -> parseDuration(s.trim()).orElseThrow(
        () -> invalid(key, "must be a duration such as 30s, 500ms, 5m or PT30S")));
  }

  /** A nested map setting (such as {@code tags}). */
  @SuppressWarnings("unchecked")
  public Map<String, Object> map(String key) {
    Object v = values.get(key);
    if (v == null) {
      return Map.of();
    }
    if (v instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw invalid(key, "must be a map of names to values");
  }

  /**
   * A folder inside a bucket, such as the {@code prefix} of an object store: the setting without leading
   * or trailing slashes ({@code "/runs/a/"} reads as {@code runs/a}), or {@code dflt} when unset.
   */
  public String folder(String key, String dflt) {
    String f = string(key).orElse(dflt).trim();
    int start = 0;
    int end = f.length();
    while (start < end && f.charAt(start) == '/') {
      start++;
    }
    while (end > start && f.charAt(end - 1) == '/') {
      end--;
    }
    return f.substring(start, end);
  }

  /**
   * A bucket's bare name, if set. A URL such as {@code s3://b/x} ({@code scheme} being what users paste,
   * such as {@code "s3://"}) or a name with a folder is an error naming the setting's line and
   * {@code folderKey}, where folders go.
   */
  public Optional<String> bucketName(String key, String scheme, String folderKey) {
    Optional<String> bucket = string(key).map(String::trim);
    bucket.ifPresent(b -> {
      if (b.startsWith(scheme) || b.contains("/")) {
        throw invalid(key, "must be a bare bucket name such as my-tuning-bucket (put folders in '" + folderKey
            + "'), was '" + b + "'");
      }
    });
    return bucket;
  }

  /**
   * A map of single text values, such as tags or labels (empty when unset); a list or map as a value is an
   * error naming {@code key.name}.
   */
  public Map<String, String> textMap(String key) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    map(key).forEach((k, v) -> {
      if (v == null || v instanceof Map || v instanceof java.util.Collection) {
        throw invalid(key + "." + k, "must be a single text value");
      }
      out.put(k, String.valueOf(v));
    });
    return out;
  }

  /** An error naming this setting and its source. */
  public InvalidInputException invalid(String key, String problem) {
    return new InvalidInputException("setting providers." + name + "." + key + " " + problem, source);
  }

  /**
   * Parses a duration as written in {@code tunekit.yaml}: {@code 500ms}, {@code 30s}, {@code 5m},
   * {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT30S}). Empty when the text is not one.
   */
  public static Optional<Duration> parseDuration(String text) {
    String s = text.trim();
    try {
      if (s.startsWith("P") || s.startsWith("p")) {
        return Optional.of(Duration.parse(s.toUpperCase(java.util.Locale.ROOT)));
      }
      java.util.regex.Matcher m = DURATION.matcher(s);
      if (!m.matches()) {
        return Optional.empty();
      }
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms": return Optional.of(Duration.ofMillis(n));
        case "s": return Optional.of(Duration.ofSeconds(n));
        case "m": return Optional.of(Duration.ofMinutes(n));
        case "h": return Optional.of(Duration.ofHours(n));
        default: return Optional.of(Duration.ofDays(n));
      }
    } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  /** Names the provider and the keys present; never a value. */
  @Override
  public String toString() {
    return "ProviderSettings{name=" + name + ", source=" + source + ", keys=" + values.keySet() + "}";
  }
}
