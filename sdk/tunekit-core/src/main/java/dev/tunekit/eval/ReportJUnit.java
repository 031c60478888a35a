package dev.tunekit.eval;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A comparison as JUnit XML, the test-report format Jenkins, GitLab, GitHub Actions reporters and most
 * CI systems read (the element and attribute names of the Ant/Surefire format, as in Jenkins' junit
 * schema): a {@code testsuites} root with one {@code testsuite} holding one {@code testcase} per eval
 * case of the gated (tuned) target, and a {@code testsuite} named {@code gate} holding one
 * {@code testcase}, the promotion decision (a failure when blocked, skipped when there is no gate).
 */
final class ReportJUnit {
  private ReportJUnit() {}

  static String write(EvalComparison cmp) {
    EvalReport tuned = cmp.gated();
    EvalReport baseline = cmp.baseline();
    Map<String, CaseResult> before = baseline.cases().stream()
        .collect(Collectors.toMap(CaseResult::id, Function.identity(), (a, b) -> a));
    PassRate rate = tuned.passRate();
    int failures = (int) tuned.cases().stream().filter(c -> c.outcome() == Outcome.FAIL).count();
    int errors = (int) tuned.cases().stream().filter(c -> c.outcome() == Outcome.ERROR).count();
    String decision = cmp.decision();
    boolean blocked = decision.equals("blocked");
    boolean noGate = !decision.equals("promoted") && !blocked;

    StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.append("<testsuites name=\"").append(attr("tunekit eval " + tuned.suite())).append('"')
        .append(" tests=\"").append(tuned.cases().size() + 1).append('"')
        .append(" failures=\"").append(failures + (blocked ? 1 : 0)).append('"')
        .append(" errors=\"").append(errors).append('"')
        .append(" time=\"").append(seconds(tuned.elapsed().toNanos())).append("\">\n");

    x.append("  <testsuite name=\"").append(attr(tuned.suite() + " on " + tuned.target())).append('"')
        .append(" tests=\"").append(tuned.cases().size()).append('"')
        .append(" failures=\"").append(failures).append('"')
        .append(" errors=\"").append(errors).append('"')
        .append(" skipped=\"0\"")
        .append(" time=\"").append(seconds(tuned.elapsed().toNanos())).append('"')
        .append(" timestamp=\"").append(tuned.startedAt().toString()).append("\">\n");
    x.append("    <properties>\n");
    property(x, "target", tuned.target());
    property(x, "model", tuned.model());
    property(x, "provider", tuned.provider());
    property(x, "passRate", rate.format());
    property(x, "baseline", baseline.target());
    property(x, "baselineModel", baseline.model());
    property(x, "baselinePassRate", baseline.passRate().format());
    property(x, "suiteFingerprint", tuned.suiteFingerprint());
    cmp.run().ifPresent(r -> property(x, "runId", r.runId()));
    property(x, "gate", decision);
    x.append("    </properties>\n");
    String classname = "tunekit.eval." + tuned.suite();
    for (CaseResult c : tuned.cases()) {
      x.append("    <testcase name=\"").append(attr(c.id())).append("\" classname=\"").append(attr(classname))
          .append("\" time=\"").append(seconds(c.latency().toNanos())).append('"');
      if (c.outcome() == Outcome.PASS) {
        x.append("/>\n");
        continue;
      }
      x.append(">\n");
      String element = c.outcome() == Outcome.FAIL ? "failure" : "error";
      String message = c.outcome() == Outcome.FAIL
          ? c.grades().stream().filter(g -> g.outcome() != Outcome.PASS).map(g -> g.grader() + ": " + g.reason())
              .collect(Collectors.joining("; "))
          : c.error().orElse("error");
      x.append("      <").append(element).append(" type=\"").append(c.outcome() == Outcome.FAIL ? "eval.fail" : "eval.error")
          .append("\" message=\"").append(attr(Graders.abbreviate(message, 300))).append("\">")
          .append(text(details(c, Optional.ofNullable(before.get(c.id())), baseline.target())))
          .append("</").append(element).append(">\n");
      x.append("    </testcase>\n");
    }
    x.append("  </testsuite>\n");

    GateResult gate = cmp.gate().orElse(null);
    x.append("  <testsuite name=\"gate\" tests=\"1\" failures=\"").append(blocked ? 1 : 0)
        .append("\" errors=\"0\" skipped=\"").append(noGate ? 1 : 0).append("\" time=\"0.000\">\n");
    String name = gate != null ? gate.gate() : "promotion gate";
    x.append("    <testcase name=\"").append(attr(name)).append("\" classname=\"tunekit.gate\" time=\"0.000\"");
    if (decision.equals("promoted")) {
      x.append(">\n      <system-out>").append(text(gate.message())).append("</system-out>\n    </testcase>\n");
    } else if (blocked) {
      x.append(">\n      <failure type=\"gate.blocked\" message=\"").append(attr(gate.message())).append("\">")
          .append(text(gate.message())).append("</failure>\n    </testcase>\n");
    } else {
      x.append(">\n      <skipped message=\"").append(decision.equals("pending")
          ? "the gate is not decided yet" : "no gate was applied").append("\"/>\n    </testcase>\n");
    }
    x.append("  </testsuite>\n</testsuites>\n");
    return x.toString();
  }

  private static String details(CaseResult c, Optional<CaseResult> before, String baselineTarget) {
    StringBuilder d = new StringBuilder();
    d.append("question: ").append(c.messages().isEmpty() ? "" : c.messages().get(c.messages().size() - 1).content());
    c.expected().ifPresent(e -> d.append("\nexpected: ").append(e));
    d.append("\ngot: ").append(c.output().orElse("(no answer)"));
    for (GraderResult g : c.grades()) {
      d.append("\n").append(g.grader()).append(": ").append(g.outcome()).append(" (").append(g.reason()).append(')');
    }
    before.ifPresent(b -> d.append("\n").append(baselineTarget).append(": ").append(b.outcome())
        .append(b.output().map(o -> ", answered: " + o).orElse("")));
    return d.toString();
  }

  private static void property(StringBuilder x, String name, String value) {
    x.append("      <property name=\"").append(attr(name)).append("\" value=\"").append(attr(value)).append("\"/>\n");
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
  }

  /** Element text: {@code & < >} escaped, characters XML 1.0 cannot carry written as {@code \}{@code uXXXX}. */
  static String text(String s) {
    return escape(s, false);
  }

  /** Attribute value: also quotes, and tab and line breaks as character references (kept, not normalised). */
  static String attr(String s) {
    return escape(s, true);
  }

  private static String escape(String s, boolean attribute) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append(attribute ? "&quot;" : "\"");
        case '\'' -> out.append(attribute ? "&apos;" : "'");
        case '\t' -> out.append(attribute ? "&#9;" : "\t");
        case '\n' -> out.append(attribute ? "&#10;" : "\n");
        case '\r' -> out.append("&#13;");
        default -> {
          if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(ch).append(s.charAt(++i));
          } else if (ch < 0x20 || Character.isSurrogate(ch) || ch == 0xFFFE || ch == 0xFFFF) {
            out.append(String.format(Locale.ROOT, "\\u%04X", (int) ch));
          } else {
            out.append(ch);
          }
        }
      }
    }
    return out.toString();
  }
}
