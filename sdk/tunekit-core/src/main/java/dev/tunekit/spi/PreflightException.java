package dev.tunekit.spi;

import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.dataset.Finding;
import dev.tunekit.error.InvalidInputException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A run was rejected before anything was uploaded or evaluated: the provider's offline checks
 * ({@link TuningProvider#preflight(JobPlan)}) found problems with the model, the hyperparameters or the
 * provider's settings. The message lists every problem, each with where it is and how to fix it, and
 * the dataset's errors too when it has some. Nothing was sent; fix the problems and start a new run
 * (resuming the rejected run would only repeat them).
 */
public class PreflightException extends InvalidInputException {
  private static final long serialVersionUID = 1L;
  private static final int SHOWN_DATASET_ERRORS = 5;
  private final List<PreflightProblem> problems;
  private final transient DatasetReport datasetReport;
  private final String runId;

  /**
   * @param runId the run recorded as REJECTED, or null
   * @param provider the provider's name, for the message
   * @param problems the provider's problems (at least one)
   * @param datasetReport the training dataset's report when it has errors too, or null
   */
  public PreflightException(String runId, String provider, List<PreflightProblem> problems, DatasetReport datasetReport) {
    super(message(runId, provider, problems, datasetReport), location(problems, datasetReport));
    this.problems = List.copyOf(problems);
    this.datasetReport = datasetReport;
    this.runId = runId;
  }

  /**
   * For subclasses that are refused at another step than preflight and say so in their own {@code message}.
   *
   * @param message the whole message
   * @param runId the run recorded as REJECTED, or null
   * @param problems the problems (at least one)
   */
  protected PreflightException(String message, String runId, List<PreflightProblem> problems) {
    super(message, location(problems, null));
    this.problems = List.copyOf(problems);
    this.datasetReport = null;
    this.runId = runId;
  }

  /** Every problem the provider found. */
  public List<PreflightProblem> problems() {
    return problems;
  }

  /** The dataset's report, when the dataset has errors too. */
  public Optional<DatasetReport> datasetReport() {
    return Optional.ofNullable(datasetReport);
  }

  /** The run that was recorded as REJECTED, if one was. */
  public Optional<String> runId() {
    return Optional.ofNullable(runId);
  }

  /** Where to look first: the file of the first problem read from one, else the dataset's file when it has errors. */
  private static String location(List<PreflightProblem> problems, DatasetReport report) {
    for (PreflightProblem p : problems) {
      if (p.fileLocation().isPresent()) {
        return p.fileLocation().get();
      }
    }
    return report == null ? null : report.source();
  }

  private static String message(String runId, String provider, List<PreflightProblem> problems, DatasetReport report) {
    Objects.requireNonNull(problems, "problems");
    List<Finding> datasetErrors = report == null ? List.of() : report.findings().stream()
        .filter(f -> f.severity() == Finding.Severity.ERROR).toList();
    int n = problems.size() + datasetErrors.size();
    StringBuilder sb = new StringBuilder();
    sb.append(runId == null ? "The job" : "Run " + runId).append(" was rejected before anything was uploaded or")
        .append(" evaluated: ").append(n).append(n == 1 ? " problem" : " problems").append(" for provider ")
        .append(provider).append(". Nothing was sent. Fix ").append(n == 1 ? "it" : "them")
        .append(" and start a new run:");
    for (PreflightProblem p : problems) {
      sb.append("\n  ").append(p);
    }
    for (Finding f : datasetErrors.subList(0, Math.min(SHOWN_DATASET_ERRORS, datasetErrors.size()))) {
      sb.append("\n  ").append(report.source());
      if (f.line() > 0) {
        sb.append(':').append(f.line());
      }
      sb.append(' ').append(f.code()).append(": ").append(f.message());
    }
    if (datasetErrors.size() > SHOWN_DATASET_ERRORS) {
      sb.append("\n  … and ").append(datasetErrors.size() - SHOWN_DATASET_ERRORS)
          .append(" more dataset errors (see datasetReport())");
    }
    return sb.toString();
  }
}
