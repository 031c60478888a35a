package dev.tunekit.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The suites' tunekit.yaml files: provider {@code openai-compatible} pointed at a local server (or a
 * proxy in front of it), with short backoffs and polls so that hundreds of runs take minutes.
 */
final class Configs {
  private Configs() {}

  /**
   * Writes {@code name} into {@code dir}.
   *
   * @param baseUrl the API base URL (ending in /v1)
   * @param token the server's bearer token
   * @param ledger the run ledger (shared between processes where a suite needs it)
   * @param timeout the client's per-request timeout
   * @param maxAttempts the retry layer's attempts per call
   */
  static Path write(Path dir, String name, String baseUrl, String token, Path ledger, Duration timeout,
      int maxAttempts) {
    return write(dir, name, baseUrl, token, ledger, timeout, maxAttempts, "");
  }

  /** {@link #write(Path, String, String, String, Path, Duration, int)} plus more provider settings (YAML lines). */
  static Path write(Path dir, String name, String baseUrl, String token, Path ledger, Duration timeout,
      int maxAttempts, String providerSettings) {
    Path file = dir.resolve(name);
    try {
      Files.createDirectories(dir);
      Files.writeString(file, String.join("\n",
          "provider: openai-compatible",
          "ledger: " + ledger.toAbsolutePath(),
          "workDir: " + dir.resolve("work").toAbsolutePath(),
          "providers:",
          "  openai-compatible:",
          "    baseUrl: " + baseUrl,
          "    apiKey: " + token,
          "    timeout: " + timeout.toMillis() + "ms",
          providerSettings.isEmpty() ? "    # no more provider settings" : providerSettings.stripTrailing(),
          "resilience:",
          "  retry: { maxAttempts: " + maxAttempts + ", initialBackoff: 5ms, maxBackoff: 40ms, multiplier: 2.0 }",
          // A provider failing 30% of calls is degraded, not down: the breaker (50% by default) would
          // trip on unlucky windows of 20 calls, so the suites set it where only an outage trips it.
          "  circuitBreaker: { failureRateThreshold: 90, slidingWindowSize: 20, minimumNumberOfCalls: 20,"
              + " waitInOpenState: 200ms }",
          "polling: { initialInterval: 20ms, maxInterval: 150ms, multiplier: 1.5, timeout: 3m }",
          ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** A tunekit.yaml for provider {@code ray} on the dashboard at {@code dashboardUrl}, with the suites' short timings. */
  static Path writeRay(Path dir, String name, String dashboardUrl, String outputDir, Path ledger) {
    return writeRay(dir, name, dashboardUrl, outputDir, ledger, "maxAttempts: 5, initialBackoff: 5ms, maxBackoff: 40ms");
  }

  /** {@link #writeRay(Path, String, String, String, Path)} with the retry layer's {@code retry} (YAML flow entries). */
  static Path writeRay(Path dir, String name, String dashboardUrl, String outputDir, Path ledger, String retry) {
    return writeEngine(dir, name, "ray", ledger, retry, "dashboardUrl: " + dashboardUrl, "outputDir: " + outputDir,
        "pip: \"trl==1.13.0\"", "callTimeout: 5s");
  }

  /**
   * A tunekit.yaml for provider {@code kubeflow} on the API server at {@code masterUrl} (namespace {@code ml-team}),
   * with the suites' short timings.
   */
  static Path writeKubeflow(Path dir, String name, String masterUrl, String outputDir, Path ledger) {
    return writeEngine(dir, name, "kubeflow", ledger, "maxAttempts: 5, initialBackoff: 5ms, maxBackoff: 40ms",
        "masterUrl: " + masterUrl, "token: test-token-not-a-secret", "namespace: ml-team", "runtime: torch-distributed",
        "image: ghcr.io/acme/tunekit-trl:0.1.0", "outputDir: " + outputDir, "callTimeout: 5s");
  }

  /** A self-hosted engine's tunekit.yaml: its section's {@code settings} (one YAML line each), the short timings. */
  private static Path writeEngine(Path dir, String name, String provider, Path ledger, String retry,
      String... settings) {
    Path file = dir.resolve(name);
    List<String> lines = new ArrayList<>(List.of("provider: " + provider, "ledger: " + ledger.toAbsolutePath(),
        "workDir: " + dir.resolve("work").toAbsolutePath(), "providers:", "  " + provider + ":"));
    for (String setting : settings) {
      lines.add("    " + setting);
    }
    lines.addAll(List.of("resilience:",
        "  retry: { " + retry + ", multiplier: 2.0 }",
        "  circuitBreaker: { failureRateThreshold: 90, slidingWindowSize: 20, minimumNumberOfCalls: 20,"
            + " waitInOpenState: 200ms }",
        "polling: { initialInterval: 20ms, maxInterval: 150ms, multiplier: 1.5, timeout: 1m }",
        ""));
    try {
      Files.createDirectories(dir);
      Files.writeString(file, String.join("\n", lines));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
