package dev.tunekit.eval;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.ChatMessage;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One evaluation case: the conversation sent to the model, what a good answer looks like, and tags
 * used to slice the report.
 *
 * @param id unique within its suite
 * @param messages the input conversation (usually one user message); a target adds its own system
 *     prompt and few-shot examples in front
 * @param expected the expected output, or a reference answer for a judge; empty when the graders
 *     need none (valid JSON, a schema, a custom predicate)
 * @param tags labels for per-tag pass rates, such as {@code filter} or {@code edge-case}
 * @param metadata free-form string values that custom graders may read
 */
public record EvalCase(
    String id,
    List<ChatMessage> messages,
    Optional<String> expected,
    List<String> tags,
    Map<String, String> metadata) {

  /** Canonical constructor: copies the collections and rejects blanks. */
  public EvalCase {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new InvalidInputException("an eval case id must not be blank");
    }
    messages = List.copyOf(messages);
    if (messages.isEmpty()) {
      throw new InvalidInputException("eval case '" + id + "' has no input messages");
    }
    Objects.requireNonNull(expected, "expected");
    tags = List.copyOf(tags);
    metadata = Map.copyOf(metadata);
  }

  /** A case with one user message and an expected output. */
  public static EvalCase of(String id, String userMessage, String expected, String... tags) {
    return new EvalCase(id, List.of(ChatMessage.user(userMessage)), Optional.ofNullable(expected),
        List.of(tags), Map.of());
  }

  /** The expected output, or an exception naming the case and the grader that needed it. */
  public String requireExpected(String grader) {
    return expected.orElseThrow(() -> new InvalidInputException(
        "case '" + id + "' has no 'expected' value, which grader '" + grader
            + "' needs; add one to the suite"));
  }

  /** The text of the last user message, handy in custom graders. */
  public String lastUserMessage() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role().equals("user")) {
        return messages.get(i).content();
      }
    }
    return "";
  }
}
