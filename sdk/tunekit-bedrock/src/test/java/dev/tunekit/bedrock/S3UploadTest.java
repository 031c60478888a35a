package dev.tunekit.bedrock;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.RemoteFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Upload, de-duplication and metric reading against a real S3-compatible server (S3Proxy over an
 * in-memory jclouds blob store) that checks SigV4 signatures, started in-process on loopback.
 */
class S3UploadTest {
  private static final String BUCKET = LoopbackAws.BUCKET;
  private static final long MIB5 = 5L * 1024 * 1024;
  /** S3Proxy over a blob store that counts calls, fails one on request and records UploadIds; and WireMock. */
  private static LoopbackAws aws;
  private static String s3Url;
  private static WireMockServer wm;
  /** Shared by the tests that use default settings: closing an S3 client stops its Netty loop (~2 s). */
  private static BedrockProvider shared;
  /** Shared by the multipart-abort tests: 5 MiB threshold and parts. */
  private static BedrockProvider parts;
  @TempDir static Path sharedDir;

  @TempDir Path tmp;

  @BeforeAll
  static void startS3() throws Exception {
    aws = new LoopbackAws();
    s3Url = aws.s3Url();
    wm = aws.wm;
    shared = Fixtures.provider(sharedDir, Fixtures.settings(wm.baseUrl(), s3Url));
    Map<String, Object> s = Fixtures.settings(wm.baseUrl(), s3Url);
    s.put("multipartThresholdBytes", MIB5);
    s.put("multipartPartSizeBytes", MIB5);
    parts = Fixtures.provider(sharedDir, s);
  }

  @AfterAll
  static void stopS3() throws Exception {
    shared.close();
    parts.close();
    aws.close();
  }

  private BedrockProvider provider(Map<String, Object> extra) {
    Map<String, Object> s = Fixtures.settings("http://127.0.0.1:9", s3Url); // Bedrock is unused here
    s.putAll(extra);
    return Fixtures.provider(tmp, s);
  }

  private FileUpload file(String name, byte[] bytes) throws Exception {
    Path p = tmp.resolve(name);
    Files.write(p, bytes);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    return FileUpload.builder().path(p).fileName(sha.substring(0, 8) + "-" + name).sha256(sha).sizeBytes(bytes.length)
        .format(BedrockFormats.CONVERSATION).role(FileUpload.Role.TRAINING).build();
  }

