package dev.tunekit.eval;

import dev.tunekit.model.MetricPoint;
import dev.tunekit.model.ChatMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * One self-contained HTML page, readable without JavaScript: for a comparison, the gate's decision and
 * figures and the run behind it first; then pass rates, loss curves, flips, and every case's question
 * next to what was expected and each target's answer, a wrong answer as an inline token diff. Charts are inline SVG written here rather than PNGs from a charting
 * library: no AWT or headless mode, no extra dependency in core, crisp at any zoom, text that can be
 * searched and copied, and a page a fraction of the size of base64 images. Nothing is loaded from
 * outside the page.
 */
final class ReportHtml {
  private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"};

  private ReportHtml() {}

  static String render(List<EvalReport> reports, List<Flip> flips, Optional<EvalComparison> comparison) {
    EvalReport first = reports.get(0);
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Eval report: ").append(esc(first.suite())).append("</title>\n<style>")
        .append(CSS).append("</style></head>\n<body>\n");
    h.append("<h1>Eval report: ").append(esc(first.suite())).append("</h1>\n<p class=\"meta\">")
        .append(first.cases().size()).append(" cases · suite fingerprint ").append(esc(first.suiteFingerprint()))
        .append(" · evaluated ").append(esc(first.startedAt().toString())).append(" · page written ")
        .append(esc(Instant.now().toString())).append("</p>\n");
    comparison.ifPresent(c -> {
      gateSection(h, c);
      c.run().ifPresent(r -> runSection(h, r));
    });

    h.append("<h2>Pass rate per target</h2>\n");
    h.append(passRateChart(reports));
    summaryTable(h, reports);

    Set<String> graders = new LinkedHashSet<>();
    Set<String> tags = new LinkedHashSet<>();
    reports.forEach(r -> {
      graders.addAll(r.passRateByGrader().keySet());
      tags.addAll(r.passRateByTag().keySet());
    });
    if (!graders.isEmpty()) {
      h.append("<h2>Per grader</h2>\n");
      sliceTable(h, reports, graders, "grader", EvalReport::passRateByGrader);
    }
    if (!tags.isEmpty()) {
      h.append("<h2>Per tag</h2>\n");
      sliceTable(h, reports, tags, "tag", EvalReport::passRateByTag);
    }
    for (int i = 0; i < reports.size(); i++) {
      EvalReport r = reports.get(i);
      if (!r.trainingMetrics().isEmpty()) {
        h.append("<h2>Training and validation loss: ").append(esc(r.target())).append("</h2>\n");
        h.append(lossChart(r.trainingMetrics()));
      }
    }
    if (reports.size() > 1) {
      h.append("<h2>Flipped cases (against ").append(esc(first.target())).append(")</h2>\n");
      if (flips.isEmpty()) {
        h.append("<p>No case changed between pass and fail.</p>\n");
      } else {
        h.append("<table class=\"cases\"><tr><th>case</th><th>target</th><th>change</th><th>expected</th>")
            .append("<th>").append(esc(first.target())).append(" answered</th><th>target answered</th></tr>\n");
        for (Flip f : flips) {
          h.append("<tr class=\"").append(f.improved() ? "fixed" : "broken").append("\"><td>").append(esc(f.caseId()))
              .append("</td><td>").append(esc(f.target())).append("</td><td>").append(f.improved() ? "fixed " : "broken ")
              .append(f.before()).append(" → ").append(f.after()).append("</td><td><pre>")
              .append(esc(f.expected().orElse(""))).append("</pre></td><td><pre>")
              .append(esc(f.baselineOutput().orElse(""))).append("</pre></td><td><pre>")
              .append(esc(f.targetOutput().orElse(""))).append("</pre></td></tr>\n");
        }
        h.append("</table>\n");
      }
    }
    h.append("<h2>Cases</h2>\n");
    casesTable(h, reports);
    h.append("</body></html>\n");
    return h.toString();
  }

