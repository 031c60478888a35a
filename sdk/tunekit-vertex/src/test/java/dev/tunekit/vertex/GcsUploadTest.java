package dev.tunekit.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.RemoteFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads to Google's in-memory Cloud Storage ({@link FlakyStorage}): keyed by content hash, once. */
class GcsUploadTest {
  @TempDir Path dir;

  private final FlakyStorage flaky = new FlakyStorage();
  private final Storage real = flaky.real;
  private final java.util.concurrent.atomic.AtomicInteger writes = flaky.writes;

  private GcsDatasets datasets(Map<String, Object> extra) {
    Map<String, Object> s = new HashMap<>();
    s.put("project", VertexFakes.PROJECT);
    s.put("bucket", VertexFakes.BUCKET);
    s.put("prefix", "/runs/");
    s.putAll(extra);
    return new GcsDatasets(flaky.storage, VertexConfig.from(ProviderSettings.of("vertex", "tunekit.yaml", dir, s)));
  }

  private FileUpload file(String name, String content) throws Exception {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    Path p = Files.write(dir.resolve(name), bytes);
    return FileUpload.builder().path(p).fileName(name).sha256(Names.sha256(content)).sizeBytes(bytes.length)
        .format(GeminiFormat.FORMAT).role(FileUpload.Role.TRAINING).build();
  }

  @Test
  void aFileThatCannotBeReadIsADefiniteInputError_notANetworkFailure() throws Exception {
    GcsDatasets d = datasets(Map.of());
    FileUpload f = file("gone.jsonl", "{\"contents\":[]}\n");
    Files.delete(f.path());
    // It was a retryable network failure "that may have been carried out".
    assertThatThrownBy(() -> d.upload(f)).isInstanceOf(dev.tunekit.error.InvalidInputException.class)
        .hasMessageContaining("cannot read").hasMessageContaining("gone.jsonl");
  }

  @Test
  void upload_goesToPrefixSlashSha256_andTheSameContentIsUploadedOnce() throws Exception {
    GcsDatasets d = datasets(Map.of());
    FileUpload f = file("train.jsonl", "{\"contents\":[]}\n");
    RemoteFile first = d.upload(f);
    RemoteFile again = d.upload(file("renamed.jsonl", "{\"contents\":[]}\n"));
    assertThat(first.id()).isEqualTo("gs://" + VertexFakes.BUCKET + "/runs/" + f.sha256() + ".jsonl");
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(writes).hasValue(1);
    Blob blob = real.get(BlobId.of(VertexFakes.BUCKET, "runs/" + f.sha256() + ".jsonl"));
    assertThat(new String(blob.getContent(), StandardCharsets.UTF_8)).isEqualTo("{\"contents\":[]}\n");
    assertThat(blob.getMetadata()).containsEntry(GcsDatasets.SHA_METADATA, f.sha256());
  }

  @Test
  void aLostReplyIsAnUnknownOutcome_andFindFileThenFindsTheObject() throws Exception {
    GcsDatasets d = datasets(Map.of());
    FileUpload f = file("train.jsonl", "line\n");
    flaky.dropNextWriteReply = true;
    assertThatThrownBy(() -> d.upload(f)).isInstanceOfSatisfying(ProviderException.class,
        e -> assertThat(e.outcomeUnknown()).isTrue());
    assertThat(d.find(f)).map(RemoteFile::id).contains("gs://" + VertexFakes.BUCKET + "/runs/" + f.sha256() + ".jsonl");
    d.upload(f);
    assertThat(writes).hasValue(1);
  }

  @Test
  void aForeignObjectUnderTheName_isNeitherFoundNorOverwritten() throws Exception {
    GcsDatasets d = datasets(Map.of());
    FileUpload f = file("train.jsonl", "ours\n");
    real.create(BlobInfo.newBuilder(VertexFakes.BUCKET, "runs/" + f.sha256() + ".jsonl").build(),
        "someone else's longer bytes".getBytes(StandardCharsets.UTF_8));
    assertThat(d.find(f)).isEmpty();
    assertThatThrownBy(() -> d.upload(f)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("exists but does not hold train.jsonl");
  }

  @Test
  void settings_bucketWithAScheme_isRefusedNamingTheSetting() {
    assertThatThrownBy(() -> datasets(Map.of("bucket", "gs://b/x"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("providers.vertex.bucket").hasMessageContaining("bare bucket name");
  }
}
