package dev.tunekit.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A promptfoo test's assertions graded together: the score is the weighted mean of their scores; with a
 * test {@code threshold} the case passes when that score reaches it, without one when every assertion
 * passes (promptfoo's rule). Named {@code weighted}. Made by {@link Promptfoo} only.
 */
final class WeightedGrader {
  record Part(Grader grader, double weight) {}

  /** The spec of one part: the part's own spec and its weight. */
  record PartSpec(GraderSpec spec, double weight) {}

  private WeightedGrader() {}

  static Grader of(List<Part> parts, Double threshold) {
    List<Part> all = List.copyOf(parts);
    Map<String, Object> params = new LinkedHashMap<>();
    if (threshold != null) {
      params.put("threshold", threshold);
    }
    params.put("of", all.stream().map(p -> new PartSpec(GraderSpec.of(p.grader()).orElseThrow(), p.weight())).toList());
    return DeclaredGrader.of(new GraderSpec("weighted", params), (c, out) -> {
      double sum = 0;
      double weights = 0;
      boolean allPass = true;
      List<String> reasons = new ArrayList<>();
      for (Part p : all) {
        Grade g = p.grader().grade(c, out);
        sum += p.weight() * g.score();
        weights += p.weight();
        allPass &= g.passed();
        reasons.add(p.grader().name() + (g.passed() ? " passed" : " failed") + ": " + g.reason());
      }
      double score = weights == 0 ? 1.0 : sum / weights;
      boolean pass = threshold == null ? allPass : score >= threshold;
      String summary = String.format(java.util.Locale.ROOT, "weighted score %.2f", score)
          + (threshold == null ? "" : String.format(java.util.Locale.ROOT, " (threshold %.2f)", threshold));
      return new Grade(Math.max(0, Math.min(1, score)), pass, summary + "; " + String.join("; ", reasons));
    });
  }
}
