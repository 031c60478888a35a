package dev.tunekit.examples.eval;

import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.Grade;
import dev.tunekit.eval.Grader;
import dev.tunekit.eval.Graders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a reply follows {@link WidgetFormat}: blocks well formed, each body valid against its
 * type's JSON Schema (through {@link Graders#jsonSchema(String)}), the placement rules, and — when
 * the case has an expected reply — the same widget types in the same order. The score is the share of
 * these four checks that hold; it passes when all do.
 */
public final class WidgetFormatGrader implements Grader {
  private final Map<String, Grader> schemas = new HashMap<>();

  /** A grader with the schemas of {@link WidgetFormat#SCHEMAS}. */
  public WidgetFormatGrader() {
    WidgetFormat.SCHEMAS.forEach((type, schema) -> schemas.put(type, Graders.jsonSchema(schema)));
  }

  @Override
  public String name() {
    return "widget-format";
  }

  @Override
  public Grade grade(EvalCase testCase, String output) {
    WidgetFormat.Parsed reply = WidgetFormat.parse(output);
    List<String> structure = new ArrayList<>(reply.problems());
    List<String> bodies = new ArrayList<>();
    for (WidgetFormat.Block b : reply.blocks()) {
      Grader schema = schemas.get(b.type());
      if (schema == null) {
        structure.add("line " + b.line() + ": unknown widget type '" + b.type() + "'; use card, buttons or table");
        continue;
      }
      Grade g = schema.grade(testCase, b.body());
      if (!g.passed()) {
        bodies.add("line " + b.line() + " (" + b.type() + "): " + g.reason());
      } else if (b.type().equals("table")) {
        tableShape(b, bodies);
      }
    }
    List<String> rules = new ArrayList<>();
    if (!reply.startsWithProse()) {
      rules.add("the reply must start with prose, not a widget");
    }
    if (reply.blocks().size() > WidgetFormat.MAX_WIDGETS) {
      rules.add(reply.blocks().size() + " widgets; at most " + WidgetFormat.MAX_WIDGETS);
    }
    for (int i = 0; i < reply.blocks().size() - 1; i++) {
      if (reply.blocks().get(i).type().equals("buttons")) {
        rules.add("buttons must be the last widget (found on line " + reply.blocks().get(i).line() + ")");
      }
    }
    for (String p : reply.prose()) {
      if (p.startsWith("#") || p.startsWith("```")) {
        rules.add("prose must be plain text; found '" + (p.length() > 30 ? p.substring(0, 30) + "…" : p) + "'");
        break;
      }
    }
    List<String> types = new ArrayList<>();
    if (testCase.expected().isPresent()) {
      List<String> want = reply(testCase.expected().get());
      List<String> got = reply.blocks().stream().map(WidgetFormat.Block::type).toList();
      if (!want.equals(got)) {
        types.add("widgets " + got + " instead of " + want);
      }
    }
    List<String> all = new ArrayList<>();
    all.addAll(structure);
    all.addAll(bodies);
    all.addAll(rules);
    all.addAll(types);
    int failed = (structure.isEmpty() ? 0 : 1) + (bodies.isEmpty() ? 0 : 1) + (rules.isEmpty() ? 0 : 1)
        + (types.isEmpty() ? 0 : 1);
    if (failed == 0) {
      return Grade.pass(reply.blocks().size() + " widget(s), format valid");
    }
    return new Grade((4 - failed) / 4.0, false, String.join("; ", all));
  }

  private static List<String> reply(String expected) {
    return WidgetFormat.parse(expected).blocks().stream().map(WidgetFormat.Block::type).toList();
  }

  private static void tableShape(WidgetFormat.Block b, List<String> problems) {
    try {
      var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(b.body());
      int cols = node.get("columns").size();
      int r = 0;
      for (var row : node.get("rows")) {
        r++;
        if (row.size() != cols) {
          problems.add("line " + b.line() + " (table): row " + r + " has " + row.size() + " cells for " + cols
              + " columns");
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      problems.add("line " + b.line() + " (table): " + e.getOriginalMessage());
    }
  }
}
