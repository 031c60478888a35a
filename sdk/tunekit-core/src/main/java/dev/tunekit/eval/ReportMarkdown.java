package dev.tunekit.eval;

import java.util.List;
import java.util.Locale;

/**
 * A comparison as a short Markdown summary for a pull-request comment (GitHub, GitLab): the gate's
 * decision and figures, a pass-rate table, and the cases the tuned model broke. Every piece of case or
 * model text is escaped, so an answer cannot inject markup, links or HTML into the comment.
 */
final class ReportMarkdown {
  private static final int MAX_LISTED = 10;
  private static final int MAX_TEXT = 120;

  private ReportMarkdown() {}

  static String write(EvalComparison cmp) {
    StringBuilder md = new StringBuilder();
    String decision = cmp.decision();
    String headline = switch (decision) {
      case "promoted" -> "✅ promoted";
      case "blocked" -> "❌ blocked";
      case "pending" -> "⏳ gate not decided yet";
      default -> "no gate";
    };
    md.append("### Tunekit eval: ").append(headline).append(" — suite ").append(esc(cmp.baseline().suite()))
        .append("\n\n");
    cmp.gate().ifPresent(g -> md.append("**").append(esc(g.gate())).append("**: ").append(esc(g.message()))
        .append("\n\n"));
    cmp.run().ifPresent(r -> md.append("Run `").append(r.runId().replace("`", "'")).append("`\n\n"));
    md.append("| target | model | pass rate | passed | failed | errors |\n|---|---|---|---:|---:|---:|\n");
    for (EvalReport r : cmp.reports()) {
      PassRate p = r.passRate();
      md.append("| ").append(esc(r.target())).append(" | ").append(esc(r.model())).append(" | ")
          .append(esc(p.format())).append(" | ").append(p.passed()).append(" | ").append(p.failed())
          .append(" | ").append(p.errors()).append(" |\n");
    }
    List<Flip> flips = EvalComparison.flips(cmp.baseline(), cmp.gated());
    List<Flip> broken = flips.stream().filter(f -> !f.improved()).toList();
    md.append(String.format(Locale.ROOT, "%n%s vs %s: %d case(s) fixed, %d broken.%n",
        esc(cmp.gated().target()), esc(cmp.baseline().target()), flips.size() - broken.size(), broken.size()));
    if (!broken.isEmpty()) {
      md.append("\nBroken (").append(broken.size() > MAX_LISTED ? "first " + MAX_LISTED + " of " : "")
          .append(broken.size()).append("):\n\n");
      for (Flip f : broken.subList(0, Math.min(MAX_LISTED, broken.size()))) {
        md.append("- ").append(esc(f.caseId()))
            .append(f.expected().map(e -> ": expected " + esc(cut(e))).orElse(""))
            .append("; got ").append(esc(cut(f.targetOutput().orElse("(no answer)")))).append('\n');
      }
    }
    return md.toString();
  }

  private static String cut(String s) {
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 1) + "…";
  }

  /**
   * One line of inert Markdown: line breaks become spaces, control characters are dropped, {@code &} and
   * {@code <} become entities, the marks Markdown could read as markup (emphasis, code, links, table
   * cells, quotes, strike-through) are backslash-escaped, and an {@code @} gets a zero-width space after it
   * so that an answer cannot mention anyone. (The text never starts a line, so {@code #}, {@code -} and
   * digits cannot start a heading or a list.)
   */
  static String esc(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\n' || ch == '\r' || ch == '\t') {
        out.append(' ');
      } else if (ch < 0x20 || ch == 0x7F) {
        continue;
      } else if (ch == '&') {
        out.append("&amp;");
      } else if (ch == '<') {
        out.append("&lt;");
      } else if (ch == '@') {
        out.append("@\u200B");        // no @mention: a zero-width space after the @
      } else if ("\\`*_[]|>~".indexOf(ch) >= 0) {
        out.append('\\').append(ch);
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }
}
