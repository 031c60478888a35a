package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.Extension;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loopback OpenAI fine-tuning API on WireMock, speaking the wire shapes of
 * {@code specs/openai-openapi.yaml}. Reusable by any test in this package (including workflow tests
 * that drive the core through this provider): start it, stub what the test needs, make a provider
 * with {@link #provider()}, and count requests to prove nothing was sent twice.
 *
 * <p>JSON bodies are built as maps ({@link #job}, {@link #file}, {@link #event}, ...) so a test can
 * change one field and keep the rest spec-shaped.
 */
final class OpenAiWireMock implements AutoCloseable {
  /** A planted API key; tests assert it never shows in messages or toString(). */
  static final String CANARY_KEY = "sk-canary-Tk9xQ2mZ7pL4vR8wN3bY6cH1";
  static final String BASE_MODEL = "gpt-4o-mini-2024-07-18";
  static final long T0 = 1_767_225_600L; // 2026-01-01T00:00:00Z

  private static final ObjectMapper JSON = new ObjectMapper();

  private final WireMockServer server;
  private final String prefix;

  private OpenAiWireMock(String prefix, Extension... extensions) {
    this.prefix = prefix;
    this.server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
        .extensions(extensions));
    server.start();
  }

  /** An OpenAI API at {@code http://127.0.0.1:port/v1}. */
  static OpenAiWireMock start() {
    return new OpenAiWireMock("/v1");
  }

  /** An OpenAI API at {@code http://127.0.0.1:port/v1} with WireMock extensions (such as a serve-event listener). */
  static OpenAiWireMock start(Extension... extensions) {
    return new OpenAiWireMock("/v1", extensions);
  }

  /** An Azure OpenAI v1 data plane at {@code http://127.0.0.1:port/openai/v1}. */
  static OpenAiWireMock startAzure() {
    return new OpenAiWireMock("/openai/v1");
  }

  WireMockServer server() {
    return server;
  }

  /** {@code http://127.0.0.1:port}: what an Azure {@code endpoint} setting holds. */
  String rootUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The API base URL, with its {@code /v1} (or {@code /openai/v1}) prefix. */
  String baseUrl() {
    return rootUrl() + prefix;
  }

  /** The full request path of an API path such as {@code /fine_tuning/jobs}. */
  String path(String apiPath) {
    return prefix + apiPath;
  }

  // ------------------------------------------------------------ providers

  /** Settings for provider {@code name} (openai, azure or openai-compatible) pointing here, plus extras. */
  ProviderSettings settings(String name, Map<String, ?> extra) {
    Map<String, Object> v = new LinkedHashMap<>();
    if (name.equals("azure")) {
      v.put("endpoint", rootUrl());
    } else {
      v.put("baseUrl", baseUrl());
    }
    v.put("apiKey", CANARY_KEY);
    v.put("timeout", "10s");
    v.putAll(extra);
    return ProviderSettings.of(name, "tunekit.yaml", Path.of("target", "tunekit-work"), v);
  }

  /** An {@code openai} provider pointing here. */
  TuningProvider provider() {
    return provider("openai", Map.of());
  }

  /** A provider of flavor {@code name} pointing here, with extra settings. */
  TuningProvider provider(String name, Map<String, ?> extra) {
    return new OpenAiProviderFactory().create(settings(name, extra));
  }

  // ------------------------------------------------------------ JSON bodies

  /** A spec-shaped {@code fine_tuning.job} with no metadata. */
  static Map<String, Object> job(String id, String status) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("object", "fine_tuning.job");
    j.put("id", id);
    j.put("model", BASE_MODEL);
    j.put("created_at", T0);
    j.put("finished_at", null);
    j.put("fine_tuned_model", null);
    j.put("organization_id", "org-test");
    j.put("result_files", List.of());
    j.put("status", status);
    j.put("validation_file", null);
    j.put("training_file", "file-train");
    j.put("hyperparameters", Map.of("n_epochs", "auto", "batch_size", "auto", "learning_rate_multiplier", "auto"));
    j.put("trained_tokens", null);
    j.put("seed", 42);
    j.put("error", null);
    j.put("estimated_finish", null);
    j.put("integrations", List.of());
    j.put("metadata", null);
    j.put("method", Map.of("type", "supervised", "supervised", Map.of("hyperparameters",
        Map.of("n_epochs", "auto", "batch_size", "auto", "learning_rate_multiplier", "auto"))));
    return j;
  }

  /** A job carrying {@code idempotencyKey} in its metadata, as {@code createJob} stores it. */
  static Map<String, Object> job(String id, String status, String idempotencyKey) {
    Map<String, Object> j = job(id, status);
    j.put("metadata", Map.of(JobRequest.IDEMPOTENCY_METADATA_KEY, idempotencyKey,
        OpenAiTuningProvider.RUN_ID_METADATA_KEY, "run-1"));
    return j;
  }

  /** A copy of {@code job} with some fields changed. */
  static Map<String, Object> with(Map<String, Object> job, Object... keyValues) {
    Map<String, Object> j = new LinkedHashMap<>(job);
    for (int i = 0; i < keyValues.length; i += 2) {
      j.put((String) keyValues[i], keyValues[i + 1]);
    }
    return j;
  }

  /** A spec-shaped {@code file} object with purpose fine-tune. */
  static Map<String, Object> file(String id, String filename, long bytes) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("id", id);
    f.put("object", "file");
    f.put("bytes", bytes);
    f.put("created_at", T0);
    f.put("filename", filename);
    f.put("purpose", "fine-tune");
    f.put("status", "processed");
    return f;
  }

  /** A {@code fine_tuning.job.event} of type {@code message}. */
  static Map<String, Object> event(String id, long createdAt, String level, String message) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("object", "fine_tuning.job.event");
    e.put("id", id);
    e.put("created_at", createdAt);
    e.put("level", level);
    e.put("message", message);
    e.put("data", Map.of());
    e.put("type", "message");
    return e;
  }

  /** A {@code type: metrics} event for {@code step}. */
  static Map<String, Object> metricsEvent(String id, long createdAt, long step, double trainLoss,
      double trainAccuracy) {
    Map<String, Object> e = event(id, createdAt, "info", "Step " + step + ": training loss=" + trainLoss);
    e.put("type", "metrics");
    e.put("data", Map.of("step", step, "train_loss", trainLoss, "train_mean_token_accuracy", trainAccuracy,
        "total_steps", 100));
    return e;
  }

  /** A {@code fine_tuning.job.checkpoint}. */
  static Map<String, Object> checkpoint(String id, String jobId, long step, double trainLoss, double validLoss) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("object", "fine_tuning.job.checkpoint");
    c.put("id", id);
    c.put("created_at", T0 + step);
    c.put("fine_tuned_model_checkpoint", "ft:" + BASE_MODEL + ":org-test::abc:ckpt-step-" + step);
    c.put("fine_tuning_job_id", jobId);
    c.put("step_number", step);
    c.put("metrics", Map.of("step", (double) step, "train_loss", trainLoss, "train_mean_token_accuracy", 0.8,
        "valid_loss", validLoss, "valid_mean_token_accuracy", 0.75));
    return c;
  }

  /** A list page: {@code {"object":"list","data":[...],"has_more":...}} with first/last ids. */
  static Map<String, Object> page(List<? extends Map<String, Object>> items, boolean hasMore) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("object", "list");
    p.put("data", items);
    p.put("first_id", items.isEmpty() ? null : items.get(0).get("id"));
    p.put("last_id", items.isEmpty() ? null : items.get(items.size() - 1).get("id"));
    p.put("has_more", hasMore);
    return p;
  }

  /** An OpenAI error body. */
  static Map<String, Object> error(String message, String type, String code) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("message", message);
    e.put("type", type);
    e.put("param", null);
    e.put("code", code);
    return Map.of("error", e);
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ResponseDefinitionBuilder ok(Object body) {
    return okJson(json(body)).withHeader("x-request-id", "req_ok");
  }

  // ------------------------------------------------------------ stubs: files

  /** {@code POST /files} answers with this file. */
  void stubFileUpload(Map<String, Object> file) {
    server.stubFor(post(urlPathEqualTo(path("/files"))).willReturn(ok(file)));
  }

  /** {@code GET /files} lists these files (one page). */
  void stubFileList(List<Map<String, Object>> files) {
    server.stubFor(get(urlPathEqualTo(path("/files"))).willReturn(ok(page(files, false))));
  }

  /**
   * The Uploads API for a file of {@code parts} parts: create → parts answered {@code part_0},
   * {@code part_1}, ... in request order → complete returns {@code file}.
   */
  void stubUploadsApi(String uploadId, Map<String, Object> file, int parts) {
    Map<String, Object> upload = new LinkedHashMap<>();
    upload.put("id", uploadId);
    upload.put("object", "upload");
    upload.put("bytes", file.get("bytes"));
    upload.put("created_at", T0);
    upload.put("filename", file.get("filename"));
    upload.put("purpose", "fine-tune");
    upload.put("status", "pending");
    upload.put("expires_at", T0 + 3600);
    upload.put("file", null);
    server.stubFor(post(urlPathEqualTo(path("/uploads"))).willReturn(ok(upload)));
    for (int i = 0; i < parts; i++) {
      Map<String, Object> part = Map.of("id", "part_" + i, "object", "upload.part", "created_at", T0,
          "upload_id", uploadId);
      server.stubFor(post(urlPathEqualTo(path("/uploads/" + uploadId + "/parts")))
          .inScenario("parts-" + uploadId)
          .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "part-" + i)
          .willSetStateTo("part-" + (i + 1))
          .willReturn(ok(part)));
    }
    server.stubFor(post(urlPathEqualTo(path("/uploads/" + uploadId + "/complete")))
        .willReturn(ok(with(upload, "status", "completed", "file", file))));
    server.stubFor(post(urlPathEqualTo(path("/uploads/" + uploadId + "/cancel")))
        .willReturn(ok(with(upload, "status", "cancelled"))));
  }

  /** {@code GET /files/{id}/content} returns {@code content} as is. */
  void stubFileContent(String fileId, String content) {
    server.stubFor(get(urlPathEqualTo(path("/files/" + fileId + "/content")))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/octet-stream")
            .withBody(content)));
  }

  // ------------------------------------------------------------ stubs: jobs

  /** {@code POST /fine_tuning/jobs} answers with {@code job}. */
  void stubCreateJob(Map<String, Object> job) {
    server.stubFor(post(urlPathEqualTo(path("/fine_tuning/jobs"))).willReturn(ok(job)));
  }

  /**
   * The first create commits {@code job} on the server and then drops the connection; the lookup
   * by {@code metadata[tunekit_idempotency_key]} finds nothing before and {@code job} after. A
   * second create would make a duplicate, {@code duplicate} (so a test can prove it never happens).
   */
  void stubCreateCommitsThenResets(Map<String, Object> job, Map<String, Object> duplicate, String idempotencyKey) {
    String scenario = "create-" + idempotencyKey;
    server.stubFor(post(urlPathEqualTo(path("/fine_tuning/jobs"))).inScenario(scenario)
        .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("committed")
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    server.stubFor(post(urlPathEqualTo(path("/fine_tuning/jobs"))).inScenario(scenario)
        .whenScenarioStateIs("committed").willReturn(ok(duplicate)));
    MappingBuilder lookup = get(urlPathEqualTo(path("/fine_tuning/jobs")))
        .withQueryParam("metadata[" + JobRequest.IDEMPOTENCY_METADATA_KEY + "]", equalTo(idempotencyKey));
    server.stubFor(lookup.inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
        .willReturn(ok(page(List.of(), false))));
    server.stubFor(get(urlPathEqualTo(path("/fine_tuning/jobs")))
        .withQueryParam("metadata[" + JobRequest.IDEMPOTENCY_METADATA_KEY + "]", equalTo(idempotencyKey))
        .inScenario(scenario).whenScenarioStateIs("committed")
        .willReturn(ok(page(List.of(job), false))));
    stubJobStates(String.valueOf(job.get("id")), List.of(job));
  }

  /** {@code GET /fine_tuning/jobs?metadata[tunekit_idempotency_key]=key} lists {@code jobs}. */
  void stubFindJob(String idempotencyKey, List<Map<String, Object>> jobs) {
    server.stubFor(get(urlPathEqualTo(path("/fine_tuning/jobs")))
        .withQueryParam("metadata[" + JobRequest.IDEMPOTENCY_METADATA_KEY + "]", equalTo(idempotencyKey))
        .willReturn(ok(page(jobs, false))));
  }

  /**
   * {@code GET /fine_tuning/jobs/{id}} walks through {@code states} (a stateful scenario): each poll
   * returns the next snapshot, and the last one repeats.
   */
  void stubJobStates(String jobId, List<Map<String, Object>> states) {
    String scenario = "job-" + jobId;
    for (int i = 0; i < states.size(); i++) {
      ScenarioMappingBuilder m = get(urlPathEqualTo(path("/fine_tuning/jobs/" + jobId))).inScenario(scenario)
          .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "poll-" + i);
      if (i < states.size() - 1) {
        m = m.willSetStateTo("poll-" + (i + 1));
      }
      server.stubFor(m.willReturn(ok(states.get(i))));
    }
  }

  /** {@code POST /fine_tuning/jobs/{id}/{action}} (cancel, pause, resume) answers with {@code job}. */
  void stubJobAction(String jobId, String action, Map<String, Object> job) {
    server.stubFor(post(urlPathEqualTo(path("/fine_tuning/jobs/" + jobId + "/" + action))).willReturn(ok(job)));
  }

  /**
   * Events in pages: {@code pages.get(0)} without {@code after}, each later page with
   * {@code after} = the last id of the page before, {@code has_more} on all but the last. Give the
   * events newest first, as the API does.
   */
  void stubEvents(String jobId, List<List<Map<String, Object>>> pages) {
    String after = null;
    for (int i = 0; i < pages.size(); i++) {
      List<Map<String, Object>> items = pages.get(i);
      MappingBuilder m = get(urlPathEqualTo(path("/fine_tuning/jobs/" + jobId + "/events")))
          .withQueryParam("after", after == null ? absent() : equalTo(after));
      server.stubFor(m.willReturn(ok(page(items, i < pages.size() - 1))));
      after = items.isEmpty() ? after : String.valueOf(items.get(items.size() - 1).get("id"));
    }
  }

  /** {@code GET /fine_tuning/jobs/{id}/checkpoints} lists {@code checkpoints} (one page). */
  void stubCheckpoints(String jobId, List<Map<String, Object>> checkpoints) {
    server.stubFor(get(urlPathEqualTo(path("/fine_tuning/jobs/" + jobId + "/checkpoints")))
        .willReturn(ok(page(checkpoints, false))));
  }

  /**
   * Everything a run needs to succeed, for workflow tests: any upload answers {@code file-train};
   * no earlier file or job exists; the lookup by {@code idempotencyKey} finds the job only after the
   * (single) create; polls walk validating_files → queued → running → succeeded with
   * {@code fineTunedModel}; three events, a result file with three steps, one checkpoint, and a chat
   * endpoint answering "ok". Returns the final job body.
   */
  Map<String, Object> stubSucceedingRun(String jobId, String idempotencyKey, String fineTunedModel) {
    stubFileUpload(file("file-train", "train.jsonl", 100));
    stubFileList(List.of());
    Map<String, Object> created = job(jobId, "validating_files", idempotencyKey);
    String scenario = "run-" + idempotencyKey;
    server.stubFor(post(urlPathEqualTo(path("/fine_tuning/jobs"))).inScenario(scenario)
        .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("created").willReturn(ok(created)));
    server.stubFor(post(urlPathEqualTo(path("/fine_tuning/jobs"))).inScenario(scenario)
        .whenScenarioStateIs("created").willReturn(ok(with(created, "id", jobId + "-duplicate"))));
    server.stubFor(get(urlPathEqualTo(path("/fine_tuning/jobs")))
        .withQueryParam("metadata[" + JobRequest.IDEMPOTENCY_METADATA_KEY + "]", equalTo(idempotencyKey))
        .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willReturn(ok(page(List.of(), false))));
    server.stubFor(get(urlPathEqualTo(path("/fine_tuning/jobs")))
        .withQueryParam("metadata[" + JobRequest.IDEMPOTENCY_METADATA_KEY + "]", equalTo(idempotencyKey))
        .inScenario(scenario).whenScenarioStateIs("created").willReturn(ok(page(List.of(created), false))));
    Map<String, Object> done = with(job(jobId, "succeeded", idempotencyKey), "fine_tuned_model", fineTunedModel,
        "finished_at", T0 + 600, "trained_tokens", 3000, "result_files", List.of("file-result-" + jobId));
    stubJobStates(jobId, List.of(created, job(jobId, "queued", idempotencyKey),
        with(job(jobId, "running", idempotencyKey), "trained_tokens", 1000), done));
    stubEvents(jobId, List.of(List.of(
        event("ev-3", T0 + 600, "info", "The job has successfully completed"),
        metricsEvent("ev-2", T0 + 300, 3, 0.5, 0.9),
        event("ev-1", T0, "info", "Created fine-tuning job: " + jobId))));
    stubFileContent("file-result-" + jobId,
        "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n1,1.5,0.5,,\n2,1.0,0.7,1.1,0.6\n3,0.5,0.9,,\n");
    stubCheckpoints(jobId, List.of(checkpoint("ckpt-" + jobId, jobId, 3, 0.5, 1.1)));
    stubChat(fineTunedModel, "ok");
    return done;
  }

  // ------------------------------------------------------------ stubs: chat

  /** {@code POST /chat/completions} answers {@code reply}. */
  void stubChat(String model, String reply) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("role", "assistant");
    message.put("content", reply);
    message.put("refusal", null);
    Map<String, Object> choice = new LinkedHashMap<>();
    choice.put("index", 0);
    choice.put("message", message);
    choice.put("logprobs", null);
    choice.put("finish_reason", "stop");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", "chatcmpl-1");
    body.put("object", "chat.completion");
    body.put("created", T0);
    body.put("model", model);
    body.put("choices", List.of(choice));
    body.put("usage", Map.of("prompt_tokens", 12, "completion_tokens", 3, "total_tokens", 15));
    server.stubFor(post(urlPathEqualTo(path("/chat/completions"))).willReturn(ok(body)));
  }

  // ------------------------------------------------------------ stubs: failures

  /** {@code method apiPath} answers HTTP {@code status} with an OpenAI error body and these headers. */
  void stubError(String method, String apiPath, int status, String message, Map<String, String> headers) {
    ResponseDefinitionBuilder r = aResponse().withStatus(status).withHeader("Content-Type", "application/json")
        .withHeader("x-request-id", "req_" + status)
        .withBody(json(error(message, status >= 500 ? "server_error" : "invalid_request_error", null)));
    headers.forEach(r::withHeader);
    server.stubFor(mapping(method, apiPath).willReturn(r));
  }

  /** {@code method apiPath} fails at the connection level (reset, empty response, ...). */
  void stubFault(String method, String apiPath, Fault fault) {
    server.stubFor(mapping(method, apiPath).willReturn(aResponse().withFault(fault)));
  }

  /**
   * {@code method apiPath} answers 429 with {@code retry-after-ms} the first {@code times} times and
   * then {@code body}: for retry tests through the core's resilience layer.
   */
  void stubRateLimitedThen(String method, String apiPath, int times, String retryAfterMs, Object body) {
    String scenario = "ratelimit-" + method + apiPath;
    for (int i = 0; i < times; i++) {
      server.stubFor(mapping(method, apiPath).inScenario(scenario)
          .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "429-" + i).willSetStateTo("429-" + (i + 1))
          .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
              .withHeader("retry-after-ms", retryAfterMs).withHeader("x-request-id", "req_429_" + i)
              .withBody(json(error("Rate limit reached", "requests", "rate_limit_exceeded")))));
    }
    server.stubFor(mapping(method, apiPath).inScenario(scenario).whenScenarioStateIs("429-" + times)
        .willReturn(ok(body)));
  }

  private MappingBuilder mapping(String method, String apiPath) {
    return method.equalsIgnoreCase("GET") ? get(urlPathEqualTo(path(apiPath))) : post(urlPathEqualTo(path(apiPath)));
  }

  // ------------------------------------------------------------ verification

  /** How many {@code method apiPath} requests arrived. */
  int count(String method, String apiPath) {
    return requests(method, apiPath).size();
  }

  /** The {@code method apiPath} requests that arrived, oldest first. */
  List<LoggedRequest> requests(String method, String apiPath) {
    RequestPatternBuilder p = method.equalsIgnoreCase("GET")
        ? getRequestedFor(urlPathEqualTo(path(apiPath)))
        : postRequestedFor(urlPathEqualTo(path(apiPath)));
    return new ArrayList<>(server.findAll(p));
  }

  @Override
  public void close() {
    server.stop();
  }
}
