package dev.tunekit.openai;

import dev.tunekit.model.MetricPoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Parses the result file of a finished OpenAI fine-tuning job: a CSV with a header such as
 * {@code step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy} (validation columns
 * empty on most steps). Some deployments serve it base64-encoded; that is detected and decoded.
 */
final class ResultFile {
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/=\\r\\n]+");

  private ResultFile() {}

  /** The metric points, one per step, in step order. Rows without a step are skipped. */
  static List<MetricPoint> parse(byte[] content) {
    String text = decode(content);
    String[] lines = text.split("\\r?\\n");
    int i = 0;
    while (i < lines.length && lines[i].isBlank()) {
      i++;
    }
    if (i >= lines.length) {
      return List.of();
    }
    String[] header = lines[i].split(",", -1);
    int step = -1;
    int trainLoss = -1;
    int trainAcc = -1;
    int validLoss = -1;
    int validAcc = -1;
    for (int c = 0; c < header.length; c++) {
      String h = header[c].trim().toLowerCase(Locale.ROOT).replace("\uFEFF", "");
      switch (h) {
        case "step": step = c; break;
        case "train_loss": trainLoss = c; break;
        case "train_accuracy":
        case "train_mean_token_accuracy": trainAcc = trainAcc < 0 ? c : trainAcc; break;
        case "valid_loss": validLoss = c; break;
        case "valid_mean_token_accuracy":
        case "valid_accuracy": validAcc = validAcc < 0 ? c : validAcc; break;
        default: break;
      }
    }
    if (step < 0) {
      return List.of();
    }
    TreeMap<Long, MetricPoint> byStep = new TreeMap<>();
    for (int r = i + 1; r < lines.length; r++) {
      if (lines[r].isBlank()) {
        continue;
      }
      String[] cells = lines[r].split(",", -1);
      OptionalDouble s = cell(cells, step);
      if (s.isEmpty()) {
        continue;
      }
      long st = (long) s.getAsDouble();
      byStep.put(st, new MetricPoint(st, cell(cells, trainLoss), cell(cells, validLoss), cell(cells, trainAcc),
          cell(cells, validAcc)));
    }
    return new ArrayList<>(byStep.values());
  }

  /** The text of the file, base64-decoded when it is base64 rather than CSV. */
  static String decode(byte[] content) {
    String text = new String(content, StandardCharsets.UTF_8).trim();
    if (!text.contains(",") && !text.isEmpty() && BASE64.matcher(text).matches()) {
      try {
        return new String(Base64.getMimeDecoder().decode(text), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException notBase64) {
        return text;
      }
    }
    return text;
  }

  private static OptionalDouble cell(String[] cells, int index) {
    if (index < 0 || index >= cells.length) {
      return OptionalDouble.empty();
    }
    String v = cells[index].trim();
    if (v.isEmpty()) {
      return OptionalDouble.empty();
    }
    try {
      double d = Double.parseDouble(v);
      return Double.isNaN(d) ? OptionalDouble.empty() : OptionalDouble.of(d);
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }
}
