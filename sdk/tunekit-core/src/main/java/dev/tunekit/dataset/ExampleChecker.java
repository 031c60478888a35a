package dev.tunekit.dataset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;

/**
 * Checks one line of a JSONL dataset: bytes (UTF-8, BOM, CRLF, blank, length), JSON (syntax, duplicate
 * keys, nesting, trailing content) and shape (chat or preference JSONL, with every check of the
 * fine-tuning cookbook's data-preparation script and more). Counts the example's tokens. One instance per
 * thread (it holds a decoder).
 */
final class ExampleChecker {
  /** Deepest JSON nesting accepted; deeper lines are reported, never parsed recursively. */
  static final int MAX_NESTING_DEPTH = 64;
  static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
      .build();
  static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

  private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool", "function");
  private static final Set<String> MESSAGE_KEYS =
      Set.of("role", "content", "name", "function_call", "weight", "tool_calls", "tool_call_id");
  private static final Set<String> CHAT_KEYS = Set.of("messages", "tools", "parallel_tool_calls", "functions");
  private static final Set<String> PREFERENCE_KEYS = Set.of("input", "preferred_output", "non_preferred_output");

  private final ModelSpec spec;
  private final ChatTokens tokens;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private CharBuffer chars = CharBuffer.allocate(4096);

  ExampleChecker(ModelSpec spec, ChatTokens tokens) {
    this.spec = spec;
    this.tokens = tokens;
  }

  /** Checks every line of a batch. */
  BatchResult check(LineBatch batch, int maxLineBytes) {
    BatchResult out = new BatchResult();
    for (int i = 0; i < batch.size; i++) {
      checkLine(batch, i, maxLineBytes, out);
    }
    return out;
  }

  private void checkLine(LineBatch b, int i, int maxLineBytes, BatchResult out) {
    long line = b.lineNo[i];
    int flags = b.flags[i];
    if ((flags & LineBatch.BOM) != 0) {
      out.warning(line, "bom", "the file starts with a UTF-8 byte-order mark; Tunekit strips it when it "
          + "converts the file, or save the file as UTF-8 without BOM");
    }
    if ((flags & LineBatch.TOO_LONG) != 0) {
      out.error(line, "line_too_long", "line is " + b.fullLength[i] + " bytes, over the " + maxLineBytes
          + "-byte limit Tunekit reads; split or shorten this example");
      out.example(line, BatchResult.KIND_UNKNOWN, -1, 0, 0);
      return;
    }
    if ((flags & LineBatch.CRLF) != 0) {
      out.warning(line, "crlf", "line ends with CRLF; Tunekit writes LF when it converts the file, or save "
          + "the file with LF line endings");
    }
    int off = b.start[i];
    int len = b.length[i];
    if (isBlank(b.data, off, len)) {
      out.warning(line, "blank_line", "blank line; Tunekit skips it when it converts the file, or delete it");
      return;
    }
    int bad = invalidUtf8At(b.data, off, len);
    if (bad >= 0) {
      out.error(line, "invalid_utf8", "invalid UTF-8 at byte " + (bad + 1) + " of the line; re-encode the "
          + "file as UTF-8");
      out.example(line, BatchResult.KIND_UNKNOWN, -1, 0, 0);
      return;
    }
    JsonNode root = parse(b.data, off, len, line, out);
    if (root == null) {
      out.example(line, BatchResult.KIND_UNKNOWN, -1, 0, 0);
      return;
    }
    checkExample(root, line, out);
  }

