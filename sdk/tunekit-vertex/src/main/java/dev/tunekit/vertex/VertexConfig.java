package dev.tunekit.vertex;

import dev.tunekit.spi.ProviderSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Vertex provider's settings, read once from {@code providers.vertex}. Only the shape of a value is
 * checked here (a bad one is an error naming the setting and the file); what a job needs but is missing
 * ({@code project}, {@code bucket}) is reported by preflight, before anything is uploaded, and by the
 * operation that needs it. Nothing here makes a remote call or reads credentials.
 */
record VertexConfig(
    ProviderSettings settings,
    Optional<String> project,
    String location,
    Optional<String> bucket,
    String prefix,
    Map<String, String> labels,
    Optional<URI> endpoint,
    Optional<Duration> callTimeout) {

  /** A Google Cloud project id: 6-30 of a-z 0-9 -, starting with a letter, not ending with '-'. */
  static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
  /** A Vertex region such as us-central1 or europe-west4 (or "global"). */
  static final Pattern LOCATION = Pattern.compile("global|[a-z]+-[a-z]+\\d{1,2}");
  /** Cloud Storage bucket names: 3-63 of a-z 0-9 . _ -, starting and ending with a letter or digit. */
  static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]");
  /** A label key: starts with a lower-case letter, then up to 62 of a-z 0-9 _ -. */
  static final Pattern LABEL_KEY = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  /** A label value: up to 63 of a-z 0-9 _ - (may be empty). */
  static final Pattern LABEL_VALUE = Pattern.compile("[a-z0-9_-]{0,63}");

  static VertexConfig from(ProviderSettings s) {
    String prefix = s.folder("prefix", "tunekit");
    Optional<String> bucket = s.bucketName("bucket", "gs://", "prefix");
    Map<String, String> labels = s.textMap("labels");
    labels.forEach((k, value) -> {
      if (!LABEL_KEY.matcher(k).matches()) {
        throw s.invalid("labels." + k, "is not a valid label key: use a lower-case letter, then up to 62 of"
            + " a-z 0-9 _ -");
      }
      if (!LABEL_VALUE.matcher(value).matches()) {
        throw s.invalid("labels." + k, "has value '" + value + "', which is not a valid label value: use up to 63"
            + " of a-z 0-9 _ -");
      }
      if (k.startsWith("tunekit-")) {
        throw s.invalid("labels." + k, "uses the prefix tunekit-, which Tunekit keeps for its own labels");
      }
    });
    if (labels.size() > 62) {
      throw s.invalid("labels", "has " + labels.size() + " labels; Vertex allows 64 and Tunekit adds 2");
    }
    return new VertexConfig(s, s.string("project").map(String::trim), s.string("location").orElse("us-central1").trim(),
        bucket, prefix, Map.copyOf(labels), uri(s, "endpoint"), s.duration("callTimeout"));
  }

  String requireProject() {
    return project.orElseThrow(() -> settings.invalid("project",
        "is required; set it to the Google Cloud project id that runs the tuning job (such as my-project-123)"));
  }

  String requireBucket() {
    return bucket.orElseThrow(() -> settings.invalid("bucket",
        "is required to upload training data; set it to a Cloud Storage bucket the Vertex AI service agent can read"));
  }

  /** {@code prefix/} or the empty string. */
  String keyPrefix() {
    return prefix.isEmpty() ? "" : prefix + "/";
  }

  private static Optional<URI> uri(ProviderSettings s, String key) {
    return s.string(key).map(v -> {
      try {
        URI u = new URI(v.trim());
        if (u.getScheme() == null || u.getHost() == null) {
          throw s.invalid(key, "must be an absolute URL such as https://us-central1-aiplatform.googleapis.com");
        }
        return u;
      } catch (URISyntaxException e) {
        throw s.invalid(key, "must be an absolute URL such as https://us-central1-aiplatform.googleapis.com");
      }
    });
  }

  /** Never prints values (a project id names an account; labels may be sensitive). */
  @Override
  public String toString() {
    return "VertexConfig" + settings;
  }
}
