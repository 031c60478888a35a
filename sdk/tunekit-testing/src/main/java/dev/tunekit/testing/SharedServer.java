package dev.tunekit.testing;

import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One loopback server (WireMock fakes, a local AWS) shared by the tests of a class: started on first use, reset on
 * every later use, closed once after the class. Starting a server per test costs seconds; this keeps the cost to
 * one start per class while each test sees a clean server.
 *
 * <p>In a test class, register it as an extension (it closes the server after the class) and take it before each
 * test:
 * <pre>{@code
 * @RegisterExtension static final SharedServer<AcmeFakes> SERVER = new SharedServer<>(AcmeFakes::new, f -> f.wm.resetAll());
 * AcmeFakes fakes;
 * @BeforeEach void reset() { fakes = SERVER.get(); }
 * }</pre>
 * A TCK fixture holds one in a static field, takes it in its constructor, and the TCK test class closes it in its
 * {@code @AfterAll}.
 *
 * @param <T> the server; closing it stops it
 */
public final class SharedServer<T extends AutoCloseable> implements AfterAllCallback {
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

  /** After the test class: {@link #close()}. */
  @Override
  public void afterAll(ExtensionContext context) {
    close();
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
