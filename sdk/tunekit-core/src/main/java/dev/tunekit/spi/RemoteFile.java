package dev.tunekit.spi;

import java.util.Objects;

/**
 * A file the provider holds. Immutable; built with {@link #builder()} so fields can be added later
 * without breaking providers.
 */
public final class RemoteFile {
  private final String id;
  private final String fileName;
  private final long sizeBytes;

  private RemoteFile(Builder b) {
    this.id = require(b.id, "id");
    this.fileName = Objects.requireNonNull(b.fileName, "RemoteFile.fileName is required");
    this.sizeBytes = b.sizeBytes;
  }

  private static String require(String v, String field) {
    if (v == null || v.isBlank()) {
      throw new dev.tunekit.error.InvalidInputException("RemoteFile." + field + " is required and must not be blank");
    }
    return v;
  }

  /** A builder; {@code id} and {@code fileName} are required, {@code sizeBytes} defaults to -1 (unknown). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this file's values. */
  public Builder toBuilder() {
    return new Builder().id(id).fileName(fileName).sizeBytes(sizeBytes);
  }

  /** The provider's id (a file id, an object-store URI, ...). */
  public String id() {
    return id;
  }

  /** The remote name. */
  public String fileName() {
    return fileName;
  }

  /** The size the provider reports, or -1 if unknown. */
  public long sizeBytes() {
    return sizeBytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RemoteFile f && id.equals(f.id) && fileName.equals(f.fileName) && sizeBytes == f.sizeBytes;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, fileName, sizeBytes);
  }

  @Override
  public String toString() {
    return "RemoteFile[id=" + id + ", fileName=" + fileName + ", sizeBytes=" + sizeBytes + "]";
  }

  /** Builds a {@link RemoteFile}. */
  public static final class Builder {
    private String id;
    private String fileName;
    private long sizeBytes = -1;

    private Builder() {}

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder fileName(String fileName) {
      this.fileName = fileName;
      return this;
    }

    public Builder sizeBytes(long sizeBytes) {
      this.sizeBytes = sizeBytes;
      return this;
    }

    /** @throws IllegalArgumentException naming the missing field */
    public RemoteFile build() {
      return new RemoteFile(this);
    }
  }
}
