package dev.tunekit.together;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.aMultipart;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.TrainingMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import dev.tunekit.testing.Leaks;
import dev.tunekit.testing.SharedServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What goes on the wire (bodies, headers, the multipart upload) and how Together's answers are translated. */
class TogetherApiTest {
  @RegisterExtension
  static final SharedServer<TogetherFakes> SERVER = new SharedServer<>(TogetherFakes::new, f -> f.wm.resetAll());
  TogetherFakes fakes;
  @TempDir Path dir;

  @BeforeEach
  void reset() {
    fakes = SERVER.get();
  }

  private static JobRequest.Builder request() {
    return JobRequest.builder().runId("run-1").idempotencyKey("run-1/submit").baseModel("meta-llama/Meta-Llama-3.1-8B-Instruct")
        .method(TrainingMethod.SUPERVISED).trainingFileId("file-1").hyperparameters(Hyperparameters.defaults());
  }

  @Test
  void create_sendsTheDocumentedFields_withTheKeysTagInTheSuffix() {
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes")).willReturn(okJson(TogetherFakes.job("ft-1", "pending", "x", ""))));
    try (TogetherProvider p = fakes.provider(dir)) {
      var job = p.createJob(request().validationFileId("file-2").suffix("bot").hyperparameters(Hyperparameters.builder()
          .epochs(3).batchSize(16).seed(7).extra("learningRate", 2e-5).extra("loraR", 16).extra("nEvals", 4).build()).build());
      assertThat(job.id()).isEqualTo("ft-1");
      assertThat(job.status()).isEqualTo(new JobStatus.Queued("pending"));
      assertThat(job.metadata()).containsEntry(JobRequest.IDEMPOTENCY_METADATA_KEY, "run-1/submit");
    }
    String tag = Names.keyTag("run-1/submit");
    fakes.wm.verify(postRequestedFor(urlPathEqualTo("/v1/fine-tunes"))
        .withHeader("Authorization", equalTo("Bearer " + TogetherFakes.KEY))
        .withRequestBody(equalToJson("{\"model\":\"meta-llama/Meta-Llama-3.1-8B-Instruct-Reference\",\"training_file\":"
            + "\"file-1\",\"validation_file\":\"file-2\",\"suffix\":\"bot-" + tag + "\",\"n_epochs\":3,\"batch_size\":16,"
            + "\"random_seed\":7,\"learning_rate\":2.0E-5,\"n_evals\":4,\"training_method\":{\"method\":\"sft\","
            + "\"train_on_inputs\":\"auto\"},\"training_type\":{\"type\":\"Lora\",\"lora_r\":16,\"lora_alpha\":32}}")));
    assertThat(("bot-" + tag).length()).isLessThanOrEqualTo(Names.MAX_SUFFIX);
  }

  @Test
  void create_dpoAndFullTraining() {
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes")).willReturn(okJson(TogetherFakes.job("ft-2", "queued", "x", ""))));
    try (TogetherProvider p = fakes.provider(dir)) {
      p.createJob(request().method(TrainingMethod.DPO).hyperparameters(Hyperparameters.builder()
          .extra("trainingType", "full").build()).build());
    }
    fakes.wm.verify(postRequestedFor(urlPathEqualTo("/v1/fine-tunes")).withRequestBody(equalToJson(
        "{\"training_method\":{\"method\":\"dpo\"},\"training_type\":{\"type\":\"Full\"}}", true, true)));
  }

  @Test
  void upload_isMultipart_withPurposeFineTune_andTheFileName() throws Exception {
    Path f = Files.writeString(dir.resolve("train.jsonl"), "{\"messages\":[]}\n");
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/files/upload")).willReturn(okJson(TogetherFakes.file("file-9", "tk-ab12.jsonl", 16))));
    FileUpload upload = FileUpload.builder().path(f).fileName("tk-ab12.jsonl").sha256("ab12" + "0".repeat(60)).sizeBytes(16)
        .format(DatasetFormat.neutral(DatasetKind.CHAT)).role(FileUpload.Role.TRAINING).build();
    try (TogetherProvider p = fakes.provider(dir)) {
      assertThat(p.upload(upload).id()).isEqualTo("file-9");
    }
    fakes.wm.verify(postRequestedFor(urlPathEqualTo("/v1/files/upload"))
        .withHeader("Content-Type", containing("multipart/form-data; boundary="))
        .withRequestBodyPart(aMultipart().withName("purpose").withBody(equalTo("fine-tune")).build())
        .withRequestBodyPart(aMultipart().withName("file_name").withBody(equalTo("tk-ab12.jsonl")).build())
        .withRequestBodyPart(aMultipart().withName("file").withBody(equalTo("{\"messages\":[]}\n")).build()));
  }

