package dev.tunekit.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback TCP proxy in front of a real HTTP/1.1 server that can lose one reply: the request reaches
 * the server (which acts on it), and the connection is reset as the reply comes back. This is the
 * "committed, then the connection dropped" case of the provider contract, for fixtures that run a real
 * server instead of a stub. It can also reset one request before the server sees it ({@link #resetNext}). Point the provider at {@link #baseUrl()} instead of the server.
 *
 * <p>A request is recognised by its request line ({@code POST /v1/files}), which an HTTP/1.1 client
 * writes at the start of a request; plain HTTP only.
 */
public final class FaultProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "tunekit-fault-proxy");
    t.setDaemon(true);
    return t;
  });
  private final AtomicReference<String> dropReplyTo = new AtomicReference<>();
  private final AtomicReference<String> resetRequestTo = new AtomicReference<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  private FaultProxy(int targetPort) throws IOException {
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  /** A proxy on a free loopback port forwarding to {@code 127.0.0.1:targetPort}. */
  public static FaultProxy start(int targetPort) {
    try {
      return new FaultProxy(targetPort);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a loopback port for the fault proxy", e);
    }
  }

  /** {@code http://127.0.0.1:port}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /**
   * The next {@code method path} request (path without query, such as {@code /v1/fine_tuning/jobs})
   * reaches the server, and its reply is replaced by a connection reset.
   */
  public void dropReplyToNext(String method, String path) {
    dropReplyTo.set(method + " " + path);
  }

  /**
   * The next {@code method path} request (path without query) never reaches the server: the client's connection is
   * reset as it sends it, so nothing was done and the client cannot know that.
   */
  public void resetNext(String method, String path) {
    resetRequestTo.set(method + " " + path);
  }

  /** Whether no fault is armed any more: each one armed was injected. */
  public boolean idle() {
    return dropReplyTo.get() == null && resetRequestTo.get() == null;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(target);
        open.add(client);
        open.add(server);
        AtomicReference<Boolean> dropNextReply = new AtomicReference<>(false);
        threads.execute(() -> pump(client, server, dropNextReply, true));
        threads.execute(() -> pump(server, client, dropNextReply, false));
      } catch (IOException e) {
        // closed, or the target refused: the client sees its connection close
      }
    }
  }

  private void pump(Socket from, Socket to, AtomicReference<Boolean> dropNextReply, boolean request) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        if (request) {
          String refused = resetRequestTo.get();
          if (refused != null && startsWithRequestLine(buf, n, refused) && resetRequestTo.compareAndSet(refused, null)) {
            reset(from); // nothing is forwarded: the server never sees the request
            to.close();
            return;
          }
          String armed = dropReplyTo.get();
          if (armed != null && startsWithRequestLine(buf, n, armed) && dropReplyTo.compareAndSet(armed, null)) {
            dropNextReply.set(true);
          }
        } else if (dropNextReply.get()) {
          reset(to); // the server answered, so it acted; the client never hears it
          from.close();
          return;
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed
    } finally {
      closeQuietly(to);
      closeQuietly(from);
    }
  }

  private static boolean startsWithRequestLine(byte[] buf, int n, String methodAndPath) {
    String head = new String(buf, 0, Math.min(n, methodAndPath.length() + 1), StandardCharsets.ISO_8859_1);
    return head.startsWith(methodAndPath) && head.length() > methodAndPath.length()
        && (head.charAt(methodAndPath.length()) == ' ' || head.charAt(methodAndPath.length()) == '?');
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    open.forEach(FaultProxy::closeQuietly);
    threads.shutdownNow();
  }
}
