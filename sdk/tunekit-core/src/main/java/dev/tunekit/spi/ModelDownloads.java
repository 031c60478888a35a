package dev.tunekit.spi;

import java.nio.file.Path;

/**
 * The capability to download a trained model's weights (to serve them elsewhere, such as on vLLM).
 * An implementation writes into a temporary file in {@code directory}, moves it into place atomically once
 * complete and deletes it on any failure, so a failed download leaves no partial file. Credentials go only to
 * the provider's own host, never to a host it redirects to, and appear in no message.
 */
public interface ModelDownloads extends Capability {
  /** What to download. */
  enum Artifact {
    /** The trained adapter (LoRA weights) alone. */
    ADAPTER,
    /** The base model with the adapter merged in (or the fully trained model). */
    MERGED
  }

  /**
   * Downloads {@code artifact} of the job {@code jobId} into {@code directory} (which exists) and returns the
   * file written.
   */
  Path download(String jobId, Artifact artifact, Path directory);
}
