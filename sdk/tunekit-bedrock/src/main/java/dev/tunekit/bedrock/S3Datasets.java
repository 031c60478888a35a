package dev.tunekit.bedrock;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.RemoteFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Training data and job output in S3. Files are stored under
 * {@code <prefix>/datasets/<sha256>/<fileName>}, so the same content is uploaded once and a lost ledger
 * entry is recovered with one HeadObject. A file above {@code multipartThresholdBytes} goes up in parts of
 * {@code multipartPartSizeBytes}, {@value #PARTS_IN_FLIGHT} at a time, and a failed multipart upload is
 * aborted; S3 is asked to verify a SHA-256 checksum of every object and part.
 */
final class S3Datasets {
  /** User metadata holding the file's full SHA-256, compared by {@link #find}. */
  static final String SHA_METADATA = "tunekit-sha256";

  /** Parts uploaded at the same time. */
  static final int PARTS_IN_FLIGHT = 4;
  private static final String CONTENT_TYPE = "application/jsonl";
  private static final Logger LOG = LoggerFactory.getLogger(S3Datasets.class);

  private final S3AsyncClient s3;
  private final BedrockConfig config;

  S3Datasets(S3AsyncClient s3, BedrockConfig config) {
    this.s3 = s3;
    this.config = config;
  }

  /** The object key for an upload. */
  String key(FileUpload upload) {
    String name = upload.fileName();
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    if (slash >= 0) {
      name = name.substring(slash + 1);
    }
    return config.keyPrefix() + "datasets/" + upload.sha256() + "/" + name;
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
    String sha = upload.sha256();
    if (actual <= config.multipartThresholdBytes()) {
      try {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE).contentLength(actual)
            .checksumAlgorithm(ChecksumAlgorithm.SHA256).metadata(Map.of(SHA_METADATA, sha)),
            AsyncRequestBody.fromFile(upload.path())).join();
      } catch (CompletionException e) {
        throw AwsErrors.translate(e, AwsErrors.Op.s3("PutObject", "s3:PutObject"), config);
      }
    } else {
      uploadInParts(upload.path(), actual, bucket, key, sha);
    }
    return RemoteFile.builder().id(uri(key)).fileName(upload.fileName()).sizeBytes(upload.sizeBytes()).build();
  }

  /**
   * A multipart upload that is either completed or aborted: once CreateMultipartUpload has answered, every
   * failure (a part, the file, the completion, anything else) waits for the parts in flight and then sends
   * AbortMultipartUpload, because S3 keeps, and bills, the parts of an upload until it is aborted. The abort
   * is best effort: its own failure is logged at WARN (with the command that aborts it by hand) and the
   * original error is what the caller gets.
   */
  private void uploadInParts(Path file, long size, String bucket, String key, String sha) {
    String uploadId;
    try {
      uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE)
          .checksumAlgorithm(ChecksumAlgorithm.SHA256).metadata(Map.of(SHA_METADATA, sha))).join().uploadId();
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.s3("CreateMultipartUpload", "s3:PutObject"), config);
    }
    String op = "UploadPart";
    try {
      long partSize = config.multipartPartSizeBytes();
      int count = (int) ((size + partSize - 1) / partSize);
      CompletedPart[] done = new CompletedPart[count];
      List<CompletableFuture<?>> window = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int part = i + 1;
        long offset = i * partSize;
        long length = Math.min(partSize, size - offset);
        window.add(s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(part)
                .contentLength(length).checksumAlgorithm(ChecksumAlgorithm.SHA256),
            AsyncRequestBody.fromFile(f -> f.path(file).position(offset).numBytesToRead(length)))
            .thenAccept(r -> done[part - 1] = CompletedPart.builder().partNumber(part).eTag(r.eTag())
                .checksumSHA256(r.checksumSHA256()).build()));
        if (window.size() == PARTS_IN_FLIGHT || part == count) {
          settle(window);
          window.clear();
        }
      }
      op = "CompleteMultipartUpload";
      s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
          .multipartUpload(m -> m.parts(done))).join();
    } catch (RuntimeException e) {
      abort(bucket, key, uploadId);
      throw AwsErrors.translate(e, AwsErrors.Op.s3(op, "s3:PutObject"), config);
    } catch (Error e) {
      abort(bucket, key, uploadId);
      throw e;
    }
  }

  /** Waits for every part in flight (so none lands after the abort), then throws the first failure. */
  private static void settle(List<CompletableFuture<?>> window) {
    try {
      CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      for (CompletableFuture<?> f : window) {
        f.handle((r, t) -> null).join();
      }
      throw e;
    }
  }

  private void abort(String bucket, String key, String uploadId) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)).join();
    } catch (RuntimeException e) {
      Throwable c = AwsErrors.unwrap(e);
      if (c instanceof S3Exception s3e && s3e.statusCode() == 404) {
        return; // NoSuchUpload: completed after all, or already aborted; nothing is left to bill
      }
      // No message text of the AWS error (it may echo request details): its code and status only.
      String code = c instanceof S3Exception s3e && s3e.awsErrorDetails() != null
          ? s3e.awsErrorDetails().errorCode() : null;
      String why = c instanceof S3Exception s3e ? "S3 answered " + s3e.statusCode() + (code == null ? "" : " " + code)
          : c.getClass().getSimpleName();
      LOG.warn("Could not abort the failed multipart upload of s3://{}/{} ({}); S3 bills its parts until it is"
          + " aborted: aws s3api abort-multipart-upload --bucket {} --key {} --upload-id {}", bucket, key, why, bucket,
          key, uploadId);
    }
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
