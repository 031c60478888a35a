package dev.tunekit.kubeflow;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Names Tunekit derives, so that every create is idempotent without listing: the TrainJob's name from the run's
 * idempotency key, a dataset ConfigMap's name from its content's SHA-256.
 */
final class Names {
  /** The longest RFC 1035 label (a TrainJob's name must be one). */
  static final int MAX_LABEL = 63;

  private Names() {}

  /**
   * The TrainJob's name: {@code tk-<readable part of the key>-<12 hex of the key's SHA-256>}, an RFC 1035 label of at
   * most 63 characters (lower-case letters, digits and '-', starting with a letter, ending with a letter or digit).
   * The same key always gives the same name (a retry after an unknown outcome lands on the same TrainJob), and the
   * hash keeps two keys apart that read the same once lower-cased and cleaned.
   */
  static String trainJob(String idempotencyKey) {
    String readable = idempotencyKey.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "")
        .replaceFirst("^tk-", ""); // run keys start with tk- already: no tk-tk-
    if (readable.length() > 40) {
      readable = readable.substring(0, 40).replaceAll("-+$", "");
    }
    String hash = sha256(idempotencyKey.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    return readable.isEmpty() ? "tk-" + hash : "tk-" + readable + "-" + hash;
  }

  /** Whether {@code name} is an RFC 1035 label. */
  static boolean isLabel(String name) {
    return name.length() <= MAX_LABEL && name.matches("[a-z]([-a-z0-9]*[a-z0-9])?");
  }

  /** Whether {@code name} is an RFC 1123 subdomain (ConfigMap, runtime and image-less object names). */
  static boolean isSubdomain(String name) {
    return name.length() <= 253 && name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  }

  /** The ConfigMap holding a dataset file: {@code tunekit-data-<first 32 hex of its SHA-256>}. */
  static String dataConfigMap(String sha256) {
    return "tunekit-data-" + sha256.substring(0, 32);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