  /** The gate's decision first, then the figures it was decided on. */
  private static void gateSection(StringBuilder h, EvalComparison c) {
    String decision = c.decision();
    EvalReport base = c.baseline();
    EvalReport tuned = c.gated();
    PassRate b = base.passRate();
    PassRate t = tuned.passRate();
    OptionalDouble margin = c.run().map(RunContext::gateMinImprovement).orElse(OptionalDouble.empty());
    h.append("<h2>Gate</h2>\n<div class=\"decision ").append(decision).append("\">");
    switch (decision) {
      case "promoted" -> h.append("<b>Promoted</b>: the gate passed, the tuned model may be deployed.");
      case "blocked" -> h.append("<b>Blocked</b>: the gate did not pass, the tuned model is not deployed.");
      case "pending" -> h.append("<b>Not decided yet</b>: the run is gated, but its gate has not been decided.");
      default -> h.append("<b>No gate</b>: nothing was required of ").append(esc(tuned.target())).append('.');
    }
    h.append("</div>\n");
    c.gate().ifPresent(g -> h.append("<p>Requirement: ").append(esc(g.gate())).append("<br>Decision: ")
        .append(esc(g.message())).append("</p>\n"));
    h.append("<table class=\"kv\"><tr><th></th><th>target</th><th>model</th><th>pass rate</th><th>passed</th>")
        .append("<th>judged</th><th>errors</th></tr>\n");
    for (EvalReport r : List.of(base, tuned)) {
      PassRate p = r.passRate();
      h.append("<tr><th>").append(r == base ? "baseline" : "tuned").append("</th><td>").append(esc(r.target()))
          .append("</td><td>").append(esc(r.model())).append("</td><td class=\"num\">").append(pct(p))
          .append("</td><td class=\"num\">").append(p.passed()).append("</td><td class=\"num\">").append(p.judged())
          .append("</td><td class=\"num\">").append(p.errors()).append("</td></tr>\n");
    }
    h.append("</table>\n<table class=\"kv\"><tr><th>difference</th><td class=\"num\">")
        .append(b.judged() > 0 && t.judged() > 0
            ? String.format(Locale.ROOT, "%+.1f points", (t.rate() - b.rate()) * 100) : "–")
        .append("</td></tr>\n<tr><th>margin required</th><td class=\"num\">")
        .append(margin.isPresent() ? String.format(Locale.ROOT, "%+.1f points", margin.getAsDouble() * 100)
            : decision.equals("none") ? "none" : "see the requirement")
        .append("</td></tr>\n</table>\n");
  }

