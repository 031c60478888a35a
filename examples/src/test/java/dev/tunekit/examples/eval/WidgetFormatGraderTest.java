package dev.tunekit.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.EvalRunner;
import dev.tunekit.eval.Grade;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WidgetFormatGraderTest {
  private static final String CARD = ":::widget card\n{\"title\": \"Order 1\", \"fields\": [{\"label\": \"Status\", \"value\": \"shipped\"}]}\n:::";
  private static final String BUTTONS = ":::widget buttons\n{\"buttons\": [{\"label\": \"Track\", \"action\": \"track:1\"}]}\n:::";
  private final WidgetFormatGrader grader = new WidgetFormatGrader();

  private Grade grade(String output) {
    return grader.grade(EvalCase.of("c", "q", null), output);
  }

  @Test
  void proseWithValidWidgetsPasses() {
    Grade g = grade("Your order shipped.\n" + CARD + "\nAnything else?\n" + BUTTONS);
    assertThat(g.passed()).as(g.reason()).isTrue();
    assertThat(g.reason()).isEqualTo("2 widget(s), format valid");
  }

  @Test
  void proseOnlyPasses() {
    assertThat(grade("Refunds take five days.").passed()).isTrue();
  }

  @Test
  void aReplyStartingWithAWidgetFails() {
    Grade g = grade(CARD + "\nthere");
    assertThat(g.passed()).isFalse();
    assertThat(g.reason()).contains("must start with prose");
  }

  @Test
  void buttonsMustComeLast() {
    assertThat(grade("Hi.\n" + BUTTONS + "\n" + CARD).reason()).contains("buttons must be the last widget");
  }

  @Test
  void anUnclosedBlockIsAStructureError() {
    assertThat(grade("Hi.\n:::widget card\n{\"title\":\"x\"}").reason()).contains("never closed");
  }

  @Test
  void aBodyThatBreaksItsSchemaFailsWithTheLine() {
    Grade g = grade("Hi.\n:::widget buttons\n{\"buttons\": [{\"label\": \"Go\", \"action\": \"Not An Action\"}]}\n:::");
    assertThat(g.passed()).isFalse();
    assertThat(g.reason()).startsWith("line 2 (buttons): 1 schema violation(s)");
    assertThat(g.score()).isEqualTo(0.75);
  }

  @Test
  void aCodeFenceInsideABlockIsNotJson() {
    assertThat(grade("Hi.\n:::widget card\n```json\n{\"title\":\"x\"}\n```\n:::").reason()).contains("not valid JSON");
  }

  @Test
  void markdownHeadingsAndUnknownTypesFail() {
    assertThat(grade("# Title\nHi.").reason()).contains("prose must be plain text");
    assertThat(grade("Hi.\n:::widget map\n{}\n:::").reason()).contains("unknown widget type 'map'");
  }

  @Test
  void raggedTablesFail() {
    Grade g = grade("Here.\n:::widget table\n{\"columns\": [\"a\", \"b\"], \"rows\": [[1, 2], [3]]}\n:::");
    assertThat(g.reason()).contains("row 2 has 1 cells for 2 columns");
  }

  @Test
  void widgetTypesMustMatchTheReference() {
    EvalCase c = EvalCase.of("c", "q", "Hi.\n" + CARD + "\n" + BUTTONS);
    Grade g = grader.grade(c, "Hi.\n" + CARD);
    assertThat(g.passed()).isFalse();
    assertThat(g.reason()).isEqualTo("widgets [card] instead of [card, buttons]");
  }

  @Test
  void everyTrainingReplyAndEveryReferenceFollowsTheFormat() throws IOException {
    ObjectMapper json = new ObjectMapper();
    int lines = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(WidgetChatEval.trainingData().openStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines++;
        JsonNode messages = json.readTree(line).get("messages");
        assertThat(messages.get(0).get("content").asText()).isEqualTo(WidgetChatEval.SYSTEM_PROMPT);
        String reply = messages.get(messages.size() - 1).get("content").asText();
        Grade g = grade(reply);
        assertThat(g.passed()).as("training line %d: %s", lines, g.reason()).isTrue();
      }
    }
    assertThat(lines).isGreaterThanOrEqualTo(10);
    WidgetChatEval.suite().cases().forEach(c -> {
      Grade g = grader.grade(c, c.expected().orElseThrow());
      assertThat(g.passed()).as("reference of %s: %s", c.id(), g.reason()).isTrue();
    });
  }

  @Test
  void theExampleRunsAgainstLambdaModels() {
    EvalComparison cmp = WidgetChatEval.evaluate(r -> new dev.tunekit.model.ChatResponse("m", "## Hello", "stop", 1, 1),
        "base", DemoModels.scripted(WidgetChatEval.suite(), (c, expected) -> expected), "tuned", EvalRunner.create());
    assertThat(cmp.baseline().passRate().passed()).isZero();
    assertThat(cmp.report("tuned").passRate().rate()).isEqualTo(1.0);
    assertThat(cmp.flips()).hasSize(WidgetChatEval.suite().size());
    assertThat(List.of(cmp.toHtml())).allMatch(h -> h.contains("widget-format"));
  }
}
