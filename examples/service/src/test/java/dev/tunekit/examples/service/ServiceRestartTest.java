package dev.tunekit.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a client sees it: over HTTP on a random port, on the local provider. A run is started, the
 * application context is closed while the job trains (a restart), a new context on the same ledger and work
 * directory resumes it, and the run finishes exactly once: one job at the local server, one move to TRAINED, one
 * gate decision.
 */
class ServiceRestartTest {
  @TempDir Path dir;

  @Test
  void aRunStartedOverHttpSurvivesARestartAndFinishesExactlyOnce() throws Exception {
    String id;
    try (ServiceHarness svc = new ServiceHarness(dir, "100ms")) {
      id = svc.startRun(1);
      JsonNode training = svc.awaitRun(id, Duration.ofSeconds(20), r -> r.path("metrics").size() >= 3);
      assertThat(training.path("state").asText()).isEqualTo("SUBMITTED");
      assertThat(training.path("provider").asText()).isEqualTo("local");
      assertThat(training.path("baseline").path("total").asInt()).isEqualTo(60);
      assertThat(training.path("gateRequired").asDouble()).isEqualTo(0.05);
      assertThat(training.path("progress").path("totalSteps").asLong()).isPositive();
      assertThat(training.has("reportUrl")).isFalse();
      HttpResponse<String> early = svc.get("/api/runs/" + id + "/report");
      assertThat(early.statusCode()).isEqualTo(409);
      assertThat(ServiceHarness.json(early).path("error").path("fix").asText()).contains("reportUrl");
    } // the context closes mid-training: the restart
    assertThat(state(id)).isEqualTo("SUBMITTED");

    try (ServiceHarness svc = new ServiceHarness(dir, "5ms")) {
      // The gate's result is recorded a moment before the run's state moves: wait for the state.
      JsonNode done = svc.awaitRun(id, Duration.ofSeconds(60), r -> r.has("gate")
          && java.util.Set.of("GATE_PASSED", "GATE_BLOCKED").contains(r.path("state").asText()));
      assertThat(done.path("state").asText()).isIn("GATE_PASSED", "GATE_BLOCKED");
      assertThat(done.path("tunedModel").asText()).startsWith("ft:local-base:tunekit:service:");
      assertThat(done.path("baseline").path("total").asInt()).isEqualTo(60);
      assertThat(done.path("tuned").path("total").asInt()).isEqualTo(60);
      assertThat(done.path("tuned").path("passed").asInt()).isGreaterThan(done.path("baseline").path("passed").asInt());
      assertThat(done.path("metrics").size()).isPositive();
      assertThat(done.path("metrics").findValues("validLoss")).isNotEmpty();
      HttpResponse<String> report = svc.get(done.path("reportUrl").asText());
      assertThat(report.statusCode()).isEqualTo(200);
      assertThat(report.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
      assertThat(report.body()).contains(id).contains("<html");
      JsonNode list = ServiceHarness.json(svc.get("/api/runs"));
      assertThat(list.size()).isEqualTo(1);
      assertThat(list.get(0).path("id").asText()).isEqualTo(id);
      assertThat(list.get(0).path("provider").asText()).isEqualTo("local");
      assertThat(list.get(0).path("state").asText()).isEqualTo(done.path("state").asText());
    }

    try (Stream<Path> jobs = Files.list(dir.resolve("work/local-server/jobs"))) {
      assertThat(jobs.filter(p -> p.toString().endsWith(".json")).count()).as("jobs at the local server").isEqualTo(1);
    }
    Map<String, Integer> moves = moves(id);
    assertThat(moves.get("SUBMITTED")).as("moves to SUBMITTED: %s", moves).isEqualTo(1);
    assertThat(moves.get("TRAINED")).as("moves to TRAINED: %s", moves).isEqualTo(1);
    assertThat(moves.getOrDefault("GATE_PASSED", 0) + moves.getOrDefault("GATE_BLOCKED", 0))
        .as("gate decisions: %s", moves).isEqualTo(1);
  }

  private String state(String id) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("work/ledger.db"));
         PreparedStatement s = c.prepareStatement("SELECT state FROM runs WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }

  private Map<String, Integer> moves(String id) throws Exception {
    Map<String, Integer> out = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("work/ledger.db"));
         PreparedStatement s = c.prepareStatement(
             "SELECT to_state, COUNT(*) FROM run_transitions WHERE run_id = ? GROUP BY to_state")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return out;
  }
}
