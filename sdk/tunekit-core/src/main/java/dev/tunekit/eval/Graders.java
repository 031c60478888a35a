package dev.tunekit.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.error.InvalidInputException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The built-in {@link Grader}s. Each has a stable {@link Grader#name() name} used in reports.
 *
 * <p>Graders that compare with the case's {@code expected} value throw (and the runner records an
 * error, not a fail) when a case has none: that is a bug in the suite, not in the model.
 */
public final class Graders {
  static final ObjectMapper STRICT_JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  /** Reads the JSON value at the start of a text and leaves what follows alone. */
  private static final ObjectMapper PREFIX_JSON = new ObjectMapper();
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

  private Graders() {}

  /**
   * Output equals {@code expected} after trimming, collapsing whitespace and Unicode NFKC
   * normalisation. Named {@code exact}.
   */
  public static Grader exactMatch() {
    return exactMatch(Normalization.UNICODE, Normalization.COLLAPSE_WHITESPACE, Normalization.TRIM);
  }

  /** Output equals {@code expected} after the given normalisations (none: byte-for-byte). */
  public static Grader exactMatch(Normalization... normalizations) {
    EnumSet<Normalization> set = EnumSet.noneOf(Normalization.class);
    set.addAll(Arrays.asList(normalizations));
    return DeclaredGrader.of(exactSpec(set), (c, out) -> {
      String want = normalize(c.requireExpected("exact"), set);
      String got = normalize(out, set);
      if (want.equals(got)) {
        return Grade.pass("matches");
      }
      return Grade.fail(firstDifference(want, got));
    });
  }

  /** Output contains {@code needle} (case-sensitive). Named {@code contains}. */
  public static Grader contains(String needle) {
    Objects.requireNonNull(needle, "needle");
    return DeclaredGrader.of(GraderSpec.of("contains", "value", needle), (c, out) -> Grade.of(out.contains(needle),
        (out.contains(needle) ? "contains " : "does not contain ") + quote(needle)));
  }

  /** Output contains the case's {@code expected} text (case-sensitive). Named {@code contains-expected}. */
  public static Grader containsExpected() {
    return DeclaredGrader.of(GraderSpec.of("contains-expected"), (c, out) -> {
      String want = c.requireExpected("contains-expected");
      return Grade.of(out.contains(want), (out.contains(want) ? "contains " : "does not contain ") + quote(want));
    });
  }

  /**
   * Some part of the output matches {@code regex} ({@link java.util.regex.Matcher#find()}); anchor it
   * with {@code ^…$} and {@code (?s)} to match the whole output. Named {@code regex}.
   *
   * @throws InvalidInputException if the pattern does not compile
   */
  public static Grader regex(String regex) {
    Pattern p;
    try {
      p = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new InvalidInputException("the regex grader's pattern does not compile: " + e.getDescription()
          + " near index " + e.getIndex() + " in " + quote(regex));
    }
    return DeclaredGrader.of(GraderSpec.of("regex", "value", regex), (c, out) -> {
      boolean found = p.matcher(out).find();
      return Grade.of(found, (found ? "matches /" : "does not match /") + regex + "/");
    });
  }

  /**
   * The whole output is one JSON value, with nothing before or after it (not even a Markdown code
   * fence). Named {@code valid-json}.
   */
  public static Grader validJson() {
    return DeclaredGrader.of(GraderSpec.of("valid-json"), (c, out) -> {
      try {
        STRICT_JSON.readTree(out);
        return out.isBlank() ? Grade.fail("empty output is not JSON") : Grade.pass("valid JSON");
      } catch (JsonProcessingException e) {
        return Grade.fail("not valid JSON: " + jsonError(e));
      }
    });
  }