  /** The run and how it was trained; settings are text already (secrets redacted by whoever built it). */
  private static void runSection(StringBuilder h, RunContext r) {
    h.append("<h2>Run ").append(esc(r.runId())).append("</h2>\n<table class=\"kv run\">");
    row(h, "run id", r.runId());
    row(h, "provider", r.provider());
    row(h, "base model", r.baseModel());
    row(h, "fine-tuned model", r.fineTunedModel().orElse("–"));
    row(h, "job id", r.jobId().orElse("–"));
    row(h, "created", r.createdAt().toString());
    row(h, "training data", r.trainingFile().orElse("–") + examples(r.trainingExamples()));
    row(h, "validation data", r.validationFile().orElse("none") + examples(r.validationExamples()));
    if (r.settings().isEmpty()) {
      row(h, "training settings", "provider defaults");
    }
    r.settings().forEach((k, v) -> row(h, k, v));
    if (!r.baselinePreamble().isEmpty()) {
      h.append("<tr><th>baseline prompt</th><td><details><summary>")
          .append(r.baselinePreamble().size() == 1 ? "1 message" : r.baselinePreamble().size() + " messages")
          .append(" sent before each case to the baseline</summary>").append(conversation(r.baselinePreamble()))
          .append("</details></td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static String examples(OptionalLong n) {
    return n.isPresent() ? " (" + n.getAsLong() + (n.getAsLong() == 1 ? " example)" : " examples)") : "";
  }

  private static void row(StringBuilder h, String key, String value) {
    h.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
  }

  private static void summaryTable(StringBuilder h, List<EvalReport> reports) {
    h.append("<table><tr><th>target</th><th>model</th><th>provider</th><th>pass rate</th><th>95% CI</th>")
        .append("<th>pass</th><th>fail</th><th>error</th><th>calls</th><th>cache hits</th><th>time</th></tr>\n");
    for (EvalReport r : reports) {
      PassRate p = r.passRate();
      h.append("<tr><td>").append(esc(r.target())).append("</td><td>").append(esc(r.model())).append("</td><td>")
          .append(esc(r.provider())).append("</td><td class=\"num\">").append(pct(p)).append("</td><td class=\"num\">")
          .append(ci(p)).append("</td><td class=\"num\">").append(p.passed()).append("</td><td class=\"num\">")
          .append(p.failed()).append("</td><td class=\"num\">").append(p.errors()).append("</td><td class=\"num\">")
          .append(r.calls()).append("</td><td class=\"num\">").append(r.cacheHits()).append("</td><td class=\"num\">")
          .append(String.format(Locale.ROOT, "%.1f s", r.elapsed().toMillis() / 1000.0)).append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void sliceTable(StringBuilder h, List<EvalReport> reports, Set<String> keys, String what,
      Function<EvalReport, Map<String, PassRate>> f) {
    h.append("<table><tr><th>").append(what).append("</th>");
    reports.forEach(r -> h.append("<th>").append(esc(r.target())).append("</th>"));
    h.append("</tr>\n");
    for (String k : keys) {
      h.append("<tr><td>").append(esc(k)).append("</td>");
      for (EvalReport r : reports) {
        PassRate p = f.apply(r).get(k);
        h.append("<td class=\"num\">").append(p == null ? "–" : esc(p.format())).append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  /**
   * One row per case: the question (the last user message; the rest of the conversation collapsed, or
   * shown once above the table when every case shares it), what was expected, and each target's answer.
   */
  private static void casesTable(StringBuilder h, List<EvalReport> reports) {
    List<CaseResult> cases = reports.get(0).cases();
    List<Map<String, CaseResult>> byId = new ArrayList<>();
    for (EvalReport r : reports) {
      Map<String, CaseResult> m = new HashMap<>();
      r.cases().forEach(c -> m.putIfAbsent(c.id(), c));
      byId.add(m);
    }
    Set<List<ChatMessage>> contexts = new HashSet<>();
    cases.forEach(c -> contexts.add(context(c.messages())));
    boolean shared = contexts.size() == 1 && !cases.isEmpty() && !context(cases.get(0).messages()).isEmpty();
    if (shared) {
      h.append("<details class=\"ctx\"><summary>Every case starts with the same ")
          .append(describe(context(cases.get(0).messages()))).append("</summary>")
          .append(conversation(context(cases.get(0).messages()))).append("</details>\n");
    }
    h.append("<table class=\"cases\"><tr><th>case</th><th>question</th><th>expected</th>");
    for (EvalReport r : reports) {
      h.append("<th>").append(esc(r.target())).append(" <span class=\"meta\">").append(esc(r.model()))
          .append("</span></th>");
    }
    h.append("</tr>\n");
    for (CaseResult c : cases) {
      h.append("<tr><td>").append(esc(c.id()));
      if (!c.tags().isEmpty()) {
        h.append("<br><span class=\"meta\">").append(esc(String.join(", ", c.tags()))).append("</span>");
      }
      h.append("</td><td><pre>").append(esc(lastUser(c.messages()))).append("</pre>");
      List<ChatMessage> ctx = context(c.messages());
      if (!shared && !ctx.isEmpty()) {
        h.append("<details><summary>").append(describe(ctx)).append("</summary>").append(conversation(ctx))
            .append("</details>");
      }
      h.append("</td><td><pre>").append(c.expected().map(ReportHtml::esc).orElse("<span class=\"meta\">–</span>"))
          .append("</pre></td>");
      for (Map<String, CaseResult> m : byId) {
        CaseResult r = m.get(c.id());
        h.append("<td>");
        if (r == null) {
          h.append("<span class=\"meta\">not run</span>");
        } else {
          answer(h, r);
        }
        h.append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n<p class=\"meta\">In a wrong answer, <del>struck-out red</del> is expected but missing and ")
        .append("<ins>green</ins> is what the model wrote instead; the rest matches.</p>\n");
  }

  /** One target's answer to one case: its outcome, the answer (diffed against the expected one when wrong), graders. */
  private static void answer(StringBuilder h, CaseResult c) {
    String cls = c.outcome().name().toLowerCase(Locale.ROOT);
    h.append("<span class=\"o ").append(cls).append("\">").append(c.outcome()).append("</span>")
        .append(c.cached() ? " <span class=\"meta\">(cached)</span>" : "");
    if (c.output().isEmpty()) {
      h.append("<pre class=\"err\">").append(esc(c.error().orElse(""))).append("</pre>");
    } else if (c.outcome() == Outcome.FAIL && c.expected().isPresent()) {
      h.append("<pre class=\"diff\">").append(diff(c.expected().get(), c.output().get())).append("</pre>");
    } else {
      h.append("<pre>").append(esc(c.output().get())).append("</pre>");
    }
    for (GraderResult g : c.grades()) {
      if (g.outcome() != Outcome.PASS || c.grades().size() > 1) {
        h.append("<div class=\"g ").append(g.outcome().name().toLowerCase(Locale.ROOT)).append("\"><b>")
            .append(esc(g.grader())).append("</b> ").append(g.outcome())
            .append(String.format(Locale.ROOT, " %.2f", g.score())).append(" — ").append(esc(g.reason()))
            .append("</div>");
      }
    }
  }

  /** The text of the last user message (the question), or the last message if none is a user's. */
  static String lastUser(List<ChatMessage> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role().equals("user")) {
        return messages.get(i).content();
      }
    }
    return messages.isEmpty() ? "" : messages.get(messages.size() - 1).content();
  }

  /** Every message but the question: the system prompt and earlier turns. */
  private static List<ChatMessage> context(List<ChatMessage> messages) {
    String q = lastUser(messages);
    List<ChatMessage> out = new ArrayList<>(messages);
    for (int i = out.size() - 1; i >= 0; i--) {
      if (out.get(i).content().equals(q) && (out.get(i).role().equals("user") || i == out.size() - 1)) {
        out.remove(i);
        break;
      }
    }
    return out;
  }

  private static String describe(List<ChatMessage> ctx) {
    boolean onlySystem = ctx.stream().allMatch(m -> m.role().equals("system"));
    return onlySystem && ctx.size() == 1 ? "system prompt"
        : onlySystem ? ctx.size() + " system messages" : "system prompt and earlier turns (" + ctx.size() + " messages)";
  }

  private static String conversation(List<ChatMessage> ctx) {
    StringBuilder b = new StringBuilder();
    for (ChatMessage m : ctx) {
      b.append("<div class=\"msg\"><b>").append(esc(m.role())).append("</b><pre>").append(esc(m.content()))
          .append("</pre></div>");
    }
    return b.toString();
  }

  /** Most token pairs the LCS table may hold (4 MB of ints); beyond it the middle is shown as one change. */
  static final int MAX_LCS_CELLS = 1_000_000;

  /**
   * Inline token diff of {@code expected} against {@code got}, HTML-escaped: equal text as is, and each
   * differing stretch as {@code <del>expected part</del><ins>got part</ins>}. Tokens are words, runs of
   * white space and single other characters. The common prefix and suffix are trimmed first (linear);
   * the rest is aligned by longest common subsequence when it fits in {@link #MAX_LCS_CELLS}, else shown
   * as one change. White space alone between two changes joins them, so a diff does not
   * shred an unrelated answer into pieces.
   */
  static String diff(String expected, String got) {
    List<String> a = tokens(expected);
    List<String> b = tokens(got);
    int p = 0;
    while (p < a.size() && p < b.size() && a.get(p).equals(b.get(p))) {
      p++;
    }
    int q = 0;
    while (q < a.size() - p && q < b.size() - p && a.get(a.size() - 1 - q).equals(b.get(b.size() - 1 - q))) {
      q++;
    }
    List<String> am = a.subList(p, a.size() - q);
    List<String> bm = b.subList(p, b.size() - q);
    List<Op> ops = new ArrayList<>();
    ops.add(new Op(0, String.join("", a.subList(0, p))));
    if ((long) am.size() * bm.size() <= MAX_LCS_CELLS) {
      lcs(am, bm, ops);
    } else {
      ops.add(new Op(-1, String.join("", am)));
      ops.add(new Op(1, String.join("", bm)));
    }
    ops.add(new Op(0, String.join("", a.subList(a.size() - q, a.size()))));
    return render(ops);
  }

  /** A diff step: -1 only in expected, 0 in both, +1 only in got. */
  private record Op(int kind, String text) {}

  private static void lcs(List<String> a, List<String> b, List<Op> ops) {
    int n = a.size();
    int m = b.size();
    int[][] t = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        t[i][j] = a.get(i).equals(b.get(j)) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
      }
    }
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a.get(i).equals(b.get(j))) {
        ops.add(new Op(0, a.get(i++)));
        j++;
      } else if (j < m && (i == n || t[i][j + 1] >= t[i + 1][j])) {
        ops.add(new Op(1, b.get(j++)));
      } else {
        ops.add(new Op(-1, a.get(i++)));
      }
    }
  }

  private static String render(List<Op> ops) {
    // Equal white space with a change on both sides belongs to the change.
    List<Op> in = new ArrayList<>();
    for (Op o : ops) {
      if (!o.text().isEmpty()) {
        in.add(o);
      }
    }
    boolean[] absorbed = new boolean[in.size()];
    for (int k = 0; k < in.size(); k++) {
      if (in.get(k).kind() == 0 && in.get(k).text().isBlank()) {
        int before = k - 1;
        while (before >= 0 && in.get(before).kind() == 0 && in.get(before).text().isBlank()) {
          before--;
        }
        int after = k + 1;
        while (after < in.size() && in.get(after).kind() == 0 && in.get(after).text().isBlank()) {
          after++;
        }
        absorbed[k] = before >= 0 && after < in.size() && in.get(before).kind() != 0 && in.get(after).kind() != 0;
      }
    }
    StringBuilder out = new StringBuilder();
    StringBuilder del = new StringBuilder();
    StringBuilder ins = new StringBuilder();
    for (int k = 0; k < in.size(); k++) {
      Op o = in.get(k);
      if (o.kind() == 0 && !absorbed[k]) {
        flush(out, del, ins);
        out.append(esc(o.text()));
      } else {
        if (o.kind() <= 0) {
          del.append(o.text());
        }
        if (o.kind() >= 0) {
          ins.append(o.text());
        }
      }
    }
    flush(out, del, ins);
    return out.toString();
  }

  private static void flush(StringBuilder out, StringBuilder del, StringBuilder ins) {
    if (del.length() > 0) {
      out.append("<del>").append(esc(del.toString())).append("</del>");
    }
    if (ins.length() > 0) {
      out.append("<ins>").append(esc(ins.toString())).append("</ins>");
    }
    del.setLength(0);
    ins.setLength(0);
  }

  /** Words (letters and digits), runs of white space, and every other character on its own. */
  static List<String> tokens(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      int c = s.codePointAt(i);
      int j = i + Character.charCount(c);
      if (Character.isLetterOrDigit(c) || c == '_') {
        while (j < s.length() && (Character.isLetterOrDigit(s.codePointAt(j)) || s.charAt(j) == '_')) {
          j += Character.charCount(s.codePointAt(j));
        }
      } else if (Character.isWhitespace(c)) {
        while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
          j++;
        }
      }
      out.add(s.substring(i, j));
      i = j;
    }
    return out;
  }

