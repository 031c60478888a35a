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
import java.util.List;
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
    return Grader.named("exact", (c, out) -> {
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
    return Grader.named("contains", (c, out) -> Grade.of(out.contains(needle),
        (out.contains(needle) ? "contains " : "does not contain ") + quote(needle)));
  }

  /** Output contains the case's {@code expected} text (case-sensitive). Named {@code contains-expected}. */
  public static Grader containsExpected() {
    return Grader.named("contains-expected", (c, out) -> {
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
    return Grader.named("regex", (c, out) -> {
      boolean found = p.matcher(out).find();
      return Grade.of(found, (found ? "matches /" : "does not match /") + regex + "/");
    });
  }

  /**
   * The whole output is one JSON value, with nothing before or after it (not even a Markdown code
   * fence). Named {@code valid-json}.
   */
  public static Grader validJson() {
    return Grader.named("valid-json", (c, out) -> {
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
    return Grader.named("json-schema", (c, out) -> {
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
    return Grader.named("json-fields", (c, out) -> {
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
    return Grader.named("numeric", (c, out) -> {
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
    return new JudgeGrader(judge, judgeModel, rubric);
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