  /**
   * The output is JSON that validates against {@code schemaJson} (draft from its {@code $schema}, else
   * 2020-12), checked with networknt json-schema-validator. Named {@code json-schema}.
   *
   * @throws InvalidInputException if the schema itself is not valid JSON or not a schema
   */
  public static Grader jsonSchema(String schemaJson) {
    JsonSchema schema = compileSchema(schemaJson, "the JSON Schema given to Graders.jsonSchema");
    return DeclaredGrader.of(GraderSpec.of("json-schema", "value", canonicalJson(schemaJson)), (c, out) -> {
      JsonNode node;
      try {
        node = STRICT_JSON.readTree(out);
      } catch (JsonProcessingException e) {
        return Grade.fail("not valid JSON: " + jsonError(e));
      }
      if (node == null || node.isMissingNode()) {
        return Grade.fail("empty output is not JSON");
      }
      Set<ValidationMessage> errors = schema.validate(node);
      if (errors.isEmpty()) {
        return Grade.pass("valid against the schema");
      }
      List<String> msgs = errors.stream().map(ValidationMessage::getMessage).sorted().toList();
      return Grade.fail(errors.size() + " schema violation(s): "
          + String.join("; ", msgs.subList(0, Math.min(3, msgs.size())))
          + (msgs.size() > 3 ? "; …" : ""));
    });
  }

  /** {@link #jsonSchema(String)} with the schema read from a file. */
  public static Grader jsonSchema(Path schemaFile) {
    try {
      return jsonSchema(Files.readString(schemaFile));
    } catch (IOException e) {
      throw new InvalidInputException("cannot read JSON Schema: " + e.getMessage(), schemaFile.toString(), e);
    }
  }

  /**
   * The output is a JSON object whose fields equal those of the case's {@code expected} JSON. With
   * {@code jsonPointers} (such as {@code /status} or {@code /customer/id}) only those fields are
   * compared; without, every top-level field of {@code expected} is (extra output fields are
   * allowed). Numbers compare by value ({@code 1 == 1.0}). The score is the fraction of matching
   * fields; it passes when all match. Named {@code json-fields}.
   */
  public static Grader jsonFieldsEqual(String... jsonPointers) {
    for (String p : jsonPointers) {
      if (!p.startsWith("/")) {
        throw new InvalidInputException("JSON pointer " + quote(p) + " must start with '/', e.g. \"/status\"");
      }
    }
    List<String> pointers = List.of(jsonPointers);
    return DeclaredGrader.of(GraderSpec.of("json-fields", "value", pointers.isEmpty() ? null : pointers),
        (c, out) -> {
      String expectedText = c.requireExpected("json-fields");
      JsonNode want;
      try {
        want = STRICT_JSON.readTree(expectedText);
      } catch (JsonProcessingException e) {
        throw new InvalidInputException("case '" + c.id() + "' has an 'expected' value that is not JSON ("
            + jsonError(e) + "); json-fields needs a JSON object", null, e);
      }
      JsonNode got;
      try {
        got = STRICT_JSON.readTree(out);
      } catch (JsonProcessingException e) {
        return Grade.fail("not valid JSON: " + jsonError(e));
      }
      if (got == null || !got.isObject()) {
        return Grade.fail("output is not a JSON object");
      }
      List<String> fields = new ArrayList<>(pointers);
      if (fields.isEmpty()) {
        if (!want.isObject()) {
          throw new InvalidInputException("case '" + c.id() + "': expected JSON is not an object; "
              + "pass JSON pointers to json-fields to compare other shapes");
        }
        want.fieldNames().forEachRemaining(f -> fields.add("/" + f.replace("~", "~0").replace("/", "~1")));
      }
      List<String> wrong = new ArrayList<>();
      for (String f : fields) {
        JsonNode w = want.at(f);
        JsonNode g = got.at(f);
        if (!w.equals(NUMERIC_AWARE, g)) {
          wrong.add(f + ": expected " + (w.isMissingNode() ? "(absent)" : w.toString())
              + ", got " + (g.isMissingNode() ? "(absent)" : g.toString()));
        }
      }
      double score = fields.isEmpty() ? 1.0 : (fields.size() - wrong.size()) / (double) fields.size();
      return new Grade(score, wrong.isEmpty(), wrong.isEmpty()
          ? "all " + fields.size() + " field(s) match" : String.join("; ", wrong));
    });
  }