  private static byte[] jsonl(int lines) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      sb.append("{\"schemaVersion\":\"bedrock-conversation-2024\",\"system\":[{\"text\":\"Be terse.\"}],")
          .append("\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"question ").append(i)
          .append("\"}]},{\"role\":\"assistant\",\"content\":[{\"text\":\"answer ").append(i).append("\"}]}]}\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void uploadStoresTheFileUnderItsHashAndFindFileThenFindsIt() throws Exception {
    byte[] data = jsonl(20);
    FileUpload up = file("train.jsonl", data);
    BedrockProvider p = shared;
    assertThat(p.findFile(up)).isEmpty();

    RemoteFile stored = p.upload(up);

    assertThat(stored.id()).isEqualTo("s3://" + BUCKET + "/runs/datasets/" + up.sha256() + "/" + up.fileName());
    assertThat(stored.sizeBytes()).isEqualTo(data.length);
    assertThat(p.findFile(up)).contains(stored);
    Blob blob = aws.store().getBlob(BUCKET, "runs/datasets/" + up.sha256() + "/" + up.fileName());
    assertThat(blob.getPayload().openStream().readAllBytes()).isEqualTo(data);
    assertThat(blob.getMetadata().getUserMetadata()).containsEntry(S3Datasets.SHA_METADATA, up.sha256());
  }

  @Test
  void findFileIgnoresAnObjectOfTheSameKeyButAnotherSize() throws Exception {
    FileUpload up = file("valid.jsonl", jsonl(5));
    shared.upload(up);
    FileUpload other = FileUpload.builder().path(up.path()).fileName(up.fileName()).sha256(up.sha256())
        .sizeBytes(up.sizeBytes() + 1).format(up.format()).role(up.role()).build();

    assertThat(shared.findFile(other)).isEmpty();
  }

  @Test
  void largeFileGoesUpInPartsAndArrivesIntact() throws Exception {
    byte[] data = new byte[11 * 1024 * 1024 + 123];
    new Random(7).nextBytes(data);
    FileUpload up = file("big.jsonl", data);
    long mib5 = 5L * 1024 * 1024;
    try (BedrockProvider p = provider(Map.of("multipartThresholdBytes", mib5, "multipartPartSizeBytes", mib5))) {
      RemoteFile stored = p.upload(up);
      assertThat(p.findFile(up)).contains(stored);
    }
    Blob blob = aws.store().getBlob(BUCKET, "runs/datasets/" + up.sha256() + "/" + up.fileName());
    assertThat(blob.getPayload().openStream().readAllBytes()).isEqualTo(data);
    // A multipart object's ETag is "<md5 of part md5s>-<part count>": 11 MiB in 5 MiB parts is 3 parts.
    assertThat(blob.getMetadata().getETag()).endsWith("-3\"");
  }

  /**
   * The SDK announces upload bodies over 1 MiB with {@code Expect: 100-continue}; {@code s3ExpectContinue: false}
   * stops it for S3-compatible servers that mishandle it. WireMock stands in for S3 to show the headers.
   */
  @Test
  void expectContinueIsSentByDefaultAndNotWhenTurnedOff() throws Exception {
    WireMockServer s3 = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    s3.start();
    try {
      s3.stubFor(com.github.tomakehurst.wiremock.client.WireMock.put(urlPathMatching("/.*"))
          .willReturn(com.github.tomakehurst.wiremock.client.WireMock.ok().withHeader("ETag", "\"e1\"")));
      FileUpload up = file("expect.jsonl", jsonl(12_000)); // about 2 MiB, one PutObject
      assertThat(up.sizeBytes()).isGreaterThan(1024 * 1024);
      for (boolean on : new boolean[] {true, false}) {
        s3.resetRequests();
        Map<String, Object> s = Fixtures.settings("http://127.0.0.1:9", s3.baseUrl());
        if (!on) {
          s.put("s3ExpectContinue", "false");
        }
        try (BedrockProvider p = Fixtures.provider(tmp, s)) {
          p.upload(up);
        }
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> puts = s3.findAll(
            com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor(urlPathMatching("/.*")));
        assertThat(puts).as("PUTs with s3ExpectContinue=%s", on).hasSize(1);
        if (on) {
          assertThat(puts.get(0).getHeader("Expect")).isEqualToIgnoringCase("100-continue");
        } else {
          assertThat(puts.get(0).containsHeader("Expect")).as("Expect header sent").isFalse();
        }
      }
    } finally {
      s3.stop();
    }
  }

  @Test
  void wrongCredentialsAreAnAuthenticationErrorNamingTheBucketAndNoSecret() throws Exception {
    FileUpload up = file("denied.jsonl", jsonl(2));
    Map<String, Object> s = Fixtures.settings("http://127.0.0.1:9", s3Url);
    try (BedrockProvider p = Fixtures.provider(tmp, s, "AKIDWRONG", "wrong-secret-value")) {
      assertThatThrownBy(() -> p.upload(up)).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("s3:PutObject").hasMessageContaining(BUCKET)
          .hasMessageNotContaining("wrong-secret-value");
    }
  }

  @Test
  void missingBucketIsNotFoundWithAdvice() throws Exception {
    FileUpload up = file("nobucket.jsonl", jsonl(2));
    try (BedrockProvider p = provider(Map.of("bucket", "no-such-bucket"))) {
      assertThatThrownBy(() -> p.upload(up)).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("providers.bedrock.bucket");
    }
  }

  @Test
  void metricsAreReadFromTheJobsStepWiseCsvsInS3() throws Exception {
    String out = "runs/output/tunekit-run-42-abc/";
    String folder = out + "model-customization-job-ab12cd34ef56/";
    BlobStore store = aws.store();
    store.putBlob(BUCKET, store.blobBuilder(folder + "training_artifacts/step_wise_training_metrics.csv")
        .payload("step_number,epoch_number,training_loss,perplexity\n0,0,2.5,12.1\n1,0,1.75,5.7\n2,1,1.25,3.4\n").build());
    store.putBlob(BUCKET, store.blobBuilder(folder + "validation_artifacts/post_fine_tuning_validation/validation_metrics.csv")
        .payload("step_number,epoch_number,validation_loss,perplexity\n2,1,1.5,4.4\n").build());
    wm.stubFor(get(urlPathMatching("/model-customization-jobs/.*ab12cd34ef56")).willReturn(okJson(
        "{\"jobArn\":\"" + Fixtures.JOB_ARN + "\",\"jobName\":\"tunekit-run-42-abc\",\"status\":\"InProgress\","
            + "\"baseModelArn\":\"" + Fixtures.NOVA + "\",\"creationTime\":\"2026-11-02T10:00:00Z\","
            + "\"outputDataConfig\":{\"s3Uri\":\"s3://" + BUCKET + "/" + out + "\"}}")));

    dev.tunekit.spi.Page<MetricPoint> first = shared.metrics(Fixtures.JOB_ARN, java.util.Optional.empty());
    List<MetricPoint> points = first.items();

    assertThat(points).containsExactly(
        MetricPoint.trainLoss(0, 2.5),
        MetricPoint.trainLoss(1, 1.75),
        new MetricPoint(2, OptionalDouble.of(1.25), OptionalDouble.of(1.5), OptionalDouble.empty(), OptionalDouble.empty()));
    // Bedrock can only re-read its CSV files, but a read from the cursor never re-delivers a step
    assertThat(first.next()).contains(new dev.tunekit.spi.Cursor("2"));
    dev.tunekit.spi.Page<MetricPoint> again = shared.metrics(Fixtures.JOB_ARN, first.next());
    assertThat(again.items()).isEmpty();
    assertThat(again.next()).isEqualTo(first.next());
  }

  @Test
  void aPollOfARunningJob_readsTheJobOnce_andItsMetricsFilesOnlyOnceItHasEnded() throws Exception {
    String out = "runs/output/tunekit-run-43-abc/";
    String folder = out + "model-customization-job-ab12cd34ef56/";
    BlobStore store = aws.store();
    store.putBlob(BUCKET, store.blobBuilder(folder + "training_artifacts/step_wise_training_metrics.csv")
        .payload("step_number,epoch_number,training_loss,perplexity\n0,0,2.5,12.1\n1,0,1.75,5.7\n").build());
    String job = "{\"jobArn\":\"" + Fixtures.JOB_ARN + "\",\"jobName\":\"tunekit-run-43-abc\",\"status\":\"%s\","
        + "\"baseModelArn\":\"" + Fixtures.NOVA + "\",\"creationTime\":\"2026-11-02T10:00:00Z\","
        + "\"outputDataConfig\":{\"s3Uri\":\"s3://" + BUCKET + "/" + out + "\"}}";
    wm.stubFor(get(urlPathMatching("/model-customization-jobs/.*ab12cd34ef56")).willReturn(okJson(
        String.format(job, "InProgress"))));
    wm.resetRequests();

    dev.tunekit.spi.JobProgress running = shared.progress(Fixtures.JOB_ARN, java.util.Optional.empty(),
        java.util.Optional.empty());

    assertThat(running.job().status().isTerminal()).isFalse();
    assertThat(running.metrics().items()).as("not read while the job runs").isEmpty();
    wm.verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
        urlPathMatching("/model-customization-jobs/.*ab12cd34ef56")));

