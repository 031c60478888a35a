package dev.tunekit.testing;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One loopback server (WireMock fakes, a local AWS) shared by the tests of a class: started on first use, reset on
 * every later use, closed once after the class. Starting a server per test costs seconds; this keeps the cost to
 * one start per class while each test sees a clean server.
 *
 * <pre>{@code
 * static final SharedServer<AcmeFakes> SERVER = new SharedServer<>(AcmeFakes::new, f -> f.wm.resetAll());
 * AcmeFixture(Path dir) { this.fakes = SERVER.get(); }
 * @AfterAll static void stopFakes() { SERVER.close(); }
 * }</pre>
 *
 * @param <T> the server; closing it stops it
 */
public final class SharedServer<T extends AutoCloseable> {
  private final Supplier<T> start;
  private final Consumer<T> reset;
  private T server;

  /**
   * @param start starts a server
   * @param reset clears what earlier tests left on a running server (stubs, recorded requests)
   */
  public SharedServer(Supplier<T> start, Consumer<T> reset) {
    this.start = start;
    this.reset = reset;
  }

  /** The running server, started now if there is none, and reset. */
  public synchronized T get() {
    if (server == null) {
      server = start.get();
    }
    reset.accept(server);
    return server;
  }

  /** Stops the server, if one runs; the next {@link #get()} starts a new one. */
  public synchronized void close() {
    if (server != null) {
      try {
        server.close();
      } catch (Exception e) {
        throw new IllegalStateException("could not stop the shared server " + server, e);
      } finally {
        server = null;
      }
    }
  }
}