  /**
   * The output (trimmed) is a number within {@code tolerance} of the case's {@code expected} number.
   * Named {@code numeric}.
   */
  public static Grader numeric(double tolerance) {
    if (!(tolerance >= 0)) {
      throw new InvalidInputException("numeric tolerance must be zero or positive, got " + tolerance);
    }
    return DeclaredGrader.of(GraderSpec.of("numeric", "value", tolerance), (c, out) -> {
      String expectedText = c.requireExpected("numeric").strip();
      if (!NUMBER.matcher(expectedText).matches()) {
        throw new InvalidInputException("case '" + c.id() + "' expects " + quote(expectedText)
            + ", which is not a number; the numeric grader needs one");
      }
      String got = out.strip();
      if (!NUMBER.matcher(got).matches()) {
        return Grade.fail("output " + quote(abbreviate(got, 60)) + " is not a number");
      }
      BigDecimal diff = new BigDecimal(got).subtract(new BigDecimal(expectedText)).abs();
      boolean ok = diff.compareTo(BigDecimal.valueOf(tolerance)) <= 0;
      return Grade.of(ok, "got " + got + ", expected " + expectedText + " ± " + tolerance
          + " (off by " + diff.stripTrailingZeros().toPlainString() + ")");
    });
  }

  /**
   * The output equals {@code value} exactly (no trimming, no normalisation); when {@code value} is a JSON
   * object or array, the output must be JSON equal to it (key order and spacing aside). promptfoo's
   * {@code equals}. Named {@code equals}.
   */
  public static Grader equalTo(String value) {
    Objects.requireNonNull(value, "value");
    JsonNode wantJson = jsonContainer(value);
    return DeclaredGrader.of(GraderSpec.of("equals", "value", wantJson == null ? value : wantJson.toString()),
        (c, out) -> {
      if (wantJson != null) {
        JsonNode got = jsonContainer(out);
        return Grade.of(wantJson.equals(NUMERIC_AWARE, got == null ? STRICT_JSON.missingNode() : got),
            got == null ? "output is not the expected JSON" : wantJson.equals(NUMERIC_AWARE, got)
                ? "equal JSON" : "JSON differs from " + quote(abbreviate(value, 60)));
      }
      return value.equals(out) ? Grade.pass("equals") : Grade.fail(firstDifference(value, out));
    });
  }

  /** Output contains {@code needle}, ignoring case. promptfoo's {@code icontains}. Named {@code icontains}. */
  public static Grader containsIgnoreCase(String needle) {
    Objects.requireNonNull(needle, "needle");
    String lower = needle.toLowerCase(java.util.Locale.ROOT);
    return DeclaredGrader.of(GraderSpec.of("icontains", "value", needle), (c, out) -> {
      boolean ok = out.toLowerCase(java.util.Locale.ROOT).contains(lower);
      return Grade.of(ok, (ok ? "contains " : "does not contain ") + quote(needle) + " (ignoring case)");
    });
  }

  /** Output contains at least one of {@code needles} (case-sensitive). Named {@code contains-any}. */
  public static Grader containsAny(List<String> needles) {
    List<String> all = needleList(needles, "contains-any");
    return DeclaredGrader.of(GraderSpec.of("contains-any", "value", all), (c, out) -> {
      for (String n : all) {
        if (out.contains(n)) {
          return Grade.pass("contains " + quote(n));
        }
      }
      return Grade.fail("contains none of " + all.stream().map(Graders::quote).toList());
    });
  }

  /** Output contains every one of {@code needles} (case-sensitive). Named {@code contains-all}. */
  public static Grader containsAll(List<String> needles) {
    List<String> all = needleList(needles, "contains-all");
    return DeclaredGrader.of(GraderSpec.of("contains-all", "value", all), (c, out) -> {
      List<String> missing = all.stream().filter(n -> !out.contains(n)).map(Graders::quote).toList();
      return Grade.of(missing.isEmpty(), missing.isEmpty() ? "contains all " + all.size() : "misses " + missing);
    });
  }

  /** Output starts with {@code prefix}. Named {@code starts-with}. */
  public static Grader startsWith(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    return DeclaredGrader.of(GraderSpec.of("starts-with", "value", prefix), (c, out) -> Grade.of(
        out.startsWith(prefix), (out.startsWith(prefix) ? "starts with " : "does not start with ") + quote(prefix)));
  }

