package dev.tunekit.spi;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * The servers a provider's calls go to, for a provider whose servers its users run themselves (a Ray dashboard, a
 * Kubernetes API server, a vLLM server). {@link dev.tunekit.Tunekit#checkReachable()} connects to each of them before
 * a script records or sends anything, so a cluster that is not there is one clear line, not a run that fails
 * later. Hosted providers (whose endpoints are the provider's own business) and the embedded offline provider do not
 * declare it.
 */
public interface Endpoints extends Capability {
  /**
   * The servers, each with the setting that names it. Offline: reads the configuration only.
   *
   * @throws dev.tunekit.error.InvalidInputException when a server cannot be determined from the configuration (no
   *     kubeconfig, say), saying what to set
   */
  List<Endpoint> endpoints();

  /**
   * One server.
   *
   * @param what what it is, as a user would say it ({@code "the Ray dashboard"})
   * @param uri its address (an absolute http or https URI; the port defaults to the scheme's)
   * @param setting the config key that names it ({@code "providers.ray.dashboardUrl"}), for the advice
   */
  record Endpoint(String what, URI uri, String setting) {
    public Endpoint {
      Objects.requireNonNull(what, "what");
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(setting, "setting");
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("an endpoint needs a host: " + uri); // not a TunekitException: a provider bug
      }
    }

    /** The TCP port: the URI's, else 443 for https and 80 otherwise. */
    public int port() {
      return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
  }
}
