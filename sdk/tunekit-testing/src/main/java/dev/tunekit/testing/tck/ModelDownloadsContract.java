package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.TunekitException;
import dev.tunekit.spi.ModelDownloads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules for the {@link ModelDownloads} capability. */
public interface ModelDownloadsContract extends CapabilityContract {

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  /**
   * A completed download leaves exactly one file in the directory, the one returned, not empty. If this fails, check
   * that the temporary file is moved into place and nothing else is left beside it.
   */
  @Test
  default void optional_modelDownloads_completed_leavesExactlyOneFile(@TempDir Path dir) throws IOException {
    ModelDownloads downloads = require(ModelDownloads.class);
    Path file = downloads.download(fixture().downloadableJob(), ModelDownloads.Artifact.ADAPTER, dir);
    assertThat(files(dir)).as("files in the directory after a completed download").containsExactly(file);
    assertThat(Files.size(file)).as("size of %s", file).isPositive();
  }

  /**
   * A failed download throws a Tunekit exception and leaves no file at all (no partial file, no temporary one). If
   * this fails, check that the temporary file is deleted on every failure.
   */
  @Test
  default void optional_modelDownloads_failed_leavesNoFile(@TempDir Path dir) throws IOException {
    ModelDownloads downloads = require(ModelDownloads.class);
    String job = fixture().jobWhoseDownloadFails();
    assertThatThrownBy(() -> downloads.download(job, ModelDownloads.Artifact.ADAPTER, dir))
        .as("a failed download").isInstanceOf(TunekitException.class);
    assertThat(files(dir)).as("files in the directory after a failed download").isEmpty();
  }
}