  @Test
  void errors_sayWhatHappened_andWhetherToRetry_neverTheKey() {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes/ft-401")).willReturn(aResponse().withStatus(401)
        .withHeader("Content-Type", "application/json").withBody(TogetherFakes.error("invalid_api_key", "Invalid API key"))));
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes/ft-404")).willReturn(aResponse().withStatus(404)
        .withBody(TogetherFakes.error("not_found", "Fine-tune job not found"))));
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes/ft-429")).willReturn(aResponse().withStatus(429)
        .withHeader("Retry-After", "7").withBody(TogetherFakes.error("rate_limit", "slow down"))));
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes")).willReturn(aResponse().withStatus(400)
        .withBody(TogetherFakes.error("invalid_request_error", "n_epochs must be at most 20"))));
    try (TogetherProvider p = fakes.provider(dir)) {
      assertThatThrownBy(() -> p.job("ft-401")).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("HTTP 401").hasMessageContaining("Invalid API key").hasMessageContaining("TOGETHER_API_KEY")
          .hasMessageNotContaining(TogetherFakes.KEY);
      assertThatThrownBy(() -> p.job("ft-404")).isInstanceOf(NotFoundException.class).hasMessageContaining("not found");
      assertThatThrownBy(() -> p.job("ft-429")).isInstanceOfSatisfying(RateLimitedException.class, e -> {
        assertThat(e.retryable()).isTrue();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
      });
      assertThatThrownBy(() -> p.createJob(request().build())).isInstanceOfSatisfying(ProviderException.class, e -> {
        assertThat(e.retryable()).isFalse();
        assertThat(e.outcomeUnknown()).isFalse();
        assertThat(e.getMessage()).contains("POST /fine-tunes", "HTTP 400", "n_epochs must be at most 20");
      });
      assertThat(p.toString()).doesNotContain(TogetherFakes.KEY);
    }
  }

  @Test
  void aRefusedConnection_wasNeverSent() {
    TogetherFakes dead = new TogetherFakes();
    var settings = dead.settings();
    dead.close();
    try (TogetherProvider p = new TogetherProvider(TogetherConfig.from(dev.tunekit.spi.ProviderSettings.of("together",
        "t", dir, settings)))) {
      assertThatThrownBy(() -> p.createJob(request().build())).isInstanceOfSatisfying(ProviderException.class, e -> {
        assertThat(e.retryable()).isTrue();
        assertThat(e.outcomeUnknown()).as("a refused connection sent nothing").isFalse();
      });
    }
  }

  @Test
  void chat_goesToTheOpenAiCompatibleEndpoint() {
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/chat/completions")).willReturn(okJson(
        TogetherFakes.chat(TogetherFakes.OUTPUT_MODEL, "Open Settings."))));
    try (TogetherProvider p = fakes.provider(dir)) {
      var r = p.chat(ChatRequest.of(TogetherFakes.OUTPUT_MODEL, List.of(ChatMessage.user("How?"))));
      assertThat(r.content()).isEqualTo("Open Settings.");
      assertThat(r.finishReason()).isEqualTo("stop");
      assertThat(r.inputTokens()).isEqualTo(12);
    }
    fakes.wm.verify(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
        .withHeader("Authorization", equalTo("Bearer " + TogetherFakes.KEY))
        .withRequestBody(equalToJson("{\"model\":\"" + TogetherFakes.OUTPUT_MODEL + "\"}", true, true)));
  }

  @Test
  void aMissingKey_failsTheCall_beforeAnythingIsSent() {
    try (TogetherProvider p = new TogetherProvider(TogetherConfig.from(dev.tunekit.spi.ProviderSettings.of("together",
        "tunekit.yaml", dir, java.util.Map.of("baseUrl", "http://127.0.0.1:" + fakes.wm.port() + "/v1"))))) {
      assertThatThrownBy(() -> p.job("ft-1")).hasMessageContaining("apiKey").hasMessageContaining("TOGETHER_API_KEY");
    }
    assertThat(fakes.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void aKeyEchoedBackByTogether_appearsInNoMessage_controlPlaneAndChat() {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes/echo")).willReturn(aResponse().withStatus(401)
        .withHeader("Content-Type", "application/json")
        .withBody(TogetherFakes.error("invalid_request_error", "Invalid API key provided: " + TogetherFakes.KEY))));
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)
        .withHeader("Content-Type", "application/json")
        .withBody(TogetherFakes.error("server_error", "server error for key " + TogetherFakes.KEY))));
    try (TogetherProvider p = fakes.provider(dir)) {
      Throwable control = org.assertj.core.api.Assertions.catchThrowable(() -> p.job("echo"));
      assertThat(control).isInstanceOf(AuthenticationException.class).hasMessageContaining("Invalid API key");
      assertThat(Leaks.visibleText(control)).doesNotContain(TogetherFakes.KEY);
      Throwable chat = org.assertj.core.api.Assertions.catchThrowable(() -> p.chat(ChatRequest.of(TogetherFakes.BASE_MODEL,
          List.of(ChatMessage.user("How?")))));
      assertThat(chat).isInstanceOf(ProviderException.class).hasMessageContaining("server error for key");
      assertThat(Leaks.visibleText(chat)).doesNotContain(TogetherFakes.KEY);
    }
  }
}
