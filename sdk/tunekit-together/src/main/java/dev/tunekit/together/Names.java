package dev.tunekit.together;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Together documents no idempotency key, so Tunekit carries a tag of the run's key in the job's {@code suffix}
 * (which {@code GET /fine-tunes} lists, and which ends up in the tuned model's name) and finds the job again by
 * listing. The tag is {@code tk} and 16 hex digits of the key's SHA-256; a user's suffix comes first, cut to
 * {@value #MAX_USER_SUFFIX} characters, so the whole suffix stays within Together's 40.
 */
final class Names {
  /** Together's limit on a suffix. */
  static final int MAX_SUFFIX = 40;
  /** What is left of the suffix for the user's part, after "-" and the 18-character tag. */
  static final int MAX_USER_SUFFIX = MAX_SUFFIX - 19;
  /** The characters Tunekit keeps in a suffix; any other becomes '-'. */
  static final String SUFFIX_CHARS = "[A-Za-z0-9._-]";

  private Names() {}

  /** The tag that identifies a job created with {@code idempotencyKey}. */
  static String keyTag(String idempotencyKey) {
    return "tk" + sha256(idempotencyKey).substring(0, 16);
  }

  /** The suffix sent on create: the user's (cleaned, cut), a '-', and the key's tag; or the tag alone. */
  static String suffix(String userSuffix, String idempotencyKey) {
    String tag = keyTag(idempotencyKey);
    String user = userSuffix == null ? "" : userSuffix.trim().replaceAll("[^A-Za-z0-9._-]", "-");
    if (user.length() > MAX_USER_SUFFIX) {
      user = user.substring(0, MAX_USER_SUFFIX);
    }
    return user.isEmpty() ? tag : user + "-" + tag;
  }

  /** Whether a listed job's suffix or output model name carries {@code tag}. */
  static boolean carries(String suffix, String modelOutputName, String tag) {
    return (suffix != null && suffix.endsWith(tag)) || (modelOutputName != null && modelOutputName.contains(tag));
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
