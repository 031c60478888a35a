package dev.tunekit.examples.eval;

import dev.tunekit.model.ChatModel;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.EvalRunner;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import java.net.URL;
import java.nio.file.Path;

/**
 * A shop chat assistant whose replies mix prose with widget blocks a front end renders
 * ({@link WidgetFormat}). The training set ({@code widget-chat-train.jsonl}, 12 chat examples) teaches
 * the format; the eval suite ({@code widget-chat-eval.yaml}) checks it with {@link WidgetFormatGrader},
 * on the prompt-engineered baseline and on the tuned model.
 *
 * <p>Run: {@code java dev.tunekit.examples.eval.WidgetChatEval [output-dir]}. Offline it uses
 * {@link DemoModels} stand-ins; with a provider, pass its chat models to {@link #evaluate}.
 */
public final class WidgetChatEval {
  /** The system prompt of the baseline and of every training example. */
  public static final String SYSTEM_PROMPT = "You are Shopbot, the assistant in the Acme shop app. Reply in plain "
      + "prose mixed with widget blocks the app renders: a block opens with a line ':::widget card', ':::widget "
      + "buttons' or ':::widget table' and closes with a line ':::'; its body is one JSON object. Start with "
      + "prose, use at most 3 widgets, put buttons last, never use Markdown headings or code fences.";

  private WidgetChatEval() {}

  /** The training data: chat examples in the OpenAI fine-tuning JSONL format. */
  public static URL trainingData() {
    return WidgetChatEval.class.getResource("widget-chat-train.jsonl");
  }

  /** The suite (bundled with the examples), graded by {@link WidgetFormatGrader}. */
  public static EvalSuite suite() {
    return EvalSuite.load(WidgetChatEval.class.getResource("widget-chat-eval.yaml"))
        .withGrader(new WidgetFormatGrader());
  }

  /** Runs the suite against the baseline (base model + system prompt) and the tuned model. */
  public static EvalComparison evaluate(ChatModel base, String baseModelId, ChatModel tuned, String tunedModelId,
      EvalRunner runner) {
    EvalTarget baseline = EvalTarget.of("baseline", base, baseModelId).withSystemPrompt(SYSTEM_PROMPT);
    EvalTarget tunedTarget = EvalTarget.of("tuned", tuned, tunedModelId).withSystemPrompt(SYSTEM_PROMPT);
    return runner.compare(suite(), baseline, tunedTarget);
  }

  /** Runs the example with stand-in models and writes eval.html and eval.json to the output directory. */
  public static void main(String[] args) {
    Path out = Path.of(args.length > 0 ? args[0] : "target/eval-examples/widget-chat");
    EvalSuite suite = suite();
    // Stand-ins: the baseline makes the mistakes base models make with this format (a Markdown heading,
    // a code fence around the JSON); the tuned model writes the reference reply.
    ChatModel base = DemoModels.scripted(suite, (c, expected) -> switch (c.id()) {
      case "order-status" -> "## Order 2001\n" + expected;
      case "compare" -> expected.replace(":::widget table\n", ":::widget table\n```json\n").replace("]]}\n:::", "]]}\n```\n:::");
      case "greeting" -> expected.substring(expected.indexOf(":::widget")) + "\nHi! How can I help?";
      default -> expected;
    });
    ChatModel tuned = DemoModels.scripted(suite, (c, expected) -> expected);
    EvalComparison cmp = evaluate(base, "stand-in-base", tuned, "stand-in-tuned", EvalRunner.create());
    DemoModels.publish(cmp, out);
  }
}
