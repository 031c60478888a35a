package dev.tunekit.together;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.spi.Checkpoint;
import dev.tunekit.spi.ModelDownloads.Artifact;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /finetune/download} (the adapter or merged model, written atomically, never partly, the key never
 * sent to a host Together redirects to), {@code GET /fine-tunes/{id}/checkpoints} and {@code GET
 * /fine-tunes/{id}/metrics}, against WireMock.
 */
class TogetherDownloadTest {
  static TogetherFakes fakes;
  static WireMockServer storage;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    fakes = new TogetherFakes();
    // Another origin (a presigned storage URL's host): same address, another port.
    storage = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    storage.start();
  }

  @AfterAll
  static void stop() {
    fakes.close();
    storage.stop();
  }

  @BeforeEach
  void reset() {
    fakes.wm.resetAll();
    storage.resetAll();
  }

  private Path out() throws Exception {
    return Files.createDirectories(dir.resolve("models"));
  }

  private static List<String> names(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void theAdapterIsWrittenUnderItsDispositionName() throws Exception {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/finetune/download")).withQueryParam("ft_id", equalTo("ft-1"))
        .withQueryParam("checkpoint", equalTo("adapter")).withHeader("Authorization", equalTo("Bearer " + TogetherFakes.KEY))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/octet-stream")
            .withHeader("Content-Disposition", "attachment; filename=\"ft-1-adapter.tar.zst\"").withBody("ADAPTER-BYTES")));
    Path d = out();
    Path f = fakes.provider(dir).download("ft-1", Artifact.ADAPTER, d);
    assertThat(f).isEqualTo(d.resolve("ft-1-adapter.tar.zst"));
    assertThat(Files.readString(f)).isEqualTo("ADAPTER-BYTES");
    assertThat(names(d)).containsExactly("ft-1-adapter.tar.zst");
  }

  @Test
  void aRedirectToAnotherHost_isFollowedWithoutTheKey() throws Exception {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/finetune/download")).willReturn(aResponse().withStatus(307)
        .withHeader("Location", "http://127.0.0.1:" + storage.port() + "/bucket/merged.tar.zst?X-Sig=s3cr3t")));
    storage.stubFor(get(urlPathEqualTo("/bucket/merged.tar.zst")).willReturn(aResponse().withBody("MERGED")));
    Path d = out();
    Path f = fakes.provider(dir).download("ft-2", Artifact.MERGED, d);
    assertThat(f).isEqualTo(d.resolve("ft-2-merged.tar.zst"));
    assertThat(Files.readString(f, StandardCharsets.UTF_8)).isEqualTo("MERGED");
    fakes.wm.verify(getRequestedFor(urlPathEqualTo("/v1/finetune/download")).withQueryParam("checkpoint", equalTo("merged"))
        .withHeader("Authorization", equalTo("Bearer " + TogetherFakes.KEY)));
    storage.verify(1, getRequestedFor(urlPathEqualTo("/bucket/merged.tar.zst")).withHeader("Authorization", absent()));
  }

  @Test
  void aFailedDownload_leavesNoFile_andNoSecretInItsMessage() throws Exception {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/finetune/download")).willReturn(aResponse().withStatus(307)
        .withHeader("Location", "http://127.0.0.1:" + storage.port() + "/bucket/x?X-Sig=s3cr3t")));
    storage.stubFor(get(urlPathEqualTo("/bucket/x")).willReturn(aResponse().withStatus(403)
        .withBody("<Error><StringToSign>s3cr3t</StringToSign></Error>")));
    Path d = out();
    assertThatThrownBy(() -> fakes.provider(dir).download("ft-3", Artifact.ADAPTER, d))
        .hasMessageContaining("HTTP 403").hasMessageNotContaining("s3cr3t").hasMessageNotContaining(TogetherFakes.KEY);
    assertThat(names(d)).isEmpty();
  }

  @Test
  void aDownloadCutOffHalfway_leavesNoPartialFile() throws Exception {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/finetune/download")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Length", "100000").withBody("PARTIAL").withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
    Path d = out();
    assertThatThrownBy(() -> fakes.provider(dir).download("ft-4", Artifact.ADAPTER, d));
    assertThat(names(d)).isEmpty();
  }

  @Test
  void anUnknownJob_isNotFound_andLeavesNoFile() throws Exception {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/finetune/download")).willReturn(aResponse().withStatus(404)
        .withHeader("Content-Type", "application/json").withBody(TogetherFakes.error("not_found", "Fine-tune ID not found"))));
    Path d = out();
    assertThatThrownBy(() -> fakes.provider(dir).download("ft-5", Artifact.MERGED, d)).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("Fine-tune ID not found");
    assertThat(names(d)).isEmpty();
  }

  @Test
  void checkpointsAreListedOldestFirst_asFromCheckpointReferences() {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes/ft-6/checkpoints")).willReturn(okJson("{\"data\":["
        + "{\"step\":20,\"path\":\"s3://together/ft-6/checkpoint-20\",\"created_at\":\"2026-11-02T10:03:00Z\",\"checkpoint_type\":\"Intermediate\"},"
        + "{\"step\":10,\"path\":\"s3://together/ft-6/checkpoint-10\",\"created_at\":\"2026-11-02T10:02:00Z\",\"checkpoint_type\":\"Intermediate\"}]}")));
    List<Checkpoint> all = fakes.provider(dir).checkpoints("ft-6");
    assertThat(all).extracting(Checkpoint::id).containsExactly("ft-6:10", "ft-6:20");
    assertThat(all).extracting(Checkpoint::model).containsExactly("s3://together/ft-6/checkpoint-10",
        "s3://together/ft-6/checkpoint-20");
    assertThat(fakes.provider(dir).checkCheckpoint(all.get(0).id())).isEmpty();
  }

  @Test
  void metricsCarryTheTrainingLoss_byGlobalStep_readOnlyOnce() {
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes/ft-7/metrics")).willReturn(okJson("{\"metrics\":["
        + "{\"train/loss\":0.5,\"train/learning_rate\":0.0001,\"train/global_step\":7},"
        + "{\"train/loss\":0.45,\"train/learning_rate\":0.00009,\"train/global_step\":14}]}")));
    TogetherProvider p = fakes.provider(dir);
    dev.tunekit.spi.Page<dev.tunekit.model.MetricPoint> first = p.metrics("ft-7", java.util.Optional.empty());
    assertThat(first.items()).extracting(dev.tunekit.model.MetricPoint::step).containsExactly(7L, 14L);
    assertThat(first.items().get(1).trainLoss()).hasValue(0.45);
    assertThat(p.metrics("ft-7", first.next()).items()).isEmpty();
  }
}
