package dev.tunekit.dataset;

import dev.tunekit.error.TunekitException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What validation found: the dataset's kind and size, every finding (listed up to a cap per code, all
 * counted in {@link #findingCounts()}), token statistics and a cost estimate. Read it in JShell with
 * {@link #print()}, or as JSON with {@link #toJson()}.
 *
 * @param source the dataset file
 * @param kind chat or preference
 * @param examples number of examples read (non-blank lines)
 * @param findings findings in line order, at most the cap per code
 * @param findingCounts how many findings of each code there were in all
 * @param tokens token statistics of the examples without errors
 * @param cost the cost estimate, when the model's price is known
 */
public record DatasetReport(
    String source,
    DatasetKind kind,
    long examples,
    List<Finding> findings,
    Map<String, Long> findingCounts,
    TokenStats tokens,
    Optional<CostEstimate> cost) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Canonical constructor. */
  public DatasetReport {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(kind, "kind");
    findings = List.copyOf(findings);
    findingCounts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(findingCounts));
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(cost, "cost");
  }

  /** A report with findings only (counts taken from the findings; no token statistics or cost). */
  public DatasetReport(String source, DatasetKind kind, long examples, List<Finding> findings) {
    this(source, kind, examples, findings, countsOf(findings), TokenStats.empty("o200k_base"), Optional.empty());
  }

  private static Map<String, Long> countsOf(List<Finding> findings) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (Finding f : findings) {
      m.merge(f.code(), 1L, Long::sum);
    }
    return m;
  }

  /** Whether any finding is an error (the dataset must not be uploaded). */
  public boolean hasErrors() {
    return findings.stream().anyMatch(f -> f.severity() == Finding.Severity.ERROR);
  }

  /** Number of error findings, counting those beyond the per-code cap. */
  public long errorCount() {
    return count(Finding.Severity.ERROR);
  }

  /** Number of warning findings, counting those beyond the per-code cap. */
  public long warningCount() {
    return count(Finding.Severity.WARNING);
  }

  /** How many findings had {@code code} (0 if none). */
  public long count(String code) {
    return findingCounts.getOrDefault(code, 0L);
  }

  private long count(Finding.Severity severity) {
    Map<String, Finding.Severity> severityOf = new LinkedHashMap<>();
    for (Finding f : findings) {
      severityOf.putIfAbsent(f.code(), f.severity());
    }
    long n = 0;
    for (Map.Entry<String, Long> e : findingCounts.entrySet()) {
      if (severityOf.get(e.getKey()) == severity) {
        n += e.getValue();
      }
    }
    return n;
  }

  /** Prints {@link #toText()} to standard output. */
  public void print() {
    print(System.out);
  }

  /** Prints {@link #toText()} to {@code out}. */
  public void print(PrintStream out) {
    out.print(toText());
    out.flush();
  }

  /** The report as text for a person: verdict, statistics, cost with its assumptions, findings. */
  public String toText() {
    StringBuilder s = new StringBuilder();
    s.append("Dataset   ").append(source).append("  (").append(kind.name().toLowerCase(Locale.ROOT)).append(", ")
        .append(n(examples)).append(examples == 1 ? " example)\n" : " examples)\n");
    long errors = errorCount();
    long warnings = warningCount();
    if (errors > 0) {
      s.append("Result    NOT READY: ").append(n(errors)).append(" error(s), ").append(n(warnings))
          .append(" warning(s). Fix the errors before uploading.\n");
    } else {
      s.append("Result    READY: no errors, ").append(n(warnings)).append(" warning(s).\n");
    }
    TokenStats t = tokens;
    if (t.countedExamples() > 0) {
      s.append("Tokens    ").append(t.encoding()).append(": ").append(n(t.totalTokens())).append(" in ")
          .append(n(t.countedExamples())).append(" example(s), ").append(n(t.messages())).append(" message(s)\n");
      s.append("          per example: min ").append(n(t.min())).append(", mean ")
          .append(String.format(Locale.ROOT, "%.1f", t.mean())).append(", p50 ").append(n(t.p50()))
          .append(", p95 ").append(n(t.p95())).append(", max ").append(n(t.max())).append('\n');
      s.append("          assistant (trained): ").append(n(t.assistantTokens()));
      if (t.contextLimit() > 0) {
        s.append("; over the ").append(n(t.contextLimit())).append("-token limit: ").append(n(t.overLimitExamples()));
      }
      s.append('\n');
    }
    cost.ifPresent(c -> {
      s.append("Cost      ~ ").append(c.currency()).append(' ').append(c.total().toPlainString()).append(" for ")
          .append(c.model()).append(": ").append(n(c.billingTokensPerEpoch())).append(" billing tokens x ")
          .append(c.epochs()).append(" epoch(s) = ").append(n(c.trainedTokens())).append(" trained tokens x ")
          .append(c.currency()).append(' ').append(c.pricePerMillionTokens().toPlainString()).append(" per 1M\n");
      for (String a : c.assumptions()) {
        s.append("          - ").append(a).append('\n');
      }
    });
    if (!findings.isEmpty()) {
      s.append("Findings\n");
      Map<String, Integer> shown = new LinkedHashMap<>();
      for (Finding f : findings) {
        shown.merge(f.code(), 1, Integer::sum);
        s.append("  ").append(f.severity() == Finding.Severity.ERROR ? "ERROR  " : "WARNING").append(' ')
            .append(f.line() == 0 ? "dataset " : String.format(Locale.ROOT, "line %-4d", f.line())).append(' ')
            .append(f.code()).append(": ").append(f.message()).append('\n');
      }
      for (Map.Entry<String, Long> e : findingCounts.entrySet()) {
        long more = e.getValue() - shown.getOrDefault(e.getKey(), 0);
        if (more > 0) {
          s.append("  ... and ").append(n(more)).append(" more ").append(e.getKey()).append('\n');
        }
      }
    }
    return s.toString();
  }

  /** The report as a JSON document (pretty-printed). */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("source", source);
    root.put("kind", kind.name().toLowerCase(Locale.ROOT));
    root.put("examples", examples);
    root.put("ready", !hasErrors());
    root.put("errors", errorCount());
    root.put("warnings", warningCount());
    ObjectNode counts = root.putObject("findingCounts");
    findingCounts.forEach(counts::put);
    ArrayNode fs = root.putArray("findings");
    for (Finding f : findings) {
      ObjectNode o = fs.addObject();
      o.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
      o.put("line", f.line());
      o.put("code", f.code());
      o.put("message", f.message());
    }
    ObjectNode t = root.putObject("tokens");
    t.put("encoding", tokens.encoding());
    t.put("countedExamples", tokens.countedExamples());
    t.put("messages", tokens.messages());
    t.put("total", tokens.totalTokens());
    t.put("min", tokens.min());
    t.put("mean", tokens.mean());
    t.put("p50", tokens.p50());
    t.put("p95", tokens.p95());
    t.put("max", tokens.max());
    t.put("assistant", tokens.assistantTokens());
    t.put("contextLimit", tokens.contextLimit());
    t.put("overLimitExamples", tokens.overLimitExamples());
    t.put("billingTokens", tokens.billingTokens());
    if (cost.isPresent()) {
      CostEstimate c = cost.get();
      ObjectNode o = root.putObject("cost");
      o.put("provider", c.provider());
      o.put("model", c.model());
      o.put("epochs", c.epochs());
      o.put("epochsSource", c.epochsSource());
      o.put("billingTokensPerEpoch", c.billingTokensPerEpoch());
      o.put("trainedTokens", c.trainedTokens());
      o.put("pricePerMillionTokens", c.pricePerMillionTokens());
      o.put("currency", c.currency());
      o.put("total", c.total());
      ArrayNode a = o.putArray("assumptions");
      c.assumptions().forEach(a::add);
    } else {
      root.putNull("cost");
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new TunekitException("cannot write the dataset report as JSON", e);
    }
  }

  private static String n(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }
}
