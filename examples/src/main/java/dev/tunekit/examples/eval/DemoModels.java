package dev.tunekit.examples.eval;

import dev.tunekit.ChatMessage;
import dev.tunekit.ChatModel;
import dev.tunekit.ChatResponse;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
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
}
