package dev.tunekit.eval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.model.ChatMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * promptfoo interoperability: load a promptfoo config ({@code promptfooconfig.yaml}) as an
 * {@link EvalSuite}, and export a suite (and its results) as a config promptfoo runs.
 *
 * <p>Loading reads {@code description} (the suite's name), {@code prompts} (strings, {@code {raw, label}}
 * objects or {@code file://} text files, with {@code {{var}}} placeholders; a prompt that is a JSON list of
 * {@code {role, content}} is a conversation), {@code defaultTest} ({@code vars} and {@code assert}, which
 * become the suite's graders) and {@code tests}: one case per test and prompt, its id the test's
 * {@code description}, its expected value the {@code expected} var, its tags {@code metadata.tags}. Each
 * assertion becomes the equivalent {@link Graders grader}: {@code equals}, {@code contains},
 * {@code icontains}, {@code contains-any}, {@code contains-all}, {@code starts-with}, {@code regex},
 * {@code is-json} and {@code contains-json} (with an optional JSON Schema), {@code levenshtein},
 * {@code llm-rubric} (the registry's {@linkplain GraderRegistry#withJudge judge}) and their
 * {@code not-} forms; {@code weight} and a test's {@code threshold} keep promptfoo's meaning. An
 * assertion that runs code ({@code javascript}, {@code python}, …) or needs embeddings
 * ({@code similar}) is refused with its {@code file:line}, its path ({@code tests[3].assert[1]}) and why.
 * providers and other run settings are not read: a Tunekit target is the model.
 *
 * <pre>{@code
 * EvalSuite suite = Promptfoo.load(Path.of("promptfooconfig.yaml"));
 * Promptfoo.export(suite, Path.of("exported/promptfooconfig.yaml"));
 * }</pre>
 */
public final class Promptfoo {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final YAMLMapper YAML_OUT = YAMLMapper.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.*?)}}", Pattern.DOTALL);
  private static final Pattern VAR = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*");
  private static final Pattern EXPECTED = Pattern.compile("\\{\\{\\s*expected\\s*}}");
  private static final Set<String> TEST_KEYS = Set.of("description", "vars", "assert", "threshold", "metadata");
  private static final Set<String> ASSERT_KEYS = Set.of("type", "value", "threshold", "weight", "metric", "provider");
  /** The metadata key prefix under which an export records Tunekit's results; loading skips it. */
  static final String RESULT_PREFIX = "tunekit-result-";
  private static final List<String> SUPPORTED = List.of("equals", "contains", "icontains", "contains-any",
      "contains-all", "starts-with", "regex", "is-json", "contains-json", "levenshtein", "llm-rubric");
  private static final Map<String, String> REFUSED = Map.ofEntries(
      Map.entry("javascript", "it runs JavaScript code"),
      Map.entry("python", "it runs Python code"),
      Map.entry("ruby", "it runs Ruby code"),
      Map.entry("webhook", "it calls a web service that runs code"),
      Map.entry("similar", "it needs an embeddings provider"),
      Map.entry("similar:cosine", "it needs an embeddings provider"),
      Map.entry("similar:dot", "it needs an embeddings provider"),
      Map.entry("similar:euclidean", "it needs an embeddings provider"));

  private Promptfoo() {}

  /** Loads a promptfoo config with the built-in graders; {@code llm-rubric} then needs {@link #load(Path, GraderRegistry)}. */
  public static EvalSuite load(Path config) {
    return load(config, GraderRegistry.builtIn());
  }

  /**
   * Loads a promptfoo config as a suite, its graders made by {@code graders} ({@code llm-rubric} asks
   * its judge).
   *
   * @throws InvalidInputException naming {@code file:line} and the path in the config, for anything
   *     Tunekit cannot grade as promptfoo would
   */
  public static EvalSuite load(Path config, GraderRegistry graders) {
    Objects.requireNonNull(graders, "graders");
    String file = config.getFileName() == null ? config.toString() : config.getFileName().toString();
    String text;
    try {
      text = Files.readString(config, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("promptfoo config not found; check the path", config.toString());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read the promptfoo config (" + e.getClass().getSimpleName() + ")",
          config.toString(), e);
    }
    Path dir = config.toAbsolutePath().getParent();
    return new Reader(file, dir, text, graders).read();
  }

  /** Writes {@link #toYaml(EvalSuite)} to {@code file} (its directory is created). */
  public static void export(EvalSuite suite, Path file) {
    export(suite, List.of(), file);
  }

  /** Writes {@link #toYaml(EvalSuite, List)} to {@code file} (its directory is created). */
  public static void export(EvalSuite suite, List<EvalReport> results, Path file) {
    String yaml = toYaml(suite, results);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new TunekitException("cannot write the promptfoo config " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@link #toYaml(EvalSuite, List)} without results. */
  public static String toYaml(EvalSuite suite) {
    return toYaml(suite, List.of());
  }

  /**
   * The suite as a promptfoo config: {@code description}, one prompt {@code '{{input}}'}, an
   * {@code echo} provider to replace with the model to test, the suite's graders as
   * {@code defaultTest.assert} and one test per case ({@code vars.input}, {@code vars.expected}, its own
   * graders as {@code assert}, tags and metadata under {@code metadata}). Each report in {@code results}
   * adds, per case, {@code metadata.tunekit-result-<target>}: the outcome and score Tunekit measured.
   *
   * @throws InvalidInputException for a case that is not one user message, or a grader promptfoo cannot
   *     run without code ({@code numeric}, {@code json-fields}, your own), naming it
   */
  public static String toYaml(EvalSuite suite, List<EvalReport> results) {
    Objects.requireNonNull(suite, "suite");
    List<String> notes = new ArrayList<>();
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("description", suite.name());
    root.putArray("prompts").add("{{input}}");
    root.putArray("providers").add("echo");
    if (!suite.graders().isEmpty()) {
      ArrayNode asserts = root.putObject("defaultTest").putArray("assert");
      for (Grader g : suite.graders()) {
        addAssertions(asserts, g, "the suite's grader '" + g.name() + "'", notes);
      }
    }
    ArrayNode tests = root.putArray("tests");
    for (EvalCase c : suite.cases()) {
      ObjectNode t = tests.addObject();
      t.put("description", c.id());
      if (c.messages().size() != 1 || !c.messages().get(0).role().equals("user")) {
        throw new InvalidInputException("case '" + c.id() + "' is a conversation of " + c.messages().size()
            + " messages; a promptfoo export holds cases of one user message (its prompt is '{{input}}')");
      }
      ObjectNode vars = t.putObject("vars");
      vars.put("input", c.messages().get(0).content());
      c.expected().ifPresent(e -> vars.put("expected", e));
      List<Grader> own = suite.caseGraders(c.id());
      Optional<GraderSpec> weighted = own.size() == 1 ? GraderSpec.of(own.get(0)).filter(s -> s.name().equals("weighted"))
          : Optional.empty();
      if (!own.isEmpty()) {
        ArrayNode asserts = t.putArray("assert");
        for (Grader g : own) {
          addAssertions(asserts, g, "case '" + c.id() + "': grader '" + g.name() + "'", notes);
        }
      }
      weighted.map(s -> s.params().get("threshold")).ifPresent(th -> t.put("threshold", (Double) th));
      ObjectNode md = f.objectNode();
      if (!c.tags().isEmpty()) {
        ArrayNode tags = md.putArray("tags");
        c.tags().forEach(tags::add);
      }
      new java.util.TreeMap<>(c.metadata()).forEach(md::put);
      for (EvalReport r : results) {
        r.caseResult(c.id()).ifPresent(cr -> md.put(RESULT_PREFIX + r.target(), resultText(cr)));
      }
      if (!md.isEmpty()) {
        t.set("metadata", md);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("# promptfoo config exported by Tunekit from eval suite '").append(oneLine(suite.name()))
        .append("' (fingerprint ").append(suite.fingerprint()).append(").\n")
        .append("# Replace the 'echo' provider (it repeats the prompt) with the model to test, then run:\n")
        .append("#   npx promptfoo eval -c <this file>\n");
    for (EvalReport r : results) {
      out.append("# Tunekit results: target '").append(oneLine(r.target())).append("' (model ")
          .append(oneLine(r.model())).append("): ").append(r.passRate()).append('\n');
    }
    for (String n : notes) {
      out.append("# Note: ").append(n).append('\n');
    }
    try {
      out.append(YAML_OUT.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new TunekitException("cannot write the promptfoo config: " + e.getOriginalMessage(), e);
    }
    return out.toString();
  }

  private static String resultText(CaseResult cr) {
    double score = cr.grades().stream().mapToDouble(GraderResult::score).average().orElse(0);
    return cr.outcome() + String.format(Locale.ROOT, " (score %.2f)", score);
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\r\\n]+", " ");
  }

  private static void addAssertions(ArrayNode asserts, Grader g, String what, List<String> notes) {
    GraderSpec spec = GraderSpec.of(g).orElseThrow(() -> new InvalidInputException(what
        + " is Java code, which promptfoo cannot run; export a copy of the suite without it"));
    if (spec.name().equals("weighted")) {
      for (Object o : (List<?>) spec.params().get("of")) {
        WeightedGrader.PartSpec p = (WeightedGrader.PartSpec) o;
        ObjectNode a = assertion(p.spec(), what, notes);
        if (p.weight() != 1.0) {
          a.put("weight", p.weight());
        }
        asserts.add(a);
      }
      return;
    }
    asserts.add(assertion(spec, what, notes));
  }

  private static ObjectNode assertion(GraderSpec spec, String what, List<String> notes) {
    boolean negated = spec.name().startsWith("not-");
    String name = negated ? spec.name().substring(4) : spec.name();
    Map<String, Object> p = spec.params();
    ObjectNode a = JsonNodeFactory.instance.objectNode();
    String type;
    switch (name) {
      case "exact" -> {
        type = "equals";
        a.put("value", "{{expected}}");
        if (!List.of().equals(p.get("normalize"))) {
          notes.add(what + " compares after normalising (" + (p.containsKey("normalize") ? p.get("normalize")
              : "unicode, collapse-whitespace, trim") + "); promptfoo's equals compares exactly");
        }
      }
      case "equals" -> {
        type = "equals";
        String v = (String) p.get("value");
        JsonNode json = jsonContainer(v);
        if (json != null) {
          a.set("value", json);
        } else {
          a.put("value", v);
        }
      }
      case "contains", "icontains", "starts-with", "regex" -> {
        type = name;
        a.put("value", (String) p.get("value"));
      }
      case "contains-expected" -> {
        type = "contains";
        a.put("value", "{{expected}}");
      }
      case "contains-any", "contains-all" -> {
        type = name;
        ArrayNode v = a.putArray("value");
        ((List<?>) p.get("value")).forEach(x -> v.add((String) x));
      }
      case "valid-json" -> type = "is-json";
      case "json-schema", "contains-json" -> {
        type = name.equals("json-schema") ? "is-json" : "contains-json";
        if (p.containsKey("value")) {
          a.set("value", jsonContainer((String) p.get("value")));
        }
      }
      case "levenshtein" -> {
        type = "levenshtein";
        a.put("value", p.containsKey("value") ? (String) p.get("value") : "{{expected}}");
        a.put("threshold", ((Double) p.get("threshold")).intValue());
      }
      case "judge" -> {
        type = "llm-rubric";
        a.put("value", (String) p.get("value"));
        if (p.containsKey("threshold")) {
          a.put("threshold", (Double) p.get("threshold"));
        }
      }
      default -> throw new InvalidInputException(what + " ('" + spec.name() + "') has no promptfoo assertion"
          + " that runs without code; export a copy of the suite without it");
    }
    ObjectNode ordered = JsonNodeFactory.instance.objectNode();
    ordered.put("type", (negated ? "not-" : "") + type);
    ordered.setAll(a);
    return ordered;
  }

  private static JsonNode jsonContainer(String text) {
    try {
      JsonNode n = JSON.readTree(text);
      return n != null && (n.isContainerNode() || n.isBoolean()) ? n : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** One load: the config's tree, the line of every path in it, and what is made of them. */
  private static final class Reader {
    private final String file;
    private final Path dir;
    private final String text;
    private final GraderRegistry registry;
    private final Map<String, Integer> lines = new HashMap<>();

    Reader(String file, Path dir, String text, GraderRegistry registry) {
      this.file = file;
      this.dir = dir;
      this.text = text;
      this.registry = registry;
    }

    private String at(String path) {
      Integer line = lines.get(path);
      return line == null ? file : file + ":" + line;
    }

    private InvalidInputException bad(String path, String message) {
      return new InvalidInputException(path + ": " + message, at(path));
    }

    EvalSuite read() {
      JsonNode root;
      try {
        indexLines();
        root = YAML.readTree(text);
      } catch (JsonProcessingException e) {
        String where = e.getLocation() == null ? file : file + ":" + e.getLocation().getLineNr();
        throw new InvalidInputException("not valid YAML: " + e.getOriginalMessage(), where);
      } catch (IOException e) {
        throw new InvalidInputException("cannot read the promptfoo config: " + e.getMessage(), file, e);
      }
      if (root == null || !root.isObject()) {
        throw new InvalidInputException("a promptfoo config is a mapping with 'prompts' and 'tests'", file);
      }
      for (String unsupported : List.of("scenarios", "derivedMetrics", "extensions", "nunjucksFilters")) {
        if (root.has(unsupported)) {
          throw bad(unsupported, "'" + unsupported + "' is not supported by Tunekit's import; remove it or"
              + " write the tests out");
        }
      }
      String name = root.path("description").isTextual() && !root.path("description").asText().isBlank()
          ? root.get("description").asText()
          : file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
      List<Prompt> prompts = prompts(root.get("prompts"));
      JsonNode defaults = root.get("defaultTest");
      Map<String, String> defaultVars = new LinkedHashMap<>();
      JsonNode defaultAsserts = null;
      if (defaults != null && !defaults.isNull()) {
        if (!defaults.isObject()) {
          throw bad("defaultTest", "only an inline defaultTest mapping is supported (not a file reference)");
        }
        for (Iterator<String> it = defaults.fieldNames(); it.hasNext(); ) {
          String k = it.next();
          if (!Set.of("vars", "assert", "metadata", "options").contains(k) || k.equals("options")) {
            throw bad("defaultTest." + k, "'" + k + "' in defaultTest is not supported by Tunekit's import;"
                + " defaultTest may hold vars, assert and metadata");
          }
        }
        defaultVars.putAll(vars(defaults.get("vars"), "defaultTest.vars"));
        defaultAsserts = defaults.get("assert");
      }
      JsonNode tests = root.get("tests");
      if (tests == null || !tests.isArray() || tests.isEmpty()) {
        throw bad("tests", tests != null && tests.isTextual()
            ? "tests read from a file (" + tests.asText() + ") are not supported; write them inline"
            : "a promptfoo config needs a non-empty 'tests' list");
      }
      boolean anyWeighted = false;
      for (JsonNode t : tests) {
        anyWeighted |= t.has("threshold") || hasWeights(t.get("assert"));
      }
      anyWeighted |= hasWeights(defaultAsserts);
      List<Grader> suiteGraders = new ArrayList<>();
      List<Part> defaultParts = defaultAsserts == null ? List.of()
          : asserts(defaultAsserts, "defaultTest.assert", defaultVars, false);
      if (!anyWeighted) {
        defaultParts.forEach(p -> suiteGraders.add(p.grader()));
      }
      List<EvalCase> cases = new ArrayList<>();
      Map<String, List<Grader>> caseGraders = new LinkedHashMap<>();
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < tests.size(); i++) {
        String path = "tests[" + i + "]";
        JsonNode t = tests.get(i);
        if (!t.isObject()) {
          throw bad(path, "a test is a mapping with vars and assert");
        }
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
          String k = it.next();
          if (!TEST_KEYS.contains(k)) {
            throw bad(path + "." + k, "'" + k + "' is not supported by Tunekit's import; a test may hold "
                + String.join(", ", new java.util.TreeSet<>(TEST_KEYS)));
          }
        }
        Map<String, String> vars = new LinkedHashMap<>(defaultVars);
        vars.putAll(vars(t.get("vars"), path + ".vars"));
        List<Part> parts = new ArrayList<>();
        if (anyWeighted) {
          parts.addAll(asserts(defaultAsserts, "defaultTest.assert", vars, true));
        }
        parts.addAll(asserts(t.get("assert"), path + ".assert", vars, true));
        Double threshold = null;
        if (t.has("threshold")) {
          JsonNode th = t.get("threshold");
          if (!th.isNumber() || th.doubleValue() < 0 || th.doubleValue() > 1) {
            throw bad(path + ".threshold", "a test's threshold must be a number from 0 to 1, got " + th);
          }
          threshold = th.doubleValue();
        }
        List<Grader> own = new ArrayList<>();
        if (anyWeighted && !parts.isEmpty()) {
          own.add(WeightedGrader.of(parts.stream().map(p -> new WeightedGrader.Part(p.grader(), p.weight())).toList(),
              threshold));
        } else {
          parts.forEach(p -> own.add(p.grader()));
        }
        List<String> tags = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata(t.get("metadata"), path + ".metadata", tags, metadata);
        String base = t.path("description").isValueNode() && !t.path("description").asText().isBlank()
            ? t.get("description").asText() : "test-" + (i + 1);
        for (Prompt p : prompts) {
          String id = prompts.size() == 1 ? base : base + " @ " + p.label();
          if (!ids.add(id)) {
            id = id + " (" + (i + 1) + ")";
            ids.add(id);
          }
          List<ChatMessage> messages = p.render(vars, path);
          Optional<String> expected = Optional.ofNullable(vars.get("expected"));
          cases.add(new EvalCase(id, messages, expected, tags, metadata));
          if (!own.isEmpty()) {
            caseGraders.put(id, own);
          }
        }
      }
      return EvalSuite.of(name, cases, suiteGraders, caseGraders);
    }

    private static boolean hasWeights(JsonNode asserts) {
      if (asserts == null || !asserts.isArray()) {
        return false;
      }
      for (JsonNode a : asserts) {
        if (a.has("weight") && !(a.get("weight").isNumber() && a.get("weight").doubleValue() == 1.0)) {
          return true;
        }
      }
      return false;
    }

    private record Part(Grader grader, double weight) {}

    private record Prompt(String label, String raw, boolean chat, String where) {
      List<ChatMessage> render(Map<String, String> vars, String testPath) {
        if (!chat) {
          return List.of(ChatMessage.user(fill(raw, vars, testPath)));
        }
        List<ChatMessage> out = new ArrayList<>();
        try {
          for (JsonNode m : JSON.readTree(raw)) {
            out.add(new ChatMessage(m.get("role").asText(), fill(m.get("content").asText(), vars, testPath)));
          }
        } catch (JsonProcessingException e) {
          throw new TunekitException("prompt '" + label + "' is no longer JSON", e); // checked when read
        }
        return out;
      }

      private String fill(String template, Map<String, String> vars, String testPath) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
          String var = m.group(1).strip();
          String value = vars.get(var);
          if (value == null) {
            throw new InvalidInputException(testPath + ": prompt '" + label + "' uses {{" + var + "}}, which"
                + " this test's vars do not define; add it to vars or defaultTest.vars", where);
          }
          m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
      }
    }

    private List<Prompt> prompts(JsonNode node) {
      if (node == null || node.isNull()) {
        throw bad("prompts", "a promptfoo config needs 'prompts', e.g. [\"Answer: {{question}}\"]");
      }
      List<Prompt> out = new ArrayList<>();
      if (node.isTextual()) {
        out.add(prompt(node, "prompts", 0));
      } else if (node.isArray() && !node.isEmpty()) {
        for (int i = 0; i < node.size(); i++) {
          out.add(prompt(node.get(i), "prompts[" + i + "]", i));
        }
      } else {
        throw bad("prompts", "'prompts' must be a prompt or a non-empty list of prompts");
      }
      return out;
    }

    private Prompt prompt(JsonNode node, String path, int index) {
      String raw;
      String label = null;
      if (node.isTextual()) {
        raw = node.asText();
      } else if (node.isObject() && (node.has("raw") || node.has("id"))) {
        raw = node.has("raw") ? node.get("raw").asText() : node.get("id").asText();
        label = node.path("label").isTextual() ? node.get("label").asText() : null;
      } else {
        throw bad(path, "a prompt is a string, a file:// path or {raw, label}");
      }
      if (raw.startsWith("file://")) {
        String ref = raw.substring(7);
        if (!(ref.endsWith(".txt") || ref.endsWith(".md") || ref.endsWith(".json"))) {
          throw bad(path, "prompt file " + ref + " is not supported (a .js or .py prompt runs code); use a .txt,"
              + " .md or .json (chat) file");
        }
        try {
          raw = Files.readString(dir.resolve(ref), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw bad(path, "cannot read prompt file " + dir.resolve(ref) + " (" + e.getClass().getSimpleName()
              + "); the path is relative to the config");
        }
        if (label == null) {
          label = ref;
        }
      }
      if (raw.contains("{%")) {
        throw bad(path, "nunjucks tags ({% … %}) are not supported; use plain {{var}} placeholders");
      }
      Matcher m = PLACEHOLDER.matcher(raw);
      while (m.find()) {
        if (!VAR.matcher(m.group(1)).matches()) {
          throw bad(path, "placeholder {{" + m.group(1) + "}} is not supported; use plain {{var}} placeholders"
              + " (no filters or expressions)");
        }
      }
      boolean chat = false;
      String trimmed = raw.strip();
      if (trimmed.startsWith("[")) {
        try {
          JsonNode list = JSON.readTree(trimmed);
          chat = list.isArray() && !list.isEmpty();
          for (JsonNode msg : list) {
            chat &= msg.isObject() && msg.path("role").isTextual() && msg.path("content").isTextual();
          }
        } catch (JsonProcessingException e) {
          chat = false;
        }
        if (!chat) {
          throw bad(path, "a prompt that starts with '[' must be a JSON list of {\"role\", \"content\"} messages");
        }
        raw = trimmed;
      }
      return new Prompt(label != null ? label : "prompt-" + (index + 1), raw, chat, at(path));
    }

    private Map<String, String> vars(JsonNode node, String path) {
      Map<String, String> out = new LinkedHashMap<>();
      if (node == null || node.isNull()) {
        return out;
      }
      if (!node.isObject()) {
        throw bad(path, "vars must be a mapping from names to values (vars from a file are not supported)");
      }
      node.fields().forEachRemaining(e -> {
        JsonNode v = e.getValue();
        String p = path + "." + e.getKey();
        if (v.isArray()) {
          throw bad(p, "a list var expands into one test per value in promptfoo; write those tests out");
        }
        if (v.isTextual() && v.asText().startsWith("file://")) {
          throw bad(p, "vars read from files are not supported; write the value inline");
        }
        out.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
      });
      return out;
    }

    private void metadata(JsonNode node, String path, List<String> tags, Map<String, String> metadata) {
      if (node == null || node.isNull()) {
        return;
      }
      if (!node.isObject()) {
        throw bad(path, "metadata must be a mapping");
      }
      node.fields().forEachRemaining(e -> {
        if (e.getKey().startsWith(RESULT_PREFIX)) {
          return; // results of an earlier Tunekit run, written by an export
        }
        if (e.getKey().equals("tags") && (e.getValue().isArray() || e.getValue().isTextual())) {
          for (JsonNode tag : e.getValue().isArray() ? e.getValue() : JSON.createArrayNode().add(e.getValue())) {
            tags.add(tag.asText());
          }
          return;
        }
        metadata.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
      });
    }

    private List<Part> asserts(JsonNode node, String path, Map<String, String> vars, boolean perTest) {
      List<Part> out = new ArrayList<>();
      if (node == null || node.isNull()) {
        return out;
      }
      if (!node.isArray()) {
        throw bad(path, "'assert' must be a list of assertions");
      }
      for (int j = 0; j < node.size(); j++) {
        out.add(assertion(node.get(j), path + "[" + j + "]", vars, perTest));
      }
      return out;
    }

    private Part assertion(JsonNode a, String path, Map<String, String> vars, boolean perTest) {
      if (!a.isObject() || !a.path("type").isTextual()) {
        throw bad(path, "an assertion is a mapping with a 'type'");
      }
      String type = a.get("type").asText();
      for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!ASSERT_KEYS.contains(k)) {
          String why = k.equals("transform") ? "it runs code" : "Tunekit's import does not read it";
          throw bad(path + "." + k, "'" + k + "' on a " + type + " assertion is refused: " + why);
        }
      }
      boolean negated = type.startsWith("not-");
      String base = negated ? type.substring(4) : type;
      if (REFUSED.containsKey(base)) {
        throw bad(path, "assertion type '" + type + "' is refused: " + REFUSED.get(base)
            + ", which Tunekit does not do from an eval file; write a Grader in Java and register it with"
            + " GraderRegistry.with");
      }
      if (!SUPPORTED.contains(base)) {
        throw bad(path, "assertion type '" + type + "' is not supported; supported: " + String.join(", ", SUPPORTED)
            + " and their not- forms");
      }
      double weight = 1.0;
      if (a.has("weight")) {
        if (!a.get("weight").isNumber() || a.get("weight").doubleValue() < 0) {
          throw bad(path + ".weight", "weight must be a number of 0 or more, got " + a.get("weight"));
        }
        weight = a.get("weight").doubleValue();
      }
      JsonNode value = a.get("value");
      JsonNode threshold = a.get("threshold");
      if (threshold != null && !base.equals("levenshtein") && !base.equals("llm-rubric")) {
        throw bad(path + ".threshold", "'threshold' has no effect on a " + type + " assertion; remove it");
      }
      boolean expectedRef = value != null && value.isTextual() && EXPECTED.matcher(value.asText().strip()).matches()
          && value.asText().strip().startsWith("{{");
      if (expectedRef && perTest && !vars.containsKey("expected")) {
        throw bad(path, "the value {{expected}} needs an 'expected' var in this test or defaultTest.vars");
      }
      ObjectNode spec = JSON.createObjectNode();
      String where = at(path);
      String name = switch (base) {
        case "equals" -> expectedRef ? "exact" : "equals";
        case "contains" -> expectedRef ? "contains-expected" : "contains";
        case "is-json" -> value == null ? "valid-json" : "json-schema";
        case "llm-rubric" -> "judge";
        default -> base;
      };
      ObjectNode params = JSON.createObjectNode();
      if (name.equals("exact")) {
        params.set("normalize", JSON.createArrayNode());
      } else if (!expectedRef && value != null) {
        params.set("value", render(value, vars, path));
      } else if (value == null && !Set.of("valid-json", "contains-json").contains(name)) {
        throw bad(path, "a " + type + " assertion needs a 'value'");
      }
      if (threshold != null) {
        params.set("threshold", threshold);
      } else if (base.equals("levenshtein")) {
        params.put("threshold", 5);
      }
      spec.set((negated ? "not-" : "") + name, params.isEmpty() ? null : params);
      if (params.isEmpty()) {
        return new Part(registry.create(JSON.getNodeFactory().textNode((negated ? "not-" : "") + name), where, path,
            dir), weight);
      }
      return new Part(registry.create(spec, where, path, dir), weight);
    }

    /** Renders {@code {{var}}} in a string value (or in each string of a list) with the test's vars. */
    private JsonNode render(JsonNode value, Map<String, String> vars, String path) {
      if (value.isTextual()) {
        String s = value.asText();
        if (s.contains("{{")) {
          Matcher m = PLACEHOLDER.matcher(s);
          StringBuilder sb = new StringBuilder();
          while (m.find()) {
            Matcher v = VAR.matcher(m.group(1));
            if (!v.matches() || !vars.containsKey(v.group(1))) {
              throw bad(path + ".value", "{{" + m.group(1) + "}} is not a var of this test; Tunekit fills in plain"
                  + " {{var}} placeholders only");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(vars.get(v.group(1))));
          }
          m.appendTail(sb);
          return JSON.getNodeFactory().textNode(sb.toString());
        }
        return value;
      }
      if (value.isArray()) {
        ArrayNode out = JSON.createArrayNode();
        value.forEach(v -> out.add(render(v, vars, path)));
        return out;
      }
      return value;
    }

    /** Records the line of every value's path ({@code tests[2].assert[0]}) as the parser meets it. */
    private void indexLines() throws IOException {
      final class Frame {
        final boolean array;
        String key;
        int index = -1;

        Frame(boolean array) {
          this.array = array;
        }
      }
      Deque<Frame> stack = new ArrayDeque<>();
      try (JsonParser p = YAML.getFactory().createParser(text)) {
        JsonToken t;
        while ((t = p.nextToken()) != null) {
          if (t == JsonToken.FIELD_NAME) {
            stack.peek().key = p.currentName();
            continue;
          }
          if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
            stack.pop();
            continue;
          }
          if (!stack.isEmpty() && stack.peek().array) {
            stack.peek().index++;
          }
          StringBuilder path = new StringBuilder();
          for (Iterator<Frame> it = stack.descendingIterator(); it.hasNext(); ) {
            Frame fr = it.next();
            if (fr.array) {
              path.append('[').append(fr.index).append(']');
            } else {
              path.append(path.length() == 0 ? "" : ".").append(fr.key);
            }
          }
          lines.putIfAbsent(path.toString(), p.currentTokenLocation().getLineNr());
          if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            stack.push(new Frame(t == JsonToken.START_ARRAY));
          }
        }
      }
    }
  }
}
