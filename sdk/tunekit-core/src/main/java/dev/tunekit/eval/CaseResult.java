package dev.tunekit.eval;

import dev.tunekit.model.ChatMessage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One case run against one target: the input, what was expected, what came back, and each grader's
 * verdict.
 *
 * @param id the case id
 * @param tags the case's tags
 * @param messages the case's input messages (without the target's preamble)
 * @param expected the expected output or reference, if the case has one
 * @param output the model's reply; empty when the call failed
 * @param outcome {@link Outcome#PASS} when every grader passed, {@link Outcome#FAIL} when one failed,
 *     else {@link Outcome#ERROR} (the call failed or timed out, or a grader could not decide)
 * @param grades one result per grader, in suite order; empty when the call failed
 * @param error what went wrong, for an error
 * @param latency how long the call took (zero for a cache hit)
 * @param cached whether the output came from the completion cache
 */
public record CaseResult(
    String id,
    List<String> tags,
    List<ChatMessage> messages,
    Optional<String> expected,
    Optional<String> output,
    Outcome outcome,
    List<GraderResult> grades,
    Optional<String> error,
    Duration latency,
    boolean cached) {

  /** Canonical constructor. */
  public CaseResult {
    Objects.requireNonNull(id, "id");
    tags = List.copyOf(tags);
    messages = List.copyOf(messages);
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(outcome, "outcome");
    grades = List.copyOf(grades);
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(latency, "latency");
  }

  /** Whether every grader passed. */
  public boolean passed() {
    return outcome == Outcome.PASS;
  }

  /** This case's result from the grader named {@code grader}, if it ran. */
  public Optional<GraderResult> grade(String grader) {
    return grades.stream().filter(g -> g.grader().equals(grader)).findFirst();
  }
}
