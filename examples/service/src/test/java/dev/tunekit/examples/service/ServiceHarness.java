package dev.tunekit.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Boots the service on a random loopback port over a given directory, and talks to it as a client would. */
final class ServiceHarness implements AutoCloseable {
  static final Path DATA = Path.of("../data/nl2query").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();

  final ConfigurableApplicationContext context;
  final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A service whose ledger, local server data and saved requests all live under {@code dir} (so a new one resumes). */
  ServiceHarness(Path dir, String stepDelay) {
    // Command-line arguments: they win over application.yml, as they would for an operator.
    context = new SpringApplicationBuilder(ServiceApplication.class).run(
        "--server.port=0", "--spring.main.banner-mode=off",
        "--tunekit.workDir=" + dir.resolve("work"),
        "--tunekit.providers.local.stepDelay=" + stepDelay,
        "--tunekit.polling.initialInterval=200ms", "--tunekit.polling.maxInterval=500ms",
        "--service.dataDir=" + DATA, "--service.stateDir=" + dir.resolve("state"));
    base = "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  /** Starts a run on the bundled data with {@code epochs}; returns its id. */
  String startRun(int epochs) throws Exception {
    HttpResponse<String> r = post("/api/runs", "{\"epochs\": " + epochs + ", \"gate\": 0.05}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode run = json(r);
    // Answered once recorded and checked; the baseline (60 questions), upload and submission go on in the background.
    assertThat(run.path("state").asText()).isIn("VALIDATED", "BASELINE_EVALUATED", "UPLOADED", "SUBMITTED");
    String id = run.path("id").asText();
    awaitRun(id, Duration.ofSeconds(30), v -> !java.util.Set.of("VALIDATED", "BASELINE_EVALUATED", "UPLOADED")
        .contains(v.path("state").asText()));
    return id;
  }

  /** Polls {@code GET /api/runs/{id}} until {@code done} holds; fails after {@code timeout}. */
  JsonNode awaitRun(String id, Duration timeout, Predicate<JsonNode> done) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < end) {
      HttpResponse<String> r = get("/api/runs/" + id);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      last = json(r);
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("run " + id + " did not get there in " + timeout + "; last seen: " + last);
  }

  @Override
  public void close() {
    context.close();
  }
}
