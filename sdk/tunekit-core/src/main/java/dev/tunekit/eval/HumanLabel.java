package dev.tunekit.eval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.TunekitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One pair of answers a person compared, used to {@link PairwiseJudge#calibrate calibrate} a pairwise
 * judge. A labelled set is a JSONL file, one object per line with exactly these keys ({@code expected}
 * optional):
 *
 * <pre>{@code
 * {"id":"h01","question":"…","expected":"…","baseline":"…","tuned":"…","label":"tuned"}
 * }</pre>
 *
 * @param id unique within the set
 * @param question what was asked (the user message)
 * @param expected the reference answer the person had, if any
 * @param baseline the baseline's answer
 * @param tuned the tuned model's answer
 * @param label which answer the person preferred, or {@code tie}
 */
public record HumanLabel(String id, String question, Optional<String> expected, String baseline, String tuned,
    PairwiseJudge.Preference label) {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
  private static final Set<String> KEYS = Set.of("id", "question", "expected", "baseline", "tuned", "label");

  /** Canonical constructor. */
  public HumanLabel {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(tuned, "tuned");
    Objects.requireNonNull(label, "label");
  }

  /** This pair as an eval case (one user message and the reference answer). */
  public EvalCase toCase() {
    return new EvalCase(id, List.of(dev.tunekit.model.ChatMessage.user(question)), expected, List.of(),
        java.util.Map.of());
  }

  /**
   * Reads a labelled set. Blank lines are skipped.
   *
   * @throws InvalidInputException naming {@code file:line}, what is wrong and how to fix it
   */
  public static List<HumanLabel> load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new TunekitException("cannot read the human labels " + file + ": " + e.getMessage(), e);
    }
    List<HumanLabel> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String where = file + ":" + (i + 1);
      HumanLabel label = parse(line, where);
      if (!ids.add(label.id())) {
        throw new InvalidInputException("duplicate id '" + label.id() + "'; give every labelled pair its own id", where);
      }
      out.add(label);
    }
    if (out.isEmpty()) {
      throw new InvalidInputException("no labelled pair in the file; add one JSON object per line", file.toString());
    }
    return List.copyOf(out);
  }

  static HumanLabel parse(String line, String where) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException("not a JSON object (" + Graders.jsonError(e) + ")", where);
    }
    if (node == null || !node.isObject()) {
      throw new InvalidInputException("not a JSON object; write one {\"id\":…,\"label\":…} object per line", where);
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw new InvalidInputException("unknown key '" + key + "'; the keys are id, question, expected (optional),"
            + " baseline, tuned, label", where);
      }
    }
    String label = text(node, "label", where);
    PairwiseJudge.Preference preference = switch (label) {
      case "baseline" -> PairwiseJudge.Preference.BASELINE;
      case "tuned" -> PairwiseJudge.Preference.TUNED;
      case "tie" -> PairwiseJudge.Preference.TIE;
      default -> throw new InvalidInputException("'label' must be baseline, tuned or tie, was " + Graders.quote(label),
          where);
    };
    Optional<String> expected = node.has("expected") ? Optional.of(text(node, "expected", where)) : Optional.empty();
    return new HumanLabel(text(node, "id", where), text(node, "question", where), expected,
        text(node, "baseline", where), text(node, "tuned", where), preference);
  }

  private static String text(JsonNode node, String key, String where) {
    JsonNode v = node.get(key);
    if (v == null || !v.isTextual()) {
      throw new InvalidInputException("'" + key + "' must be a string" + (v == null ? " and is missing" : ", was " + v),
          where);
    }
    return v.asText();
  }
}
