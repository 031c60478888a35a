package dev.tunekit.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The object-store settings providers share: a folder, a bare bucket name, a map of text values. */
class ProviderSettingsTest {
  private static ProviderSettings of(Map<String, ?> values) {
    return ProviderSettings.of("store", "tunekit.yaml", Path.of("work"), values);
  }

  @Test
  void aFolderLosesItsSlashesAndDefaults() {
    assertThat(of(Map.of("prefix", " /runs/a/ ")).folder("prefix", "tunekit")).isEqualTo("runs/a");
    assertThat(of(Map.of("prefix", "///")).folder("prefix", "tunekit")).isEmpty();
    assertThat(of(Map.of()).folder("prefix", "tunekit")).isEqualTo("tunekit");
  }

  @Test
  void aBucketIsABareName() {
    assertThat(of(Map.of("bucket", " my-bucket ")).bucketName("bucket", "gs://", "prefix")).contains("my-bucket");
    assertThat(of(Map.of()).bucketName("bucket", "gs://", "prefix")).isEmpty();
    assertThatThrownBy(() -> of(Map.of("bucket", "gs://my-bucket")).bucketName("bucket", "gs://", "prefix"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("bare bucket name")
        .hasMessageContaining("'prefix'").hasMessageContaining("gs://my-bucket");
    assertThatThrownBy(() -> of(Map.of("bucket", "b/runs")).bucketName("bucket", "s3://", "prefix"))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void aTextMapRefusesNestedValuesNamingTheEntry() {
    assertThat(of(Map.of("tags", Map.of("team", "search", "n", 3))).textMap("tags"))
        .containsEntry("team", "search").containsEntry("n", "3");
    assertThatThrownBy(() -> of(Map.of("tags", Map.of("team", List.of("a")))).textMap("tags"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tags.team")
        .hasMessageContaining("single text value");
  }
}
