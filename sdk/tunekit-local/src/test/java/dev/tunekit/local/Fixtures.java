package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.JobCreateParams;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Predicate;

/** Shared test helpers: the shipped dataset, a client for a server, and polling. */
final class Fixtures {
  static final Path DATA = Path.of("../../examples/data/nl2query").toAbsolutePath().normalize();
  static final Path TRAIN = DATA.resolve("train.jsonl");
  static final Path VALIDATION = DATA.resolve("validation.jsonl");
  static final Path HELDOUT = DATA.resolve("heldout.jsonl");
  static final Path BASELINE_PROMPT = DATA.resolve("baseline-system-prompt.txt");

  private Fixtures() {}

  /** An openai-java client for the server, with the SDK's own retries off (as Tunekit configures it). */
  static OpenAIClient client(LocalServer server) {
    return OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey(server.token().reveal())
        .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
  }

  static String upload(OpenAIClient client, Path file) {
    return client.files().create(FileCreateParams.builder().file(file).purpose(FilePurpose.FINE_TUNE).build()).id();
  }

  static FineTuningJob createJob(OpenAIClient client, String trainingFile, String validationFile, String tag) {
    JobCreateParams.Builder b = JobCreateParams.builder().model("local-base").trainingFile(trainingFile).seed(7L)
        .suffix("nl2sql");
    if (validationFile != null) {
      b.validationFile(validationFile);
    }
    if (tag != null) {
      b.metadata(JobCreateParams.Metadata.builder().putAdditionalProperty("tag", JsonValue.from(tag)).build());
    }
    return client.fineTuning().jobs().create(b.build());
  }

  static final Set<String> TERMINAL = Set.of("succeeded", "failed", "cancelled");

  static FineTuningJob awaitJob(OpenAIClient client, String jobId, Predicate<FineTuningJob> done, Duration timeout)
      throws InterruptedException {
    Instant end = Instant.now().plus(timeout);
    FineTuningJob job = client.fineTuning().jobs().retrieve(jobId);
    while (!done.test(job) && Instant.now().isBefore(end)) {
      Thread.sleep(20);
      job = client.fineTuning().jobs().retrieve(jobId);
    }
    assertThat(done.test(job)).as("job %s reached the expected state in time; last status %s", jobId,
        job.status().asString()).isTrue();
    return job;
  }

  static FineTuningJob awaitTerminal(OpenAIClient client, String jobId) throws InterruptedException {
    return awaitJob(client, jobId, j -> TERMINAL.contains(j.status().asString()), Duration.ofSeconds(60));
  }
}
