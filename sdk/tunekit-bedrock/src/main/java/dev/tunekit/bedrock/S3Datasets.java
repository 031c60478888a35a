package dev.tunekit.bedrock;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.RemoteFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

/**
 * Training data and job output in S3. Files are stored under
 * {@code <prefix>/datasets/<sha256>/<fileName>}, so the same content is uploaded once and a lost ledger
 * entry is recovered with one HeadObject. Uploads go through {@link S3TransferManager}, which splits
 * large files into parts, and ask S3 to verify a SHA-256 checksum of every part.
 */
final class S3Datasets {
  /** User metadata holding the file's full SHA-256, compared by {@link #find}. */
  static final String SHA_METADATA = "tunekit-sha256";

  private final S3AsyncClient s3;
  private final S3TransferManager transfers;
  private final BedrockConfig config;

  S3Datasets(S3AsyncClient s3, S3TransferManager transfers, BedrockConfig config) {
    this.s3 = s3;
    this.transfers = transfers;
    this.config = config;
  }

  /** The object key for an upload. */
  String key(FileUpload upload) {
    String name = upload.fileName();
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    if (slash >= 0) {
      name = name.substring(slash + 1);
    }
    if (!upload.sha256().matches("[0-9a-fA-F]{64}")) {
      throw new InvalidInputException("upload " + upload.fileName() + " has no valid SHA-256 (was '" + upload.sha256()
          + "'); it is computed by the dataset preparation step");
    }
    return config.keyPrefix() + "datasets/" + upload.sha256().toLowerCase(java.util.Locale.ROOT) + "/" + name;
  }

  /** {@code s3://bucket/key}. */
  String uri(String key) {
    return "s3://" + config.requireBucket() + "/" + key;
  }

  Optional<RemoteFile> find(FileUpload upload) {
    String bucket = config.requireBucket();
    String key = key(upload);
    HeadObjectResponse head;
    try {
      head = s3.headObject(b -> b.bucket(bucket).key(key)).join();
    } catch (CompletionException e) {
      Throwable c = AwsErrors.unwrap(e);
      if (c instanceof S3Exception s3e && s3e.statusCode() == 404) {
        return Optional.empty();
      }
      throw AwsErrors.translate(e, AwsErrors.Op.s3("HeadObject", "s3:GetObject"), config);
    }
    long size = head.contentLength() == null ? -1 : head.contentLength();
    if (size != upload.sizeBytes()) {
      return Optional.empty();
    }
    String stored = head.metadata() == null ? null : head.metadata().get(SHA_METADATA);
    if (stored != null && !stored.equalsIgnoreCase(upload.sha256())) {
      return Optional.empty();
    }
    return Optional.of(RemoteFile.builder().id(uri(key)).fileName(upload.fileName()).sizeBytes(size).build());
  }

  RemoteFile upload(FileUpload upload) {
    String bucket = config.requireBucket();
    String key = key(upload);
    long actual;
    try {
      actual = Files.size(upload.path());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + upload.path() + " to upload it: " + e.getMessage(),
          upload.path().toString(), e);
    }
    if (actual != upload.sizeBytes()) {
      throw new InvalidInputException("file changed after it was prepared: " + actual + " bytes on disk, "
          + upload.sizeBytes() + " expected; prepare the dataset again", upload.path().toString());
    }
    try {
      transfers.uploadFile(u -> u.source(upload.path()).putObjectRequest(p -> p
              .bucket(bucket)
              .key(key)
              .contentType("application/jsonl")
              .checksumAlgorithm(ChecksumAlgorithm.SHA256)
              .metadata(Map.of(SHA_METADATA, upload.sha256().toLowerCase(java.util.Locale.ROOT)))))
          .completionFuture()
          .join();
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.s3("PutObject", "s3:PutObject"), config);
    }
    return RemoteFile.builder().id(uri(key)).fileName(upload.fileName()).sizeBytes(upload.sizeBytes()).build();
  }

  /** Keys under {@code s3://bucket/prefix} (all pages). */
  List<String> list(String s3Uri) {
    String[] bk = split(s3Uri);
    List<String> keys = new ArrayList<>();
    String token = null;
    try {
      do {
        String t = token;
        ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(bk[0]).prefix(bk[1]).continuationToken(t)).join();
        for (S3Object o : r.contents()) {
          keys.add(o.key());
        }
        token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
      } while (token != null);
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.s3("ListObjectsV2", "s3:ListBucket"), config);
    }
    return keys;
  }

  String readText(String bucket, String key) {
    try {
      return s3.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes()).join()
          .asString(StandardCharsets.UTF_8);
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.s3("GetObject", "s3:GetObject"), config);
    }
  }

  /** {@code [bucket, key]} of an {@code s3://} URI. */
  static String[] split(String s3Uri) {
    if (!s3Uri.startsWith("s3://")) {
      throw ProviderException.builder(AwsErrors.PROVIDER, "expected an s3:// URI, got " + s3Uri).build();
    }
    String rest = s3Uri.substring(5);
    int slash = rest.indexOf('/');
    return slash < 0 ? new String[] {rest, ""} : new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
  }
}
