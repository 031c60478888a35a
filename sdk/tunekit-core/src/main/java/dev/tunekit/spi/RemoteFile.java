package dev.tunekit.spi;

import java.util.Objects;

/**
 * A file the provider holds.
 *
 * @param id the provider's id (a file id, an object-store URI, ...)
 * @param fileName the remote name
 * @param sizeBytes the size the provider reports, or -1 if unknown
 */
public record RemoteFile(String id, String fileName, long sizeBytes) {
  /** Canonical constructor. */
  public RemoteFile {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(fileName, "fileName");
  }
}
