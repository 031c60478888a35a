package dev.tunekit.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.error.InvalidInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Providers key uploads by the hash (object names, lookups), so FileUpload checks it once for all of them. */
class FileUploadTest {
  private static FileUpload.Builder upload(String sha) {
    return FileUpload.builder().path(Path.of("t.jsonl")).fileName("t.jsonl").sha256(sha).sizeBytes(1)
        .format(DatasetFormat.CHAT_JSONL).role(FileUpload.Role.TRAINING);
  }

  @Test
  void theHashIsSixtyFourHexDigitsInLowerCase() {
    assertThat(upload("AB" + "0".repeat(62)).build().sha256()).isEqualTo("ab" + "0".repeat(62));
    for (String bad : new String[] {"abc", "g".repeat(64), "0".repeat(65), " " + "0".repeat(63)}) {
      assertThatThrownBy(() -> upload(bad).build()).as(bad).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("64 hex digits").hasMessageContaining("t.jsonl");
    }
  }
}
