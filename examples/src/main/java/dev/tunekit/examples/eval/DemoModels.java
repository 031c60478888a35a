package dev.tunekit.examples.eval;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.GateResult;
import dev.tunekit.eval.EvalSuite;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Stand-in chat models for running the examples offline: each answers a case's input from the suite's
 * expected value, passed through a function that can spoil it (to play a weaker baseline). With a real
 * provider, replace them with the provider's chat model — nothing else in the example changes.
 */
final class DemoModels {
  private DemoModels() {}

  /** A model that answers each case of {@code suite} with {@code answer(case, expected)}. */
  static ChatModel scripted(EvalSuite suite, BiFunction<EvalCase, String, String> answer) {
    Map<String, EvalCase> byInput = new HashMap<>();
    suite.cases().forEach(c -> byInput.put(c.lastUserMessage(), c));
    return request -> {
      List<ChatMessage> ms = request.messages();
      String input = ms.get(ms.size() - 1).content();
      EvalCase c = byInput.get(input);
      String reply = c == null ? "I don't know." : answer.apply(c, c.expected().orElse(""));
      return new ChatResponse(request.model(), reply, "stop", input.length() / 4, reply.length() / 4);
    };
  }

  /**
   * Prints a stand-in comparison, writes {@code eval.html} and {@code eval.json} to {@code out}, and
   * says what the gate would decide — and that the models are stand-ins, not a result.
   */
  static void publish(EvalComparison cmp, Path out) {
    cmp.print();
    cmp.writeHtml(out.resolve("eval.html"));
    cmp.writeJson(out.resolve("eval.json"));
    GateResult gate = cmp.report("tuned").checkImprovementOver(cmp.baseline(), 0.05);
    System.out.println("NOTE: both models are scripted stand-ins built from the expected answers; this run shows"
        + " the grader, the report and the gate, not model quality. Call evaluate(...) with chat models from"
        + " Tunekit (tk.chatModel(id)) to evaluate real ones.");
    System.out.println((gate.passed() ? "gate would pass: " : "gate would block: ") + gate.gate() + " — " + gate.message());
    System.out.println("Report: " + out.resolve("eval.html").toAbsolutePath());
  }
}
