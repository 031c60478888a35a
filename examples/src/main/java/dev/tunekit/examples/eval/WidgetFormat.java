package dev.tunekit.examples.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reply format of the widget chat assistant: prose a front end shows as text, mixed with widget
 * blocks it renders as UI. The rules are deliberately idiosyncratic — the kind a base model gets wrong
 * and a tuned model learns:
 *
 * <pre>
 * Your order has shipped.
 * :::widget card
 * {"title": "Order 1042", "fields": [{"label": "Status", "value": "shipped"}]}
 * :::
 * Anything else I can do?
 * :::widget buttons
 * {"buttons": [{"label": "Track it", "action": "track:1042"}]}
 * :::
 * </pre>
 *
 * <ul>
 *   <li>A block opens with a line {@code :::widget <type>} ({@code card}, {@code buttons} or
 *       {@code table}) and closes with a line {@code :::}; its body is one JSON object that follows
 *       the type's JSON Schema ({@link #SCHEMAS}).
 *   <li>The reply starts with prose; at most 3 widgets; a {@code buttons} widget, if any, comes last.
 *   <li>Prose is plain text: no Markdown headings ({@code #}) and no code fences.
 *   <li>A {@code table}'s rows have as many cells as it has columns.
 * </ul>
 */
public final class WidgetFormat {
  private WidgetFormat() {}

  /** The widget types and their JSON Schemas (draft 2020-12). */
  public static final Map<String, String> SCHEMAS = Map.of(
      "card", """
          {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["title"],
           "additionalProperties":false,
           "properties":{"title":{"type":"string","minLength":1,"maxLength":80},
             "subtitle":{"type":"string","maxLength":120},
             "fields":{"type":"array","maxItems":6,"items":{"type":"object","required":["label","value"],
               "additionalProperties":false,
               "properties":{"label":{"type":"string","minLength":1},"value":{"type":["string","number"]}}}}}}""",
      "buttons", """
          {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["buttons"],
           "additionalProperties":false,
           "properties":{"buttons":{"type":"array","minItems":1,"maxItems":4,"items":{"type":"object",
             "required":["label","action"],"additionalProperties":false,
             "properties":{"label":{"type":"string","minLength":1,"maxLength":24},
               "action":{"type":"string","pattern":"^[a-z_]+:[A-Za-z0-9_-]+$"}}}}}}""",
      "table", """
          {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["columns","rows"],
           "additionalProperties":false,
           "properties":{"columns":{"type":"array","minItems":1,"items":{"type":"string","minLength":1}},
             "rows":{"type":"array","minItems":1,"maxItems":20,"items":{"type":"array",
               "items":{"type":["string","number"]}}}}}""");

  /** The most widgets one reply may carry. */
  public static final int MAX_WIDGETS = 3;

  /**
   * A widget block found in a reply.
   *
   * @param type the type after {@code :::widget}
   * @param body the JSON body text
   * @param line the 1-based line of the opening {@code :::widget}
   */
  public record Block(String type, String body, int line) {}

  /**
   * The reply split into blocks, with structural problems found while splitting.
   *
   * @param blocks the widget blocks, in order
   * @param prose the prose lines (non-blank), in order
   * @param problems unclosed blocks, stray {@code :::} lines, and the like
   * @param startsWithProse whether the first non-blank line is prose
   */
  public record Parsed(List<Block> blocks, List<String> prose, List<String> problems, boolean startsWithProse) {}

  /** Splits {@code reply} into prose and widget blocks. */
  public static Parsed parse(String reply) {
    List<Block> blocks = new ArrayList<>();
    List<String> prose = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    String[] lines = reply.split("\r?\n", -1);
    Boolean startsWithProse = null;
    String openType = null;
    int openLine = 0;
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String t = line.strip();
      if (openType != null) {
        if (t.equals(":::")) {
          blocks.add(new Block(openType, body.toString().strip(), openLine));
          openType = null;
          body.setLength(0);
        } else if (t.startsWith(":::")) {
          problems.add("line " + (i + 1) + ": '" + t + "' inside the widget opened on line " + openLine
              + "; close it with ':::' first");
        } else {
          body.append(line).append('\n');
        }
        continue;
      }
      if (t.isEmpty()) {
        continue;
      }
      if (t.startsWith(":::widget")) {
        String type = t.substring(":::widget".length()).strip();
        if (startsWithProse == null) {
          startsWithProse = false;
        }
        if (type.isEmpty()) {
          problems.add("line " + (i + 1) + ": ':::widget' needs a type (card, buttons or table)");
        }
        openType = type;
        openLine = i + 1;
      } else if (t.startsWith(":::")) {
        problems.add("line " + (i + 1) + ": stray '" + t + "' outside a widget");
      } else {
        if (startsWithProse == null) {
          startsWithProse = true;
        }
        prose.add(t);
      }
    }
    if (openType != null) {
      problems.add("the widget opened on line " + openLine + " is never closed with ':::'");
    }
    return new Parsed(blocks, prose, problems, Boolean.TRUE.equals(startsWithProse));
  }
}