  /** Horizontal bars of pass rate per target with the Wilson interval as a whisker. */
  static String passRateChart(List<EvalReport> reports) {
    int left = 160;
    int plot = 420;
    int rowH = 34;
    int top = 24;
    int height = top + rowH * reports.size() + 30;
    int width = left + plot + 150;
    StringBuilder s = new StringBuilder();
    s.append("<svg class=\"chart\" role=\"img\" aria-label=\"pass rate per target\" viewBox=\"0 0 ")
        .append(width).append(' ').append(height).append("\" width=\"").append(width).append("\" height=\"")
        .append(height).append("\">\n");
    for (int t = 0; t <= 10; t += 2) {
      double x = left + plot * t / 10.0;
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
          + "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%d%%</text>%n",
          x, top - 6, x, height - 24, x, height - 8, t * 10));
    }
    for (int i = 0; i < reports.size(); i++) {
      EvalReport r = reports.get(i);
      PassRate p = r.passRate();
      double y = top + i * rowH;
      String color = PALETTE[i % PALETTE.length];
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"label\">%s</text>%n",
          left - 8, y + rowH / 2.0 + 4, esc(r.target())));
      if (p.judged() > 0) {
        double w = plot * p.rate();
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
            + "<title>%s: %s</title></rect>%n", left, y + 6, w, rowH - 12, color, esc(r.target()), esc(p.format())));
        double lo = left + plot * p.low();
        double hi = left + plot * p.high();
        double cy = y + rowH / 2.0;
        s.append(String.format(Locale.ROOT, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" class=\"ci\"/>%n",
            lo, cy, hi, lo, cy - 7, cy + 7, hi, cy - 7, cy + 7));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"value\">%.1f%% (%d/%d)</text>%n",
            left + plot + 8, cy + 4, p.rate() * 100, p.passed(), p.judged()));
      } else {
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"value\">nothing judged</text>%n",
            left + 4, y + rowH / 2.0 + 4));
      }
    }
    s.append("</svg>\n<p class=\"meta\">Bars: pass rate of judged cases; whiskers: 95% Wilson interval. "
        + "Errored cases are left out.</p>\n");
    return s.toString();
  }

  /** Training loss as a line, validation loss as a dashed line with dots, against the step. */
  static String lossChart(List<MetricPoint> metrics) {
    int left = 60;
    int top = 16;
    int plotW = 560;
    int plotH = 220;
    int width = left + plotW + 20;
    int height = top + plotH + 50;
    long minStep = Long.MAX_VALUE;
    long maxStep = Long.MIN_VALUE;
    double minLoss = Double.MAX_VALUE;
    double maxLoss = -Double.MAX_VALUE;
    for (MetricPoint p : metrics) {
      minStep = Math.min(minStep, p.step());
      maxStep = Math.max(maxStep, p.step());
      for (OptionalDouble v : List.of(p.trainLoss(), p.validLoss())) {
        if (v.isPresent() && Double.isFinite(v.getAsDouble())) {
          minLoss = Math.min(minLoss, v.getAsDouble());
          maxLoss = Math.max(maxLoss, v.getAsDouble());
        }
      }
    }
    if (minLoss > maxLoss) {
      return "<p>No loss values were reported.</p>\n";
    }
    double lo = Math.min(0, minLoss);
    double hi = maxLoss == lo ? lo + 1 : maxLoss * 1.05;
    long span = Math.max(1, maxStep - minStep);
    StringBuilder s = new StringBuilder();
    s.append("<svg class=\"chart\" role=\"img\" aria-label=\"training and validation loss\" viewBox=\"0 0 ")
        .append(width).append(' ').append(height).append("\" width=\"").append(width).append("\" height=\"")
        .append(height).append("\">\n");
    for (int t = 0; t <= 4; t++) {
      double v = lo + (hi - lo) * t / 4;
      double y = top + plotH - plotH * t / 4.0;
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
          + "<text x=\"%d\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%.3g</text>%n",
          left, y, left + plotW, y, left - 6, y + 4, v));
    }
    for (int t = 0; t <= 4; t++) {
      long step = minStep + Math.round(span * t / 4.0);
      double x = left + plotW * t / 4.0;
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%d</text>%n",
          x, top + plotH + 16, step));
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">step</text>%n",
        left + plotW / 2.0, top + plotH + 34));
    StringBuilder train = new StringBuilder();
    StringBuilder valid = new StringBuilder();
    StringBuilder dots = new StringBuilder();
    for (MetricPoint p : metrics) {
      double x = left + plotW * (p.step() - minStep) / (double) span;
      if (p.trainLoss().isPresent() && Double.isFinite(p.trainLoss().getAsDouble())) {
        double y = top + plotH - plotH * (p.trainLoss().getAsDouble() - lo) / (hi - lo);
        train.append(train.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
      }
      if (p.validLoss().isPresent() && Double.isFinite(p.validLoss().getAsDouble())) {
        double y = top + plotH - plotH * (p.validLoss().getAsDouble() - lo) / (hi - lo);
        valid.append(valid.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
        dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>step %d: "
            + "validation loss %.4f</title></circle>", x, y, PALETTE[1], p.step(), p.validLoss().getAsDouble()));
      }
    }
    if (train.length() > 0) {
      s.append("<path d=\"").append(train).append("\" fill=\"none\" stroke=\"").append(PALETTE[0])
          .append("\" stroke-width=\"1.5\"/>\n");
    }
    if (valid.length() > 0) {
      s.append("<path d=\"").append(valid).append("\" fill=\"none\" stroke=\"").append(PALETTE[1])
          .append("\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n").append(dots).append('\n');
    }
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
        + "<text x=\"%d\" y=\"%d\" class=\"axis\">training loss</text>", left + plotW - 230, top + 4, PALETTE[0],
        left + plotW - 214, top + 8));
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
        + "<text x=\"%d\" y=\"%d\" class=\"axis\">validation loss</text>%n", left + plotW - 120, top + 4, PALETTE[1],
        left + plotW - 104, top + 8));
    s.append("</svg>\n");
    return s.toString();
  }

  private static String pct(PassRate p) {
    return p.judged() == 0 ? "–" : String.format(Locale.ROOT, "%.1f%%", p.rate() * 100);
  }

  private static String ci(PassRate p) {
    return p.judged() == 0 ? "–" : String.format(Locale.ROOT, "%.1f–%.1f%%", p.low() * 100, p.high() * 100);
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }


  private static final String CSS = """
      body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1200px;\
      color:#222;padding:0 16px}
      h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}h3{font-size:15px}
      .meta{color:#777;font-size:12px;font-weight:normal}
      table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 8px;vertical-align:top;\
      text-align:left}th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
      table.cases td{max-width:520px}pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:12px}
      tr.broken td:nth-child(3),.o.fail{color:#b42318;font-weight:600}.o.error{color:#b54708;font-weight:600}
      tr.fixed td:nth-child(3),.o.pass{color:#067647;font-weight:600}.o{font-size:12px}
      ins{background:#d1fadf;text-decoration:none;border-bottom:2px solid #067647}\
      del{background:#fee4e2;color:#912018;text-decoration:line-through}
      .decision{padding:10px 14px;border-radius:4px;margin:8px 0;font-size:15px;border:1px solid #ddd}\
      .decision.promoted{background:#ecfdf3;border-color:#75e0a7}.decision.blocked{background:#fef3f2;\
      border-color:#fda29b}.decision.pending{background:#fffaeb;border-color:#fedf89}
      table.kv th{text-align:left;font-weight:600}details summary{cursor:pointer;color:#555;font-size:12px}\
      .msg pre{background:#fafafa;padding:4px;margin-bottom:4px}details.ctx{margin:8px 0}
      .g{font-size:12px}.g.fail b{color:#b42318}.g.error b{color:#b54708}pre.err{color:#b54708}
      svg.chart{max-width:100%;height:auto;display:block;margin:8px 0}svg .grid{stroke:#e5e5e5}\
      svg .axis{font-size:11px;fill:#666}svg .label{font-size:13px;fill:#222}svg .value{font-size:12px;fill:#222}\
      svg .ci{stroke:#222;stroke-width:1.5;fill:none}
      """;
}
