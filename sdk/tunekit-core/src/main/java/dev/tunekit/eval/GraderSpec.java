package dev.tunekit.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a built-in grader was made: its registry name and parameters, with plain values (String, Double,
 * List of String, or a nested spec list for {@code weighted}). Two graders with equal specs grade alike;
 * the promptfoo export and the suite round trip read it. Not an API.
 */
record GraderSpec(String name, Map<String, Object> params) {
  GraderSpec {
    Objects.requireNonNull(name, "name");
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  static GraderSpec of(String name) {
    return new GraderSpec(name, Map.of());
  }

  static GraderSpec of(String name, String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (value != null) {
      m.put(key, value);
    }
    return new GraderSpec(name, m);
  }

  /** The spec of {@code g}, when it is a built-in grader (a lambda has none). */
  static java.util.Optional<GraderSpec> of(Grader g) {
    return g instanceof DeclaredGrader d ? java.util.Optional.of(d.spec()) : java.util.Optional.empty();
  }
}
