package dev.tunekit.local;

import static dev.tunekit.local.Fixtures.awaitJob;
import static dev.tunekit.local.Fixtures.awaitTerminal;
import static dev.tunekit.local.Fixtures.createJob;
import static dev.tunekit.local.Fixtures.upload;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.JobCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local server under a demanding client: latency, the training slot, spec-typed validation, the token. */
class ServerHardeningTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static LocalServer server;
  static OpenAIClient client;
  static HttpClient http;

  @BeforeAll
  static void start() {
    server = LocalServer.builder().dataDir(dir.resolve("data")).stepDelay(Duration.ZERO).start();
    client = Fixtures.client(server);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .header("Authorization", "Bearer " + server.token().reveal()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Asserts a 400 in OpenAI's error shape naming the parameter. */
  static JsonNode assertInvalid(HttpResponse<String> r, String param) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode e = JSON.readTree(r.body()).path("error");
    assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(e.path("message").asText()).isNotBlank();
    if (param != null) {
      assertThat(e.path("param").asText()).isEqualTo(param);
    }
    return e;
  }

  static String chat(String model, String messages, String extra) {
    return "{\"model\":\"" + model + "\",\"messages\":" + messages + extra + "}";
  }

  // ---- 10: no Nagle delay on kept-alive connections

  /**
   * Jetty's connector sets TCP_NODELAY on every accepted socket; this reads the option back from the
   * server's side of the open, kept-alive connection. The speed this buys (22 → 335 sequential chat
   * completions/s) is shown by {@code LocalServerChatBenchmark}, which prints it beside the peer with the
   * delay left on; a timed assertion here would be flaky on a loaded CI machine.
   */
  @Test
  void theServerSwitchesNaglesAlgorithmOffOnAcceptedConnections() throws Exception {
    String body = chat(ExemplarModels.BASE_MODEL, "[{\"role\":\"user\",\"content\":\"hello\"}]", "");
    assertThat(post("/chat/completions", body).statusCode()).isEqualTo(200);
    assertThat(server.acceptedConnectionsHaveNoDelay()).isTrue();
  }

  // ---- 11: a paused job releases the training slot

  @Test
  void aPausedJobReleasesTheTrainingSlotAndResumeRequeuesIt() throws Exception {
    try (LocalServer slow = LocalServer.builder().dataDir(dir.resolve("slot")).stepDelay(Duration.ofMillis(30)).start()) {
      OpenAIClient c = Fixtures.client(slow);
      String train = upload(c, Fixtures.TRAIN);
      String first = createJob(c, train, null, null).id();
      awaitJob(c, first, j -> j.status().asString().equals("running"), Duration.ofSeconds(30));
      assertThat(c.fineTuning().jobs().pause(first).status().asString()).isEqualTo("paused");
      String second = createJob(c, train, null, null).id();
      FineTuningJob done = awaitTerminal(c, second);
      assertThat(done.status().asString()).as("the job behind a paused one runs").isEqualTo("succeeded");
      assertThat(c.fineTuning().jobs().retrieve(first).status().asString()).isEqualTo("paused");
      assertThat(c.fineTuning().jobs().resume(first).status().asString()).isIn("queued", "running");
      assertThat(awaitTerminal(c, first).status().asString()).isEqualTo("succeeded");
      c.close();
    }
  }

  // ---- 12: requests validated as the spec types them

  @Test
  void jobParametersOfTheWrongTypeAreRefusedNotCoerced() throws Exception {
    String train = upload(client, Fixtures.TRAIN);
    String base = "{\"model\":\"local-base\",\"training_file\":\"" + train + "\"";
    assertInvalid(post("/fine_tuning/jobs", base + ",\"hyperparameters\":{\"n_epochs\":2.7}}"), "hyperparameters.n_epochs");
    assertInvalid(post("/fine_tuning/jobs", base + ",\"hyperparameters\":{\"batch_size\":\"4\"}}"), "hyperparameters.batch_size");
    assertInvalid(post("/fine_tuning/jobs", base + ",\"hyperparameters\":{\"learning_rate_multiplier\":\"abc\"}}"),
        "hyperparameters.learning_rate_multiplier");
    assertInvalid(post("/fine_tuning/jobs", base + ",\"method\":{\"type\":\"supervised\",\"supervised\":"
        + "{\"hyperparameters\":{\"n_epochs\":2.7}}}}"), "method.supervised.hyperparameters.n_epochs");
    assertInvalid(post("/fine_tuning/jobs", base + ",\"seed\":\"abc\"}"), "seed");
    assertInvalid(post("/fine_tuning/jobs", base + ",\"seed\":1.5}"), "seed");
    assertInvalid(post("/fine_tuning/jobs", base + ",\"validation_file\":12345}"), "validation_file");
    assertInvalid(post("/fine_tuning/jobs", base + ",\"suffix\":7}"), "suffix");
    assertInvalid(post("/fine_tuning/jobs", base + ",\"metadata\":[1]}"), "metadata");
    assertInvalid(post("/fine_tuning/jobs", "[1,2]"), null);
    // 'auto' and whole numbers written as such stay accepted
    HttpResponse<String> ok = post("/fine_tuning/jobs", base + ",\"hyperparameters\":{\"n_epochs\":2,"
        + "\"batch_size\":\"auto\",\"learning_rate_multiplier\":0.5},\"seed\":3}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(JSON.readTree(ok.body()).path("seed").asLong()).isEqualTo(3);
  }

  @Test
  void chatMessagesAreCheckedAsTheSpecTypesThem() throws Exception {
    String m = ExemplarModels.BASE_MODEL;
    assertInvalid(post("/chat/completions", chat(m, "[{\"role\":\"wizard\",\"content\":\"hi\"}]", "")), "messages[0].role");
    assertInvalid(post("/chat/completions", chat(m, "[{\"role\":\"user\",\"content\":{\"x\":1}}]", "")),
        "messages[0].content");
    assertInvalid(post("/chat/completions", chat(m, "[{\"role\":\"user\",\"content\":[{\"type\":\"hologram\",\"x\":1}]}]", "")),
        "messages[0].content[0].type");
    assertInvalid(post("/chat/completions", chat(m, "[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]", "")),
        "messages[0].content[0].text");
    assertInvalid(post("/chat/completions", chat(m, "[{\"role\":\"user\",\"content\":\"hi\"}]", ",\"n\":1.5")), "n");
    assertInvalid(post("/chat/completions", chat(m, "[{\"role\":\"user\",\"content\":\"hi\"}]", ",\"max_tokens\":0")),
        "max_tokens");
    assertInvalid(post("/chat/completions", chat(m, "[{\"role\":\"user\",\"content\":\"hi\"}]", ",\"max_tokens\":\"9\"")),
        "max_tokens");

    HttpResponse<String> parts = post("/chat/completions",
        chat(m, "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is 2+2?\"}]}]", ""));
    assertThat(parts.statusCode()).as(parts.body()).isEqualTo(200);
    HttpResponse<String> plain = post("/chat/completions", chat(m, "[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]", ""));
    assertThat(JSON.readTree(parts.body()).at("/choices/0/message/content"))
        .isEqualTo(JSON.readTree(plain.body()).at("/choices/0/message/content"));
  }

  @Test
  void nAndMaxTokensAreHonoured() throws Exception {
    String m = ExemplarModels.BASE_MODEL;
    String msgs = "[{\"role\":\"user\",\"content\":\"Tell me everything you know about databases.\"}]";
    JsonNode three = JSON.readTree(post("/chat/completions", chat(m, msgs, ",\"n\":3")).body());
    assertThat(three.path("choices")).hasSize(3);
    assertThat(three.at("/choices/2/index").asInt()).isEqualTo(2);
    JsonNode full = JSON.readTree(post("/chat/completions", chat(m, msgs, "")).body());
    int fullTokens = full.at("/usage/completion_tokens").asInt();
    assertThat(three.at("/usage/completion_tokens").asInt()).isEqualTo(3 * fullTokens);
    if (fullTokens > 1) {
      JsonNode cut = JSON.readTree(post("/chat/completions", chat(m, msgs, ",\"max_tokens\":1")).body());
      assertThat(cut.at("/usage/completion_tokens").asInt()).isEqualTo(1);
      assertThat(cut.at("/choices/0/finish_reason").asText()).isEqualTo("length");
      JsonNode cut2 = JSON.readTree(post("/chat/completions", chat(m, msgs, ",\"max_completion_tokens\":1")).body());
      assertThat(cut2.at("/usage/completion_tokens").asInt()).isEqualTo(1);
    }
  }

  @Test
  void errorBodiesDoNotEchoMegabytesOfInput() throws Exception {
    String huge = "x".repeat(2_000_000);
    HttpResponse<String> r = post("/uploads", "{\"filename\":\"a.jsonl\",\"purpose\":\"" + huge + "\",\"bytes\":10}");
    assertInvalid(r, "purpose");
    assertThat(r.body().length()).isLessThan(4_000);
    HttpResponse<String> model = post("/chat/completions", chat(huge, "[{\"role\":\"user\",\"content\":\"hi\"}]", ""));
    assertThat(model.statusCode()).isEqualTo(404);
    assertThat(model.body().length()).isLessThan(4_000);
  }

  @Test
  void aTrainingFileDeletedBeforeTrainingFailsTheJobAsInvalidTrainingFileWithoutAPath() throws Exception {
    try (LocalServer slow = LocalServer.builder().dataDir(dir.resolve("deleted")).stepDelay(Duration.ofMillis(30)).start()) {
      OpenAIClient c = Fixtures.client(slow);
      String blocker = createJob(c, upload(c, Fixtures.TRAIN), null, null).id();
      awaitJob(c, blocker, j -> j.status().asString().equals("running"), Duration.ofSeconds(30));
      String train = upload(c, Fixtures.TRAIN);
      String queued = createJob(c, train, null, null).id();
      awaitJob(c, queued, j -> j.status().asString().equals("queued"), Duration.ofSeconds(30));
      c.files().delete(train);
      c.fineTuning().jobs().cancel(blocker);
      FineTuningJob failed = awaitTerminal(c, queued);
      assertThat(failed.status().asString()).isEqualTo("failed");
      assertThat(failed.error().orElseThrow().code()).isEqualTo("invalid_training_file");
      assertThat(failed.error().orElseThrow().message()).contains(train).doesNotContain(dir.toString())
          .doesNotContain(".data");
      c.close();
    }
  }

  @Test
  void trainedTokensCountEveryTrainedTokenOfEveryEpoch() throws Exception {
    String train = upload(client, Fixtures.TRAIN);
    FineTuningJob job = awaitTerminal(client, client.fineTuning().jobs().create(JobCreateParams.builder()
        .model("local-base").trainingFile(train).hyperparameters(JobCreateParams.Hyperparameters.builder()
            .nEpochs(2).build()).build()).id());
    assertThat(job.status().asString()).isEqualTo("succeeded");
    Encoding enc = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    long perEpoch = 0;
    for (String line : Files.readAllLines(Fixtures.TRAIN)) {
      if (line.isBlank()) {
        continue;
      }
      perEpoch += 3; // reply priming, as OpenAI's cookbook counts a conversation
      for (JsonNode msg : JSON.readTree(line).path("messages")) {
        perEpoch += 3 + enc.countTokens(msg.path("role").asText()) + enc.countTokens(msg.path("content").asText());
      }
    }
    assertThat(job.trainedTokens()).hasValue(2 * perEpoch);
  }

  // ---- 13: the token survives a restart

  @Test
  void theTokenIsKeptOwnerOnlyInTheDataDirectoryAndSurvivesARestart() throws Exception {
    Path data = dir.resolve("restart");
    String jobId;
    int port;
    String baseUrl;
    String firstToken;
    OpenAIClient c;
    try (LocalServer first = LocalServer.builder().dataDir(data).stepDelay(Duration.ZERO).start()) {
      c = Fixtures.client(first);
      port = first.port();
      baseUrl = first.baseUrl();
      firstToken = first.token().reveal();
      jobId = awaitTerminal(c, createJob(c, upload(c, Fixtures.TRAIN), null, null).id()).id();
      Path tokenFile = data.resolve("server.token");
      assertThat(Files.readString(tokenFile).trim()).isEqualTo(first.token().reveal());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
    }
    c.close();
    try (LocalServer second = LocalServer.builder().dataDir(data).port(port).stepDelay(Duration.ZERO).start()) {
      OpenAIClient again = OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey(firstToken).build();
      // the API key and base URL of the first server keep working against the restarted one
      assertThat(again.fineTuning().jobs().retrieve(jobId).status().asString()).isEqualTo("succeeded");
      assertThat(second.token().reveal()).isEqualTo(firstToken);
      again.close();
    }
  }
}
