package dev.tunekit.fireworks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The ids Tunekit chooses for Fireworks resources. Fireworks lets the client choose the id of a dataset
 * ({@code datasetId}), a fine-tuning job ({@code supervisedFineTuningJobId}), its output model ({@code outputModel})
 * and a deployment ({@code deploymentId}), so each is derived from something stable: the content's SHA-256 for a
 * dataset, the run's idempotency key for a job and its model, the core's deployment name for a deployment. Asking
 * for the same id again after a lost reply either finds the resource or is refused as already existing: the
 * natural idempotency the core needs, with no listing.
 *
 * <p>Id rule applied (the conservative resource-id rule of Google's AIP-122, which Fireworks' resource names
 * follow; Fireworks' exact rule was not found in its documentation): lower-case letters, digits and '-', starting
 * with a letter, ending with a letter or digit, at most {@value #MAX_ID} characters.
 */
final class Names {
  /** The longest id Tunekit sends. */
  static final int MAX_ID = 63;
  /** {@code tk-} and 20 hex digits: the tag every id Tunekit derives carries. */
  static final int TAG_LENGTH = 23;
  /** What is left for a user's suffix in an output model id, after '-' and the tag. */
  static final int MAX_USER_SUFFIX = MAX_ID - TAG_LENGTH - 1;
  private static final Pattern ID = Pattern.compile("[a-z]([a-z0-9-]{0," + (MAX_ID - 2) + "}[a-z0-9])?");
  private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]([a-z0-9-]{0," + (MAX_ID - 2) + "}[a-z0-9])?");

  private Names() {}

  /** Whether {@code s} is a valid account id (lower-case letters, digits, '-'). */
  static boolean isResourceId(String s) {
    return ACCOUNT.matcher(s).matches();
  }

  /** Whether {@code s} follows the id rule above. */
  static boolean isId(String s) {
    return ID.matcher(s).matches();
  }

  /** The tag of {@code text}: {@code tk-} and 20 hex digits of its SHA-256. */
  static String tag(String text) {
    return "tk-" + sha256(text).substring(0, 20);
  }

  /** The job id of the run step keyed {@code idempotencyKey}: the same key gives the same id, on every attempt. */
  static String jobId(String idempotencyKey) {
    return tag(idempotencyKey);
  }

  /** The dataset id of a file whose content has {@code sha256}: the same content gives the same dataset. */
  static String datasetId(String sha256) {
    return "tk-" + sha256.toLowerCase(Locale.ROOT).substring(0, 20);
  }

  /** The output model id: the user's suffix (cleaned, cut) and the job's id, or the job's id alone. */
  static String outputModel(String userSuffix, String jobId) {
    String user = clean(userSuffix);
    if (user.length() > MAX_USER_SUFFIX) {
      user = user.substring(0, MAX_USER_SUFFIX).replaceAll("-+$", "");
    }
    return user.isEmpty() ? jobId : user + "-" + jobId;
  }

  /**
   * The deployment id for the core's deployment {@code name} (such as {@code tunekit-run-20261203-ab12}): the name
   * itself when it is a valid id, else its cleaned start and its tag, so the same name always gives the same id.
   */
  static String deploymentId(String name) {
    if (isId(name)) {
      return name;
    }
    String user = clean(name);
    if (user.length() > MAX_USER_SUFFIX) {
      user = user.substring(0, MAX_USER_SUFFIX).replaceAll("-+$", "");
    }
    return user.isEmpty() ? tag(name) : user + "-" + tag(name);
  }

  /** Lower case, any character outside [a-z0-9-] as '-', no leading digit or '-', no trailing '-'. */
  static String clean(String s) {
    if (s == null) {
      return "";
    }
    String c = s.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-{2,}", "-");
    c = c.replaceAll("^[^a-z]+", "").replaceAll("-+$", "");
    return c;
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