  /**
   * Some part of the output is a JSON object or array (prose or a code fence around it is allowed), and
   * when {@code schemaJson} is not null, one such value validates against it. promptfoo's
   * {@code contains-json}. Named {@code contains-json}.
   */
  public static Grader containsJson(String schemaJson) {
    JsonSchema schema = schemaJson == null ? null
        : compileSchema(schemaJson, "the JSON Schema given to Graders.containsJson");
    return DeclaredGrader.of(GraderSpec.of("contains-json", "value",
        schemaJson == null ? null : canonicalJson(schemaJson)), (c, out) -> {
      List<JsonNode> found = embeddedJson(out);
      if (found.isEmpty()) {
        return Grade.fail("no JSON object or array in the output");
      }
      if (schema == null) {
        return Grade.pass("contains JSON");
      }
      String firstProblem = null;
      for (JsonNode n : found) {
        Set<ValidationMessage> errors = schema.validate(n);
        if (errors.isEmpty()) {
          return Grade.pass("contains JSON valid against the schema");
        }
        if (firstProblem == null) {
          firstProblem = errors.stream().map(ValidationMessage::getMessage).sorted().findFirst().orElse("");
        }
      }
      return Grade.fail("contains JSON, but none valid against the schema: " + firstProblem);
    });
  }

  /**
   * The Levenshtein (edit) distance between the output and {@code value} (the case's {@code expected}
   * when null) is at most {@code maxDistance}. promptfoo's {@code levenshtein} (whose default is 5).
   * Named {@code levenshtein}.
   */
  public static Grader levenshtein(String value, int maxDistance) {
    if (maxDistance < 0) {
      throw new InvalidInputException("levenshtein's maximum distance must be zero or positive, got " + maxDistance);
    }
    Map<String, Object> params = new LinkedHashMap<>();
    if (value != null) {
      params.put("value", value);
    }
    params.put("threshold", (double) maxDistance);
    return DeclaredGrader.of(new GraderSpec("levenshtein", params), (c, out) -> {
      String want = value != null ? value : c.requireExpected("levenshtein");
      int d = editDistance(want, out);
      return Grade.of(d <= maxDistance, "edit distance " + d + (d <= maxDistance ? " <= " : " > ") + maxDistance);
    });
  }

  /**
   * The opposite of {@code grader}: passes when it fails (score {@code 1 - score}); an error stays an
   * error. promptfoo's {@code not-} forms. Named {@code not-<name>}.
   */
  public static Grader not(Grader grader) {
    Objects.requireNonNull(grader, "grader");
    if (grader.name().startsWith("not-")) {
      throw new InvalidInputException("grader '" + grader.name() + "' is already negated; use the grader itself");
    }
    GraderSpec inner = GraderSpec.of(grader).orElse(GraderSpec.of(grader.name()));
    GraderSpec spec = new GraderSpec("not-" + inner.name(), inner.params());
    return new DeclaredGrader("not-" + grader.name(), spec, (c, out) -> {
      Grade g = grader.grade(c, out);
      return new Grade(1.0 - g.score(), !g.passed(), "not: " + g.reason());
    });
  }

  private static List<String> needleList(List<String> needles, String grader) {
    Objects.requireNonNull(needles, "needles");
    if (needles.isEmpty() || needles.stream().anyMatch(n -> n == null)) {
      throw new InvalidInputException(grader + " needs a non-empty list of strings, got " + needles);
    }
    return List.copyOf(needles);
  }

