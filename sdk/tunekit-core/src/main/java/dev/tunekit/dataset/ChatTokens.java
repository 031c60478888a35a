package dev.tunekit.dataset;

import dev.tunekit.error.InvalidInputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import java.util.Map;
import java.util.Optional;

/**
 * Counts chat tokens the way the tiktoken cookbook does ({@code num_tokens_from_messages} in "How to count
 * tokens with tiktoken"): 3 tokens per message, the tokens of every string value of the message
 * ({@code role}, {@code content}, {@code name}, {@code tool_call_id}), 1 more per {@code name}, and 3
 * for the reply priming. Text is encoded as ordinary text (special-token strings such as
 * {@code <|endoftext|>} count as the plain text they are), which equals tiktoken's
 * {@code encode_ordinary}.
 *
 * <p>Tool definitions ({@code tools}) follow the cookbook's {@code num_tokens_for_tools} (func_init 7
 * for o200k_base models, 10 for cl100k_base models; prop_init 3, prop_key 3, enum_init -3, enum_item 3,
 * func_end 12). Assistant {@code tool_calls} have no documented accounting: Tunekit counts the tokens
 * of each call's function name and arguments string plus 3 per call — an estimate.
 *
 * <p>o200k_base text is counted by {@link O200kCounter} (a hand-written pre-tokenizer plus a per-thread memo of
 * piece counts, exactly equal to jtokkit's {@code countTokensOrdinary}); {@code -Dtunekit.tokens.fast=false}
 * (read once) counts with plain jtokkit instead, the peer {@code DatasetBenchmark} measures.
 *
 * <p>Thread-safe: jtokkit encodings are immutable. Each thread keeps a small cache of the token counts
 * of the long system prompts it has seen recently (the shared system prompt of a dataset is counted
 * once per thread).
 */
final class ChatTokens {
  static final int TOKENS_PER_MESSAGE = 3;
  static final int TOKENS_PER_NAME = 1;
  static final int REPLY_PRIMING = 3;
  static final int TOKENS_PER_TOOL_CALL = 3;
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private static final int CACHE_MIN_CHARS = 64;
  private static final int CACHE_MAX_ENTRIES = 256;
  /** {@code -Dtunekit.tokens.fast=false} switches o200k_base back to plain jtokkit counting. */
  static final boolean FAST = !"false".equalsIgnoreCase(System.getProperty("tunekit.tokens.fast"));