  /** Parses one JSON value; reports and returns null when the line is not exactly one JSON value. */
  static JsonNode parse(byte[] data, int off, int len, long line, BatchResult out) {
    JsonNode root;
    try (JsonParser p = FACTORY.createParser(data, off, len)) {
      try {
        root = MAPPER.readTree(p);
      } catch (StreamConstraintsException e) {
        out.error(line, "too_deeply_nested", "JSON nested deeper than " + MAX_NESTING_DEPTH
            + " levels; flatten this example");
        return null;
      } catch (JsonProcessingException e) {
        String msg = e.getOriginalMessage();
        long col = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
        if (msg != null && msg.startsWith("Duplicate field")) {
          out.error(line, "duplicate_key", msg.replace("Duplicate field", "duplicate key") + " at column " + col
              + "; keep only one of them");
        } else {
          out.error(line, "invalid_json", "not valid JSON at column " + col + " (" + firstLine(msg)
              + "); each line must be one complete JSON object");
        }
        return null;
      }
      try {
        if (p.nextToken() != null) {
          out.error(line, "trailing_content", "content after the JSON value at column "
              + p.currentLocation().getColumnNr() + "; put one JSON object per line");
          return null;
        }
      } catch (JsonProcessingException e) {
        out.error(line, "trailing_content", "content after the JSON value; put one JSON object per line");
        return null;
      }
    } catch (IOException e) {
      out.error(line, "invalid_json", "not valid JSON: " + firstLine(e.getMessage()));
      return null;
    }
    if (root == null || root.isMissingNode()) {
      out.error(line, "invalid_json", "not valid JSON; each line must be one complete JSON object");
      return null;
    }
    return root;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "syntax error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static boolean isBlank(byte[] d, int off, int len) {
    for (int i = off; i < off + len; i++) {
      byte c = d[i];
      if (c != ' ' && c != '\t' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  /** The 0-based offset of the first invalid UTF-8 byte, or -1. ASCII lines take a fast path. */
  private int invalidUtf8At(byte[] d, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end && d[i] >= 0) {
      i++;
    }
    if (i == end) {
      return -1;
    }
    ByteBuffer in = ByteBuffer.wrap(d, off, len);
    if (chars.capacity() < len) {
      chars = CharBuffer.allocate(Math.max(len, chars.capacity() * 2));
    }
    chars.clear();
    decoder.reset();
    CoderResult r = decoder.decode(in, chars, true);
    if (r.isError()) {
      return in.position() - off;
    }
    r = decoder.flush(chars);
    return r.isError() ? in.position() - off : -1;
  }

  // ---------------------------------------------------------------- shape checks

  private void checkExample(JsonNode root, long line, BatchResult out) {
    if (!root.isObject()) {
      out.error(line, "data_type", "each line must be a JSON object, found " + describe(root)
          + "; wrap the example as {\"messages\": [...]}");
      out.example(line, BatchResult.KIND_UNKNOWN, -1, 0, 0);
      return;
    }
    boolean preference = root.has("input") || root.has("preferred_output") || root.has("non_preferred_output");
    if (preference && !root.has("messages")) {
      checkPreference(root, line, out);
    } else if (isPrompt(root)) {
      checkPrompt(root, line, out);
    } else {
      checkChat(root, line, out);
    }
  }

  /**
   * A reinforcement fine-tuning prompt: its messages end with a user turn (the model answers it in training) and
   * it carries a top-level field of its own, the reference a grader reads (any field; often
   * {@code reference_answer}). A chat line that merely lacks its answer has no such field and stays chat.
   */
  private static boolean isPrompt(JsonNode root) {
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()
        || !"user".equals(messages.get(messages.size() - 1).path("role").asText())) {
      return false;
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
      if (!CHAT_KEYS.contains(it.next())) {
        return true;
      }
    }
    return false;
  }

  private void checkPrompt(JsonNode root, long line, BatchResult out) {
    JsonNode messages = root.get("messages");
    int before = out.findings.size();
    checkTools(root, line, out);
    int idx = 0;
    for (JsonNode m : messages) {
      checkMessage(m, "messages[" + idx++ + "]", line, out);
      if (m.has("weight")) {
        out.error(line, "invalid_weight", "messages[" + (idx - 1) + "] has a weight, but a reinforcement prompt"
            + " trains on the model's own answer, not on the messages: remove it");
      }
    }
    if (!noErrorsSince(out, before)) {
      out.example(line, BatchResult.KIND_PROMPTS, -1, 0, messages.size());
      return;
    }
    int total = ChatTokens.REPLY_PRIMING + tokens.tools(root.get("tools"));
    for (JsonNode m : messages) {
      total += tokens.message(m);
    }
    checkLimit(total, line, out);
    out.example(line, BatchResult.KIND_PROMPTS, total, 0, messages.size());
  }

  private void checkChat(JsonNode root, long line, BatchResult out) {
    for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
      String k = it.next();
      if (!CHAT_KEYS.contains(k)) {
        out.warning(line, "example_unrecognized_key", "unrecognized key \"" + k + "\" in the example; "
            + "chat examples have messages, tools and parallel_tool_calls: remove it");
      }
    }
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      out.error(line, "missing_messages_list", messages == null
          ? "no \"messages\" list; add \"messages\": [{\"role\": ..., \"content\": ...}, ...]"
          : "\"messages\" must be a non-empty list of messages");
      out.example(line, BatchResult.KIND_CHAT, -1, 0, 0);
      return;
    }
    int before = out.findings.size();
    checkTools(root, line, out);
    boolean hasAssistant = false;
    boolean anyTrained = false;
    int users = 0;
    int idx = 0;
    for (JsonNode m : messages) {
      idx++;
      checkMessage(m, "messages[" + (idx - 1) + "]", line, out);
      String role = m.path("role").asText("");
      if (role.equals("assistant")) {
        hasAssistant = true;
        if (!m.has("weight") || m.path("weight").asDouble(1) != 0) {
          anyTrained = true;
        }
      } else if (role.equals("user")) {
        users++;
      }
    }
    if (!hasAssistant) {
      out.error(line, "example_missing_assistant_message", "no assistant message; add the answer the "
          + "model should learn as {\"role\": \"assistant\", \"content\": ...} (for reinforcement fine-tuning, "
          + "end with the user turn and add the reference field the grader reads, such as \"reference_answer\")");
    } else if (!anyTrained) {
      out.warning(line, "no_trained_tokens", "every assistant message has weight 0, so this example trains "
          + "nothing; set weight 1 on at least one, or remove the example");
    }
    if (spec.singleTurnOnly() && users > 1) {
      out.error(line, "multi_turn_unsupported", spec.id() + " accepts one user turn per example, found "
          + users + "; split the conversation into single-turn examples");
    }
    boolean countable = noErrorsSince(out, before);
    if (!countable) {
      out.example(line, BatchResult.KIND_CHAT, -1, 0, messages.size());
      return;
    }
    int total = ChatTokens.REPLY_PRIMING + tokens.tools(root.get("tools"));
    int trained = 0;
    for (JsonNode m : messages) {
      long both = tokens.messageAndTrained(m);
      total += (int) (both >>> 32);
      trained += (int) both;
    }
    checkLimit(total, line, out);
    out.example(line, BatchResult.KIND_CHAT, total, trained, messages.size());
  }

  private void checkPreference(JsonNode root, long line, BatchResult out) {
    for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
      String k = it.next();
      if (!PREFERENCE_KEYS.contains(k)) {
        out.warning(line, "example_unrecognized_key", "unrecognized key \"" + k + "\" in the preference "
            + "example; it has input, preferred_output and non_preferred_output: remove it");
      }
    }
    int before = out.findings.size();
    JsonNode input = root.get("input");
    JsonNode messages = input == null ? null : input.get("messages");
    if (input == null || !input.isObject() || messages == null || !messages.isArray() || messages.isEmpty()) {
      out.error(line, "missing_messages_list", "a preference example needs \"input\": {\"messages\": [...]} "
          + "with at least one message");
    } else {
      checkTools(input, line, out);
      int idx = 0;
      for (JsonNode m : messages) {
        checkMessage(m, "input.messages[" + idx++ + "]", line, out);
      }
    }
    checkOutput(root, "preferred_output", line, out);
    checkOutput(root, "non_preferred_output", line, out);
    if (!noErrorsSince(out, before)) {
      out.example(line, BatchResult.KIND_PREFERENCE, -1, 0, 0);
      return;
    }
    int in = ChatTokens.REPLY_PRIMING + tokens.tools(input.get("tools"));
    for (JsonNode m : messages) {
      in += tokens.message(m);
    }
    JsonNode good = root.get("preferred_output").get(0);
    JsonNode bad = root.get("non_preferred_output").get(0);
    int goodTokens = tokens.message(good);
    int badTokens = tokens.message(bad);
    checkLimit(in + Math.max(goodTokens, badTokens), line, out);
    out.example(line, BatchResult.KIND_PREFERENCE, in + goodTokens + badTokens,
        tokens.trained(good) + tokens.trained(bad), messages.size() + 2);
  }

  private void checkOutput(JsonNode root, String key, long line, BatchResult out) {
    JsonNode o = root.get(key);
    if (o == null || !o.isArray() || o.size() != 1) {
      out.error(line, "invalid_preference_output", "\"" + key + "\" must be a list holding exactly one "
          + "assistant message, like [{\"role\": \"assistant\", \"content\": ...}]");
      return;
    }
    JsonNode m = o.get(0);
    checkMessage(m, key + "[0]", line, out);
    if (m.isObject() && m.has("role") && !"assistant".equals(m.path("role").asText())) {
      out.error(line, "invalid_preference_output", "\"" + key + "\" must hold an assistant message, found role "
          + m.get("role") + "; set \"role\": \"assistant\"");
    }
  }

  private void checkLimit(int total, long line, BatchResult out) {
    if (spec.contextTokens() > 0 && total > spec.contextTokens()) {
      out.error(line, "over_context_limit", "example has " + total + " tokens, over the " + spec.contextTokens()
          + "-token limit per example of " + spec.id() + "; shorten or split it (it would be truncated)");
    }
  }

  private static boolean noErrorsSince(BatchResult out, int from) {
    for (int i = from; i < out.findings.size(); i++) {
      if (out.findings.get(i).severity() == Finding.Severity.ERROR) {
        return false;
      }
    }
    return true;
  }

  private void checkTools(JsonNode holder, long line, BatchResult out) {
    JsonNode tools = holder.get("tools");
    if (tools != null) {
      boolean ok = tools.isArray();
      if (ok) {
        for (JsonNode t : tools) {
          if (!t.isObject() || !"function".equals(t.path("type").asText())
              || !t.path("function").path("name").isTextual()) {
            ok = false;
          }
        }
      }
      if (!ok) {
        out.error(line, "invalid_tools", "\"tools\" must be a list of {\"type\": \"function\", \"function\": "
            + "{\"name\": ..., \"parameters\": {...}}}");
      }
    }
    JsonNode ptc = holder.get("parallel_tool_calls");
    if (ptc != null && !ptc.isBoolean()) {
      out.error(line, "invalid_parallel_tool_calls", "\"parallel_tool_calls\" must be true or false, found "
          + describe(ptc));
    }
  }

  private void checkMessage(JsonNode m, String where, long line, BatchResult out) {
    if (!m.isObject()) {
      out.error(line, "data_type", where + " must be a JSON object, found " + describe(m));
      return;
    }
    JsonNode role = m.get("role");
    String r = role != null && role.isTextual() ? role.textValue() : null;
    if (role == null) {
      out.error(line, "message_missing_key", where + " has no \"role\"; add one of system, user, assistant, tool");
    } else if (r == null || !ROLES.contains(r)) {
      out.error(line, "unrecognized_role", where + " has role " + role + "; use system, user, assistant or tool");
    }
    for (Iterator<String> it = m.fieldNames(); it.hasNext();) {
      String k = it.next();
      if (!MESSAGE_KEYS.contains(k)) {
        out.error(line, "message_unrecognized_key", where + " has unrecognized key \"" + k + "\"; messages "
            + "may have role, content, name, weight, tool_calls, tool_call_id: remove it");
      }
    }
    JsonNode toolCalls = m.get("tool_calls");
    boolean calls = (toolCalls != null && !toolCalls.isNull()) || m.has("function_call");
    JsonNode content = m.get("content");
    if (content == null) {
      if (!calls) {
        out.error(line, "message_missing_key", where + " has no \"content\"; add the message text");
      }
    } else if (content.isNull() || (content.isTextual() && content.textValue().isEmpty())) {
      if (!calls) {
        out.error(line, "missing_content", where + " has empty content; add the message text or remove the "
            + "message");
      }
    } else if (!content.isTextual()) {
      out.error(line, "content_not_string", where + " content is " + describe(content) + "; it must be a "
          + "string (content-part arrays are not supported by Tunekit)");
    }
    JsonNode name = m.get("name");
    if (name != null && !name.isTextual()) {
      out.error(line, "invalid_name", where + " \"name\" must be a string, found " + describe(name)
          + "; use a string such as \"alice\" or remove it");
    }
    JsonNode weight = m.get("weight");
    if (weight != null) {
      if (!"assistant".equals(r)) {
        out.error(line, "invalid_weight", where + " has a weight, but only assistant messages take one; "
            + "remove it");
      } else if (!weight.isNumber() || (weight.asDouble() != 0 && weight.asDouble() != 1)) {
        out.error(line, "invalid_weight", where + " weight is " + weight + "; use 0 (do not train on this "
            + "message) or 1 (train on it)");
      }
    }
    if (toolCalls != null && !toolCalls.isNull()) {
      checkToolCalls(toolCalls, r, where, line, out);
    }
  }

  private void checkToolCalls(JsonNode calls, String role, String where, long line, BatchResult out) {
    if (!"assistant".equals(role)) {
      out.error(line, "invalid_tool_calls", where + " has tool_calls, but only assistant messages make tool "
          + "calls");
      return;
    }
    if (!calls.isArray()) {
      out.error(line, "invalid_tool_calls", where + " tool_calls must be a list");
      return;
    }
    int i = 0;
    for (JsonNode c : calls) {
      String w = where + ".tool_calls[" + i++ + "]";
      JsonNode fn = c.path("function");
      if (!c.isObject() || !c.path("id").isTextual() || !"function".equals(c.path("type").asText())
          || !fn.path("name").isTextual() || !fn.path("arguments").isTextual()) {
        out.error(line, "invalid_tool_calls", w + " must be {\"id\": ..., \"type\": \"function\", \"function\": "
            + "{\"name\": ..., \"arguments\": \"<JSON text>\"}}");
        continue;
      }
      String args = fn.path("arguments").textValue();
      if (!isJsonObject(args)) {
        out.error(line, "tool_arguments_not_json", w + ".function.arguments is not a JSON object in a string: "
            + abbreviate(args) + "; encode the arguments object as JSON text");
      }
    }
  }

  private static boolean isJsonObject(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonNode n = MAPPER.readTree(p);
      return n != null && n.isObject() && p.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  private static String abbreviate(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return "\"" + t.replace("\n", "\\n") + "\"";
  }

  private static String describe(JsonNode n) {
    switch (n.getNodeType()) {
      case ARRAY:
        return "a list";
      case OBJECT:
        return "an object";
      case NUMBER:
        return "a number";
      case BOOLEAN:
        return "a boolean";
      case NULL:
        return "null";
      case STRING:
        return "a string";
      default:
        return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
