package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every response shape of the server checked against the official OpenAI OpenAPI spec: the component
 * schemas it answers with are copied, with their references, into {@code openai-schemas.json} (from
 * {@code openai-openapi.yaml} 2.3.0) and each response is validated as JSON Schema 2020-12.
 */
class OpenApiShapeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  private final List<String> problems = new ArrayList<>();
  private JsonNode schemas;
  private HttpClient http;
  private LocalServer server;

  private final java.util.Map<String, JsonSchema> compiled = new java.util.HashMap<>();

  private Set<ValidationMessage> validate(String schema, JsonNode value) {
    return compiled.computeIfAbsent(schema, name -> {
      ObjectNode root = (ObjectNode) schemas.deepCopy();
      root.put("$ref", "#/$defs/" + name);
      root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
      return FACTORY.getSchema(root);
    }).validate(value);
  }

  private void check(String schema, HttpResponse<String> r) throws Exception {
    Set<ValidationMessage> errors = validate(schema, JSON.readTree(r.body()));
    errors.forEach(e -> problems.add(r.request().method() + " " + r.request().uri().getPath() + " as " + schema + ": "
        + e.getMessage()));
  }

  private HttpResponse<String> call(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .header("Authorization", "Bearer " + server.token().reveal());
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode ok(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.request().uri() + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static String multipart(String boundary, String field, String filename, String content, String purpose) {
    String out = "";
    if (purpose != null) {
      out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose + "\r\n";
    }
    return out + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename
        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
  }

  @Test
  void everyResponseMatchesTheOfficialSpec(@TempDir Path dir) throws Exception {
    try (InputStream in = OpenApiShapeTest.class.getResourceAsStream("openai-schemas.json")) {
      schemas = JSON.readTree(in);
    }
    // The check can fail: a file object missing its required fields and with a wrong type does not pass.
    assertThat(validate("OpenAIFile", JSON.readTree("{\"id\":\"file-1\",\"object\":\"file\",\"bytes\":\"12\"}")))
        .isNotEmpty();
    assertThat(validate("ErrorResponse", JSON.readTree("{\"error\":{\"message\":\"m\"}}"))).isNotEmpty();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (LocalServer s = LocalServer.builder().dataDir(dir.resolve("data")).stepDelay(Duration.ZERO).start()) {
      server = s;
      String train = Files.readString(Fixtures.TRAIN);
      String mp = "multipart/form-data; boundary=spec";
      HttpResponse<String> file = call("POST", "/files", mp, multipart("spec", "file", "train.jsonl", train, "fine-tune"));
      check("OpenAIFile", file);
      String fileId = ok(file).path("id").asText();
      check("OpenAIFile", call("GET", "/files/" + fileId, null, null));
      check("ListFilesResponse", call("GET", "/files?purpose=fine-tune", null, null));

      HttpResponse<String> upload = call("POST", "/uploads", "application/json",
          "{\"filename\":\"u.jsonl\",\"purpose\":\"fine-tune\",\"bytes\":" + train.getBytes("UTF-8").length
          + ",\"mime_type\":\"application/jsonl\"}");
      check("Upload", upload);
      String uploadId = ok(upload).path("id").asText();
      HttpResponse<String> part = call("POST", "/uploads/" + uploadId + "/parts", mp, multipart("spec", "data", "p", train, null));
      check("UploadPart", part);
      HttpResponse<String> completed = call("POST", "/uploads/" + uploadId + "/complete", "application/json",
          "{\"part_ids\":[\"" + ok(part).path("id").asText() + "\"]}");
      check("Upload", completed);

      HttpResponse<String> job = call("POST", "/fine_tuning/jobs", "application/json",
          "{\"model\":\"local-base\",\"training_file\":\"" + fileId + "\",\"suffix\":\"spec\",\"metadata\":{\"k\":\"v\"}}");
      check("FineTuningJob", job);
      String jobId = ok(job).path("id").asText();
      JsonNode done = ok(call("GET", "/fine_tuning/jobs/" + jobId, null, null));
      for (long end = System.nanoTime() + 60_000_000_000L; !done.path("status").asText().equals("succeeded")
          && System.nanoTime() < end; ) {
        Thread.sleep(20);
        done = ok(call("GET", "/fine_tuning/jobs/" + jobId, null, null));
      }
      assertThat(done.path("status").asText()).isEqualTo("succeeded");
      check("FineTuningJob", call("GET", "/fine_tuning/jobs/" + jobId, null, null));
      check("ListPaginatedFineTuningJobsResponse", call("GET", "/fine_tuning/jobs?limit=5", null, null));
      check("ListFineTuningJobEventsResponse", call("GET", "/fine_tuning/jobs/" + jobId + "/events?limit=50", null, null));
      check("ListFineTuningJobCheckpointsResponse", call("GET", "/fine_tuning/jobs/" + jobId + "/checkpoints", null, null));
      String model = done.path("fine_tuned_model").asText();
      check("CreateChatCompletionResponse", call("POST", "/chat/completions", "application/json",
          "{\"model\":\"" + model + "\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"List all customers.\"}]}"));
      check("ListModelsResponse", call("GET", "/models", null, null));
      check("Model", call("GET", "/models/" + model, null, null));
      check("DeleteModelResponse", call("DELETE", "/models/" + model, null, null));
      check("DeleteFileResponse", call("DELETE", "/files/" + fileId, null, null));

      // errors, from a route and from below the routes
      check("ErrorResponse", call("GET", "/files/file-nope", null, null));
      check("ErrorResponse", call("POST", "/chat/completions", "application/json", "{\"model\":\"local-base\"}"));
      check("ErrorResponse", call("GET", "/nowhere", null, null));
      check("ErrorResponse", call("POST", "/chat/completions", "application/json", "not json"));
    }
    assertThat(problems).as("responses that do not match openai-openapi.yaml").isEmpty();
  }
}
