package dev.tunekit.eval;

import dev.tunekit.model.MetricPoint;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

/**
 * One self-contained HTML page. Charts are inline SVG written here rather than PNGs from a charting
 * library: no AWT or headless mode, no extra dependency in core, crisp at any zoom, text that can be
 * searched and copied, and a page a fraction of the size of base64 images. Nothing is loaded from
 * outside the page.
 */
final class ReportHtml {
  private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"};

  private ReportHtml() {}

  static String render(List<EvalReport> reports, List<Flip> flips) {
    EvalReport first = reports.get(0);
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Eval report: ").append(esc(first.suite())).append("</title>\n<style>")
        .append(CSS).append("</style></head>\n<body>\n");
    h.append("<h1>Eval report: ").append(esc(first.suite())).append("</h1>\n<p class=\"meta\">")
        .append(first.cases().size()).append(" cases · suite fingerprint ").append(esc(first.suiteFingerprint()))
        .append(" · run ").append(esc(first.startedAt().toString())).append(" · page written ")
        .append(esc(Instant.now().toString())).append("</p>\n");

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
    for (EvalReport r : reports) {
      casesSection(h, r);
    }
    h.append("</body></html>\n");
    return h.toString();
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

  private static void casesSection(StringBuilder h, EvalReport r) {
    h.append("<h3>").append(esc(r.target())).append(" <span class=\"meta\">").append(esc(r.model()))
        .append("</span></h3>\n<table class=\"cases\"><tr><th>case</th><th>outcome</th><th>tags</th>")
        .append("<th>expected vs got</th><th>graders</th></tr>\n");
    for (CaseResult c : r.cases()) {
      String cls = c.outcome().name().toLowerCase(Locale.ROOT);
      h.append("<tr class=\"").append(cls).append("\"><td>").append(esc(c.id())).append(c.cached() ? " <span class=\"meta\">(cached)</span>" : "")
          .append("</td><td>").append(c.outcome()).append("</td><td>").append(esc(String.join(", ", c.tags())))
          .append("</td><td>");
      if (c.outcome() == Outcome.PASS) {
        h.append("<details><summary>output</summary><pre>").append(esc(c.output().orElse(""))).append("</pre></details>");
      } else if (c.output().isEmpty()) {
        h.append("<pre class=\"err\">").append(esc(c.error().orElse(""))).append("</pre>");
      } else {
        h.append(diff(c.expected().orElse(""), c.output().get()));
      }
      h.append("</td><td>");
      for (GraderResult g : c.grades()) {
        h.append("<div class=\"g ").append(g.outcome().name().toLowerCase(Locale.ROOT)).append("\"><b>")
            .append(esc(g.grader())).append("</b> ").append(g.outcome()).append(String.format(Locale.ROOT, " %.2f", g.score()))
            .append(" — ").append(esc(g.reason())).append("</div>");
      }
      h.append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  /** Line diff (longest common subsequence) of expected and got, as two aligned columns. */
  static String diff(String expected, String got) {
    String[] a = expected.split("\n", -1);
    String[] b = got.split("\n", -1);
    if ((long) a.length * b.length > 250_000) {
      return "<div class=\"diff\"><pre>" + esc(expected) + "</pre><pre>" + esc(got) + "</pre></div>";
    }
    int[][] lcs = new int[a.length + 1][b.length + 1];
    for (int i = a.length - 1; i >= 0; i--) {
      for (int j = b.length - 1; j >= 0; j--) {
        lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    StringBuilder left = new StringBuilder();
    StringBuilder right = new StringBuilder();
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i].equals(b[j])) {
        left.append(esc(a[i++])).append('\n');
        right.append(esc(b[j++])).append('\n');
      } else if (j < b.length && (i == a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
        right.append("<ins>").append(esc(b[j++])).append("</ins>\n");
      } else {
        left.append("<del>").append(esc(a[i++])).append("</del>\n");
      }
    }
    return "<div class=\"diff\"><div><small>expected</small><pre>" + left + "</pre></div><div><small>got</small><pre>"
        + right + "</pre></div></div>";
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
      tr.fail td:nth-child(2),tr.broken td:nth-child(3){color:#b42318;font-weight:600}
      tr.error td:nth-child(2){color:#b54708;font-weight:600}
      tr.pass td:nth-child(2),tr.fixed td:nth-child(3){color:#067647;font-weight:600}
      .diff{display:flex;gap:8px}.diff>div{flex:1;min-width:0}ins{background:#d1fadf;text-decoration:none}\
      del{background:#fee4e2;text-decoration:none}
      .g{font-size:12px}.g.fail b{color:#b42318}.g.error b{color:#b54708}pre.err{color:#b54708}
      svg.chart{max-width:100%;height:auto;display:block;margin:8px 0}svg .grid{stroke:#e5e5e5}\
      svg .axis{font-size:11px;fill:#666}svg .label{font-size:13px;fill:#222}svg .value{font-size:12px;fill:#222}\
      svg .ci{stroke:#222;stroke-width:1.5;fill:none}
      """;
}
