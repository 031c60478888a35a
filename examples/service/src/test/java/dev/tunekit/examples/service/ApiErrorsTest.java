package dev.tunekit.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad requests get a JSON error saying what is wrong, where and how to fix it: never a stack trace. */
class ApiErrorsTest {
  @TempDir static Path dir;
  static ServiceHarness svc;

  @BeforeAll
  static void boot() {
    svc = new ServiceHarness(dir, "50ms");
  }

  @AfterAll
  static void stop() {
    svc.close();
  }

  private static JsonNode error(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(r.body()).doesNotContain("at dev.").doesNotContain("at org.").doesNotContain("Exception:")
        .doesNotContain("\"trace\"");
    JsonNode e = ServiceHarness.json(r).path("error");
    assertThat(e.path("what").asText()).isNotBlank();
    assertThat(e.path("where").asText()).isNotBlank();
    assertThat(e.path("fix").asText()).isNotBlank();
    return e;
  }

  @Test
  void anUnknownFieldIsNamedWithItsLineAndColumnAndTheKnownFields() throws Exception {
    JsonNode e = error(svc.post("/api/runs", "{\n  \"epochs\": 1,\n  \"gat\": 0.05\n}"), 400);
    assertThat(e.path("what").asText()).isEqualTo("unknown field 'gat'");
    assertThat(e.path("where").asText()).isEqualTo("request body, line 3, column 3");
    assertThat(e.path("fix").asText()).contains("gate").contains("trainingData");
  }

  @Test
  void malformedJsonAndAWrongTypeSayWhere() throws Exception {
    JsonNode bad = error(svc.post("/api/runs", "{\"gate\": }"), 400);
    assertThat(bad.path("what").asText()).startsWith("the request body is not valid JSON");
    assertThat(bad.path("where").asText()).startsWith("request body, line 1, column");
    JsonNode type = error(svc.post("/api/runs", "{\"epochs\": \"two\"}"), 400);
    assertThat(type.path("what").asText()).contains("'epochs'").contains("two");
    assertThat(type.path("where").asText()).isEqualTo("request body, field 'epochs', line 1, column 12");
    JsonNode notObject = error(svc.post("/api/runs", "[1, 2]"), 400);
    assertThat(notObject.path("what").asText()).isEqualTo("the request body is not a JSON object");
  }

  @Test
  void outOfRangeValuesAndMissingFilesNameTheirField() throws Exception {
    JsonNode gate = error(svc.post("/api/runs", "{\"gate\": 7}"), 400);
    assertThat(gate.path("where").asText()).isEqualTo("request body: field 'gate'");
    assertThat(gate.path("fix").asText()).contains("[-1, 1]");
    JsonNode epochs = error(svc.post("/api/runs", "{\"epochs\": 0}"), 400);
    assertThat(epochs.path("where").asText()).isEqualTo("request body: field 'epochs'");
    JsonNode file = error(svc.post("/api/runs", "{\"trainingData\": \"/no/such/train.jsonl\"}"), 400);
    assertThat(file.path("what").asText()).isEqualTo("no such file: /no/such/train.jsonl");
    assertThat(file.path("where").asText()).isEqualTo("request body: field 'trainingData'");
  }

  @Test
  void aDatasetWithABadLineIsRefusedNamingFileAndLine() throws Exception {
    Path train = dir.resolve("bad-train.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      sb.append(i == 3 ? "{\"messages\": [not json\n" : "{\"messages\":[{\"role\":\"user\",\"content\":\"q" + i
          + "\"},{\"role\":\"assistant\",\"content\":\"a" + i + "\"}]}\n");
    }
    Files.writeString(train, sb);
    JsonNode e = error(svc.post("/api/runs", "{\"trainingData\": \"" + train + "\"}"), 422);
    assertThat(e.path("where").asText()).contains("bad-train.jsonl:3");
    assertThat(e.path("findings").get(0).path("line").asLong()).isEqualTo(3);
    assertThat(e.path("what").asText()).contains("REJECTED");
  }

  @Test
  void anUnknownRunAReportNotYetThereAndAWrongMethodAreJsonToo() throws Exception {
    JsonNode run = error(svc.get("/api/runs/run-nope"), 404);
    assertThat(run.path("fix").asText()).contains("GET /api/runs");
    error(svc.get("/api/nothing-here"), 404);
    error(svc.post("/api/runs/run-nope", "{}"), 405);
  }

  @Test
  void cancelStopsATrainingRunAndASecondCancelIsAClearConflict() throws Exception {
    String id = svc.startRun(3);
    HttpResponse<String> cancel = svc.post("/api/runs/" + id + "/cancel", "");
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
    JsonNode run = svc.awaitRun(id, java.time.Duration.ofSeconds(15), r -> r.path("state").asText().equals("CANCELLED"));
    assertThat(run.path("terminal").asBoolean()).isTrue();
    assertThat(run.has("gate")).isFalse();
    JsonNode again = error(svc.post("/api/runs/" + id + "/cancel", ""), 409);
    assertThat(again.path("what").asText()).contains("already over: CANCELLED");
    error(svc.get("/api/runs/" + id + "/report"), 409);
  }

  @Test
  void theStartersWebhookEndpointIsThereAndAnswersJson() throws Exception {
    // The local provider signs no webhooks, so the starter's endpoint says so (404 "ignored"); with OpenAI and a
    // webhookSecret the same endpoint verifies deliveries and moves runs (see the starter's WebhookEndpointTest).
    HttpResponse<String> r = svc.post("/tunekit/webhooks", "{}");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("\"status\"").doesNotContain("at dev.");
  }
}
