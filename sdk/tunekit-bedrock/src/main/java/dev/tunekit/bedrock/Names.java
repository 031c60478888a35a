package dev.tunekit.bedrock;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Bedrock resource names derived deterministically from the run's idempotency key, so that a job can
 * be found again by name after a crash or a create whose outcome is unknown.
 *
 * <p>Bedrock's rules (API reference): job names match {@code [a-zA-Z0-9](-*[a-zA-Z0-9\+\-\.])*},
 * custom-model, deployment and provisioned-model names match {@code ([0-9a-zA-Z][_-]?)+}; all are at
 * most 63 characters. {@code clientRequestToken} matches {@code [a-zA-Z0-9](-*[a-zA-Z0-9])*}, at most
 * 256. The generated names use only letters, digits and single hyphens, which satisfies all of them.
 */
final class Names {
  static final int MAX_NAME = 63;
  static final Pattern JOB_NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9+\\-.])*");
  static final Pattern RESOURCE_NAME = Pattern.compile("([0-9a-zA-Z][_-]?)+");
  static final Pattern TOKEN = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9])*");
  /** Length of the key hash that makes a name unique and searchable. */
  static final int HASH_CHARS = 16;

  private Names() {}

  /** The searchable, unique tail of every name derived from {@code idempotencyKey}. */
  static String keyHash(String idempotencyKey) {
    return sha256Hex(idempotencyKey).substring(0, HASH_CHARS);
  }

  /**
   * The job name for a run: {@code tunekit-<readable part>-<key hash>}. The readable part (from the
   * suffix or run id) only helps people in the console; {@link #keyHash} alone identifies the job.
   */
  static String jobName(String idempotencyKey, String readable) {
    return compose("tunekit", readable, keyHash(idempotencyKey));
  }

  /** The custom model's name for a run. */
  static String customModelName(String idempotencyKey, String readable) {
    return compose("tunekit-model", readable, keyHash(idempotencyKey));
  }

  /** A deployment or provisioned-model name from the core's deployment name. */
  static String resourceName(String name) {
    String slug = slug(name);
    if (slug.isEmpty()) {
      slug = "tunekit-" + sha256Hex(name).substring(0, HASH_CHARS);
    }
    if (slug.length() > MAX_NAME) {
      String hash = sha256Hex(name).substring(0, 8);
      slug = trimHyphens(slug.substring(0, MAX_NAME - hash.length() - 1)) + "-" + hash;
    }
    return slug;
  }

  /** A {@code clientRequestToken}: the key itself when it is already valid, otherwise its hash. */
  static String clientToken(String key) {
    return key.length() <= 256 && TOKEN.matcher(key).matches() ? key : sha256Hex(key);
  }

  private static String compose(String head, String readable, String hash) {
    int room = MAX_NAME - head.length() - hash.length() - 2;
    String middle = slug(readable);
    if (middle.length() > room) {
      middle = trimHyphens(middle.substring(0, room));
    }
    return middle.isEmpty() ? head + "-" + hash : head + "-" + middle + "-" + hash;
  }

  /** Lower-case letters and digits separated by single hyphens. */
  static String slug(String s) {
    String lower = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    return trimHyphens(lower);
  }

  private static String trimHyphens(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && s.charAt(a) == '-') {
      a++;
    }
    while (b > a && s.charAt(b - 1) == '-') {
      b--;
    }
    return s.substring(a, b);
  }

  static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
