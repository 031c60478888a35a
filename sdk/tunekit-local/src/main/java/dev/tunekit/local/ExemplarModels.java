package dev.tunekit.local;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The chat models the local server serves: the untuned base model and exemplar-tuned models. */
final class ExemplarModels {
  /** The id of the untuned base model. */
  static final String BASE_MODEL = "local-base";

  private static final Pattern FEW_SHOT = Pattern.compile(
      "(?im)^[ \\t]*(?:Q|Question|User|Input)[ \\t]*:[ \\t]*(.+?)[ \\t]*\\R[ \\t]*(?:A|Answer|Assistant|Output|SQL)[ \\t]*:[ \\t]*(.+?)[ \\t]*$");

  static final String NO_EXAMPLES = "I am local-base, an untuned local model. I answer only by analogy with worked "
      + "examples in the prompt (Q:/A: lines in the system message, or earlier user/assistant turns), and this "
      + "prompt has none that match.";

  private ExemplarModels() {}

  /** The question a request asks: its last user message. */
  static String question(List<ChatMessage> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role().equals("user")) {
        return messages.get(i).content();
      }
    }
    return "";
  }

  /** Worked examples in a prompt: Q:/A: line pairs in system messages and earlier user → assistant turns. */
  static List<Exemplar> fewShot(List<ChatMessage> messages) {
    List<Exemplar> out = new ArrayList<>();
    int lastUser = -1;
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role().equals("user")) {
        lastUser = i;
        break;
      }
    }
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage m = messages.get(i);
      if (m.role().equals("system") || m.role().equals("developer")) {
        Matcher matcher = FEW_SHOT.matcher(m.content());
        while (matcher.find()) {
          out.add(new Exemplar(matcher.group(1), matcher.group(2)));
        }
      } else if (m.role().equals("user") && i != lastUser && i + 1 < messages.size()
          && messages.get(i + 1).role().equals("assistant")) {
        out.add(new Exemplar(m.content(), messages.get(i + 1).content()));
      }
    }
    return out;
  }

  /** The untuned base model: answers by analogy with the prompt's own few-shot examples, if any. */
  static ChatModel base() {
    return request -> {
      List<Exemplar> shots = fewShot(request.messages());
      String answer = shots.isEmpty() ? null : new ExemplarIndex(shots).answer(question(request.messages()));
      return new ChatResponse(BASE_MODEL, answer == null ? NO_EXAMPLES : answer, "stop", -1, -1);
    };
  }

  /** A tuned model: its training examples (plus any few-shot examples in the prompt) answer by analogy. */
  static ChatModel tuned(String modelId, List<Exemplar> trained) {
    ExemplarIndex index = new ExemplarIndex(trained);
    return new ChatModel() {
      @Override
      public synchronized ChatResponse chat(ChatRequest request) {
        List<Exemplar> shots = fewShot(request.messages());
        ExemplarIndex use = index;
        if (!shots.isEmpty()) {
          List<Exemplar> all = new ArrayList<>(trained);
          all.addAll(shots);
          use = new ExemplarIndex(all);
        }
        String answer = use.answer(question(request.messages()));
        return new ChatResponse(modelId, answer == null ? "I don't know." : answer, "stop", -1, -1);
      }
    };
  }
}
