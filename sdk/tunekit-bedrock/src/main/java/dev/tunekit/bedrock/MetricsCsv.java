package dev.tunekit.bedrock;

import dev.tunekit.model.MetricPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Reads the metrics Bedrock writes to a job's S3 output (user guide, "Analyze the results of a model
 * customization job"): {@code training_artifacts/step_wise_training_metrics.csv} with columns
 * {@code step_number, epoch_number, training_loss, perplexity}, and
 * {@code validation_artifacts/post_fine_tuning_validation/validation_metrics.csv} with
 * {@code validation_loss} in place of {@code training_loss}. Columns are found by header name, so an
 * added or reordered column does not break parsing; rows that cannot be read are skipped.
 */
final class MetricsCsv {
  static final String TRAINING_FILE = "step_wise_training_metrics.csv";
  static final String VALIDATION_FILE = "validation_metrics.csv";

  private MetricsCsv() {}

  /** Merges training and validation CSV text (either may be empty) into points ordered by step. */
  static List<MetricPoint> merge(String trainingCsv, String validationCsv) {
    TreeMap<Long, double[]> byStep = new TreeMap<>();
    read(trainingCsv, "training_loss", byStep, 0);
    read(validationCsv, "validation_loss", byStep, 1);
    List<MetricPoint> out = new ArrayList<>(byStep.size());
    byStep.forEach((step, v) -> out.add(new MetricPoint(step, opt(v[0]), opt(v[1]), OptionalDouble.empty(),
        OptionalDouble.empty())));
    return out;
  }

  private static void read(String csv, String lossColumn, TreeMap<Long, double[]> byStep, int slot) {
    if (csv == null || csv.isBlank()) {
      return;
    }
    String[] lines = csv.replace("\uFEFF", "").split("\\r?\\n");
    String[] header = split(lines[0]);
    int stepCol = indexOf(header, "step_number", "step");
    int lossCol = indexOf(header, lossColumn, "loss");
    if (stepCol < 0 || lossCol < 0) {
      return;
    }
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String[] cells = split(lines[i]);
      if (cells.length <= Math.max(stepCol, lossCol)) {
        continue;
      }
      try {
        long step = (long) Double.parseDouble(cells[stepCol].trim());
        double loss = Double.parseDouble(cells[lossCol].trim());
        double[] v = byStep.computeIfAbsent(step, k -> new double[] {Double.NaN, Double.NaN});
        v[slot] = loss;
      } catch (NumberFormatException ignored) {
        // a partial last line while the file is being written: skip it
      }
    }
  }

  private static String[] split(String line) {
    return line.split(",", -1);
  }

  private static int indexOf(String[] header, String... names) {
    for (String n : names) {
      for (int i = 0; i < header.length; i++) {
        if (header[i].trim().replace("\"", "").toLowerCase(Locale.ROOT).equals(n)) {
          return i;
        }
      }
    }
    return -1;
  }

  private static OptionalDouble opt(double d) {
    return Double.isNaN(d) ? OptionalDouble.empty() : OptionalDouble.of(d);
  }
}
