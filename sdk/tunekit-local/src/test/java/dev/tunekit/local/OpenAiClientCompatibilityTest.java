package dev.tunekit.local;

import static dev.tunekit.local.Fixtures.awaitJob;
import static dev.tunekit.local.Fixtures.awaitTerminal;
import static dev.tunekit.local.Fixtures.createJob;
import static dev.tunekit.local.Fixtures.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.FineTuningJobEvent;
import com.openai.models.finetuning.jobs.JobListEventsParams;
import com.openai.models.finetuning.jobs.JobListParams;
import com.openai.models.finetuning.jobs.checkpoints.FineTuningJobCheckpoint;
import com.openai.models.models.Model;
import com.openai.models.uploads.Upload;
import com.openai.models.uploads.UploadCompleteParams;
import com.openai.models.uploads.UploadCreateParams;
import com.openai.models.uploads.parts.PartCreateParams;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official openai-java client, unchanged, against every endpoint of the local server. */
class OpenAiClientCompatibilityTest {
  @TempDir static Path dir;
  static LocalServer server;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    server = LocalServer.builder().dataDir(dir.resolve("data")).stepDelay(Duration.ZERO).start();
    client = Fixtures.client(server);
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void serverBindsToLoopbackOnAnEphemeralPort() {
    assertThat(server.baseUrl()).startsWith("http://127.0.0.1:").endsWith("/v1");
    assertThat(server.port()).isPositive();
  }

  @Test
  void filesCanBeUploadedListedRetrievedReadAndDeleted() throws Exception {
    FileObject created = client.files().create(com.openai.models.files.FileCreateParams.builder()
        .file(Fixtures.TRAIN).purpose(FilePurpose.FINE_TUNE).build());
    assertThat(created.id()).startsWith("file-");
    assertThat(created.bytes()).isEqualTo(Files.size(Fixtures.TRAIN));
    assertThat(created.filename()).isEqualTo("train.jsonl");
    assertThat(created.purpose().asString()).isEqualTo("fine-tune");

    assertThat(client.files().retrieve(created.id()).bytes()).isEqualTo(created.bytes());
    assertThat(client.files().list().data()).extracting(FileObject::id).contains(created.id());
    try (var response = client.files().content(created.id()); InputStream body = response.body()) {
      assertThat(body.readAllBytes()).isEqualTo(Files.readAllBytes(Fixtures.TRAIN));
    }

    assertThat(client.files().delete(created.id()).deleted()).isTrue();
    assertThatThrownBy(() -> client.files().retrieve(created.id())).isInstanceOf(NotFoundException.class);
    assertThat(client.files().list().data()).extracting(FileObject::id).doesNotContain(created.id());
  }

  @Test
  void uploadsApiAssemblesOrderedPartsIntoOneFile() throws Exception {
    byte[] all = Files.readAllBytes(Fixtures.VALIDATION);
    int half = all.length / 2;
    byte[] first = java.util.Arrays.copyOfRange(all, 0, half);
    byte[] second = java.util.Arrays.copyOfRange(all, half, all.length);
    Upload upload = client.uploads().create(UploadCreateParams.builder().filename("validation.jsonl")
        .purpose(FilePurpose.FINE_TUNE).bytes(all.length).mimeType("text/jsonl").build());
    assertThat(upload.status().asString()).isEqualTo("pending");
    // Parts are sent out of order; completion follows part_ids.
    String p2 = client.uploads().parts().create(upload.id(), PartCreateParams.builder().data(second).build()).id();
    String p1 = client.uploads().parts().create(upload.id(), PartCreateParams.builder().data(first).build()).id();
    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(all));
    Upload done = client.uploads().complete(upload.id(), UploadCompleteParams.builder().partIds(List.of(p1, p2)).md5(md5).build());

