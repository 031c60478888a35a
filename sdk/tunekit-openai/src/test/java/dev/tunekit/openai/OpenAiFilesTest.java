package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tunekit.openai.OpenAiWireMock.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.TuningProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenAiFilesTest {
  @TempDir Path dir;
  OpenAiWireMock api;

  @BeforeEach
  void start() {
    api = OpenAiWireMock.start();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private FileUpload upload(String content) throws Exception {
    Path p = dir.resolve("train.jsonl");
    Files.writeString(p, content);
    return FileUpload.builder().path(p).fileName("tunekit-0123abcd-train.jsonl").sha256("0123abcd" + "0".repeat(56))
        .sizeBytes(Files.size(p)).format(DatasetFormat.CHAT_JSONL).role(FileUpload.Role.TRAINING).build();
  }

  @Test
  void filesAboveTheThresholdGoThroughTheUploadsApiInOrderedParts() throws Exception {
    String content = "{\"messages\":[]}\n".repeat(5); // 80 bytes → parts of 32, 32, 16
    FileUpload u = upload(content);
    api.stubUploadsApi("upload_1", file("file-big", u.fileName(), u.sizeBytes()), 3);

    try (TuningProvider p = api.provider("openai", Map.of("multipartThreshold", "64", "uploadPartSize", "32"))) {
      RemoteFile f = p.upload(u);

      assertThat(f).isEqualTo(RemoteFile.builder().id("file-big").fileName(u.fileName()).sizeBytes(80).build());
    }
    assertThat(api.count("POST", "/files")).isZero();
    JsonNode create = new ObjectMapper().readTree(api.requests("POST", "/uploads").get(0).getBodyAsString());
    assertThat(create.get("purpose").asText()).isEqualTo("fine-tune");
    assertThat(create.get("bytes").asLong()).isEqualTo(80);
    assertThat(create.get("filename").asText()).isEqualTo(u.fileName());
    assertThat(create.get("mime_type").asText()).isEqualTo("text/jsonl");

    List<LoggedRequest> parts = api.requests("POST", "/uploads/upload_1/parts");
    assertThat(parts).hasSize(3);
    List<String> received = new ArrayList<>();
    for (LoggedRequest part : parts) {
      received.add(new String(part.getPart("data").getBody().asBytes(), StandardCharsets.UTF_8));
    }
    assertThat(received).extracting(String::length).containsExactly(32, 32, 16);
    assertThat(String.join("", received)).isEqualTo(content);

    JsonNode complete = new ObjectMapper().readTree(
        api.requests("POST", "/uploads/upload_1/complete").get(0).getBodyAsString());
    assertThat(complete.get("part_ids")).extracting(JsonNode::asText).containsExactly("part_0", "part_1", "part_2");
    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content.getBytes(StandardCharsets.UTF_8)));
    assertThat(complete.get("md5").asText()).isEqualTo(md5);
  }

  /** Parts of {@code upload_3}: part_0 is accepted, the next request fails with {@code status}, then part_1 is accepted. */
  private void stubPartsFailingOnce(int status) {
    String parts = api.path("/uploads/upload_3/parts");
    api.server().stubFor(post(urlPathEqualTo(parts)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("one").willReturn(OpenAiWireMock.ok(Map.of("id", "part_0", "object", "upload.part",
            "created_at", OpenAiWireMock.T0, "upload_id", "upload_3"))));
    api.server().stubFor(post(urlPathEqualTo(parts)).inScenario("flaky").whenScenarioStateIs("one")
        .willSetStateTo("two").willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
            .withBody(OpenAiWireMock.json(OpenAiWireMock.error("part failed", "server_error", null)))));
    api.server().stubFor(post(urlPathEqualTo(parts)).inScenario("flaky").whenScenarioStateIs("two")
        .willReturn(OpenAiWireMock.ok(Map.of("id", "part_1", "object", "upload.part",
            "created_at", OpenAiWireMock.T0, "upload_id", "upload_3"))));
  }

  @Test
  void aRetryablePartFailureKeepsTheUploadAndTheNextAttemptSendsOnlyTheMissingParts() throws Exception {
    String content = "x".repeat(60) + "y".repeat(40);
    FileUpload u = upload(content);
    api.stubUploadsApi("upload_3", file("file-big", u.fileName(), u.sizeBytes()), 0);
    stubPartsFailingOnce(503);

    try (TuningProvider p = api.provider("openai", Map.of("multipartThreshold", "10", "uploadPartSize", "60"))) {
      assertThatThrownBy(() -> p.upload(u)).isInstanceOfSatisfying(ProviderException.class,
          e -> assertThat(e.retryable()).isTrue());
      assertThat(api.count("POST", "/uploads/upload_3/cancel")).as("kept for the next attempt").isZero();

      RemoteFile f = p.upload(u); // the core's retry

      assertThat(f.id()).isEqualTo("file-big");
    }
    assertThat(api.count("POST", "/uploads")).as("one upload session").isEqualTo(1);
    List<LoggedRequest> parts = api.requests("POST", "/uploads/upload_3/parts");
    assertThat(parts).hasSize(3);
    assertThat(new String(parts.get(2).getPart("data").getBody().asBytes(), StandardCharsets.UTF_8))
        .as("the retry sent only the missing part").isEqualTo("y".repeat(40));
    JsonNode complete = new ObjectMapper().readTree(
        api.requests("POST", "/uploads/upload_3/complete").get(0).getBodyAsString());
    assertThat(complete.get("part_ids")).extracting(JsonNode::asText).containsExactly("part_0", "part_1");
    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content.getBytes(StandardCharsets.UTF_8)));
    assertThat(complete.get("md5").asText()).isEqualTo(md5);
  }

  @Test
  void aRefusedPartCancelsTheUploadAndTheNextAttemptStartsANewOne() throws Exception {
    FileUpload u = upload("x".repeat(100));
    api.stubUploadsApi("upload_3", file("file-big", u.fileName(), u.sizeBytes()), 0);
    stubPartsFailingOnce(400);

    try (TuningProvider p = api.provider("openai", Map.of("multipartThreshold", "10", "uploadPartSize", "60"))) {
      assertThatThrownBy(() -> p.upload(u)).isInstanceOfSatisfying(ProviderException.class,
          e -> assertThat(e.retryable()).isFalse());
      assertThat(api.count("POST", "/uploads/upload_3/cancel")).isEqualTo(1);
      assertThat(api.count("POST", "/uploads/upload_3/complete")).isZero();

      p.upload(u);
    }
    assertThat(api.count("POST", "/uploads")).as("a new session after a cancelled one").isEqualTo(2);
  }

  @Test
  void findFileMatchesNameAndSizeAmongFineTuneFiles() throws Exception {
    FileUpload u = upload("{\"messages\":[]}\n");
    api.stubFileList(List.of(
        file("file-other", "tunekit-ffff-train.jsonl", u.sizeBytes()),
        file("file-size", u.fileName(), u.sizeBytes() + 1),
        file("file-hit", u.fileName(), u.sizeBytes())));

    try (TuningProvider p = api.provider()) {
      assertThat(p.findFile(u)).contains(RemoteFile.builder().id("file-hit").fileName(u.fileName())
          .sizeBytes(u.sizeBytes()).build());
    }
    assertThat(api.requests("GET", "/files").get(0).queryParameter("purpose").firstValue()).isEqualTo("fine-tune");
  }

  @Test
  void findFileSkipsFilesTheProviderFailedToProcess() throws Exception {
    FileUpload u = upload("{\"messages\":[]}\n");
    api.stubFileList(List.of(OpenAiWireMock.with(file("file-bad", u.fileName(), u.sizeBytes()), "status", "error")));

    try (TuningProvider p = api.provider()) {
      assertThat(p.findFile(u)).isEmpty();
    }
  }

  @Test
  void aMissingDatasetFileIsInvalidInputNamingThePath() throws Exception {
    FileUpload u = upload("x");
    Files.delete(u.path());

    try (TuningProvider p = api.provider()) {
      assertThatThrownBy(() -> p.upload(u)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining(u.path().toString());
    }
    assertThat(api.count("POST", "/files")).isZero();
  }
}
