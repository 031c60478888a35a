package dev.tunekit.vertex;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.tunekit.testing.SharedServer;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Vertex provider against WireMock speaking the documented tuningJobs and generateContent shapes. */
class VertexControlPlaneTest {
  @RegisterExtension
  static final SharedServer<VertexFakes> SERVER = new SharedServer<>(VertexFakes::new, f -> f.wm.resetAll());
  VertexFakes fakes;
  @TempDir Path dir;

  @BeforeEach
  void reset() {
    fakes = SERVER.get();
  }

  static JobRequest request(String key) {
    return JobRequest.builder().runId("run-ABC_1").idempotencyKey(key).baseModel("gemini-2.5-flash-001")
        .method(TrainingMethod.SUPERVISED).trainingFileId("gs://" + VertexFakes.BUCKET + "/runs/aa.jsonl")
        .validationFileId("gs://" + VertexFakes.BUCKET + "/runs/bb.jsonl")
        .hyperparameters(Hyperparameters.builder().epochs(3).learningRateMultiplier(0.5).extra("adapterSize", 4).build())
        .suffix("orders dsl").build();
  }

  @Test
  void createJob_sendsTheDocumentedFieldsWithTheKeyLabel() {
    String label = Names.keyLabel("run-ABC_1/submit");
    fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.JOBS)).willReturn(okJson(VertexFakes.job("1", "JOB_STATE_PENDING", ""))));
    try (VertexProvider p = fakes.provider(dir)) {
      RemoteJob job = p.createJob(request("run-ABC_1/submit"));
      assertThat(job.id()).isEqualTo(VertexFakes.JOB_PREFIX + "1");
      assertThat(job.status()).isEqualTo(new JobStatus.Queued("JOB_STATE_PENDING"));
      assertThat(job.metadata()).containsEntry(JobRequest.IDEMPOTENCY_METADATA_KEY, "run-ABC_1/submit");
    }
    fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(VertexFakes.JOBS))
        .withHeader("Authorization", equalTo("Bearer test-token"))
        .withRequestBody(equalToJson("{\"baseModel\":\"gemini-2.5-flash\",\"supervisedTuningSpec\":{"
            + "\"trainingDatasetUri\":\"gs://tunekit-test-bucket/runs/aa.jsonl\","
            + "\"validationDatasetUri\":\"gs://tunekit-test-bucket/runs/bb.jsonl\","
            + "\"hyperParameters\":{\"epochCount\":3,\"learningRateMultiplier\":0.5,\"adapterSize\":\"ADAPTER_SIZE_FOUR\"}},"
            + "\"tunedModelDisplayName\":\"tunekit-orders-dsl\","
            + "\"labels\":{\"tunekit-run\":\"run-abc_1\",\"tunekit-key\":\"" + label + "\"}}", true, true)));
    assertThat(label).matches("[a-z0-9_-]{1,63}");
  }

  @Test
  void findJob_listsByTheKeyLabel_andChecksTheLabelItself() {
    String label = Names.keyLabel("k1");
    fakes.wm.stubFor(get(urlPathEqualTo(VertexFakes.JOBS)).willReturn(okJson("{\"tuningJobs\":["
        + VertexFakes.job("other", "JOB_STATE_RUNNING", "").replace("\"tunekit-key\":\"x\"", "\"tunekit-key\":\"kzzz\"") + ","
        + VertexFakes.job("mine", "JOB_STATE_RUNNING", "").replace("\"tunekit-key\":\"x\"", "\"tunekit-key\":\"" + label + "\"")
        + "]}")));
    try (VertexProvider p = fakes.provider(dir)) {
      Optional<RemoteJob> found = p.findJob("k1");
      assertThat(found).map(RemoteJob::id).contains(VertexFakes.JOB_PREFIX + "mine");
      assertThat(p.findJob("never-used")).isEmpty();
    }
    fakes.wm.verify(getRequestedFor(urlPathEqualTo(VertexFakes.JOBS))
        .withQueryParam("filter", equalTo("labels.tunekit-key=" + label)));
  }

  @Test
  void everyJobState_mapsToItsNeutralKind_andUnknownOnesAreKept() {
    Map<String, Class<? extends JobStatus>> table = new java.util.LinkedHashMap<>();
    table.put("JOB_STATE_QUEUED", JobStatus.Queued.class);
    table.put("JOB_STATE_PENDING", JobStatus.Queued.class);
    table.put("JOB_STATE_RUNNING", JobStatus.Running.class);
    table.put("JOB_STATE_UPDATING", JobStatus.Running.class);
    table.put("JOB_STATE_PAUSED", JobStatus.Paused.class);
    table.put("JOB_STATE_FAILED", JobStatus.Failed.class);
    table.put("JOB_STATE_EXPIRED", JobStatus.Failed.class);
    table.put("JOB_STATE_CANCELLING", JobStatus.Running.class); // best effort: it may still succeed
    table.put("JOB_STATE_CANCELLED", JobStatus.Cancelled.class);
    table.put("JOB_STATE_PARTIALLY_SUCCEEDED", JobStatus.Failed.class);
    table.put("JOB_STATE_UNSPECIFIED", JobStatus.Unknown.class);
    table.put("JOB_STATE_RETICULATING", JobStatus.Unknown.class);
    try (VertexProvider p = fakes.provider(dir)) {
      for (Map.Entry<String, Class<? extends JobStatus>> e : table.entrySet()) {
        String id = e.getKey().toLowerCase();
        fakes.wm.stubFor(get(urlPathEqualTo("/v1/" + VertexFakes.JOB_PREFIX + id))
            .willReturn(okJson(VertexFakes.job(id, e.getKey(), ""))));
        JobStatus s = p.job(VertexFakes.JOB_PREFIX + id).status();
        assertThat(s).as(e.getKey()).isInstanceOf(e.getValue());
        assertThat(s.raw()).isEqualTo(e.getKey());
      }
      fakes.wm.stubFor(get(urlPathEqualTo("/v1/" + VertexFakes.JOB_PREFIX + "ok"))
          .willReturn(okJson(VertexFakes.succeeded("ok"))));
      RemoteJob ok = p.job(VertexFakes.JOB_PREFIX + "ok");
      assertThat(ok.status()).isEqualTo(new JobStatus.Succeeded("JOB_STATE_SUCCEEDED", Optional.of(VertexFakes.ENDPOINT)));
      assertThat(ok.metadata()).containsEntry("tunedModel", VertexFakes.MODEL);
      fakes.wm.stubFor(get(urlPathEqualTo("/v1/" + VertexFakes.JOB_PREFIX + "bad")).willReturn(okJson(VertexFakes.job("bad",
          "JOB_STATE_FAILED", ",\"error\":{\"code\":3,\"message\":\"Dataset line 7 is not valid JSON\"}"))));
      assertThat(p.job(VertexFakes.JOB_PREFIX + "bad").status())
          .isEqualTo(new JobStatus.Failed("JOB_STATE_FAILED", "Dataset line 7 is not valid JSON", Optional.of("3")));
    }
  }

  @Test
  void aPoll_readsTheJobOnce_forItsStatusEventsAndMetrics() {
    String id = VertexFakes.JOB_PREFIX + "poll-once";
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/" + id)).willReturn(okJson(VertexFakes.succeeded("poll-once"))));
    try (VertexProvider p = fakes.provider(dir)) {
      dev.tunekit.spi.JobProgress poll = p.progress(id, Optional.empty(), Optional.empty());
      assertThat(poll.job().status()).isInstanceOf(JobStatus.Succeeded.class);
      assertThat(poll.events().items()).isNotEmpty();
      dev.tunekit.spi.JobProgress next = p.progress(id, poll.events().next(), poll.metrics().next());
      assertThat(next.events().items()).isEmpty(); // nothing delivered twice
    }
    fakes.wm.verify(2, getRequestedFor(urlPathEqualTo("/v1/" + id)));
  }

  @Test
  void chat_onTheBaseModelAndOnTheTunedEndpoint_goThroughGenerateContent() {
    fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.PARENT + "/publishers/google/models/gemini-2.5-flash:generateContent"))
        .willReturn(okJson(VertexFakes.generateContent("base answer"))));
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/" + VertexFakes.ENDPOINT + ":generateContent"))
        .willReturn(okJson(VertexFakes.generateContent("tuned answer"))));
    List<ChatMessage> messages = List.of(ChatMessage.system("Reply with a query."), ChatMessage.user("all orders"));
    try (VertexProvider p = fakes.provider(dir)) {
      ChatResponse base = p.chat(ChatRequest.of("gemini-2.5-flash", messages));
      ChatResponse tuned = p.chat(ChatRequest.of(VertexFakes.ENDPOINT, messages));
      assertThat(base.content()).isEqualTo("base answer");
      assertThat(tuned.content()).isEqualTo("tuned answer");
      assertThat(tuned.finishReason()).isEqualTo("stop");
      assertThat(tuned.inputTokens()).isEqualTo(12);
      assertThat(tuned.outputTokens()).isEqualTo(3);
    }
    fakes.wm.verify(postRequestedFor(urlPathEqualTo("/v1/" + VertexFakes.ENDPOINT + ":generateContent"))
        .withRequestBody(equalToJson("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"all orders\"}]}],"
            + "\"systemInstruction\":{\"parts\":[{\"text\":\"Reply with a query.\"}]}}", true, true)));
  }

  @Test
  void cancel_runningJobIsCancelled_finishedJobIsReturnedUntouched() {
    String running = VertexFakes.JOB_PREFIX + "r";
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/" + running)).inScenario("c").whenScenarioStateIs("Started")
        .willReturn(okJson(VertexFakes.job("r", "JOB_STATE_RUNNING", ""))));
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/" + running + ":cancel")).inScenario("c").willSetStateTo("cancelled")
        .willReturn(okJson("{}")));
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/" + running)).inScenario("c").whenScenarioStateIs("cancelled")
        .willReturn(okJson(VertexFakes.job("r", "JOB_STATE_CANCELLING", ""))));
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/" + VertexFakes.JOB_PREFIX + "ok")).willReturn(okJson(VertexFakes.succeeded("ok"))));
    try (VertexProvider p = fakes.provider(dir)) {
      // Accepted, not done: Vertex cancels on a best-effort basis, so the job is still running until CANCELLED.
      assertThat(p.cancel(running).status()).isEqualTo(new JobStatus.Running("JOB_STATE_CANCELLING"));
      assertThat(p.cancel(VertexFakes.JOB_PREFIX + "ok").status()).isInstanceOf(JobStatus.Succeeded.class);
    }
    fakes.wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/" + running + ":cancel")));
    fakes.wm.verify(0, postRequestedFor(urlPathEqualTo("/v1/" + VertexFakes.JOB_PREFIX + "ok:cancel")));
  }

  @Test
  void errors_sayWhetherToRetryAndWhetherACreateMayHaveHappened() {
    try (VertexProvider p = fakes.provider(dir)) {
      fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.JOBS)).willReturn(aResponse().withStatus(429)
          .withHeader("Content-Type", "application/json")
          .withBody("{\"error\":{\"code\":429,\"message\":\"Quota exceeded\",\"status\":\"RESOURCE_EXHAUSTED\"}}")));
      assertThatThrownBy(() -> p.createJob(request("e1"))).isInstanceOf(RateLimitedException.class)
          .hasMessageContaining("Quota exceeded");
      fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.JOBS)).willReturn(aResponse().withStatus(400)
          .withHeader("Content-Type", "application/json")
          .withBody("{\"error\":{\"code\":400,\"message\":\"epochCount must be positive\",\"status\":\"INVALID_ARGUMENT\"}}")));
      assertThatThrownBy(() -> p.createJob(request("e2"))).isInstanceOfSatisfying(ProviderException.class, e -> {
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("HTTP 400", "epochCount must be positive");
      });
      fakes.wm.stubFor(post(urlPathEqualTo(VertexFakes.JOBS)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
      assertThatThrownBy(() -> p.createJob(request("e3"))).isInstanceOfSatisfying(ProviderException.class, e -> {
        assertThat(e.retryable()).isTrue();
        assertThat(e.outcomeUnknown()).isTrue();
      });
    }
  }

  @Test
  void noApplicationDefaultCredentials_isOneLineNamingHowToSetThem_andNothingIsSent() {
    VertexProvider p = new VertexProvider(VertexConfig.from(ProviderSettings.of("vertex", "t", dir, fakes.settings())),
        () -> {
          throw new IOException("Your default credentials were not found. To set up Application Default Credentials,"
              + " see https://cloud.google.com/docs/authentication/external/set-up-adc for more information.");
        }, fakes.storage);
    try (p) {
      assertThatThrownBy(() -> p.createJob(request("c1"))).isInstanceOfSatisfying(AuthenticationException.class, e -> {
        assertThat(e.getMessage()).doesNotContain("\n").contains("GOOGLE_APPLICATION_CREDENTIALS",
            "gcloud auth application-default login", "nothing was sent");
      });
    }
    assertThat(fakes.wm.getAllServeEvents()).isEmpty();
  }
}
