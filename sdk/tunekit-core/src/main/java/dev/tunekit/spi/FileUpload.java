package dev.tunekit.spi;

import dev.tunekit.dataset.DatasetFormat;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A converted, validated dataset file ready to upload.
 *
 * @param path the file on disk
 * @param fileName the name to give it remotely (contains a prefix of the hash, so a lost upload can be found again)
 * @param sha256 hex SHA-256 of the file's bytes
 * @param sizeBytes the file size
 * @param format the file's format
 * @param role whether it is training or validation data
 */
public record FileUpload(Path path, String fileName, String sha256, long sizeBytes, DatasetFormat format, Role role) {

  /** What the file is for. */
  public enum Role { TRAINING, VALIDATION }

  /** Canonical constructor. */
  public FileUpload {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(role, "role");
  }
}
