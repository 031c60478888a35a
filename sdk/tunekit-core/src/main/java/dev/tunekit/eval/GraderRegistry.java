package dev.tunekit.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.ChatModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Maps the grader names a suite file declares ({@code graders:}, per suite or per case) to
 * {@link Graders}. The names are the graders' report names: {@code exact}, {@code equals},
 * {@code contains}, {@code icontains}, {@code contains-any}, {@code contains-all},
 * {@code contains-expected}, {@code starts-with}, {@code regex}, {@code valid-json}, {@code json-schema},
 * {@code contains-json}, {@code json-fields}, {@code numeric}, {@code levenshtein}, {@code judge}, and
 * {@code not-<name>} for the opposite of any of them. A declaration is a name ({@code - valid-json}), or a
 * name with its main parameter ({@code - contains: "SELECT"}) or with named parameters
 * ({@code - levenshtein: {value: "ok", threshold: 2}}).
 *
 * <p>{@link #builtIn()} knows the built-in graders; {@link #withJudge} adds the model {@code judge} asks,
 * {@link #with(Grader)} your own graders by name, and {@link #with(String, Factory)} your own graders that take
 * parameters in the suite file:
 *
 * <pre>{@code
 * GraderRegistry graders = GraderRegistry.builtIn()
 *     .with(Grader.named("short", (c, out) -> Grade.of(out.length() < 200, out.length() + " chars")));
 * EvalSuite suite = EvalSuite.load(Path.of("evals/orders.yaml"), graders);
 * }</pre>
 */
public final class GraderRegistry {
  private record Def(String primary, Set<String> params) {}

  private static final Map<String, Def> BUILT_IN = new TreeMap<>();

  static {
    BUILT_IN.put("exact", new Def("normalize", Set.of("normalize")));
    BUILT_IN.put("equals", new Def("value", Set.of("value")));
    BUILT_IN.put("contains", new Def("value", Set.of("value")));
    BUILT_IN.put("icontains", new Def("value", Set.of("value")));
    BUILT_IN.put("contains-any", new Def("value", Set.of("value")));
    BUILT_IN.put("contains-all", new Def("value", Set.of("value")));
    BUILT_IN.put("contains-expected", new Def(null, Set.of()));
    BUILT_IN.put("starts-with", new Def("value", Set.of("value")));
    BUILT_IN.put("regex", new Def("value", Set.of("value")));
    BUILT_IN.put("valid-json", new Def(null, Set.of()));
    BUILT_IN.put("json-schema", new Def("value", Set.of("value")));
    BUILT_IN.put("contains-json", new Def("value", Set.of("value")));
    BUILT_IN.put("json-fields", new Def("value", Set.of("value")));
    BUILT_IN.put("numeric", new Def("value", Set.of("value")));
    BUILT_IN.put("levenshtein", new Def("value", Set.of("value", "threshold")));
    BUILT_IN.put("judge", new Def("value", Set.of("value", "threshold")));
  }

  /**
   * Makes a grader of your own from the parameters a suite file declares for it, for
   * {@link #with(String, Factory)}.
   */
  @FunctionalInterface
  public interface Factory {
    /**
     * The grader a declaration asks for.
     *
     * @param params the declared parameters as plain values (String, Number, Boolean, List, Map): empty for
     *     {@code - name}, {@code {value: x}} for {@code - name: x}, the mapping itself for {@code - name: {k: v}}
     * @param suiteDir the suite file's directory, for a file a parameter names; null when loaded from a URL
     * @throws IllegalArgumentException (or {@link InvalidInputException}) saying what is wrong with a parameter;
     *     the load reports it with the file, line and path of the declaration
     */
    Grader create(Map<String, Object> params, Path suiteDir);
  }

  private final Map<String, Grader> custom;
  private final Map<String, Factory> factories;
  private final ChatModel judge;
  private final String judgeModel;

  private GraderRegistry(Map<String, Grader> custom, Map<String, Factory> factories, ChatModel judge,
      String judgeModel) {
    this.custom = custom;
    this.factories = factories;
    this.judge = judge;
    this.judgeModel = judgeModel;
  }

  /** The built-in graders, without a judge model. */
  public static GraderRegistry builtIn() {
    return new GraderRegistry(Map.of(), Map.of(), null, null);
  }

  /** A copy in which {@code judge} (and {@code llm-rubric} in a promptfoo config) asks {@code judge}. */
  public GraderRegistry withJudge(ChatModel judge, String judgeModel) {
    Objects.requireNonNull(judge, "judge");
    Objects.requireNonNull(judgeModel, "judgeModel");
    return new GraderRegistry(custom, factories, judge, judgeModel);
  }

  /**
   * A copy in which suite files may declare {@code grader} by its {@link Grader#name() name} (without
   * parameters). A name taken by a built-in grader is refused.
   */
  public GraderRegistry with(Grader grader) {
    Objects.requireNonNull(grader, "grader");
    String n = grader.name();
    checkFree(n);
    Map<String, Grader> more = new TreeMap<>(custom);
    more.put(n, grader);
    return new GraderRegistry(Map.copyOf(more), factories, judge, judgeModel);
  }

  /**
   * A copy in which suite files may declare a grader of your own named {@code name} with parameters
   * ({@code - query-dsl: {schema: schema.yaml}}), made by {@code factory} for each declaration. A name taken
   * by a built-in grader is refused.
   */
  public GraderRegistry with(String name, Factory factory) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(factory, "factory");
    checkFree(name);
    Map<String, Factory> more = new TreeMap<>(factories);
    more.put(name, factory);
    return new GraderRegistry(custom, Map.copyOf(more), judge, judgeModel);
  }

  private void checkFree(String n) {
    if (BUILT_IN.containsKey(n) || n.startsWith("not-") || custom.containsKey(n) || factories.containsKey(n)) {
      throw new InvalidInputException("a grader named '" + n + "' is already registered (or is a built-in"
          + " or not- name); give yours another name with Grader.named(\"…\", grader)");
    }
  }

  /** Every name a suite file may use, sorted ({@code not-<name>} forms aside). */
  public SortedSet<String> names() {
    SortedSet<String> all = new TreeSet<>(BUILT_IN.keySet());
    all.addAll(custom.keySet());
    all.addAll(factories.keySet());
    return all;
  }

  /**
   * Makes the grader a suite file declares.
   *
   * @param node the declaration: a name, or a one-key mapping from name to parameters
   * @param where {@code file:line}
   * @param path where in the file, such as {@code cases[2].graders[0]}
   * @param baseDir the suite file's directory, for a schema file; null when loaded from a URL
   */
  Grader create(JsonNode node, String where, String path, Path baseDir) {
    String name;
    JsonNode arg;
    if (node != null && node.isTextual()) {
      name = node.asText();
      arg = null;
    } else if (node != null && node.isObject() && node.size() == 1) {
      name = node.fieldNames().next();
      arg = node.get(name);
      if (arg.isNull()) {
        arg = null;
      }
    } else {
      throw new InvalidInputException(path + ": a grader is a name (\"valid-json\") or a one-key mapping from"
          + " its name to its parameters (\"contains: SELECT\", \"levenshtein: {value: ok, threshold: 2}\"), got "
          + node, where);
    }
    boolean negated = name.startsWith("not-");
    String base = negated ? name.substring(4) : name;
    Grader g;
    if (custom.containsKey(base)) {
      if (arg != null) {
        throw new InvalidInputException(path + ": grader '" + base + "' is your own and takes no parameters",
            where);
      }
      g = custom.get(base);
    } else if (factories.containsKey(base)) {
      g = fromFactory(base, arg, where, path, baseDir);
    } else if (BUILT_IN.containsKey(base)) {
      g = builtIn(base, params(base, arg, where, path), where, path, baseDir);
    } else {
      throw new InvalidInputException(path + ": unknown grader '" + name + "'; valid names: "
          + String.join(", ", names()) + " (and not-<name> for the opposite of any); fix the name, or, for a grader"
          + " of your own, load the suite with a registry that knows it: EvalSuite.load(file,"
          + " GraderRegistry.builtIn().with(grader))", where);
    }
    return negated ? Graders.not(g) : g;
  }

  @SuppressWarnings("unchecked")
  private Grader fromFactory(String name, JsonNode arg, String where, String path, Path baseDir) {
    Map<String, Object> params = new LinkedHashMap<>();
    if (arg != null && arg.isObject()) {
      params.putAll(PLAIN.convertValue(arg, Map.class));
    } else if (arg != null) {
      params.put("value", PLAIN.convertValue(arg, Object.class));
    }
    try {
      return Objects.requireNonNull(factory(name).create(java.util.Collections.unmodifiableMap(params), baseDir),
          "the factory of grader '" + name + "' returned null");
    } catch (InvalidInputException e) {
      if (e.location().isPresent()) {
        throw e;
      }
      throw new InvalidInputException(path + ": grader '" + name + "': " + e.getMessage(), where, e);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(path + ": grader '" + name + "': " + e.getMessage(), where, e);
    }
  }

  private Factory factory(String name) {
    return factories.get(name);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper PLAIN =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static Map<String, JsonNode> params(String name, JsonNode arg, String where, String path) {
    Def def = BUILT_IN.get(name);
    Map<String, JsonNode> params = new LinkedHashMap<>();
    if (arg == null) {
      return params;
    }
    boolean named = arg.isObject() && arg.size() > 0;
    for (Iterator<String> it = arg.fieldNames(); named && it.hasNext(); ) {
      named = def.params().contains(it.next());
    }
    if (named && !(def.params().size() == 1 && isSchemaValued(name))) {
      arg.fields().forEachRemaining(f -> params.put(f.getKey(), f.getValue()));
    } else if (named && arg.size() == 1 && arg.has("value")) {
      params.put("value", arg.get("value"));
    } else if (def.primary() == null) {
      throw new InvalidInputException(path + ": grader '" + name + "' takes no parameters; write just"
          + " \"- " + name + "\"", where);
    } else if (arg.isObject() && !isSchemaValued(name)) {
      throw new InvalidInputException(path + ": grader '" + name + "' has the parameters " + new TreeSet<>(def.params())
          + "; got " + arg, where);
    } else {
      params.put(def.primary(), arg);
    }
    return params;
  }

  private static boolean isSchemaValued(String name) {
    return name.equals("json-schema") || name.equals("contains-json");
  }

  private Grader builtIn(String name, Map<String, JsonNode> p, String where, String path, Path baseDir) {
    String at = path + ": grader '" + name + "'";
    try {
      return switch (name) {
        case "exact" -> {
          if (!p.containsKey("normalize")) {
            yield Graders.exactMatch();
          }
          List<Normalization> ns = new ArrayList<>();
          JsonNode keys = p.get("normalize");
          for (String key : keys.isArray() && keys.isEmpty() ? List.<String>of()
              : strings(keys, at + ": 'normalize'", where)) {
            Normalization found = null;
            for (Normalization n : Normalization.values()) {
              if (n.key().equals(key)) {
                found = n;
              }
            }
            if (found == null) {
              List<String> valid = java.util.Arrays.stream(Normalization.values()).map(Normalization::key).toList();
              throw new InvalidInputException(at + ": unknown normalization '" + key + "'; valid: "
                  + String.join(", ", valid), where);
            }
            ns.add(found);
          }
          yield Graders.exactMatch(ns.toArray(new Normalization[0]));
        }
        case "equals" -> {
          JsonNode v = require(p, "value", at, where);
          yield Graders.equalTo(v.isContainerNode() ? v.toString() : text(v, at + ": 'value'", where));
        }
        case "contains" -> Graders.contains(text(require(p, "value", at, where), at + ": 'value'", where));
        case "icontains" -> Graders.containsIgnoreCase(text(require(p, "value", at, where), at + ": 'value'", where));
        case "starts-with" -> Graders.startsWith(text(require(p, "value", at, where), at + ": 'value'", where));
        case "regex" -> Graders.regex(text(require(p, "value", at, where), at + ": 'value'", where));
        case "contains-any" -> Graders.containsAny(strings(require(p, "value", at, where), at + ": 'value'", where));
        case "contains-all" -> Graders.containsAll(strings(require(p, "value", at, where), at + ": 'value'", where));
        case "contains-expected" -> Graders.containsExpected();
        case "valid-json" -> Graders.validJson();
        case "json-schema" -> Graders.jsonSchema(schema(require(p, "value", at, where), at, where, baseDir));
        case "contains-json" -> Graders.containsJson(p.containsKey("value")
            ? schema(p.get("value"), at, where, baseDir) : null);
        case "json-fields" -> Graders.jsonFieldsEqual(p.containsKey("value")
            ? strings(p.get("value"), at + ": 'value'", where).toArray(new String[0]) : new String[0]);
        case "numeric" -> Graders.numeric(p.containsKey("value") ? number(p.get("value"), at + ": 'value'", where) : 0);
        case "levenshtein" -> {
          double t = p.containsKey("threshold") ? number(p.get("threshold"), at + ": 'threshold'", where) : 5;
          if (t != Math.rint(t)) {
            throw new InvalidInputException(at + ": 'threshold' is a whole number of edits, got " + t, where);
          }
          yield Graders.levenshtein(p.containsKey("value") ? text(p.get("value"), at + ": 'value'", where) : null,
              (int) t);
        }
        case "judge" -> {
          if (judge == null) {
            throw new InvalidInputException(at + " needs a judge model; load the suite with"
                + " GraderRegistry.builtIn().withJudge(model, \"model-id\")", where);
          }
          String rubric = text(require(p, "value", at, where), at + ": 'value' (the rubric)", where);
          yield p.containsKey("threshold")
              ? Graders.llmJudge(judge, judgeModel, rubric, number(p.get("threshold"), at + ": 'threshold'", where))
              : Graders.llmJudge(judge, judgeModel, rubric);
        }
        default -> throw new dev.tunekit.error.TunekitException("no factory for built-in grader " + name);
      };
    } catch (InvalidInputException e) {
      if (e.location().isPresent()) {
        throw e;
      }
      throw new InvalidInputException(at + ": " + e.getMessage(), where, e);
    }
  }

  private static String schema(JsonNode v, String at, String where, Path baseDir) {
    if (v.isObject() || v.isBoolean()) {
      return v.toString();
    }
    if (v.isTextual()) {
      String file = v.asText().startsWith("file://") ? v.asText().substring(7) : v.asText();
      if (baseDir == null) {
        throw new InvalidInputException(at + ": a schema file needs a suite loaded from a file; inline the"
            + " schema instead", where);
      }
      try {
        return java.nio.file.Files.readString(baseDir.resolve(file));
      } catch (java.io.IOException e) {
        throw new InvalidInputException(at + ": cannot read the schema file " + baseDir.resolve(file)
            + " (" + e.getClass().getSimpleName() + "); the path is relative to the suite file", where);
      }
    }
    throw new InvalidInputException(at + ": the schema must be a JSON Schema object or a file path, got " + v,
        where);
  }

  private static JsonNode require(Map<String, JsonNode> p, String key, String at, String where) {
    JsonNode v = p.get(key);
    if (v == null || v.isNull()) {
      throw new InvalidInputException(at + " needs '" + key + "'", where);
    }
    return v;
  }

  static String text(JsonNode v, String what, String where) {
    if (!v.isValueNode() || v.isNull()) {
      throw new InvalidInputException(what + " must be a string, got " + v, where);
    }
    return v.asText();
  }

  private static double number(JsonNode v, String what, String where) {
    if (!v.isNumber()) {
      throw new InvalidInputException(what + " must be a number, got " + v, where);
    }
    return v.doubleValue();
  }

  private static List<String> strings(JsonNode v, String what, String where) {
    List<String> out = new ArrayList<>();
    if (v.isTextual()) {
      for (String part : v.asText().split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
    } else if (v.isArray()) {
      for (JsonNode e : v) {
        if (!e.isValueNode() || e.isNull()) {
          throw new InvalidInputException(what + " must be a list of strings, got " + v, where);
        }
        out.add(e.asText());
      }
    } else {
      throw new InvalidInputException(what + " must be a list of strings, got " + v, where);
    }
    if (out.isEmpty()) {
      throw new InvalidInputException(what + " must not be empty", where);
    }
    return out;
  }

  @Override
  public String toString() {
    return "GraderRegistry[" + names() + (judge == null ? "" : ", judge=" + judgeModel) + "]";
  }
}
