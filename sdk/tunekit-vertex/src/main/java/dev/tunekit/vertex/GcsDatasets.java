package dev.tunekit.vertex;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.RemoteFile;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Training data in Cloud Storage, at {@code gs://<bucket>/<prefix>/<sha256>.jsonl}: the object name is the
 * content's hash, so the same data is uploaded once, and a lost reply is recovered with one metadata read.
 * An upload looks first and writes only with the precondition "does not exist yet", so two processes
 * racing on the same file never overwrite each other.
 */
final class GcsDatasets {
  /** Object metadata holding the file's SHA-256, compared by {@link #find}. */
  static final String SHA_METADATA = "tunekit-sha256";

  private final Storage storage;
  private final VertexConfig config;

  GcsDatasets(Storage storage, VertexConfig config) {
    this.storage = storage;
    this.config = config;
  }

  String objectName(FileUpload upload) {
    return config.keyPrefix() + upload.sha256() + ".jsonl";
  }

  String uri(String name) {
    return "gs://" + config.requireBucket() + "/" + name;
  }

  Optional<RemoteFile> find(FileUpload upload) {
    String bucket = config.requireBucket();
    String name = objectName(upload);
    Blob blob;
    try {
      blob = storage.get(BlobId.of(bucket, name));
    } catch (RuntimeException e) {
      throw VertexErrors.translate(e, "storage.objects.get gs://" + bucket + "/" + name, false);
    }
    if (blob == null) {
      return Optional.empty();
    }
    String sha = blob.getMetadata() == null ? null : blob.getMetadata().get(SHA_METADATA);
    long size = blob.getSize() == null ? -1 : blob.getSize();
    if ((sha != null && !sha.equalsIgnoreCase(upload.sha256())) || (size >= 0 && size != upload.sizeBytes())) {
      return Optional.empty(); // not our bytes (a partial or foreign object): upload refuses to overwrite it
    }
    return Optional.of(RemoteFile.builder().id(uri(name)).fileName(upload.fileName()).sizeBytes(upload.sizeBytes())
        .build());
  }

  RemoteFile upload(FileUpload upload) {
    Optional<RemoteFile> existing = find(upload);
    if (existing.isPresent()) {
      return existing.get(); // content-addressed: the same bytes are already there
    }
    String bucket = config.requireBucket();
    String name = objectName(upload);
    BlobInfo info = BlobInfo.newBuilder(BlobId.of(bucket, name)).setContentType("application/jsonl")
        .setMetadata(Map.of(SHA_METADATA, upload.sha256())).build();
    try {
      storage.createFrom(info, upload.path(), Storage.BlobWriteOption.doesNotExist());
    } catch (IOException | RuntimeException e) {
      if (preconditionFailed(e)) {
        // Created meanwhile (by a lost earlier attempt or another process): it is ours if the hash matches.
        Optional<RemoteFile> now = find(upload);
        if (now.isPresent()) {
          return now.get();
        }
        throw new InvalidInputException("gs://" + bucket + "/" + name + " exists but does not hold "
            + upload.fileName() + " (size or " + SHA_METADATA + " differ); delete the object and run again");
      }
      if (e instanceof java.nio.file.FileSystemException local) {
        // Reading the file here failed (gone, unreadable): nothing was sent, and retrying will not help.
        throw new InvalidInputException("cannot read " + upload.path() + " to upload it: " + local.getMessage(),
            upload.path().toString(), e);
      }
      throw VertexErrors.translate(e, "storage upload of " + upload.fileName() + " to gs://" + bucket + "/" + name, true);
    }
    return RemoteFile.builder().id(uri(name)).fileName(upload.fileName()).sizeBytes(upload.sizeBytes()).build();
  }

  /**
   * "Does not exist yet" did not hold: Cloud Storage answers 412; Google's in-memory test storage throws a
   * FileAlreadyExistsException inside the StorageException.
   */
  static boolean preconditionFailed(Throwable e) {
    if (e instanceof com.google.cloud.storage.StorageException se && se.getCode() == 412) {
      return true;
    }
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof java.nio.file.FileAlreadyExistsException) {
        return true;
      }
    }
    return false;
  }
}
