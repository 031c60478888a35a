package dev.tunekit.ray;

import dev.tunekit.http.ProviderErrors;

/**
 * Ray's error translation. The dashboard answers errors as {@code text/plain} (a sentence such as "Job with
 * submission_id … already exists", or a Python traceback for a 500), which {@link ProviderErrors} shows as text on
 * one line; the status and network rules are {@link dev.tunekit.spi.HttpFailures}'.
 */
final class RayErrors {
  static final String PROVIDER = "ray";
  static final ProviderErrors ERRORS = new ProviderErrors(PROVIDER, "Check providers.ray.token: a Ray dashboard behind"
      + " an authenticating proxy needs its bearer token (token: ${RAY_DASHBOARD_TOKEN}); an open dashboard needs none.");

  private RayErrors() {}
}
