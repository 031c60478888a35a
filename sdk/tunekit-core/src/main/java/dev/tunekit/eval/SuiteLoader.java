package dev.tunekit.eval;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.error.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads eval suites from JSONL and YAML, with {@code file:line} in every error. */
final class SuiteLoader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Set<String> CASE_KEYS = Set.of("id", "input", "messages", "expected", "tags", "metadata",
      "graders");
  private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

  record Loaded(String name, List<EvalCase> cases, List<Grader> graders, Map<String, List<Grader>> caseGraders) {
    Loaded(String name, List<EvalCase> cases) {
      this(name, cases, List.of(), Map.of());
    }
  }

  /** What a loader reads graders with: the registry and the suite file's directory (null for a URL). */
  private record Ctx(GraderRegistry registry, Path baseDir, List<Grader> graders,
      Map<String, List<Grader>> caseGraders) {
    Ctx(GraderRegistry registry, Path baseDir) {
      this(registry, baseDir, new ArrayList<>(), new LinkedHashMap<>());
    }
  }

  private SuiteLoader() {}

  static Loaded load(Path file) {
    return load(file, GraderRegistry.builtIn());
  }

  static Loaded load(Path file, GraderRegistry registry) {
    String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    Path dir = file.toAbsolutePath().getParent();
    try (InputStream in = Files.newInputStream(file)) {
      return load(fileName, in, new Ctx(registry, dir));
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("eval suite file not found; check the path", file.toString());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read eval suite: " + e.getMessage(), file.toString(), e);
    }
  }

  static Loaded load(URL url, GraderRegistry registry) {
    String path = url.getPath();
    String fileName = path.substring(path.lastIndexOf('/') + 1);
    try (InputStream in = url.openStream()) {
      return load(fileName, in, new Ctx(registry, null));
    } catch (IOException e) {
      throw new InvalidInputException("cannot read eval suite: " + e.getMessage(), url.toString(), e);
    }
  }

  static Loaded load(String fileName, InputStream in) throws IOException {
    return load(fileName, in, new Ctx(GraderRegistry.builtIn(), null));
  }

  private static Loaded load(String fileName, InputStream in, Ctx ctx) throws IOException {
    String lower = fileName.toLowerCase(Locale.ROOT);
    byte[] bytes = in.readAllBytes();
    checkUtf8(bytes, fileName); // a lenient reader would turn bad bytes into U+FFFD and grade against garbage
    Reader reader = new InputStreamReader(new java.io.ByteArrayInputStream(bytes), StandardCharsets.UTF_8);
    String base = fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName;
    if (lower.endsWith(".jsonl")) {
      List<EvalCase> cases = readJsonl(fileName, reader, ctx);
      return new Loaded(base, cases, ctx.graders(), ctx.caseGraders());
    }
    if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
      Loaded l = readYaml(fileName, base, reader, ctx);
      return new Loaded(l.name(), l.cases(), ctx.graders(), ctx.caseGraders());
    }
    throw new InvalidInputException("unknown eval suite format; use a .jsonl, .yaml or .yml file", fileName);
  }

  /** Fails with the line of the first byte that is not valid UTF-8. */
  private static void checkUtf8(byte[] bytes, String file) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    java.nio.charset.CoderResult r = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
        .decode(in, java.nio.CharBuffer.allocate(bytes.length), true);
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
      throw new InvalidInputException("not valid UTF-8 (byte " + (bad - lineStart + 1) + " of the line); re-encode the"
          + " file as UTF-8", file + ":" + line);
    }
  }

  private static List<EvalCase> readJsonl(String file, Reader reader, Ctx ctx) throws IOException {
    List<EvalCase> cases = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    BufferedReader lines = new BufferedReader(reader);
    String line;
    int lineNo = 0;
    while ((line = lines.readLine()) != null) {
      lineNo++;
      if (lineNo == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.isBlank()) {
        continue;
      }
      String where = file + ":" + lineNo;
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new InvalidInputException("not valid JSON (" + e.getOriginalMessage()
            + "); each line must be one JSON object", where);
      }
      if (node.isObject() && node.size() == 1 && node.has("graders")) {
        if (!cases.isEmpty() || !ctx.graders().isEmpty()) {
          throw new InvalidInputException("a line with only \"graders\" declares the suite's graders; it must"
              + " be the first line (for one case's graders, put \"graders\" in that case)", where);
        }
        ctx.graders().addAll(graders(node.get("graders"), where, "graders", ctx));
        continue;
      }
      EvalCase c = toCase(node, where, cases.size() + 1);
      checkUnique(c, where, seen, file, lineNo);
      caseGraders(node, c, where, ctx);
      cases.add(c);
    }
    if (cases.isEmpty()) {
      throw new InvalidInputException("the suite has no cases; add one JSON object per line", file);
    }
    return cases;
  }

  private static Loaded readYaml(String file, String defaultName, Reader reader, Ctx ctx) throws IOException {
    List<EvalCase> cases = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    String name = defaultName;
    try (JsonParser p = YAML.getFactory().createParser(reader)) {
      JsonToken first = p.nextToken();
      if (first == JsonToken.START_ARRAY) {
        readYamlCases(p, file, cases, seen, ctx);
      } else if (first == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          int line = p.currentTokenLocation().getLineNr();
          JsonToken value = p.nextToken();
          switch (key) {
            case "name" -> {
              if (!value.isScalarValue() || p.getValueAsString() == null || p.getValueAsString().isBlank()) {
                throw new InvalidInputException("'name' must be a non-blank string", file + ":" + line);
              }
              name = p.getValueAsString();
            }
            case "description" -> p.skipChildren();
            case "cases" -> {
              if (value != JsonToken.START_ARRAY) {
                throw new InvalidInputException("'cases' must be a list of cases", file + ":" + line);
              }
              readYamlCases(p, file, cases, seen, ctx);
            }
            case "graders" -> {
              if (value != JsonToken.START_ARRAY) {
                throw new InvalidInputException("'graders' must be a list of graders", file + ":" + line);
              }
              int i = 0;
              while (p.nextToken() != JsonToken.END_ARRAY) {
                int at = p.currentTokenLocation().getLineNr();
                JsonNode g = YAML.readTree(p);
                ctx.graders().add(ctx.registry().create(g, file + ":" + at, "graders[" + i++ + "]", ctx.baseDir()));
              }
            }
            default -> throw new InvalidInputException("unknown key '" + key
                + "'; a suite file has 'name', 'description', 'graders' and 'cases'", file + ":" + line);
          }
        }
      } else {
        throw new InvalidInputException("a YAML suite is a mapping with 'cases', or a list of cases", file);
      }
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String where = loc == null ? file : file + ":" + loc.getLineNr();
      throw new InvalidInputException("not valid YAML: " + e.getOriginalMessage(), where);
    }
    if (cases.isEmpty()) {
      throw new InvalidInputException("the suite has no cases; add them under 'cases:'", file);
    }
    return new Loaded(name, cases);
  }

  private static void readYamlCases(JsonParser p, String file, List<EvalCase> cases, Map<String, Integer> seen,
      Ctx ctx) throws IOException {
    while (p.nextToken() != JsonToken.END_ARRAY) {
      int line = p.currentTokenLocation().getLineNr();
      JsonNode node = YAML.readTree(p);
      EvalCase c = toCase(node, file + ":" + line, cases.size() + 1);
      checkUnique(c, file + ":" + line, seen, file, line);
      caseGraders(node, c, file + ":" + line, ctx);
      cases.add(c);
    }
  }

  private static void caseGraders(JsonNode node, EvalCase c, String where, Ctx ctx) {
    if (node.has("graders")) {
      ctx.caseGraders().put(c.id(), graders(node.get("graders"), where, "case '" + c.id() + "': graders", ctx));
    }
  }

  private static List<Grader> graders(JsonNode list, String where, String path, Ctx ctx) {
    if (!list.isArray()) {
      throw new InvalidInputException(path + " must be a list of graders, e.g. [\"exact\", {\"contains\": \"x\"}]",
          where);
    }
    List<Grader> out = new ArrayList<>();
    int i = 0;
    for (JsonNode g : list) {
      out.add(ctx.registry().create(g, where, path + "[" + i++ + "]", ctx.baseDir()));
    }
    return out;
  }

  private static void checkUnique(EvalCase c, String where, Map<String, Integer> seen, String file, int line) {
    Integer before = seen.putIfAbsent(c.id(), line);
    if (before != null) {
      throw new InvalidInputException("duplicate case id '" + c.id() + "' (first used at " + file + ":"
          + before + "); give each case a unique id", where);
    }
  }

  static EvalCase toCase(JsonNode node, String where, int index) {
    if (node == null || !node.isObject()) {
      throw new InvalidInputException("a case must be an object with 'input' or 'messages'", where);
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!CASE_KEYS.contains(key)) {
        throw new InvalidInputException("unknown key '" + key + "'; a case has "
            + "id, input, messages, expected, tags, metadata, graders", where);
      }
    }
    String id = "case-" + index;
    if (node.has("id")) {
      JsonNode idNode = node.get("id");
      if (!idNode.isTextual() && !idNode.isIntegralNumber() || idNode.asText().isBlank()) {
        throw new InvalidInputException("'id' must be a non-blank string", where);
      }
      id = idNode.asText();
    }
    List<ChatMessage> messages = new ArrayList<>();
    boolean hasInput = node.has("input");
    boolean hasMessages = node.has("messages");
    if (hasInput == hasMessages) {
      throw new InvalidInputException("case '" + id + "' needs exactly one of 'input' (a string) or "
          + "'messages' (a list of {role, content})", where);
    }
    if (hasInput) {
      JsonNode in = node.get("input");
      if (!in.isTextual() || in.asText().isBlank()) {
        throw new InvalidInputException("case '" + id + "': 'input' must be a non-blank string", where);
      }
      messages.add(ChatMessage.user(in.asText()));
    } else {
      JsonNode ms = node.get("messages");
      if (!ms.isArray() || ms.isEmpty()) {
        throw new InvalidInputException("case '" + id + "': 'messages' must be a non-empty list of "
            + "{role, content}", where);
      }
      int i = 0;
      for (JsonNode m : ms) {
        String at = "case '" + id + "': messages[" + i++ + "]";
        if (!m.isObject() || !m.path("role").isTextual() || !m.path("content").isTextual()) {
          throw new InvalidInputException(at + " must be {role, content} with string values", where);
        }
        String role = m.get("role").asText();
        if (!ROLES.contains(role)) {
          throw new InvalidInputException(at + " has role '" + role + "'; use system, user, assistant or tool", where);
        }
        messages.add(new ChatMessage(role, m.get("content").asText()));
      }
    }
    Optional<String> expected = Optional.empty();
    if (node.has("expected") && !node.get("expected").isNull()) {
      JsonNode e = node.get("expected");
      expected = Optional.of(e.isValueNode() ? e.asText() : e.toString());
    } else if (hasMessages && messages.size() > 1
        && messages.get(messages.size() - 1).role().equals("assistant")) {
      // A fine-tuning chat example (held-out data): its final assistant reply is the expected output.
      expected = Optional.of(messages.remove(messages.size() - 1).content());
    }
    List<String> tags = new ArrayList<>();
    if (node.has("tags")) {
      JsonNode t = node.get("tags");
      if (t.isTextual()) {
        tags.add(t.asText());
      } else if (t.isArray()) {
        for (JsonNode tag : t) {
          if (!tag.isTextual() || tag.asText().isBlank()) {
            throw new InvalidInputException("case '" + id + "': 'tags' must be strings", where);
          }
          tags.add(tag.asText());
        }
      } else {
        throw new InvalidInputException("case '" + id + "': 'tags' must be a list of strings", where);
      }
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    if (node.has("metadata")) {
      JsonNode md = node.get("metadata");
      if (!md.isObject()) {
        throw new InvalidInputException("case '" + id + "': 'metadata' must be a mapping", where);
      }
      md.fields().forEachRemaining(f -> metadata.put(f.getKey(),
          f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString()));
    }
    return new EvalCase(id, messages, expected, tags, metadata);
  }
}
