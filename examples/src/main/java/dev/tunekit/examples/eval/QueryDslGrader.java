package dev.tunekit.examples.eval;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.Grade;
import dev.tunekit.eval.Grader;
import dev.tunekit.eval.GraderRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grades a query-DSL answer by meaning: both the expected query and the output are parsed with
 * {@link QueryDsl}, then compared clause by clause — entity, WHERE conditions (as a set), SORT BY and
 * LIMIT. The score is the share of those four clauses that match; it passes when all do.
 *
 * <p>With a {@link Schema} ({@link #withSchema}), the output must also name only known entities and columns:
 * an unknown entity after FIND, or an unknown column in WHERE or SORT BY, fails the case (score 0) with a reason
 * naming it and the known ones. Names compare case-insensitively, as the parser lower-cases them. In a suite
 * file: {@code - query-dsl: {schema: nl2query-schema.yaml}} (a file next to the suite) or the schema inline,
 * {@code - query-dsl: {schema: {orders: [id, status]}}}; see {@link #FACTORY}.
 *
 * <p>An output that does not parse fails (the model wrote bad DSL). An expected value that does not
 * parse throws, so the runner records an error: that is a bug in the suite, not in the model.
 */
public final class QueryDslGrader implements Grader {

  /**
   * The entities a query may FIND and each one's columns, lower-cased ({@code customer.name} is one column).
   *
   * @param columns entity to its columns, in the order given
   */
  public record Schema(Map<String, List<String>> columns) {
    /** Canonical constructor: lower-cases every name and refuses an empty schema or entity. */
    public Schema {
      Objects.requireNonNull(columns, "columns");
      if (columns.isEmpty()) {
        throw new IllegalArgumentException("a schema needs at least one entity, such as {orders: [id, status]}");
      }
      Map<String, List<String>> lower = new LinkedHashMap<>();
      columns.forEach((entity, cols) -> {
        if (cols == null || cols.isEmpty()) {
          throw new IllegalArgumentException("entity '" + entity + "' of the schema lists no columns");
        }
        lower.put(entity.strip().toLowerCase(Locale.ROOT),
            cols.stream().map(c -> c.strip().toLowerCase(Locale.ROOT)).toList());
      });
      columns = java.util.Collections.unmodifiableMap(lower);
    }

    private static final Pattern ENTITY = Pattern.compile("([A-Za-z_][\\w.]*)\\s*\\(([^)]*)\\)");

    /**
     * The schema a system prompt states as {@code Entities and fields: customers(name, email); orders(id, total).}
     * (the nl2query example's prompt, {@code data/nl2query/baseline-system-prompt.txt}).
     *
     * @throws IllegalArgumentException when the prompt has no {@code Entities and fields:} list
     */
    public static Schema fromSystemPrompt(String prompt) {
      int at = prompt.indexOf("Entities and fields:");
      if (at < 0) {
        throw new IllegalArgumentException("the system prompt has no 'Entities and fields:' list");
      }
      String list = prompt.substring(at + "Entities and fields:".length());
      int end = list.indexOf(")."); // the list ends at the first entity followed by a full stop
      Matcher m = ENTITY.matcher(end < 0 ? list : list.substring(0, end + 1));
      Map<String, List<String>> out = new LinkedHashMap<>();
      while (m.find()) {
        out.put(m.group(1), List.of(m.group(2).split("\\s*,\\s*")));
      }
      return new Schema(out);
    }

    /**
     * Reads a schema: a mapping from entity to its list of columns, as a YAML or JSON file.
     *
     * @throws InvalidInputException naming the file when it cannot be read or is not such a mapping
     */
    @SuppressWarnings("unchecked")
    public static Schema load(Path file) {
      Object tree;
      try {
        tree = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readValue(Files.readString(file), Object.class);
      } catch (IOException e) {
        throw new InvalidInputException("cannot read the query-DSL schema " + file + " (" + e.getClass().getSimpleName()
            + "); it is a YAML mapping from entity to its columns, such as 'orders: [id, status]'", file.toString());
      }
      try {
        return of(tree, "schema file " + file);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), file.toString());
      }
    }

    @SuppressWarnings("unchecked")
    static Schema of(Object tree, String what) {
      if (!(tree instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException(what + " must map each entity to its columns, such as"
            + " {orders: [id, status]}; got " + tree);
      }
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getValue() instanceof List<?> cols) || cols.stream().anyMatch(c -> !(c instanceof String))) {
          throw new IllegalArgumentException(what + ": entity '" + e.getKey() + "' must have a list of column names,"
              + " got " + e.getValue());
        }
        out.put(String.valueOf(e.getKey()), (List<String>) cols);
      }
      return new Schema(out);
    }

    /** For instance {@code customers(name, email); orders(id, status)}. */
    public String format() {
      List<String> parts = new ArrayList<>();
      columns.forEach((e, cols) -> parts.add(e + "(" + String.join(", ", cols) + ")"));
      return String.join("; ", parts);
    }
  }

  /**
   * Makes {@code query-dsl} declarations with parameters: {@code schema}, a file path relative to the suite (YAML
   * or JSON) or the mapping inline. Register it with {@code GraderRegistry.builtIn().with("query-dsl", FACTORY)}.
   */
  public static final GraderRegistry.Factory FACTORY = (params, suiteDir) -> {
    for (String key : params.keySet()) {
      if (!key.equals("schema")) {
        throw new IllegalArgumentException("unknown parameter '" + key + "'; query-dsl takes 'schema' (a file next"
            + " to the suite, or {entity: [columns]} inline), or none");
      }
    }
    Object s = params.get("schema");
    if (s == null) {
      return new QueryDslGrader();
    }
    if (s instanceof String file) {
      if (suiteDir == null) {
        throw new IllegalArgumentException("a schema file needs a suite loaded from a file; write the schema inline");
      }
      return new QueryDslGrader().withSchema(Schema.load(suiteDir.resolve(file)));
    }
    return new QueryDslGrader().withSchema(Schema.of(s, "'schema'"));
  };

  private final Optional<Schema> schema;

  /** A grader that checks syntax and meaning, with no schema. */
  public QueryDslGrader() {
    this(Optional.empty());
  }

  private QueryDslGrader(Optional<Schema> schema) {
    this.schema = schema;
  }

  /** A copy that also requires the output to name only the entities and columns of {@code schema}. */
  public QueryDslGrader withSchema(Schema schema) {
    return new QueryDslGrader(Optional.of(Objects.requireNonNull(schema, "schema")));
  }

  /** The schema the output is checked against, if any. */
  public Optional<Schema> schema() {
    return schema;
  }

  /** What this grader checks, in one sentence (the promptfoo export's header quotes it). */
  public String description() {
    return "the reply parses as query DSL and means the expected query (entity, WHERE set, SORT BY, LIMIT)"
        + schema.map(s -> ", naming only known entities and columns: " + s.format()).orElse("");
  }

  @Override
  public String name() {
    return "query-dsl";
  }

  @Override
  public Grade grade(EvalCase testCase, String output) {
    QueryDsl.Query want;
    try {
      want = QueryDsl.parse(testCase.requireExpected(name()));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("case '" + testCase.id() + "' has an expected query that does not parse: "
          + e.getMessage(), e);
    }
    QueryDsl.Query got;
    try {
      got = QueryDsl.parse(output.strip());
    } catch (IllegalArgumentException e) {
      return Grade.fail("output is not valid query DSL: " + e.getMessage());
    }
    if (schema.isPresent()) {
      Optional<String> unknown = unknownNames(schema.get(), got);
      if (unknown.isPresent()) {
        return Grade.fail(unknown.get());
      }
    }
    List<String> wrong = new ArrayList<>();
    if (!want.entity().equals(got.entity())) {
      wrong.add("FIND " + got.entity() + " instead of " + want.entity());
    }
    if (!want.conditions().equals(got.conditions())) {
      Set<QueryDsl.Condition> missing = new LinkedHashSet<>(want.conditions());
      missing.removeAll(got.conditions());
      Set<QueryDsl.Condition> extra = new LinkedHashSet<>(got.conditions());
      extra.removeAll(want.conditions());
      wrong.add("WHERE" + (missing.isEmpty() ? "" : " missing " + missing) + (extra.isEmpty() ? "" : " extra " + extra));
    }
    if (!want.sort().equals(got.sort())) {
      wrong.add("SORT BY " + got.sort() + " instead of " + want.sort());
    }
    if (!want.limit().equals(got.limit())) {
      wrong.add("LIMIT " + text(got) + " instead of " + text(want));
    }
    double score = (4 - wrong.size()) / 4.0;
    return wrong.isEmpty() ? Grade.pass("same query") : new Grade(score, false, String.join("; ", wrong));
  }

  /** The first name {@code q} uses that {@code schema} does not know, described; empty when all are known. */
  static Optional<String> unknownNames(Schema schema, QueryDsl.Query q) {
    List<String> columns = schema.columns().get(q.entity());
    if (columns == null) {
      return Optional.of("unknown entity '" + q.entity() + "' after FIND; known entities: "
          + String.join(", ", schema.columns().keySet()));
    }
    List<String> unknown = new ArrayList<>();
    for (QueryDsl.Condition c : q.conditions()) {
      if (!columns.contains(c.field()) && !unknown.contains("WHERE " + c.field())) {
        unknown.add("WHERE " + c.field());
      }
    }
    for (QueryDsl.SortKey k : q.sort()) {
      if (!columns.contains(k.field()) && !unknown.contains("SORT BY " + k.field())) {
        unknown.add("SORT BY " + k.field());
      }
    }
    if (unknown.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("unknown column" + (unknown.size() > 1 ? "s " : " ") + String.join(", ",
        unknown.stream().map(u -> u.replaceFirst("^(WHERE|SORT BY) (.*)$", "'$2' in $1")).toList()) + " of "
        + q.entity() + "; known columns of " + q.entity() + ": " + String.join(", ", columns));
  }

  private static String text(QueryDsl.Query q) {
    return q.limit().isPresent() ? Integer.toString(q.limit().getAsInt()) : "(none)";
  }

  @Override
  public String toString() {
    return "Grader[query-dsl" + schema.map(s -> ", schema " + s.format()).orElse("") + "]";
  }
}
