package dev.tunekit.openai;

import static dev.tunekit.openai.OpenAiWireMock.T0;
import static dev.tunekit.openai.OpenAiWireMock.job;
import static dev.tunekit.openai.OpenAiWireMock.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.model.Hyperparameters;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiJobStateTest {
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

  private JobStatus statusOf(Map<String, Object> job) {
    api.stubJobStates(String.valueOf(job.get("id")), List.of(job));
    return provider.job(String.valueOf(job.get("id"))).status();
  }

  @Test
  void pausedAndPendingStatusesTheSdkDoesNotKnowMapToPausedAndQueued() {
    assertThat(statusOf(job("ftjob-p", "paused"))).isEqualTo(new JobStatus.Paused("paused"));
    assertThat(statusOf(job("ftjob-q", "pending"))).isEqualTo(new JobStatus.Queued("pending"));
  }

  @Test
  void anUnknownStatusBecomesUnknownWithTheRawValue() {
    JobStatus s = statusOf(job("ftjob-u", "hibernating"));

    assertThat(s).isEqualTo(new JobStatus.Unknown("hibernating"));
    assertThat(s.isTerminal()).isFalse();
  }

  @Test
  void aFailedJobCarriesTheErrorMessageAndCode() {
    JobStatus s = statusOf(with(job("ftjob-f", "failed"), "error",
        Map.of("code", "invalid_training_file", "message", "Line 3 has no assistant message.", "param", "training_file")));

    assertThat(s).isInstanceOf(JobStatus.Failed.class);
    JobStatus.Failed f = (JobStatus.Failed) s;
    assertThat(f.reason()).contains("Line 3 has no assistant message.").contains("training_file");
    assertThat(f.code()).contains("invalid_training_file");
  }

  @Test
  void anEmptyErrorObjectIsTolerated() {
    assertThat(statusOf(with(job("ftjob-r", "running"), "error", Map.of())))
        .isEqualTo(new JobStatus.Running("running"));
    JobStatus failed = statusOf(with(job("ftjob-e", "failed"), "error", Map.of()));
    assertThat(failed).isInstanceOf(JobStatus.Failed.class);
    assertThat(((JobStatus.Failed) failed).code()).isEmpty();
    assertThat(((JobStatus.Failed) failed).reason()).contains("no reason");
  }

  @Test
  void aJobMissingOptionalFieldsFromACompatibleServerStillMaps() {
    Map<String, Object> sparse = new HashMap<>();
    sparse.put("id", "ftjob-s");
    sparse.put("object", "fine_tuning.job");
    sparse.put("status", "queued");
    sparse.put("model", "llama-3-8b");
    sparse.put("created_at", T0);

    RemoteJob j = readSparse(sparse);

    assertThat(j.status()).isEqualTo(new JobStatus.Queued("queued"));
    assertThat(j.baseModel()).isEqualTo("llama-3-8b");
    assertThat(j.finishedAt()).isEmpty();
    assertThat(j.trainedTokens()).isEmpty();
    assertThat(j.metadata()).isEmpty();
  }

  private RemoteJob readSparse(Map<String, Object> job) {
    api.stubJobStates(String.valueOf(job.get("id")), List.of(job));
    return provider.job(String.valueOf(job.get("id")));
  }

  @Test
  void findJobFiltersByIdempotencyMetadata() {
    api.stubFindJob("run-7:job", List.of(job("ftjob-7", "running", "run-7:job")));

    Optional<RemoteJob> found = provider.findJob("run-7:job");

    assertThat(found).map(RemoteJob::id).contains("ftjob-7");
    assertThat(api.requests("GET", "/fine_tuning/jobs").get(0)
        .queryParameter("metadata[" + JobRequest.IDEMPOTENCY_METADATA_KEY + "]").firstValue())
        .isEqualTo("run-7:job");
  }

  @Test
  void findJobIgnoresJobsWithOtherKeysWhenAServerIgnoresTheFilter() {
    api.stubFindJob("run-8:job", List.of(job("ftjob-other", "running", "run-9:job"), job("ftjob-none", "running")));

    assertThat(provider.findJob("run-8:job")).isEmpty();
  }

  @Test
  void findJobPrefersTheOldestOfSeveralMatches() {
    api.stubFindJob("run-8:job", List.of(
        with(job("ftjob-new", "running", "run-8:job"), "created_at", T0 + 100),
        with(job("ftjob-old", "running", "run-8:job"), "created_at", T0)));

    assertThat(provider.findJob("run-8:job")).map(RemoteJob::id).contains("ftjob-old");
  }

  @Test
  void createCommitThenResetIsFoundByItsKeyAndTheFixtureCountsDuplicates() {
    String key = "run-1:job";
    api.stubCreateCommitsThenResets(job("ftjob-1", "validating_files", key), job("ftjob-dup", "validating_files", key),
        key);
    assertThat(provider.findJob(key)).isEmpty();

    assertThatThrownBy(() -> provider.createJob(OpenAiLifecycleTest.request(TrainingMethod.SUPERVISED)))
        .isInstanceOf(dev.tunekit.error.ProviderException.class);

    assertThat(provider.findJob(key)).map(RemoteJob::id).contains("ftjob-1");
    assertThat(api.count("POST", "/fine_tuning/jobs")).isEqualTo(1);
  }

  @Test
  void theSucceedingRunFixtureCreatesOneJobThatIsFoundAfterwardsAndSucceeds() {
    api.stubSucceedingRun("ftjob-run", "run-1:job", "ft:gpt-4o-mini:org::run");
    assertThat(provider.findJob("run-1:job")).isEmpty();

    RemoteJob created = provider.createJob(OpenAiLifecycleTest.request(TrainingMethod.SUPERVISED));
    JobStatus last = null;
    for (int i = 0; i < 4; i++) {
      last = provider.job(created.id()).status();
    }

    assertThat(provider.findJob("run-1:job")).map(RemoteJob::id).contains("ftjob-run");
    assertThat(last).isEqualTo(new JobStatus.Succeeded("succeeded", Optional.of("ft:gpt-4o-mini:org::run")));
    assertThat(provider.metrics("ftjob-run", java.util.Optional.empty()).items()).hasSize(3);
    assertThat(provider.events("ftjob-run", java.util.Optional.empty()).items()).hasSize(3);
    assertThat(provider.require(dev.tunekit.spi.Checkpoints.class, "list checkpoints").checkpoints("ftjob-run")).hasSize(1);
    assertThat(provider.require(dev.tunekit.spi.Chat.class, "chat").chat(dev.tunekit.model.ChatRequest.of("ft:gpt-4o-mini:org::run",
        List.of(dev.tunekit.model.ChatMessage.user("hi")))).content()).isEqualTo("ok");
    assertThat(api.count("POST", "/fine_tuning/jobs")).isEqualTo(1);
  }

  @Test
  void tooManyMetadataPairsAreRejectedBeforeAnyRequest() {
    Map<String, String> md = new HashMap<>();
    for (int i = 0; i < 15; i++) {
      md.put("k" + i, "v");
    }
    JobRequest r = requestWith(md);

    assertThatThrownBy(() -> provider.createJob(r)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("16 metadata pairs").hasMessageContaining("Remove 1");
    assertThat(api.count("POST", "/fine_tuning/jobs")).isZero();
  }

  @Test
  void overlongMetadataKeysAndValuesAreRejected() {
    assertThatThrownBy(() -> provider.createJob(requestWith(Map.of("k".repeat(65), "v"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("1 to 64 characters");
    assertThatThrownBy(() -> provider.createJob(requestWith(Map.of("note", "v".repeat(513)))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 512");
    assertThatThrownBy(() -> provider.createJob(requestWith(Map.of(JobRequest.IDEMPOTENCY_METADATA_KEY, "mine"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("reserved");
    assertThat(api.count("POST", "/fine_tuning/jobs")).isZero();
  }

  @Test
  void methodsOpenAiCannotTrainAreRejected() {
    JobRequest r = JobRequest.builder().runId("run-1").idempotencyKey("k").baseModel("gpt-4o-mini")
        .method(TrainingMethod.CONTINUED_PRE_TRAINING).trainingFileId("file-1").validationFileId(Optional.empty())
        .hyperparameters(Hyperparameters.defaults()).suffix(Optional.empty()).metadata(Map.of()).build();

    assertThatThrownBy(() -> provider.createJob(r)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("SUPERVISED and DPO");
  }

  private static JobRequest requestWith(Map<String, String> metadata) {
    return JobRequest.builder().runId("run-1").idempotencyKey("run-1:job").baseModel("gpt-4o-mini")
        .method(TrainingMethod.SUPERVISED).trainingFileId("file-1").validationFileId(Optional.empty())
        .hyperparameters(Hyperparameters.defaults()).suffix(Optional.empty()).metadata(metadata).build();
  }
}
