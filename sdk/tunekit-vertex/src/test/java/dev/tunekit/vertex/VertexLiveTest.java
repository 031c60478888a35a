package dev.tunekit.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opt-in, read-only calls against the real Vertex AI and Cloud Storage: set {@code TUNEKIT_VERTEX_LIVE=1},
 * {@code TUNEKIT_VERTEX_PROJECT}, {@code TUNEKIT_VERTEX_BUCKET} (and optionally {@code TUNEKIT_VERTEX_LOCATION})
 * with Application Default Credentials. Skipped otherwise, so CI never reaches Google. Nothing is created.
 */
@EnabledIfEnvironmentVariable(named = "TUNEKIT_VERTEX_LIVE", matches = "1")
class VertexLiveTest {
  @TempDir Path dir;

  private TuningProvider provider() {
    return new VertexProviderFactory().create(ProviderSettings.of("vertex", "VertexLiveTest", dir, Map.of(
        "project", System.getenv("TUNEKIT_VERTEX_PROJECT"),
        "bucket", System.getenv("TUNEKIT_VERTEX_BUCKET"),
        "location", System.getenv().getOrDefault("TUNEKIT_VERTEX_LOCATION", "us-central1"))));
  }

  @Test
  void listingTuningJobsByAnUnusedKeyLabel_findsNothing() {
    try (TuningProvider p = provider()) {
      assertThat(p.findJob("tunekit-live-" + UUID.randomUUID())).isEmpty();
    }
  }

  @Test
  void lookingUpAnObjectThatWasNeverUploaded_findsNothing() throws Exception {
    String content = "never uploaded " + UUID.randomUUID();
    Path f = Files.writeString(dir.resolve("never.jsonl"), content);
    FileUpload upload = FileUpload.builder().path(f).fileName("never.jsonl").sha256(Names.sha256(content))
        .sizeBytes(Files.size(f)).format(GeminiFormat.FORMAT).role(FileUpload.Role.TRAINING).build();
    try (TuningProvider p = provider()) {
      assertThat(p.findFile(upload)).isEmpty();
    }
  }
}
