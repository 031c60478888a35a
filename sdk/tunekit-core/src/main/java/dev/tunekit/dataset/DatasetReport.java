package dev.tunekit.dataset;

import java.util.List;
import java.util.Objects;

/**
 * What validation found: findings, the dataset's kind and size. (Skeleton: the full pipeline adds
 * token statistics, cost and JSON output.)
 *
 * @param source the dataset file
 * @param kind chat or preference
 * @param examples number of examples read
 * @param findings all findings
 */
public record DatasetReport(String source, DatasetKind kind, long examples, List<Finding> findings) {
  /** Canonical constructor. */
  public DatasetReport {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(kind, "kind");
    findings = List.copyOf(findings);
  }

  /** Whether any finding is an error (the dataset must not be uploaded). */
  public boolean hasErrors() {
    return findings.stream().anyMatch(f -> f.severity() == Finding.Severity.ERROR);
  }
}
