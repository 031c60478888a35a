package dev.tunekit.openai;

import static dev.tunekit.openai.OpenAiWireMock.BASE_MODEL;
import static dev.tunekit.openai.OpenAiWireMock.T0;
import static dev.tunekit.openai.OpenAiWireMock.checkpoint;
import static dev.tunekit.openai.OpenAiWireMock.event;
import static dev.tunekit.openai.OpenAiWireMock.file;
import static dev.tunekit.openai.OpenAiWireMock.job;
import static dev.tunekit.openai.OpenAiWireMock.metricsEvent;
import static dev.tunekit.openai.OpenAiWireMock.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.spi.Checkpoint;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenAiLifecycleTest {
  static final String JOB = "ftjob-abc123";
  static final String KEY = "run-1:job";
  static final String CSV = "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n"
      + "1,2.5,0.40,,\n"
      + "2,1.75,0.55,1.9,0.5\n"
      + "3,1.25,0.70,,\n";

  @TempDir Path dir;
  OpenAiWireMock api;
  TuningProvider provider;

  @BeforeEach
  void start() {
    api = OpenAiWireMock.start();
    provider = api.provider();
  }

  @AfterEach
  void stop() {
    provider.close();
    api.close();
  }

  private FileUpload trainingFile() throws Exception {
    Path p = dir.resolve("train.jsonl");
    Files.writeString(p, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"yo\"}]}\n");
    return FileUpload.builder().path(p).fileName("tunekit-ab12cd34-train.jsonl").sha256("ab12cd34" + "0".repeat(56))
        .sizeBytes(Files.size(p)).format(DatasetFormat.CHAT_JSONL).role(FileUpload.Role.TRAINING).build();
  }

  static JobRequest request(TrainingMethod method) {
    return JobRequest.builder().runId("run-1").idempotencyKey(KEY).baseModel(BASE_MODEL).method(method)
        .trainingFileId("file-train").validationFileId(Optional.of("file-valid"))
        .hyperparameters(Hyperparameters.builder().epochs(3).batchSize(8).learningRateMultiplier(0.5).seed(7).build())
        .suffix(Optional.of("demo")).metadata(Map.of("team", "search")).build();
  }

  @Test
  void runsAJobFromUploadToSucceededModelWithEventsMetricsAndCheckpoints() throws Exception {
    FileUpload upload = trainingFile();
    api.stubFileUpload(file("file-train", upload.fileName(), upload.sizeBytes()));
    api.stubCreateJob(job(JOB, "validating_files", KEY));
    api.stubJobStates(JOB, List.of(
        job(JOB, "validating_files", KEY),
        job(JOB, "queued", KEY),
        with(job(JOB, "running", KEY), "trained_tokens", 1200),
        with(job(JOB, "succeeded", KEY), "fine_tuned_model", "ft:gpt-4o-mini:org::demo", "finished_at", T0 + 600,
            "result_files", List.of("file-result"), "trained_tokens", 5768)));
    api.stubEvents(JOB, List.of(
        List.of(event("ev-5", T0 + 50, "info", "Job succeeded"), event("ev-4", T0 + 40, "info", "Step 3")),
        List.of(event("ev-3", T0 + 30, "warn", "Step 2"), event("ev-2", T0 + 20, "info", "Step 1")),
        List.of(event("ev-1", T0 + 10, "info", "Created fine-tuning job"))));
    api.stubFileContent("file-result", CSV);
    api.stubCheckpoints(JOB, List.of(checkpoint("ckpt-3", JOB, 3, 1.25, 1.3), checkpoint("ckpt-2", JOB, 2, 1.75, 1.9)));

    RemoteFile uploaded = provider.upload(upload);
    assertThat(uploaded).isEqualTo(RemoteFile.builder().id("file-train").fileName(upload.fileName())
        .sizeBytes(upload.sizeBytes()).build());
    LoggedRequest filePost = api.requests("POST", "/files").get(0);
    assertThat(filePost.getBodyAsString()).contains("fine-tune").contains("filename=\"" + upload.fileName() + "\"");

    RemoteJob created = provider.createJob(request(TrainingMethod.SUPERVISED));
    assertThat(created.id()).isEqualTo(JOB);
    assertThat(created.status()).isEqualTo(new JobStatus.Validating("validating_files"));
    assertThat(created.createdAt()).contains(Instant.ofEpochSecond(T0));

    List<JobStatus> seen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      seen.add(provider.job(JOB).status());
    }
    assertThat(seen).containsExactly(
        new JobStatus.Validating("validating_files"),
        new JobStatus.Queued("queued"),
        new JobStatus.Running("running"),
        new JobStatus.Succeeded("succeeded", Optional.of("ft:gpt-4o-mini:org::demo")));
    RemoteJob done = provider.job(JOB);
    assertThat(done.status().isTerminal()).isTrue();
    assertThat(done.trainedTokens()).contains(5768L);
    assertThat(done.finishedAt()).contains(Instant.ofEpochSecond(T0 + 600));
    assertThat(done.metadata()).containsEntry(JobRequest.IDEMPOTENCY_METADATA_KEY, KEY);

    List<JobEvent> events = provider.events(JOB, java.util.Optional.empty()).items();
    assertThat(events).extracting(JobEvent::id).containsExactly("ev-1", "ev-2", "ev-3", "ev-4", "ev-5");
    assertThat(events.get(2).level()).isEqualTo("warn");
    assertThat(events.get(0).time()).isEqualTo(Instant.ofEpochSecond(T0 + 10));
    assertThat(api.requests("GET", "/fine_tuning/jobs/" + JOB + "/events"))
        .extracting(r -> r.queryParameter("after").isPresent() ? r.queryParameter("after").firstValue() : "-")
        .containsExactly("-", "ev-4", "ev-2");

    List<MetricPoint> metrics = provider.metrics(JOB, java.util.Optional.empty()).items();
    assertThat(metrics).extracting(MetricPoint::step).containsExactly(1L, 2L, 3L);
    assertThat(metrics.get(0).trainLoss()).hasValue(2.5);
    assertThat(metrics.get(0).validLoss()).isEmpty();
    assertThat(metrics.get(1).validLoss()).hasValue(1.9);
    assertThat(metrics.get(1).validAccuracy()).hasValue(0.5);
    assertThat(metrics.get(2).trainAccuracy()).hasValue(0.70);

    List<Checkpoint> checkpoints = provider.require(dev.tunekit.spi.Checkpoints.class, "list checkpoints").checkpoints(JOB);
    assertThat(checkpoints).extracting(Checkpoint::id).containsExactly("ckpt-2", "ckpt-3");
    assertThat(checkpoints.get(1).model()).endsWith("ckpt-step-3");
    assertThat(checkpoints.get(1).metrics().step()).isEqualTo(3L);
    assertThat(checkpoints.get(1).metrics().validLoss()).hasValue(1.3);
  }

  @Test
  void createSendsSupervisedMethodHyperparametersAndIdempotencyMetadata() throws Exception {
    api.stubCreateJob(job(JOB, "validating_files", KEY));

    provider.createJob(request(TrainingMethod.SUPERVISED));

    JsonNode body = new ObjectMapper().readTree(api.requests("POST", "/fine_tuning/jobs").get(0).getBodyAsString());
    assertThat(body.get("model").asText()).isEqualTo(BASE_MODEL);
    assertThat(body.get("training_file").asText()).isEqualTo("file-train");
    assertThat(body.get("validation_file").asText()).isEqualTo("file-valid");
    assertThat(body.get("suffix").asText()).isEqualTo("demo");
    assertThat(body.get("seed").asLong()).isEqualTo(7);
    assertThat(body.get("metadata").get(JobRequest.IDEMPOTENCY_METADATA_KEY).asText()).isEqualTo(KEY);
    assertThat(body.get("metadata").get("tunekit_run_id").asText()).isEqualTo("run-1");
    assertThat(body.get("metadata").get("team").asText()).isEqualTo("search");
    assertThat(body.get("method").get("type").asText()).isEqualTo("supervised");
    JsonNode hp = body.get("method").get("supervised").get("hyperparameters");
    assertThat(hp.get("n_epochs").asInt()).isEqualTo(3);
    assertThat(hp.get("batch_size").asInt()).isEqualTo(8);
    assertThat(hp.get("learning_rate_multiplier").asDouble()).isEqualTo(0.5);
  }

  @Test
  void createSendsDpoMethodWithBetaForPreferenceRuns() throws Exception {
    api.stubCreateJob(job(JOB, "validating_files", KEY));
    JobRequest dpo = JobRequest.builder().runId("run-1").idempotencyKey(KEY).baseModel(BASE_MODEL)
        .method(TrainingMethod.DPO).trainingFileId("file-train").validationFileId(Optional.empty())
        .hyperparameters(Hyperparameters.builder().epochs(2).extra("beta", 0.1).build()).suffix(Optional.empty())
        .metadata(Map.of()).build();

    provider.createJob(dpo);

    JsonNode body = new ObjectMapper().readTree(api.requests("POST", "/fine_tuning/jobs").get(0).getBodyAsString());
    assertThat(body.get("method").get("type").asText()).isEqualTo("dpo");
    JsonNode hp = body.get("method").get("dpo").get("hyperparameters");
    assertThat(hp.get("beta").asDouble()).isEqualTo(0.1);
    assertThat(hp.get("n_epochs").asInt()).isEqualTo(2);
    assertThat(body.has("validation_file")).isFalse();
    assertThat(provider.trainingFormat(BASE_MODEL, DatasetKind.PREFERENCE)).isEqualTo(DatasetFormat.PREFERENCE_JSONL);
    assertThat(provider.trainingFormat(BASE_MODEL, DatasetKind.CHAT)).isEqualTo(DatasetFormat.CHAT_JSONL);
  }

  @Test
  void eventsInTheSameSecondStayInTheOrderTheyHappened() {
    api.stubEvents(JOB, List.of(
        List.of(event("ev-c", T0 + 5, "info", "third"), event("ev-b", T0 + 5, "info", "second")),
        List.of(event("ev-a", T0 + 5, "info", "first"))));

    assertThat(provider.events(JOB, java.util.Optional.empty()).items()).extracting(JobEvent::message).containsExactly("first", "second", "third");
  }

  @Test
  void metricsOfARunningJobComeFromMetricsEvents() {
    api.stubJobStates(JOB, List.of(job(JOB, "running", KEY)));
    api.stubEvents(JOB, List.of(List.of(
        metricsEvent("ev-4", T0 + 40, 2, 1.5, 0.6),
        event("ev-3", T0 + 30, "info", "Fine-tuning started"),
        metricsEvent("ev-2", T0 + 20, 1, 2.0, 0.5),
        event("ev-1", T0 + 10, "info", "Created fine-tuning job"))));

    List<MetricPoint> metrics = provider.metrics(JOB, java.util.Optional.empty()).items();

    assertThat(metrics).extracting(MetricPoint::step).containsExactly(1L, 2L);
    assertThat(metrics.get(0).trainLoss()).hasValue(2.0);
    assertThat(metrics.get(1).trainLoss()).hasValue(1.5);
    assertThat(metrics.get(1).trainAccuracy()).hasValue(0.6);
    assertThat(api.count("GET", "/files/file-result/content")).isZero();
  }

  @Test
  void metricsDecodeABase64EncodedResultFile() {
    api.stubJobStates(JOB, List.of(with(job(JOB, "succeeded", KEY), "fine_tuned_model", "ft:x",
        "result_files", List.of("file-result"))));
    api.stubFileContent("file-result", Base64.getEncoder().encodeToString(CSV.getBytes(StandardCharsets.UTF_8)));

    List<MetricPoint> metrics = provider.metrics(JOB, java.util.Optional.empty()).items();

    assertThat(metrics).extracting(MetricPoint::step).containsExactly(1L, 2L, 3L);
    assertThat(metrics.get(1).validLoss()).hasValue(1.9);
  }

  @Test
  void cancelPauseAndResumeReturnTheNewState() {
    api.stubJobAction(JOB, "pause", job(JOB, "paused", KEY));
    api.stubJobAction(JOB, "resume", job(JOB, "running", KEY));
    api.stubJobAction(JOB, "cancel", job(JOB, "cancelled", KEY));

    assertThat(provider.require(dev.tunekit.spi.PauseResume.class, "pause").pause(JOB).status()).isEqualTo(new JobStatus.Paused("paused"));
    assertThat(provider.require(dev.tunekit.spi.PauseResume.class, "resume").resume(JOB).status()).isEqualTo(new JobStatus.Running("running"));
    RemoteJob cancelled = provider.cancel(JOB);
    assertThat(cancelled.status()).isEqualTo(new JobStatus.Cancelled("cancelled"));
    assertThat(cancelled.status().isTerminal()).isTrue();
    assertThat(api.count("POST", "/fine_tuning/jobs/" + JOB + "/pause")).isEqualTo(1);
    assertThat(api.count("POST", "/fine_tuning/jobs/" + JOB + "/resume")).isEqualTo(1);
    assertThat(api.count("POST", "/fine_tuning/jobs/" + JOB + "/cancel")).isEqualTo(1);
  }

  @Test
  void chatSendsMessagesAndReturnsTheReplyWithUsage() throws Exception {
    api.stubChat("ft:gpt-4o-mini:org::demo", "Paris");
    ChatRequest request = new ChatRequest("ft:gpt-4o-mini:org::demo",
        List.of(ChatMessage.system("Answer briefly."), ChatMessage.user("Capital of France?")),
        Optional.of(0.0), Optional.of(16), Optional.of(11L));

    ChatResponse response = provider.require(dev.tunekit.spi.Chat.class, "chat").chat(request);

    assertThat(response).isEqualTo(new ChatResponse("ft:gpt-4o-mini:org::demo", "Paris", "stop", 12, 3));
    JsonNode body = new ObjectMapper().readTree(api.requests("POST", "/chat/completions").get(0).getBodyAsString());
    assertThat(body.get("messages")).hasSize(2);
    assertThat(body.get("messages").get(0).get("role").asText()).isEqualTo("system");
    assertThat(body.get("messages").get(1).get("content").asText()).isEqualTo("Capital of France?");
    assertThat(body.get("temperature").asDouble()).isEqualTo(0.0);
    assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(16);
    assertThat(body.get("seed").asLong()).isEqualTo(11);
  }

  @Test
  void openAiHasNoDeploymentStepAndDeclaresExactlyItsCapabilities() {
    // No Deployments capability: the core then serves the tuned model as it is (Deployment.immediate).
    assertThat(provider.capability(dev.tunekit.spi.Deployments.class)).isEmpty();
    assertThat(provider.capability(dev.tunekit.spi.Chat.class)).isPresent();
    assertThat(provider.capability(dev.tunekit.spi.PauseResume.class)).isPresent();
    assertThat(provider.capability(dev.tunekit.spi.Checkpoints.class)).isPresent();
    assertThat(provider.capability(dev.tunekit.spi.WebhookVerification.class)).isPresent();
  }
}
