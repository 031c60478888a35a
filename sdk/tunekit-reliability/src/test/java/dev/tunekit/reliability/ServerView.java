package dev.tunekit.reliability;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.files.FileListParams;
import com.openai.models.files.FileObject;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.JobListParams;
import dev.tunekit.local.LocalServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The server's own view, read straight from the local server (not through the proxy or Tunekit):
 * this is where duplicates are counted.
 */
final class ServerView implements AutoCloseable {
  /** A job as the server lists it. */
  record Job(String id, String status, String trainingFile, Optional<String> validationFile,
      Optional<String> model, Map<String, String> metadata) {
    String runId() {
      return metadata.get("tunekit_run_id");
    }
  }

  /** A file as the server lists it. */
  record File(String id, String name, long bytes) {}

  private final OpenAIClient client;

  ServerView(LocalServer server) {
    this(server.baseUrl(), server.token().reveal());
  }

  ServerView(String baseUrl, String token) {
    this.client = OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey(token).maxRetries(2)
        .timeout(Duration.ofSeconds(30)).build();
  }

  List<Job> jobs() {
    List<Job> out = new ArrayList<>();
    for (FineTuningJob j : client.fineTuning().jobs().list(JobListParams.builder().limit(100L).build()).autoPager()) {
      Map<String, String> md = new LinkedHashMap<>();
      j.metadata().ifPresent(m -> m._additionalProperties().forEach((k, v) -> md.put(k, text(v))));
      out.add(new Job(j.id(), j.status().asString(), j.trainingFile(), j.validationFile(), j.fineTunedModel(), md));
    }
    return out;
  }

  List<File> files() {
    List<File> out = new ArrayList<>();
    for (FileObject f : client.files().list(FileListParams.builder().limit(10_000L).build()).autoPager()) {
      out.add(new File(f.id(), f.filename(), f.bytes()));
    }
    return out;
  }

  /** A file's content as text. */
  String content(String fileId) {
    try (com.openai.core.http.HttpResponse r = client.files().content(fileId)) {
      return new String(r.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Jobs per Tunekit run id. */
  Map<String, List<Job>> jobsByRun() {
    return jobs().stream().collect(Collectors.groupingBy(j -> String.valueOf(j.runId()), TreeMap::new,
        Collectors.toList()));
  }

  /** How many jobs beyond the first exist for some run: 0 means no run was submitted twice. */
  static long duplicateJobs(List<Job> jobs) {
    return jobs.stream().collect(Collectors.groupingBy(j -> String.valueOf(j.runId()), Collectors.counting()))
        .values().stream().mapToLong(n -> n - 1).sum();
  }

  /**
   * How many files beyond the first exist for some content: Tunekit names an upload after its content
   * hash, so two files with one name are one content uploaded twice. (Result files the server writes
   * itself, such as {@code step_metrics.csv}, are not uploads and are not counted.)
   */
  static long duplicateFiles(List<File> files) {
    return files.stream().filter(f -> f.name().startsWith("tunekit-")).collect(Collectors.groupingBy(f -> f.name() + "/" + f.bytes(), Collectors.counting()))
        .values().stream().mapToLong(n -> n - 1).sum();
  }

  private static String text(JsonValue v) {
    Object s = v.asString().orElse(null);
    return s != null ? s.toString() : String.valueOf(v);
  }

  @Override
  public void close() {
    client.close();
  }
}
