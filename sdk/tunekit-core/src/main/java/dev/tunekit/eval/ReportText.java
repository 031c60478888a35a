package dev.tunekit.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Plain-text tables for JShell. */
final class ReportText {
  private static final int MAX_DETAILS = 20;

  private ReportText() {}

  static String report(EvalReport r) {
    StringBuilder sb = new StringBuilder();
    header(sb, r);
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("", "pass rate [95% CI]"));
    rows.add(List.of("overall", r.passRate().format()));
    r.passRateByGrader().forEach((g, p) -> rows.add(List.of("grader " + g, p.format())));
    r.passRateByTag().forEach((t, p) -> rows.add(List.of("tag " + t, p.format())));
    table(sb, rows);
    List<CaseResult> bad = new ArrayList<>(r.failures());
    bad.addAll(r.errors());
    if (!bad.isEmpty()) {
      sb.append("\nFailures and errors (").append(bad.size()).append("):\n");
      bad.stream().limit(MAX_DETAILS).forEach(c -> details(sb, c));
      if (bad.size() > MAX_DETAILS) {
        sb.append("  … ").append(bad.size() - MAX_DETAILS).append(" more in the JSON or HTML report\n");
      }
    }
    return sb.toString();
  }

  static String comparison(EvalComparison cmp) {
    StringBuilder sb = new StringBuilder();
    EvalReport base = cmp.baseline();
    sb.append("Suite ").append(base.suite()).append(" (").append(base.cases().size()).append(" cases), ")
        .append(cmp.reports().size()).append(" targets; baseline: ").append(base.target()).append('\n');
    List<List<String>> rows = new ArrayList<>();
    List<String> head = new ArrayList<>();
    head.add("");
    cmp.reports().forEach(r -> head.add(r.target() + " (" + r.model() + ")"));
    rows.add(head);
    rows.add(row("overall", cmp, r -> r.passRate().format()));
    Set<String> graders = new LinkedHashSet<>();
    Set<String> tags = new LinkedHashSet<>();
    cmp.reports().forEach(r -> {
      graders.addAll(r.passRateByGrader().keySet());
      tags.addAll(r.passRateByTag().keySet());
    });
    for (String g : graders) {
      rows.add(row("grader " + g, cmp, r -> fmt(r.passRateByGrader(), g)));
    }
    for (String t : tags) {
      rows.add(row("tag " + t, cmp, r -> fmt(r.passRateByTag(), t)));
    }
    rows.add(row("calls / cache hits", cmp, r -> r.calls() + " / " + r.cacheHits()));
    table(sb, rows);
    for (EvalReport other : cmp.reports().subList(1, cmp.reports().size())) {
      List<Flip> flips = EvalComparison.flips(base, other);
      long fixed = flips.stream().filter(Flip::improved).count();
      sb.append(String.format(Locale.ROOT, "%nFlipped %s → %s: %d fixed, %d broken%n", base.target(),
          other.target(), fixed, flips.size() - fixed));
      flips.stream().limit(MAX_DETAILS).forEach(f -> {
        sb.append("  ").append(f.improved() ? '+' : '-').append(' ').append(f.caseId()).append("  ")
            .append(f.before()).append(" → ").append(f.after()).append('\n');
        f.expected().ifPresent(e -> sb.append("      expected: ").append(one(e)).append('\n'));
        sb.append("      ").append(pad(f.baseline() + ":", 9)).append(' ')
            .append(one(f.baselineOutput().orElse("(none)"))).append('\n');
        sb.append("      ").append(pad(f.target() + ":", 9)).append(' ')
            .append(one(f.targetOutput().orElse("(none)"))).append('\n');
      });
      if (flips.size() > MAX_DETAILS) {
        sb.append("  … ").append(flips.size() - MAX_DETAILS).append(" more in the JSON or HTML report\n");
      }
      if (!other.errors().isEmpty() || !base.errors().isEmpty()) {
        sb.append("  (errored cases are not flips: ").append(base.target()).append(' ').append(base.errors().size())
            .append(", ").append(other.target()).append(' ').append(other.errors().size()).append(")\n");
      }
    }
    return sb.toString();
  }

  private static void header(StringBuilder sb, EvalReport r) {
    PassRate p = r.passRate();
    sb.append("Suite ").append(r.suite()).append(" on ").append(r.target()).append(" (model ").append(r.model())
        .append(", provider ").append(r.provider()).append(")\n");
    sb.append(String.format(Locale.ROOT, "%d cases: %d pass, %d fail, %d error · %d calls, %d cache hits · %.1f s%n%n",
        r.cases().size(), p.passed(), p.failed(), p.errors(), r.calls(), r.cacheHits(),
        r.elapsed().toMillis() / 1000.0));
  }

  private static void details(StringBuilder sb, CaseResult c) {
    sb.append("  ").append(c.outcome()).append("  ").append(c.id());
    if (!c.tags().isEmpty()) {
      sb.append("  ").append(c.tags());
    }
    sb.append('\n');
    c.error().ifPresent(e -> sb.append("      error:    ").append(one(e)).append('\n'));
    c.grades().stream().filter(g -> g.outcome() == Outcome.FAIL)
        .forEach(g -> sb.append("      ").append(g.grader()).append(": ").append(one(g.reason())).append('\n'));
    c.expected().ifPresent(e -> sb.append("      expected: ").append(one(e)).append('\n'));
    c.output().ifPresent(o -> sb.append("      got:      ").append(one(o)).append('\n'));
  }

  private static String fmt(Map<String, PassRate> m, String key) {
    PassRate p = m.get(key);
    return p == null ? "-" : p.format();
  }

  private static List<String> row(String label, EvalComparison cmp, java.util.function.Function<EvalReport, String> f) {
    List<String> row = new ArrayList<>();
    row.add(label);
    cmp.reports().forEach(r -> row.add(f.apply(r)));
    return row;
  }

  static String one(String s) {
    String flat = s.replace("\r", "").replace("\n", "⏎");
    return flat.length() > 160 ? flat.substring(0, 160) + "…" : flat;
  }

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }

  private static void table(StringBuilder sb, List<List<String>> rows) {
    int cols = rows.get(0).size();
    int[] width = new int[cols];
    for (List<String> row : rows) {
      for (int i = 0; i < cols; i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      List<String> row = rows.get(r);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        line.append(pad(row.get(i), width[i]));
        if (i < cols - 1) {
          line.append("  │ ");
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
      if (r == 0) {
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < cols; i++) {
          rule.append("─".repeat(width[i]));
          if (i < cols - 1) {
            rule.append("──┼─");
          }
        }
        sb.append(rule).append('\n');
      }
    }
  }
}