  private static JsonNode jsonContainer(String text) {
    String t = text.strip();
    if (!(t.startsWith("{") || t.startsWith("["))) {
      return null;
    }
    try {
      JsonNode n = STRICT_JSON.readTree(t);
      return n != null && n.isContainerNode() ? n : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** Every JSON object or array that starts at some '{' or '[' of {@code text}, outermost first. */
  static List<JsonNode> embeddedJson(String text) {
    List<JsonNode> found = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char ch = text.charAt(i);
      if (ch == '{' || ch == '[') {
        try (com.fasterxml.jackson.core.JsonParser p = PREFIX_JSON.getFactory().createParser(text.substring(i))) {
          JsonNode n = PREFIX_JSON.readTree(p);
          if (n != null && n.isContainerNode()) {
            found.add(n);
            i += (int) p.currentLocation().getCharOffset();
            continue;
          }
        } catch (IOException e) {
          // not JSON from here: try the next brace
        }
      }
      i++;
    }
    return found;
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** Passes when {@code test} accepts the output. Named {@code name}. */
  public static Grader predicate(String name, Predicate<String> test) {
    Objects.requireNonNull(test, "test");
    return Grader.named(name, (c, out) -> test.test(out)
        ? Grade.pass("accepted by " + name) : Grade.fail("rejected by " + name));
  }

  /**
   * Asks {@code judge} (any chat model, e.g. a strong model of another provider) to grade the output
   * against {@code rubric}, with the case's input and, when present, its {@code expected} value as a
   * reference answer. The judge must reply with exactly one JSON object
   * {@code {"score": 0..1, "pass": true|false, "reason": "…"}}; anything else (prose around it, a code
   * fence, a missing or extra key, a score outside 0..1) is an error for that case, never a guess.
   * Named {@code judge}.
   *
   * @param judge the model that judges; wrap it with {@link EvalCache#cached} to avoid paying twice
   * @param judgeModel the judge's model id
   * @param rubric what a good answer does, in plain words
   */
  public static Grader llmJudge(ChatModel judge, String judgeModel, String rubric) {
    JudgeGrader g = new JudgeGrader(judge, judgeModel, rubric);
    return DeclaredGrader.of(GraderSpec.of("judge", "value", rubric), g);
  }

  /**
   * {@link #llmJudge(ChatModel, String, String)} that passes when the judge's score reaches
   * {@code threshold} (0..1), whatever the judge's own pass verdict; promptfoo's {@code llm-rubric} with a
   * {@code threshold}. Named {@code judge}.
   */
  public static Grader llmJudge(ChatModel judge, String judgeModel, String rubric, double threshold) {
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new InvalidInputException("a judge's threshold must be between 0 and 1, got " + threshold);
    }
    JudgeGrader g = new JudgeGrader(judge, judgeModel, rubric);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("value", rubric);
    params.put("threshold", threshold);
    return DeclaredGrader.of(new GraderSpec("judge", params), (c, out) -> {
      Grade v = g.grade(c, out);
      return Grade.scored(v.score(), threshold, v.reason() + " (score " + v.score() + ", threshold " + threshold + ")");
    });
  }

  private static final EnumSet<Normalization> DEFAULT_EXACT =
      EnumSet.of(Normalization.UNICODE, Normalization.COLLAPSE_WHITESPACE, Normalization.TRIM);

  private static GraderSpec exactSpec(Set<Normalization> set) {
    if (set.equals(DEFAULT_EXACT)) {
      return GraderSpec.of("exact");
    }
    return GraderSpec.of("exact", "normalize", set.stream().map(Normalization::key).toList());
  }

  static String canonicalJson(String json) {
    try {
      return STRICT_JSON.writeValueAsString(STRICT_JSON.readTree(json));
    } catch (JsonProcessingException e) {
      return json; // compileSchema reports it
    }
  }

  static String normalize(String s, Set<Normalization> set) {
    String r = s;
    for (Normalization n : Normalization.values()) {
      if (set.contains(n)) {
        r = n.apply(r);
      }
    }
    return r;
  }

  static String firstDifference(String want, String got) {
    int i = 0;
    int n = Math.min(want.length(), got.length());
    while (i < n && want.charAt(i) == got.charAt(i)) {
      i++;
    }
    return "differs at char " + i + ": expected " + quote(snippet(want, i)) + ", got " + quote(snippet(got, i));
  }

  private static String snippet(String s, int at) {
    if (at >= s.length()) {
      return "(end)";
    }
    int from = Math.max(0, at - 10);
    return (from > 0 ? "…" : "") + abbreviate(s.substring(from), 40);
  }

  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  static String quote(String s) {
    return "\"" + s.replace("\n", "\\n") + "\"";
  }

  static String jsonError(JsonProcessingException e) {
    String where = e.getLocation() == null ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    String msg = e.getOriginalMessage();
    int cut = msg.indexOf('\n');
    return (cut > 0 ? msg.substring(0, cut) : msg) + where;
  }

  static JsonSchema compileSchema(String schemaJson, String what) {
    JsonNode node;
    try {
      node = STRICT_JSON.readTree(schemaJson);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(what + " is not valid JSON: " + jsonError(e));
    }
    if (node == null || !(node.isObject() || node.isBoolean())) {
      throw new InvalidInputException(what + " must be a JSON object (or true/false)");
    }
    SpecVersion.VersionFlag version = SpecVersionDetector.detectOptionalVersion(node, false)
        .orElse(SpecVersion.VersionFlag.V202012);
    try {
      return JsonSchemaFactory.getInstance(version).getSchema(node);
    } catch (RuntimeException e) {
      throw new InvalidInputException(what + " is not a usable JSON Schema: " + e.getMessage(), null, e);
    }
  }

  private static final Comparator<JsonNode> NUMERIC_AWARE = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  };
}
