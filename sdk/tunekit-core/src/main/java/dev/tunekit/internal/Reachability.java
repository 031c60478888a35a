package dev.tunekit.internal;

import dev.tunekit.error.ProviderException;
import dev.tunekit.spi.Endpoints;
import dev.tunekit.spi.TuningProvider;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Connects to each server a provider declares ({@link Endpoints}) and closes the connection again: nothing is sent, so
 * nothing is recorded or paid for. The servers are tried one after another, each within the timeout, and every one
 * that does not answer is named in one message.
 */
public final class Reachability {
  private Reachability() {}

  /**
   * Checks every endpoint of {@code provider}; a provider without {@link Endpoints} has nothing to check.
   *
   * @throws ProviderException (not retryable) naming each server that did not answer, its setting and the fix
   */
  public static void check(TuningProvider provider, Duration timeout) {
    Optional<Endpoints> declared = provider.capability(Endpoints.class);
    if (declared.isEmpty()) {
      return;
    }
    List<String> down = new ArrayList<>();
    List<String> settings = new ArrayList<>();
    for (Endpoints.Endpoint e : declared.get().endpoints()) {
      String problem = connect(e, timeout);
      if (problem != null) {
        down.add(e.what() + " at " + e.uri() + " (" + problem + ")");
        settings.add(e.setting());
      }
    }
    if (!down.isEmpty()) {
      throw ProviderException.builder(provider.name(), "cannot reach " + String.join(", nor ", down)
          + "; nothing was recorded or sent. Start " + (down.size() == 1 ? "it" : "them") + ", or point "
          + String.join(" and ", settings) + " at the running server" + (down.size() == 1 ? "" : "s")).build();
    }
  }

  private static String connect(Endpoints.Endpoint e, Duration timeout) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(e.uri().getHost(), e.port()), (int) Math.max(1, timeout.toMillis()));
      return null;
    } catch (UnknownHostException x) {
      return "unknown host " + e.uri().getHost();
    } catch (SocketTimeoutException x) {
      return "no answer within " + Durations.format(timeout);
    } catch (ConnectException x) {
      return "connection refused";
    } catch (IOException x) {
      return x.getClass().getSimpleName() + (x.getMessage() == null ? "" : ": " + x.getMessage());
    }
  }
}
