package dev.tunekit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.error.TunekitException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JudgeGraderTest {

  @Test
  void aWellFormedVerdictBecomesAGrade() {
    Grade g = JudgeGrader.parseVerdict("  {\"score\": 0.75, \"pass\": true, \"reason\": \"mostly right\"}\n", "c1");
    assertThat(g).isEqualTo(new Grade(0.75, true, "mostly right"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "The answer is good. {\"score\":1,\"pass\":true,\"reason\":\"ok\"}",
      "```json\n{\"score\":1,\"pass\":true,\"reason\":\"ok\"}\n```",
      "{\"score\":1,\"pass\":true,\"reason\":\"ok\"} thanks",
      "{\"score\":1,\"pass\":true}",
      "{\"score\":1,\"pass\":true,\"reason\":\"ok\",\"confidence\":0.9}",
      "{\"score\":\"0.9\",\"pass\":true,\"reason\":\"ok\"}",
      "{\"score\":1.2,\"pass\":true,\"reason\":\"ok\"}",
      "{\"score\":-0.1,\"pass\":false,\"reason\":\"ok\"}",
      "{\"score\":1,\"pass\":\"yes\",\"reason\":\"ok\"}",
      "{\"score\":1,\"pass\":true,\"reason\":42}",
      "{\"score\":1,\"score\":0,\"pass\":true,\"reason\":\"dup\"}",
      "[{\"score\":1,\"pass\":true,\"reason\":\"ok\"}]",
      "PASS",
      ""
  })
  void anythingElseIsAnErrorNeverAGuess(String verdict) {
    assertThatThrownBy(() -> JudgeGrader.parseVerdict(verdict, "c9"))
        .isInstanceOf(TunekitException.class)
        .hasMessageContaining("verdict for case 'c9' is unreadable");
  }

  @Test
  void theErrorNamesTheMissingKey() {
    assertThatThrownBy(() -> JudgeGrader.parseVerdict("{\"score\":1,\"pass\":true}", "c1"))
        .hasMessageContaining("missing [reason]");
  }

  @Test
  void theJudgeSeesRubricInputReferenceAndCandidate() {
    List<ChatRequest> seen = new ArrayList<>();
    Grader judge = Graders.llmJudge(req -> {
      seen.add(req);
      return new ChatResponse("judge-1", "{\"score\":0.2,\"pass\":false,\"reason\":\"wrong city\"}", "stop", 10, 5);
    }, "judge-1", "The answer names the right capital.");
    Grade g = judge.grade(EvalCase.of("cap", "Capital of France?", "Paris"), "Lyon");
    assertThat(g).isEqualTo(new Grade(0.2, false, "wrong city"));
    assertThat(judge.name()).isEqualTo("judge");
    ChatRequest r = seen.get(0);
    assertThat(r.model()).isEqualTo("judge-1");
    assertThat(r.temperature()).contains(0.0);
    assertThat(r.messages().get(0).role()).isEqualTo("system");
    assertThat(r.messages().get(0).content()).contains("\"score\"");
    String user = r.messages().get(1).content();
    assertThat(user).contains("The answer names the right capital.").contains("Capital of France?")
        .contains("## Reference answer\nParis").contains("## Candidate answer\nLyon");
  }

  @Test
  void anUnreadableVerdictMakesTheCaseAnErrorInARun() {
    Grader judge = Graders.llmJudge(req -> new ChatResponse("j", "Looks fine to me!", "stop", 1, 1), "j", "be nice");
    EvalSuite suite = EvalSuite.of("s", EvalCase.of("a", "hi", "hello")).withGrader(judge);
    CaseResult r = EvalRunner.grade(suite, suite.cases().get(0), "hello", java.time.Duration.ZERO, false);
    assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(r.error()).get().asString().contains("unreadable");
  }
}