    assertThat(done.status().asString()).isEqualTo("completed");
    FileObject file = done.file().orElseThrow();
    try (var response = client.files().content(file.id()); InputStream body = response.body()) {
      assertThat(body.readAllBytes()).isEqualTo(all);
    }
  }

  @Test
  void jobTrainsToSucceededWithMetricsCheckpointsResultFileAndAServedModel() throws Exception {
    String train = upload(client, Fixtures.TRAIN);
    String validation = upload(client, Fixtures.VALIDATION);
    FineTuningJob created = createJob(client, train, validation, "full-run");
    assertThat(created.id()).startsWith("ftjob-");
    assertThat(created.status().asString()).isIn("validating_files", "queued", "running");
    assertThat(created.seed()).isEqualTo(7L);

    FineTuningJob job = awaitTerminal(client, created.id());
    assertThat(job.status().asString()).isEqualTo("succeeded");
    String model = job.fineTunedModel().orElseThrow();
    assertThat(model).startsWith("ft:local-base:tunekit:nl2sql:");
    assertThat(job.trainedTokens()).hasValueSatisfying(t -> assertThat(t).isPositive());
    assertThat(job.finishedAt()).isPresent();
    assertThat(job.metadata().orElseThrow()._allProperties()).containsEntry("tag", JsonValue.from("full-run"));

    List<FineTuningJobEvent> events = new ArrayList<>();
    client.fineTuning().jobs().listEvents(job.id(), JobListEventsParams.builder().limit(50).build())
        .autoPager().forEach(events::add);
    List<String> messages = events.stream().map(FineTuningJobEvent::message).collect(Collectors.toList());
    assertThat(messages).anyMatch(m -> m.startsWith("Validating training file"))
        .anyMatch(m -> m.startsWith("Files validated"))
        .anyMatch(m -> m.equals("Fine-tuning job started"))
        .anyMatch(m -> m.equals("The job has successfully completed"));
    assertThat(messages.get(0)).isEqualTo("The job has successfully completed"); // newest first

    List<Map<String, Object>> metrics = new ArrayList<>();
    for (int i = events.size() - 1; i >= 0; i--) {
      FineTuningJobEvent e = events.get(i);
      if (e.type().map(t -> t.asString().equals("metrics")).orElse(false)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> data = e._data().convert(Map.class);
        metrics.add(data);
      }
    }
    assertThat(metrics).hasSize(150); // 300 examples, batch 6, 3 epochs
    assertThat(metrics.get(0)).containsKeys("step", "train_loss", "train_mean_token_accuracy", "total_steps");
    double firstLoss = ((Number) metrics.get(0).get("train_loss")).doubleValue();
    double lastEpochOneLoss = average(metrics.subList(40, 50), "train_loss");
    assertThat(lastEpochOneLoss).as("training loss falls as the index grows").isLessThan(firstLoss / 2);
    List<Double> validLosses = metrics.stream().filter(m -> m.containsKey("valid_loss"))
        .map(m -> ((Number) m.get("valid_loss")).doubleValue()).collect(Collectors.toList());
    assertThat(validLosses.get(validLosses.size() - 1)).isLessThan(validLosses.get(0));

    List<FineTuningJobCheckpoint> checkpoints = client.fineTuning().jobs().checkpoints().list(job.id()).data();
    assertThat(checkpoints).extracting(FineTuningJobCheckpoint::stepNumber).containsExactly(150L, 100L, 50L);
    assertThat(checkpoints.get(0).fineTunedModelCheckpoint()).isEqualTo(model + ":ckpt-step-150");
    assertThat(checkpoints.get(2).metrics().validLoss()).isPresent();

    String resultFile = job.resultFiles().get(0);
    String csv;
    try (var response = client.files().content(resultFile); InputStream body = response.body()) {
      csv = new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> rows = csv.lines().collect(Collectors.toList());
    assertThat(rows.get(0)).isEqualTo("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy");
    assertThat(rows).hasSize(151);
    assertThat(rows.get(1)).startsWith("1,");

    assertThat(client.models().list().data()).extracting(Model::id)
        .contains("local-base", model, model + ":ckpt-step-50");
    assertThat(client.models().retrieve(model).ownedBy()).isEqualTo("user");
    ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder().model(model)
        .addUserMessage("Which customers live in Vienna?").build());
    assertThat(answer.choices().get(0).message().content()).hasValue("FIND customers WHERE city = \"Vienna\"");
    assertThat(answer.usage().orElseThrow().promptTokens()).isPositive();
    // The first checkpoint is a model too, served from the index as it was after epoch 1.
    ChatCompletion fromCheckpoint = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(model + ":ckpt-step-50").addUserMessage("Which customers live in Vienna?").build());
    assertThat(fromCheckpoint.choices().get(0).message().content()).hasValue("FIND customers WHERE city = \"Vienna\"");
  }

  /** The first {@code lines} training examples, for tests that need a job but not a good model. */
  static Path small(int lines) throws java.io.IOException {
    Path p = dir.resolve("first-" + lines + ".jsonl");
    Files.write(p, Files.readAllLines(Fixtures.TRAIN).subList(0, lines));
    return p;
  }

  private static double average(List<Map<String, Object>> rows, String key) {
    return rows.stream().mapToDouble(m -> ((Number) m.get(key)).doubleValue()).average().orElseThrow();
  }

  @Test
  void jobListFiltersByMetadataAndPaginatesWithAfterAndLimit() throws Exception {
    String train = upload(client, small(30));
    String a = createJob(client, train, null, "page-a").id();
    String b1 = createJob(client, train, null, "page-b").id();
    String b2 = createJob(client, train, null, "page-b").id();

    List<FineTuningJob> tagged = client.fineTuning().jobs().list(JobListParams.builder()
        .metadata(JobListParams.Metadata.builder().putAdditionalProperty("tag", "page-b").build()).build()).data();
    assertThat(tagged).extracting(FineTuningJob::id).containsExactly(b2, b1);

    var first = client.fineTuning().jobs().list(JobListParams.builder().limit(1L).build());
    assertThat(first.data()).extracting(FineTuningJob::id).containsExactly(b2);
    assertThat(first.hasNextPage()).isTrue();
    var second = client.fineTuning().jobs().list(JobListParams.builder().limit(2L).after(b2).build());
    assertThat(second.data()).extracting(FineTuningJob::id).containsExactly(b1, a);
    List<String> all = new ArrayList<>();
    client.fineTuning().jobs().list(JobListParams.builder().limit(1L).build()).autoPager().forEach(j -> all.add(j.id()));
    assertThat(all).containsSubsequence(b2, b1, a);
    for (String id : List.of(a, b1, b2)) {
      awaitTerminal(client, id);
    }
  }

  @Test
  void jobWithTooFewExamplesFailsWithTheTrainingFileAsParam() throws Exception {
    Path small = dir.resolve("small.jsonl");
    Files.write(small, Files.readAllLines(Fixtures.TRAIN).subList(0, 5));
    FineTuningJob job = awaitTerminal(client, createJob(client, upload(client, small), null, null).id());
    assertThat(job.status().asString()).isEqualTo("failed");
    FineTuningJob.Error error = job.error().orElseThrow();
    assertThat(error.param()).hasValue("training_file");
    assertThat(error.message()).contains("small.jsonl").contains("at least 10");
  }

  @Test
  void brokenLineFailsTheJobNamingTheLine() throws Exception {
    Path broken = dir.resolve("broken.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(Fixtures.TRAIN).subList(0, 12));
    lines.set(3, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
    Files.write(broken, lines);
    FineTuningJob job = awaitTerminal(client, createJob(client, upload(client, broken), null, null).id());
    assertThat(job.error().orElseThrow().message()).contains("line 4").contains("assistant");
  }

  @Test
  void createJobWithUnknownFileIsABadRequest() {
    assertThatThrownBy(() -> createJob(client, "file-doesnotexist", null, null))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.param()).hasValue("training_file");
        });
  }

  @Test
  void chatWithUnknownModelIsNotFoundInOpenAiErrorShape() {
    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("ft:nope").addUserMessage("hi").build()))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.code()).hasValue("model_not_found");
          assertThat(e.type()).hasValue("invalid_request_error");
        });
  }

  @Test
  void baseModelAnswersFromFewShotExamplesInTheSystemPromptOnly() {
    ChatCompletion withoutExamples = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("local-base").addUserMessage("Which customers live in Vienna?").build());
    assertThat(withoutExamples.choices().get(0).message().content().orElseThrow()).contains("untuned");

    ChatCompletion withExamples = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("local-base")
        .addSystemMessage("Translate to SQL.\nQ: Which customers are based in Berlin?\n"
            + "A: FIND customers WHERE city = \"Berlin\"")
        .addUserMessage("Which customers are based in Vienna?").build());
    assertThat(withExamples.choices().get(0).message().content()).hasValue("FIND customers WHERE city = \"Vienna\"");
  }

  @Test
  void wrongOrMissingTokenIsUnauthorizedInOpenAiErrorShape() {
    OpenAIClient wrong = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("sk-wrong").maxRetries(0).build();
    try {
      assertThatThrownBy(() -> wrong.models().list()).isInstanceOfSatisfying(UnauthorizedException.class, e -> {
        assertThat(e.statusCode()).isEqualTo(401);
        assertThat(e.code()).hasValue("invalid_api_key");
        assertThat(e.getMessage()).doesNotContain("sk-wrong");
      });
    } finally {
      wrong.close();
    }
  }

  @Test
  void deletedModelIsNoLongerListedOrServed() throws Exception {
    String train = upload(client, small(20));
    FineTuningJob job = awaitTerminal(client, createJob(client, train, null, null).id());
    String model = job.fineTunedModel().orElseThrow();
    assertThat(client.models().delete(model).deleted()).isTrue();
    assertThat(client.models().list().data()).extracting(Model::id).doesNotContain(model);
    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(model).addUserMessage("hi").build())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void pauseHoldsAJobAndResumeLetsItFinishWhileCancelStopsAnother() throws Exception {
    try (LocalServer slow = LocalServer.builder().dataDir(dir.resolve("slow")).stepDelay(Duration.ofMillis(40)).start()) {
      OpenAIClient c = Fixtures.client(slow);
      String train = upload(c, Fixtures.TRAIN);
      String id = createJob(c, train, null, null).id();
      awaitJob(c, id, j -> j.status().asString().equals("running"), Duration.ofSeconds(30));
      FineTuningJob paused = c.fineTuning().jobs().pause(id);
      assertThat(paused.status().asString()).isEqualTo("paused");
      long stepsAtPause = metricEvents(c, id);
      Thread.sleep(400);
      assertThat(metricEvents(c, id)).as("no steps while paused").isLessThanOrEqualTo(stepsAtPause + 1);
      assertThat(c.fineTuning().jobs().retrieve(id).status().asString()).isEqualTo("paused");

      FineTuningJob resumed = c.fineTuning().jobs().resume(id);
      assertThat(resumed.status().asString()).isEqualTo("running");
      awaitJob(c, id, j -> metricEventsQuiet(c, id) > stepsAtPause + 2, Duration.ofSeconds(30));
      FineTuningJob cancelled = c.fineTuning().jobs().cancel(id);
      assertThat(cancelled.status().asString()).isEqualTo("cancelled");
      long stepsAtCancel = metricEvents(c, id);
      Thread.sleep(300);
      assertThat(metricEvents(c, id)).isLessThanOrEqualTo(stepsAtCancel + 1);
      assertThat(c.fineTuning().jobs().retrieve(id).status().asString()).isEqualTo("cancelled");
      assertThatThrownBy(() -> c.fineTuning().jobs().cancel(id)).isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> c.fineTuning().jobs().resume(id)).isInstanceOf(BadRequestException.class);
      c.close();
    }
  }

  private static long metricEventsQuiet(OpenAIClient c, String id) {
    return metricEvents(c, id);
  }

  static long metricEvents(OpenAIClient c, String id) {
    List<FineTuningJobEvent> events = new ArrayList<>();
    c.fineTuning().jobs().listEvents(id, JobListEventsParams.builder().limit(1000).build()).data().forEach(events::add);
    return events.stream().filter(e -> e.type().map(t -> t.asString().equals("metrics")).orElse(false)).count();
  }
}
