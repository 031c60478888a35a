package dev.tunekit.dataset;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A dataset file written in a provider's format.
 *
 * @param path where it was written
 * @param format its format
 * @param examples number of examples (lines)
 * @param sizeBytes file size
 * @param sha256 hex SHA-256 of the file's bytes: the upload de-duplication key
 */
public record ConvertedFile(Path path, DatasetFormat format, long examples, long sizeBytes, String sha256) {
  /** Canonical constructor. */
  public ConvertedFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(sha256, "sha256");
  }
}
