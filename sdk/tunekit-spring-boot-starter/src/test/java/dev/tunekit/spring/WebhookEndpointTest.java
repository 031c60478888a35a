package dev.tunekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.Run;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.model.JobStatus;
import dev.tunekit.testing.FakeProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The auto-registered webhook endpoint and the health endpoint, over HTTP on a random loopback port. */
@SpringBootTest(classes = WebhookEndpointTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"server.address=127.0.0.1", "management.endpoint.health.show-details=always",
        "management.endpoints.web.exposure.include=health,metrics,env"})
class WebhookEndpointTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);
  private static final String API_KEY = "sk-webhook-test-secret-91";
  private static final FakeProvider FAKE = FakeProvider.register("boot-webhooks", new FakeProvider());
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("tunekit-boot");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @SpringBootApplication
  static class App {}

  @DynamicPropertySource
  static void tunekit(DynamicPropertyRegistry r) {
    r.add("tunekit.provider", () -> "fake");
    r.add("tunekit.providers.fake.apiKey", () -> API_KEY);
    r.add("tunekit.providers.fake.instance", () -> "boot-webhooks");
    r.add("tunekit.providers.fake.webhookSecret", () -> SECRET);
    r.add("tunekit.workDir", () -> DIR.resolve("work").toString());
    r.add("tunekit.ledger", () -> DIR.resolve("ledger.db").toString());
  }

  @AfterAll
  static void unregister() {
    FakeProvider.unregister("boot-webhooks");
  }

  @LocalServerPort int port;
  @Autowired Tunekit tk;
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> post(String id, long ts, String signature, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tunekit/webhooks"))
        .header("webhook-id", id).header("webhook-timestamp", Long.toString(ts)).header("webhook-signature", signature)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] event(String type, String jobId) {
    return ("{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"" + type + "\",\"created_at\":1719168000,"
        + "\"data\":{\"id\":\"" + jobId + "\"}}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aSignedDeliveryUpdatesItsRunAndABadlySignedOneIs400WithoutEcho() throws Exception {
    Path train = DIR.resolve("train.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      sb.append("{\"messages\":[{\"role\":\"user\",\"content\":\"q").append(i)
          .append("\"},{\"role\":\"assistant\",\"content\":\"a").append(i).append("\"}]}\n");
    }
    Files.writeString(train, sb);
    FAKE.script(new JobStatus.Running("running"),
        new JobStatus.Succeeded("succeeded", Optional.of("ft:m:fake:ftjob-1")));
    Run run = tk.fineTune().model("m").trainingData(train).start();
    String jobId = run.info().jobId().orElseThrow();
    FAKE.job(jobId); // the provider's first answer: running; the next says succeeded
    long now = java.time.Instant.now().getEpochSecond();
    byte[] body = event("fine_tuning.job.succeeded", jobId);

    HttpResponse<String> bad = post("wh_bad", now, FakeProvider.sign("another-key-another-key-another!".getBytes(
        StandardCharsets.UTF_8), "wh_bad", now, body), body);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).isEqualTo("{\"status\":\"rejected\"}").doesNotContain(jobId).doesNotContain("evt_1");
    assertThat(run.state()).isEqualTo(RunState.SUBMITTED);

    HttpResponse<String> good = post("wh_good", now, FakeProvider.sign(KEY, "wh_good", now, body), body);
    assertThat(good.statusCode()).isEqualTo(200);
    assertThat(good.body()).contains("\"status\":\"accepted\"").contains(run.id()).contains("TRAINED");
    assertThat(run.state()).isEqualTo(RunState.TRAINED);
  }

  @Test
  void aBodyOverTheLimitIs413WithoutEcho() throws Exception {
    byte[] big = new byte[TunekitWebhookController.MAX_BODY_BYTES + 1];
    java.util.Arrays.fill(big, (byte) 'x');
    long now = java.time.Instant.now().getEpochSecond();
    HttpResponse<String> r = post("wh_big", now, FakeProvider.sign(KEY, "wh_big", now, big), big);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).isEqualTo("{\"status\":\"rejected\"}");
  }

  @Test
  void healthAndEnvOverHttpNameTheProviderButNeverTheKey() throws Exception {
    HttpResponse<String> health = get("/actuator/health/tunekit");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"provider\":\"fake\"").contains("\"circuitBreaker\":\"CLOSED\"")
        .doesNotContain(API_KEY);
    assertThat(get("/actuator/env").body()).doesNotContain(API_KEY).doesNotContain(SECRET);
    assertThat(get("/actuator/metrics/tunekit.runs").body()).contains("tunekit.runs");
  }
}
