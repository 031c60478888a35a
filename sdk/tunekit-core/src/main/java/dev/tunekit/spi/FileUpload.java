package dev.tunekit.spi;

import dev.tunekit.dataset.DatasetFormat;
import java.nio.file.Path;
import java.util.Objects;

/** A converted, validated dataset file ready to upload. Immutable; built with {@link #builder()}. */
public final class FileUpload {

  /** What the file is for. */
  public enum Role { TRAINING, VALIDATION }

  private final Path path;
  private final String fileName;
  private final String sha256;
  private final long sizeBytes;
  private final DatasetFormat format;
  private final Role role;

  private FileUpload(Builder b) {
    this.path = Objects.requireNonNull(b.path, "FileUpload.path is required");
    this.fileName = Objects.requireNonNull(b.fileName, "FileUpload.fileName is required");
    String sha = Objects.requireNonNull(b.sha256, "FileUpload.sha256 is required");
    if (!sha.matches("[0-9a-fA-F]{64}")) {
      // Providers key uploads by this hash (object names, lookups): a malformed one would be a bug upstream.
      throw new dev.tunekit.error.InvalidInputException("FileUpload.sha256 of " + b.fileName + " must be 64 hex"
          + " digits (the SHA-256 of the file's bytes, computed by dataset preparation), was '" + sha + "'");
    }
    this.sha256 = sha.toLowerCase(java.util.Locale.ROOT);
    this.format = Objects.requireNonNull(b.format, "FileUpload.format is required");
    this.role = Objects.requireNonNull(b.role, "FileUpload.role is required");
    if (b.sizeBytes < 0) {
      throw new dev.tunekit.error.InvalidInputException("FileUpload.sizeBytes must not be negative, was " + b.sizeBytes);
    }
    this.sizeBytes = b.sizeBytes;
  }

  /** A builder; every field is required ({@code sizeBytes} defaults to 0). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this upload's values. */
  public Builder toBuilder() {
    return new Builder().path(path).fileName(fileName).sha256(sha256).sizeBytes(sizeBytes).format(format).role(role);
  }

  /** The file on disk. */
  public Path path() {
    return path;
  }

  /** The name to give it remotely (contains a prefix of the hash, so a lost upload can be found again). */
  public String fileName() {
    return fileName;
  }

  /** Hex SHA-256 of the file's bytes: 64 lower-case hex digits (checked when built). */
  public String sha256() {
    return sha256;
  }

  /** The file size. */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** The file's format. */
  public DatasetFormat format() {
    return format;
  }

  /** Whether it is training or validation data. */
  public Role role() {
    return role;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileUpload f && path.equals(f.path) && fileName.equals(f.fileName) && sha256.equals(f.sha256)
        && sizeBytes == f.sizeBytes && format.equals(f.format) && role == f.role;
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, fileName, sha256, sizeBytes, format, role);
  }

  @Override
  public String toString() {
    return "FileUpload[path=" + path + ", fileName=" + fileName + ", sha256=" + sha256 + ", sizeBytes=" + sizeBytes
        + ", format=" + format + ", role=" + role + "]";
  }

  /** Builds a {@link FileUpload}. */
  public static final class Builder {
    private Path path;
    private String fileName;
    private String sha256;
    private long sizeBytes;
    private DatasetFormat format;
    private Role role;

    private Builder() {}

    public Builder path(Path path) {
      this.path = path;
      return this;
    }

    public Builder fileName(String fileName) {
      this.fileName = fileName;
      return this;
    }

    public Builder sha256(String sha256) {
      this.sha256 = sha256;
      return this;
    }

    public Builder sizeBytes(long sizeBytes) {
      this.sizeBytes = sizeBytes;
      return this;
    }

    public Builder format(DatasetFormat format) {
      this.format = format;
      return this;
    }

    public Builder role(Role role) {
      this.role = role;
      return this;
    }

    /** @throws NullPointerException naming the missing field; IllegalArgumentException for a negative size */
    public FileUpload build() {
      return new FileUpload(this);
    }
  }
}