  private final Encoding encoding;
  private final int funcInit;
  private final O200kCounter fast; // null: count with jtokkit
  private final ThreadLocal<Map<String, Integer>> cache = ThreadLocal.withInitial(
      () -> new java.util.LinkedHashMap<>(CACHE_MAX_ENTRIES * 2, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
          return size() > CACHE_MAX_ENTRIES;
        }
      });

  private final Map<String, Integer> roles;

  private ChatTokens(Encoding encoding, int funcInit, boolean fast) {
    this.encoding = encoding;
    this.funcInit = funcInit;
    this.fast = fast ? new O200kCounter(encoding) : null;
    Map<String, Integer> r = new java.util.HashMap<>();
    for (String role : new String[] {"system", "user", "assistant", "tool", "function"}) {
      r.put(role, encoding.countTokensOrdinary(role));
    }
    this.roles = Map.copyOf(r);
  }

  /** A counter for a tiktoken encoding name ({@code o200k_base}, {@code cl100k_base}). */
  static ChatTokens forEncoding(String name) {
    Optional<Encoding> e = REGISTRY.getEncoding(name);
    if (e.isEmpty()) {
      throw new InvalidInputException("unknown tiktoken encoding '" + name + "'; the catalog must name o200k_base or cl100k_base");
    }
    return new ChatTokens(e.get(), name.equals("cl100k_base") ? 10 : 7, FAST && name.equals("o200k_base"));
  }

  /** The encoding's name. */
  String encodingName() {
    return encoding.getName();
  }

  /** Tokens of a text, as tiktoken's {@code encode_ordinary}. */
  int text(String s) {
    if (s.isEmpty()) {
      return 0;
    }
    Integer known = s.length() <= 9 ? roles.get(s) : null; // role names are at most 9 chars
    return known != null ? known : count(s);
  }

  private int count(String s) {
    return fast != null ? fast.count(s) : encoding.countTokensOrdinary(s);
  }

  /**
   * Tokens of a text that is likely to repeat across examples (system prompts): remembered per thread
   * for the most recent {@value #CACHE_MAX_ENTRIES} long texts.
   */
  int repeatedText(String s) {
    if (s.length() < CACHE_MIN_CHARS) {
      return text(s);
    }
    Map<String, Integer> c = cache.get();
    Integer n = c.get(s);
    if (n == null) {
      n = count(s);
      c.put(s, n);
    }
    return n;
  }

  /** Tokens of one message, including the per-message overhead (not the reply priming). */
  int message(JsonNode m) {
    return (int) (messageAndTrained(m) >>> 32);
  }

  /**
   * Tokens of one message (high 32 bits) and, for an assistant message whose weight is not 0, the
   * tokens it trains on (low 32 bits): each string is encoded once.
   */
  long messageAndTrained(JsonNode m) {
    int n = TOKENS_PER_MESSAGE;
    int content = 0;
    int calls = 0;
    boolean assistant = false;
    boolean weightZero = false;
    for (Map.Entry<String, JsonNode> f : m.properties()) {
      String key = f.getKey();
      JsonNode v = f.getValue();
      if (key.equals("tool_calls")) {
        calls = toolCalls(v);
        n += calls;
      } else if (key.equals("weight")) {
        weightZero = v.isNumber() && v.asDouble() == 0;
      } else if (v.isTextual()) {
        int t = key.equals("content") && m.path("role").asText("").equals("system")
            ? repeatedText(v.textValue()) : text(v.textValue());
        n += t;
        if (key.equals("name")) {
          n += TOKENS_PER_NAME;
        } else if (key.equals("content")) {
          content = t;
        } else if (key.equals("role")) {
          assistant = v.textValue().equals("assistant");
        }
      }
    }
    int trained = assistant && !weightZero ? content + calls : 0;
    return ((long) n << 32) | trained;
  }

  /** Tokens an assistant message trains on: its content and tool calls (no overhead). */
  int trained(JsonNode m) {
    int n = 0;
    JsonNode c = m.get("content");
    if (c != null && c.isTextual()) {
      n += text(c.textValue());
    }
    JsonNode calls = m.get("tool_calls");
    if (calls != null) {
      n += toolCalls(calls);
    }
    return n;
  }

  int toolCalls(JsonNode calls) {
    int n = 0;
    for (JsonNode call : calls) {
      JsonNode fn = call.path("function");
      n += TOKENS_PER_TOOL_CALL + text(fn.path("name").asText("")) + text(fn.path("arguments").asText(""));
    }
    return n;
  }

  /** Tokens of tool definitions per the cookbook's {@code num_tokens_for_tools}. */
  int tools(JsonNode tools) {
    if (tools == null || !tools.isArray() || tools.isEmpty()) {
      return 0;
    }
    int n = 0;
    for (JsonNode t : tools) {
      JsonNode fn = t.path("function");
      n += funcInit;
      n += repeatedText(fn.path("name").asText("") + ":" + stripDot(fn.path("description").asText("")));
      JsonNode props = fn.path("parameters").path("properties");
      if (props.isObject() && !props.isEmpty()) {
        n += 3; // prop_init
        for (Map.Entry<String, JsonNode> p : props.properties()) {
          n += 3; // prop_key
          JsonNode schema = p.getValue();
          if (schema.has("enum")) {
            n += -3; // enum_init
            for (JsonNode item : schema.path("enum")) {
              n += 3 + text(item.asText()); // enum_item
            }
          }
          String type = schema.path("type").isTextual() ? schema.path("type").textValue()
              : schema.path("type").toString();
          n += text(p.getKey() + ":" + type + ":" + stripDot(schema.path("description").asText("")));
        }
      }
      n += 12; // func_end
    }
    return n;
  }

  private static String stripDot(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
