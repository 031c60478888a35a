package dev.tunekit.internal;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.Tunekit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code tunekit.yaml}. See {@link Tunekit#fromConfig(Path)} for the format. Errors name the
 * file and line. Only the chosen provider's section is resolved, so an unset variable that another
 * provider's section references does not stop a run.
 */
public final class ConfigLoader {
  public static final String ENV_PROVIDER = "TUNEKIT_PROVIDER";
  public static final String ENV_LEDGER = "TUNEKIT_LEDGER";
  public static final String ENV_WORK_DIR = "TUNEKIT_WORK_DIR";
  public static final String ENV_CONFIG = "TUNEKIT_CONFIG";
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Set<String> TOP = Set.of("provider", "ledger", "workDir", "providers", "resilience", "polling",
      "evaluation");
  private static final Set<String> RETRY = Set.of("maxAttempts", "initialBackoff", "maxBackoff", "multiplier");
  private static final Set<String> BREAKER =
      Set.of("failureRateThreshold", "slidingWindowSize", "minimumNumberOfCalls", "waitInOpenState");
  /** Larger files are refused before parsing: a config is a few dozen lines, and huge scalars parse slowly. */
  public static final int MAX_CONFIG_BYTES = 1 << 20;
  /** Longer lines are refused before parsing: the YAML parser slows down quadratically on very long lines. */
  public static final int MAX_LINE_CHARS = 64 << 10;
  private static final Set<String> POLLING = Set.of("initialInterval", "maxInterval", "multiplier", "timeout");

  private final String source;
  private final Map<String, String> env;
  private final Map<String, Integer> lines;
  /** How keys are named in errors: {@code ""} for a file, {@code "tunekit."} for a framework's properties. */
  private final String prefix;
  /** Where keys were written, by JSON pointer, when not in a file with lines (a framework's property origins). */
  private final Map<String, String> origins;

  private ConfigLoader(String source, Map<String, String> env, Map<String, Integer> lines) {
    this(source, env, lines, "", Map.of());
  }

  private ConfigLoader(String source, Map<String, String> env, Map<String, Integer> lines, String prefix,
      Map<String, String> origins) {
    this.source = source;
    this.env = env;
    this.lines = lines;
    this.prefix = prefix;
    this.origins = origins;
  }

  /**
   * Reads the keys of {@code tunekit.yaml} from a tree that a framework already parsed (Spring's
   * {@code tunekit.*} properties): the same keys, validation and {@code ${VAR}} resolution as a file.
   *
   * @param tree nested maps, lists and scalars, as a YAML file would parse
   * @param prefix how a key is named in errors ({@code "tunekit."}: {@code tunekit.providers.<name>.model})
   * @param source what the tree is, for errors ({@code "Spring properties tunekit.*"})
   * @param origins dotted key without the prefix ({@code providers.<name>.model}) to where it was written
   * @param base the directory relative paths ({@code ledger}, {@code workDir}) are resolved against
   */
  public static Config fromTree(Map<String, ?> tree, String prefix, String source, Map<String, String> origins,
      Map<String, String> env, Path base) {
    Map<String, String> byPointer = new HashMap<>();
    origins.forEach((k, v) -> byPointer.put("/" + k.replace('.', '/'), v));
    ConfigLoader loader = new ConfigLoader(source, env, Map.of(), prefix, byPointer);
    JsonNode root = YAML.valueToTree(tree);
    return loader.read(root == null || root.isNull() ? YAML.createObjectNode() : root, base);
  }

  /** Loads a config file; a missing file is an error. */
  public static Config load(Path file, Map<String, String> env) {
    String source = file.toString();
    String text;
    try {
      if (Files.isDirectory(file)) {
        throw new InvalidInputException("is a directory, not a config file; give the path of tunekit.yaml", source);
      }
      long size = Files.size(file);
      if (size > MAX_CONFIG_BYTES) {
        throw new InvalidInputException("config file is " + size + " bytes, over the " + MAX_CONFIG_BYTES
            + "-byte limit for a Tunekit config (a few dozen lines); is this the right file?", source);
      }
      text = decodeUtf8(Files.readAllBytes(file), source);
      checkLineLengths(text, source);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("config file not found; create it (see docs/config.md) or use Tunekit.builder()",
          source);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read config file: " + e.getMessage(), source, e);
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      // The parser's own message (and so the exception itself) quotes the offending line, which may hold a
      // secret such as an apiKey: only the position and the kind of problem are reported, and no cause kept.
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
      throw new InvalidInputException("not valid YAML" + (line > 0 && column > 0 ? " at line " + line + ", column "
          + column : "") + " (" + yamlProblem(e) + "); check indentation and quoting", line > 0 ? source + ":" + line
          : source);
    }
    ConfigLoader loader = new ConfigLoader(source, env, lineIndex(text));
    Path base = file.toAbsolutePath().getParent();
    return loader.read(root == null || root.isMissingNode() || root.isNull() ? YAML.createObjectNode() : root, base);
  }

  /**
   * The kind of a YAML syntax error (such as "mapping values are not allowed here") without any excerpt
   * of the file: quoted text is dropped, and so is everything after the first line.
   */
  public static String yamlProblem(JsonProcessingException e) {
    if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
      return "nesting depth or size over the parser's limits; a config is a few flat sections";
    }
    String problem = null;
    for (Throwable t = e; t != null && problem == null; t = t.getCause()) {
      if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m) {
        problem = m.getProblem();
      }
    }
    if (problem == null || problem.isBlank()) {
      return "the YAML parser rejected it";
    }
    String kind = problem.lines().findFirst().orElse("")
        .replaceAll("'[^']*'|\"[^\"]*\"|`[^`]*`", "'…'")
        .replaceAll("['\"`].*", "…")
        .strip();
    if (kind.length() > 80) {
      kind = kind.substring(0, 80) + "…";
    }
    return kind.isEmpty() ? "the YAML parser rejected it" : kind;
  }

  /** A config with no file: environment variables and defaults only (provider {@code local}). */
  public static Config fromEnvironment(Map<String, String> env) {
    return new ConfigLoader("environment", env, Map.of()).read(YAML.createObjectNode(), Path.of("").toAbsolutePath());
  }

  /** A config built in code ({@link Tunekit#builder()}); {@code ${VAR}} in values is resolved too. */
  public static Config fromBuilder(String provider, Map<String, Object> settings, Path ledger, Path workDir,
      ResilienceSettings resilience, PollingSettings polling, Map<String, String> env) {
    ConfigLoader loader = new ConfigLoader("Tunekit.builder()", env, Map.of());
    Map<String, Object> values = new LinkedHashMap<>();
    settings.forEach((k, v) -> values.put(k, loader.resolveValue(v, "/providers/" + provider + "/" + k)));
    Path wd = workDir == null ? Path.of(".tunekit") : workDir;
    Path lg = ledger == null ? wd.resolve("ledger.db") : ledger;
    return new Config(provider, values, lg, wd, resilience, polling, "Tunekit.builder()", "Tunekit.builder()");
  }

  private Config read(JsonNode root, Path base) {
    if (!root.isObject()) {
      throw error("", "must be a map of settings such as 'provider: <name>'");
    }
    checkKeys(root, "", TOP);
    String providerLocation;
    String provider;
    if (nonBlank(env.get(ENV_PROVIDER))) {
      provider = env.get(ENV_PROVIDER).trim();
      providerLocation = ENV_PROVIDER;
    } else if (root.hasNonNull("provider")) {
      provider = scalar(root.get("provider"), "/provider");
      providerLocation = location("/provider");
    } else {
      provider = "local";
      providerLocation = source;
    }
    Path workDir = base.resolve(nonBlank(env.get(ENV_WORK_DIR)) ? env.get(ENV_WORK_DIR).trim()
        : root.hasNonNull("workDir") ? scalar(root.get("workDir"), "/workDir") : ".tunekit");
    String ledgerText = nonBlank(env.get(ENV_LEDGER)) ? env.get(ENV_LEDGER).trim()
        : root.hasNonNull("ledger") ? scalar(root.get("ledger"), "/ledger") : null;
    String ledgerUrl = dev.tunekit.internal.ledger.JdbcUrls.isJdbcUrl(ledgerText) ? ledgerText.trim() : null;
    Path ledger = ledgerText != null && ledgerUrl == null ? base.resolve(ledgerText) : workDir.resolve("ledger.db");

    Map<String, Object> values = new LinkedHashMap<>();
    JsonNode providers = root.path("providers");
    if (!providers.isMissingNode() && !providers.isNull() && !providers.isObject()) {
      throw error("/providers", "must be a map from provider name to its settings");
    }
    Map<String, String> sections = new LinkedHashMap<>();
    Map<String, String> locations = new HashMap<>();
    if (providers.isObject()) {
      // Names and literal types of every section (never resolved: other sections' variables may be unset),
      // so that a misspelt section name is reported rather than read as a missing provider section.
      for (Iterator<Map.Entry<String, JsonNode>> it = providers.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode type = e.getValue().path("type");
        sections.put(e.getKey(), type.isValueNode() && !type.isNull() ? type.asText().trim() : "");
        locations.put("providers." + e.getKey(), location("/providers/" + e.getKey()));
        locations.put("providers." + e.getKey() + ".type", location("/providers/" + e.getKey() + "/type"));
      }
    }
    JsonNode section = providers.path(provider);
    if (!section.isMissingNode() && !section.isNull()) {
      if (!section.isObject()) {
        throw error("/providers/" + provider, "must be a map of settings");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        values.put(e.getKey(), toJava(e.getValue(), "/providers/" + provider + "/" + e.getKey()));
        locations.put("providers." + provider + "." + e.getKey(), location("/providers/" + provider + "/" + e.getKey()));
      }
    }
    locations.put("ledger", nonBlank(env.get(ENV_LEDGER)) ? ENV_LEDGER : location("/ledger"));
    return new Config(provider, values, ledger.normalize(), workDir.normalize(), resilience(root.path("resilience")),
        polling(root.path("polling")), source, providerLocation, evaluation(root.path("evaluation")), sections,
        locations, ledgerUrl);
  }

  private EvaluationSettings evaluation(JsonNode node) {
    EvaluationSettings d = EvaluationSettings.defaults();
    if (node.isMissingNode() || node.isNull()) {
      return d;
    }
    checkKeys(node, "/evaluation", Set.of("requestsPerMinute", "maxConcurrentCalls"));
    try {
      return new EvaluationSettings(integer(node, "/evaluation", "requestsPerMinute", d.requestsPerMinute()),
          integer(node, "/evaluation", "maxConcurrentCalls", d.maxConcurrentCalls()));
    } catch (InvalidInputException e) {
      if (e.location().isPresent()) {
        throw e;
      }
      throw new InvalidInputException(e.getMessage(), location("/evaluation"));
    }
  }

  private ResilienceSettings resilience(JsonNode node) {
    ResilienceSettings d = ResilienceSettings.defaults();
    if (node.isMissingNode() || node.isNull()) {
      return d;
    }
    checkKeys(node, "/resilience", Set.of("retry", "circuitBreaker"));
    JsonNode r = node.path("retry");
    JsonNode c = node.path("circuitBreaker");
    if (!r.isMissingNode()) {
      checkKeys(r, "/resilience/retry", RETRY);
    }
    if (!c.isMissingNode()) {
      checkKeys(c, "/resilience/circuitBreaker", BREAKER);
    }
    try {
      return new ResilienceSettings(
          integer(r, "/resilience/retry", "maxAttempts", d.maxAttempts()),
          duration(r, "/resilience/retry", "initialBackoff", d.initialBackoff()),
          duration(r, "/resilience/retry", "maxBackoff", d.maxBackoff()),
          number(r, "/resilience/retry", "multiplier", d.multiplier()),
          (float) number(c, "/resilience/circuitBreaker", "failureRateThreshold", d.failureRateThreshold()),
          integer(c, "/resilience/circuitBreaker", "slidingWindowSize", d.slidingWindowSize()),
          integer(c, "/resilience/circuitBreaker", "minimumNumberOfCalls", d.minimumNumberOfCalls()),
          duration(c, "/resilience/circuitBreaker", "waitInOpenState", d.waitInOpenState()));
    } catch (InvalidInputException e) {
      if (e.location().isPresent()) {
        throw e;
      }
      throw new InvalidInputException(e.getMessage(), location("/resilience"));
    }
  }

  private PollingSettings polling(JsonNode node) {
    PollingSettings d = PollingSettings.defaults();
    if (node.isMissingNode() || node.isNull()) {
      return d;
    }
    checkKeys(node, "/polling", POLLING);
    try {
      return new PollingSettings(
          duration(node, "/polling", "initialInterval", d.initialInterval()),
          duration(node, "/polling", "maxInterval", d.maxInterval()),
          number(node, "/polling", "multiplier", d.multiplier()),
          duration(node, "/polling", "timeout", d.timeout()));
    } catch (InvalidInputException e) {
      if (e.location().isPresent()) {
        throw e;
      }
      throw new InvalidInputException(e.getMessage(), location("/polling"));
    }
  }

  private int integer(JsonNode parent, String at, String key, int dflt) {
    if (!parent.hasNonNull(key)) {
      return dflt;
    }
    String s = scalar(parent.get(key), at + "/" + key);
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw error(at + "/" + key, "must be a whole number, was '" + s + "'");
    }
  }

  private double number(JsonNode parent, String at, String key, double dflt) {
    if (!parent.hasNonNull(key)) {
      return dflt;
    }
    String s = scalar(parent.get(key), at + "/" + key);
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw error(at + "/" + key, "must be a number, was '" + s + "'");
    }
  }

  private Duration duration(JsonNode parent, String at, String key, Duration dflt) {
    if (!parent.hasNonNull(key)) {
      return dflt;
    }
    String s = scalar(parent.get(key), at + "/" + key);
    return Durations.parse(s).orElseThrow(() ->
        error(at + "/" + key, "must be a duration such as 500ms, 30s, 5m, 24h or PT30S, was '" + s + "'"));
  }

  private void checkKeys(JsonNode node, String at, Set<String> known) {
    if (!node.isObject()) {
      throw error(at, "must be a map with keys " + new java.util.TreeSet<>(known));
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        StringBuilder m = new StringBuilder("unknown setting '").append(k).append('\'')
            .append(at.isEmpty() ? "" : " under " + dotted(at));
        SettingsCheck.nearest(k, known).ifPresent(n -> m.append("; did you mean ").append(n).append('?'));
        if (at.isEmpty() && node.get(k).isObject() && !k.equals("providers")) {
          // A provider's section written at the top level: "<name>:" instead of "providers: <name>:".
          m.append("; a provider's settings go under 'providers:' (indent '").append(k)
              .append(":' below a 'providers:' line), see docs/config.md");
        }
        m.append("; known settings: ").append(String.join(", ", new java.util.TreeSet<>(known)));
        throw error(at + "/" + k, m.toString());
      }
    }
  }

  private String scalar(JsonNode node, String pointer) {
    if (node.isContainerNode()) {
      throw error(pointer, "must be a single value, not a list or map");
    }
    return resolve(node.asText(), pointer);
  }

  private Object toJava(JsonNode node, String pointer) {
    if (node.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> m.put(e.getKey(), toJava(e.getValue(), pointer + "/" + e.getKey())));
      return m;
    }
    if (node.isArray()) {
      List<Object> l = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        l.add(toJava(node.get(i), pointer + "/" + i));
      }
      return l;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToInt() ? (Object) node.intValue() : (Object) node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isNull()) {
      return "";
    }
    return resolve(node.asText(), pointer);
  }

  private Object resolveValue(Object v, String pointer) {
    if (v instanceof String s) {
      return resolve(s, pointer);
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), resolveValue(x, pointer + "/" + k)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < l.size(); i++) {
        out.add(resolveValue(l.get(i), pointer + "/" + i));
      }
      return out;
    }
    return v;
  }

  /** Replaces {@code ${VAR}} and {@code ${VAR:-default}}; an unset variable without default is an error. */
  public String resolve(String text, String pointer) {
    Matcher m = VAR.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null || value.isEmpty()) {
        if (m.group(2) == null) {
          throw error(pointer, "environment variable " + m.group(1) + " is not set (referenced by "
              + dotted(pointer) + "); export it, or write ${" + m.group(1) + ":-default} to give a default");
        }
        value = m.group(2);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private InvalidInputException error(String pointer, String problem) {
    String what = pointer.isEmpty() ? (prefix.isEmpty() ? "config" : prefix.substring(0, prefix.length() - 1))
        : dotted(pointer);
    return new InvalidInputException(what + ": " + problem, location(pointer));
  }

  private String location(String pointer) {
    String p = pointer;
    while (true) {
      String origin = origins.get(p);
      if (origin != null) {
        return origin;
      }
      Integer line = lines.get(p);
      if (line != null) {
        return source + ":" + line;
      }
      int i = p.lastIndexOf('/');
      if (i < 0) {
        return source;
      }
      p = p.substring(0, i);
    }
  }

  private String dotted(String pointer) {
    return prefix + (pointer.startsWith("/") ? pointer.substring(1).replace('/', '.') : pointer.replace('/', '.'));
  }

  private static boolean nonBlank(String s) {
    return s != null && !s.isBlank();
  }

  /** JSON pointer of every key to the line it is on. */
  private static void checkLineLengths(String text, String source) {
    int line = 1;
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '\n') {
        if (i - start > MAX_LINE_CHARS) {
          throw new InvalidInputException("line is " + (i - start) + " characters long, over the " + MAX_LINE_CHARS
              + "-character limit for a config line; is this the right file?", source + ":" + line);
        }
        line++;
        start = i + 1;
      }
    }
  }

  /** Decodes strict UTF-8; an invalid byte is an error naming its line. */
  public static String decodeUtf8(byte[] bytes, String source) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
    java.nio.charset.CoderResult r = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(in, out, true);
    if (r.isError()) {
      int bad = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < bad; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      throw new InvalidInputException("not valid UTF-8 (byte " + (bad - lineStart + 1) + " of the line); re-encode"
          + " the file as UTF-8", source + ":" + line);
    }
    out.flip();
    String text = out.toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static Map<String, Integer> lineIndex(String text) {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p = YAML.getFactory().createParser(text)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME) {
          lines.put(p.getParsingContext().pathAsPointer().toString(), p.currentTokenLocation().getLineNr());
        } else if (t.isScalarValue() && p.getParsingContext().inArray()) {
          lines.put(p.getParsingContext().pathAsPointer().toString(), p.currentTokenLocation().getLineNr());
        }
      }
    } catch (IOException e) {
      // The tree was read successfully before; fall back to file-only locations.
    }
    return lines;
  }
}
