package dev.tunekit.local;

import static dev.tunekit.local.Fixtures.awaitTerminal;
import static dev.tunekit.local.Fixtures.createJob;
import static dev.tunekit.local.Fixtures.upload;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.finetuning.jobs.FineTuningJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the shipped quickstart data, the tuned model answers held-out questions (different wording,
 * some unseen entities) measurably better than the prompt-engineered base model.
 */
class HeldOutAccuracyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  record Case(String system, String question, String expected) {}

  static List<Case> heldOut() throws Exception {
    List<Case> cases = new ArrayList<>();
    for (String line : Files.readAllLines(Fixtures.HELDOUT)) {
      JsonNode m = JSON.readTree(line).path("messages");
      cases.add(new Case(m.get(0).path("content").asText(), m.get(1).path("content").asText(), m.get(2).path("content").asText()));
    }
    return cases;
  }

  static double accuracy(OpenAIClient c, String model, String systemOverride, List<Case> cases) {
    int right = 0;
    for (Case k : cases) {
      String answer = c.chat().completions().create(ChatCompletionCreateParams.builder().model(model)
          .addSystemMessage(systemOverride != null ? systemOverride : k.system()).addUserMessage(k.question()).build())
          .choices().get(0).message().content().orElse("");
      if (Exemplar.sameAnswer(answer, k.expected())) {
        right++;
      }
    }
    return right / (double) cases.size();
  }

  @Test
  void tunedModelBeatsTheFewShotBaseModelOnHeldOutQuestionsByAWideMargin() throws Exception {
    List<Case> cases = heldOut();
    assertThat(cases).hasSize(60);
    try (LocalServer server = LocalServer.builder().dataDir(dir).stepDelay(Duration.ZERO).start()) {
      OpenAIClient c = Fixtures.client(server);
      FineTuningJob job = awaitTerminal(c, createJob(c, upload(c, Fixtures.TRAIN), upload(c, Fixtures.VALIDATION), null).id());
      String tuned = job.fineTunedModel().orElseThrow();

      double baseZeroShot = accuracy(c, "local-base", null, cases);
      double baseFewShot = accuracy(c, "local-base", Files.readString(Fixtures.BASELINE_PROMPT), cases);
      double tunedAccuracy = accuracy(c, tuned, null, cases);
      System.out.printf("held-out exact match: base zero-shot %.3f, base few-shot %.3f, tuned %.3f%n",
          baseZeroShot, baseFewShot, tunedAccuracy);

      assertThat(baseZeroShot).isZero();
      assertThat(baseFewShot).as("the few-shot baseline is meaningful").isGreaterThan(0.05);
      assertThat(tunedAccuracy).as("tuned accuracy").isGreaterThanOrEqualTo(0.6);
      assertThat(tunedAccuracy - baseFewShot).as("margin over the few-shot baseline").isGreaterThanOrEqualTo(0.4);
      c.close();
    }
  }
}