    wm.stubFor(get(urlPathMatching("/model-customization-jobs/.*ab12cd34ef56")).willReturn(okJson(
        String.format(job, "Completed"))));
    dev.tunekit.spi.JobProgress done = shared.progress(Fixtures.JOB_ARN, running.events().next(),
        running.metrics().next());
    assertThat(done.metrics().items()).extracting(MetricPoint::step).containsExactly(0L, 1L);
  }

  @Test
  void noMetricsYetIsAnEmptyList() throws Exception {
    wm.stubFor(get(urlPathMatching("/model-customization-jobs/.*ab12cd34ef56")).willReturn(okJson(
        "{\"jobArn\":\"" + Fixtures.JOB_ARN + "\",\"status\":\"InProgress\",\"baseModelArn\":\"b\","
            + "\"creationTime\":\"2026-11-02T10:00:00Z\","
            + "\"outputDataConfig\":{\"s3Uri\":\"s3://" + BUCKET + "/runs/output/empty-job/\"}}")));

    assertThat(shared.metrics(Fixtures.JOB_ARN, java.util.Optional.empty()).items()).isEmpty();
    assertThat(shared.metrics(Fixtures.JOB_ARN, java.util.Optional.empty()).next()).isEmpty();
  }

  // ------------------------------------------------- a failed multipart upload is aborted
  // S3 keeps, and bills, the parts of a multipart upload until it is aborted. 11 MiB in 5 MiB parts: 3 parts.

  private FileUpload big() throws Exception {
    byte[] data = new byte[11 * 1024 * 1024 + 123];
    new Random(11).nextBytes(data);
    return file("abort.jsonl", data);
  }

  @Test
  void aFailedPartAbortsTheUploadWithItsUploadId() throws Exception {
    aws.reset();
    aws.failOnce("uploadMultipartPart");

    FileUpload big = big();
    Throwable thrown = catchThrowable(() -> parts.upload(big));

    assertThat(aws.initiatedUploads).hasSize(1);
    assertThat(aws.abortedUploads).containsExactlyElementsOf(aws.initiatedUploads);
    assertThat(thrown).isInstanceOf(ProviderException.class).hasMessageContaining("UploadPart");
    assertThat(aws.calls("completeMultipartUpload")).as(aws.callCounts()).isZero();
    assertThat(aws.keys("")).isEmpty();
  }

  @Test
  void aFailedCompletionAbortsTheUploadToo() throws Exception {
    aws.reset();
    aws.failOnce("completeMultipartUpload");

    FileUpload big = big();
    Throwable thrown = catchThrowable(() -> parts.upload(big));

    assertThat(aws.initiatedUploads).hasSize(1);
    assertThat(aws.abortedUploads).containsExactlyElementsOf(aws.initiatedUploads);
    assertThat(thrown).isInstanceOf(ProviderException.class).hasMessageContaining("CompleteMultipartUpload");
    assertThat(aws.keys("")).isEmpty();
  }

  @Test
  void aFailedAbortIsAWarningWithTheCommandAndTheOriginalErrorIsKept() throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger(S3Datasets.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    log.addAppender(logged);
    try {
      aws.reset();
      aws.failOnce("uploadMultipartPart");
      aws.failOnce("abortMultipartUpload");

      FileUpload big = big();
      Throwable thrown = catchThrowable(() -> parts.upload(big));

      String id = aws.initiatedUploads.get(0);
      assertThat(aws.abortedUploads).containsExactly(id);
      assertThat(thrown).isInstanceOf(ProviderException.class).hasMessageContaining("UploadPart")
          .hasMessageNotContaining("abort");
      assertThat(logged.list).singleElement().satisfies(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage()).contains("abort-multipart-upload", "--upload-id " + id, "S3 answered 500")
            .doesNotContain(Fixtures.SECRET_KEY).doesNotContain(Fixtures.ACCESS_KEY);
      });
    } finally {
      log.detachAppender(logged);
    }
  }

  @Test
  void aSuccessfulMultipartUploadAbortsNothing() throws Exception {
    aws.reset();
    parts.upload(big());

    assertThat(aws.initiatedUploads).hasSize(1);
    assertThat(aws.abortedUploads).isEmpty();
    assertThat(aws.calls("uploadMultipartPart")).isEqualTo(3);
    assertThat(aws.calls("completeMultipartUpload")).isEqualTo(1);
  }
}
