package dev.tunekit.vertex;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Vertex has no idempotency key on tuning jobs, so Tunekit puts a hash of the run's key in a label
 * ({@value #KEY_LABEL}) and finds the job again by listing with a label filter. Label values allow only
 * {@code [a-z0-9_-]}, at most 63 characters: the value is {@code k} and 40 hex digits of the key's SHA-256.
 */
final class Names {
  static final String KEY_LABEL = "tunekit-key";
  static final String RUN_LABEL = "tunekit-run";

  private Names() {}

  /** The label value that identifies a job created with {@code idempotencyKey}. */
  static String keyLabel(String idempotencyKey) {
    return "k" + sha256(idempotencyKey).substring(0, 40);
  }

  /** Any text as a valid label value: lower case, other characters as '-', at most 63. */
  static String labelValue(String s) {
    String v = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
    return v.length() > 63 ? v.substring(0, 63) : v;
  }

  /** A tuned model display name (Vertex allows up to 128 characters). */
  static String displayName(String readable) {
    String v = "tunekit-" + readable.replaceAll("[^A-Za-z0-9_.-]", "-");
    return v.length() > 128 ? v.substring(0, 128) : v;
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
