package dev.tunekit.ray;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names Tunekit derives, so that every create is idempotent without listing: the job's {@code submission_id} from
 * the run's idempotency key, a dataset package from its content's SHA-256.
 */
final class Names {
  private Names() {}

  /** {@code tunekit-<key>} when the key is made of URL-safe characters, else {@code tunekit-<hash of the key>}. */
  static String submissionId(String idempotencyKey) {
    if (idempotencyKey.matches("[A-Za-z0-9_-]{1,100}")) {
      return "tunekit-" + idempotencyKey;
    }
    return "tunekit-" + sha256(idempotencyKey.getBytes(StandardCharsets.UTF_8)).substring(0, 40);
  }

  /** The package of a dataset file: {@code _ray_pkg_<first 32 hex of its SHA-256>.zip}. */
  static String dataPackage(String sha256) {
    return "_ray_pkg_" + sha256.substring(0, 32) + ".zip";
  }

  /** The importable directory inside a dataset package. */
  static String dataModule(String packageName) {
    return "tunekit_data_" + packageName.substring("_ray_pkg_".length(), packageName.length() - ".zip".length());
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
