package dev.tunekit.dataset;

import dev.tunekit.error.InvalidInputException;

import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.dataset.Finding;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A run's dataset has errors, so the run stopped before anything was uploaded. The message lists the
 * first errors as {@code file:line code: how to fix}; {@link #report()} has all of them.
 */
public class InvalidDatasetException extends InvalidInputException {
  private static final long serialVersionUID = 1L;
  private static final int SHOWN = 5;
  private final transient DatasetReport report;
  private final String runId;

  public InvalidDatasetException(String runId, DatasetReport report) {
    super(message(report), firstLocation(report));
    this.report = Objects.requireNonNull(report, "report");
    this.runId = runId;
  }

  /** The validation report with every finding. */
  public DatasetReport report() {
    return report;
  }

  /** The run that was recorded as REJECTED. */
  public String runId() {
    return runId;
  }

  private static List<Finding> errors(DatasetReport r) {
    return r.findings().stream().filter(f -> f.severity() == Finding.Severity.ERROR).collect(Collectors.toList());
  }

  private static String firstLocation(DatasetReport r) {
    List<Finding> errors = errors(r);
    if (errors.isEmpty() || errors.get(0).line() <= 0) {
      return r.source();
    }
    return r.source() + ":" + errors.get(0).line();
  }

  private static String message(DatasetReport r) {
    List<Finding> errors = errors(r);
    StringBuilder sb = new StringBuilder("the dataset has ").append(errors.size())
        .append(errors.size() == 1 ? " error" : " errors").append("; nothing was uploaded. Fix ")
        .append(errors.size() == 1 ? "it" : "them").append(" and start a new run:");
    for (Finding f : errors.subList(0, Math.min(SHOWN, errors.size()))) {
      sb.append("\n  ").append(r.source());
      if (f.line() > 0) {
        sb.append(':').append(f.line());
      }
      sb.append(' ').append(f.code()).append(": ").append(f.message());
    }
    if (errors.size() > SHOWN) {
      sb.append("\n  … and ").append(errors.size() - SHOWN).append(" more (see report().findings())");
    }
    return sb.toString();
  }
}
