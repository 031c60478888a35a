package dev.tunekit.reliability;

import dev.tunekit.reliability.FaultPlan.Kind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback HTTP/1.1 forwarding proxy that injects seeded faults: a test harness, not a provider
 * client. Each request is read in full, then, as the {@link FaultPlan} decides, answered with one of
 * its {@link Kind faults} or forwarded to the upstream server unchanged. One request per connection
 * ({@code Connection: close}), so a reset never hides behind a pooled connection. Resets are real TCP
 * resets (SO_LINGER 0); {@link Kind#COMMIT_THEN_DROP} forwards the request, so it takes effect on the
 * server, and then resets the client's connection, so the client cannot know it succeeded.
 */
final class FaultProxy implements AutoCloseable {
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "transfer-encoding",
      "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "host", "expect");

  private final URI upstream;
  private final FaultPlan plan;
  private final Duration slowReply;
  private final ServerSocket socket;
  private final HttpClient http;
  private final ExecutorService pool;
  private final Thread acceptor;
  private final AtomicLong createsForwarded = new AtomicLong();
  private final Injected injected = new Injected();
  private volatile Tap tap;

  /**
   * Sees every request (after any fault decision that lets it through): once before it is forwarded,
   * and once after the server answered it. Returning true resets the client's connection there and
   * then, so the request either never reaches the server or takes effect without a reply. The crash
   * suite uses it to kill a child at an exact point of its run.
   */
  interface Tap {
    boolean at(String method, String target, boolean answered, int status);
  }

  /**
   * @param upstream the server's root, such as {@code http://127.0.0.1:1234} (paths are kept as sent)
   * @param plan which requests get which fault
   * @param slowReply how late a {@link Kind#SLOW} reply comes (longer than the client's timeout)
   */
  FaultProxy(URI upstream, FaultPlan plan, Duration slowReply) throws IOException {
    this.upstream = upstream;
    this.plan = plan;
    this.slowReply = slowReply;
    this.socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    this.pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fault-proxy");
      t.setDaemon(true);
      return t;
    });
    this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code http://127.0.0.1:PORT} + {@code path}. */
  String url(String path) {
    return "http://127.0.0.1:" + socket.getLocalPort() + path;
  }

  /** The plan deciding the faults (reseed it per run; its counters are the figures). */
  FaultPlan plan() {
    return plan;
  }

  /** Faults this proxy really applied, by kind and endpoint. */
  Injected injected() {
    return injected;
  }

  /** Sets (or with null, removes) the {@link Tap}. */
  void tap(Tap tap) {
    this.tap = tap;
  }

  /** Creating requests that reached the server (whether or not their reply reached the client). */
  long createsForwarded() {
    return createsForwarded.get();
  }

  // ------------------------------------------------------------------ the proxy

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        pool.execute(() -> handle(s));
      } catch (IOException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  private record Request(String method, String target, List<String[]> headers, byte[] body) {}

  private void handle(Socket s) {
    try (s) {
      s.setSoTimeout(30_000);
      Request req = read(s.getInputStream());
      if (req == null) {
        return;
      }
      boolean create = FaultPlan.isCreate(req.method(), req.target());
      FaultPlan.Endpoint endpoint = FaultPlan.Endpoint.of(req.method(), req.target());
      Kind fault = plan.decide(req.method(), req.target());
      OutputStream out = s.getOutputStream();
      if (fault == Kind.HTTP_500 || fault == Kind.HTTP_503) {
        int code = fault == Kind.HTTP_500 ? 500 : 503;
        write(out, code, List.<String[]>of(new String[] {"Content-Type", "application/json"}),
            FaultPlan.errorBody("injected fault: HTTP " + code, "server_error"));
        injected.record(fault, endpoint);
        return;
      }
      if (fault == Kind.HTTP_429) {
        write(out, 429, List.of(new String[] {"Content-Type", "application/json"},
            new String[] {"retry-after-ms", "15"}, new String[] {"Retry-After", "1"}),
            FaultPlan.errorBody("injected fault: rate limited", "rate_limit_exceeded"));
        injected.record(fault, endpoint);
        return;
      }
      if (fault == Kind.RESET) {
        reset(s);
        injected.record(fault, endpoint);
        return;
      }
      Tap t = tap;
      if (t != null && t.at(req.method(), req.target(), false, 0)) {
        reset(s);
        return;
      }
      HttpResponse<byte[]> response = forward(req);
      boolean committed = response.statusCode() / 100 == 2;
      if (create && committed) {
        createsForwarded.incrementAndGet();
      }
      t = tap;
      if (t != null && t.at(req.method(), req.target(), true, response.statusCode())) {
        reset(s);
        return;
      }
      if (fault == Kind.COMMIT_THEN_DROP) {
        reset(s);
        if (committed) {
          injected.record(fault, endpoint);
        }
        return;
      }
      if (fault == Kind.SLOW) {
        Thread.sleep(slowReply.toMillis());
        injected.record(fault, endpoint);
      }
      List<String[]> headers = new ArrayList<>();
      response.headers().map().forEach((k, vs) -> {
        if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT)) && !k.startsWith(":")) {
          vs.forEach(v -> headers.add(new String[] {k, v}));
        }
      });
      write(out, response.statusCode(), headers, response.body());
    } catch (IOException | InterruptedException e) {
      // the client went away (expected after a SLOW reply) or the upstream failed: nothing to do
    }
  }

  private static void reset(Socket s) throws IOException {
    s.setSoLinger(true, 0); // close() now sends a TCP RST instead of a FIN
    s.close();
  }

  private HttpResponse<byte[]> forward(Request req) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(upstream.resolve(req.target())).timeout(Duration.ofSeconds(60))
        .method(req.method(), req.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(req.body()));
    for (String[] h : req.headers()) {
      if (!HOP_BY_HOP.contains(h[0].toLowerCase(Locale.ROOT))) {
        b.header(h[0], h[1]);
      }
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void write(OutputStream out, int code, List<String[]> headers, byte[] body) throws IOException {
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(code).append(' ').append(reason(code)).append("\r\n");
    for (String[] h : headers) {
      head.append(h[0]).append(": ").append(h[1]).append("\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n");
    head.append("Connection: close\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  private static String reason(int code) {
    switch (code) {
      case 200: return "OK";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 503: return "Service Unavailable";
      default: return "Status";
    }
  }

  /** Reads one request (head, then a Content-Length or chunked body); null at end of stream. */
  private static Request read(InputStream in) throws IOException {
    ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
    int last = 0; // the last four bytes, to find the blank line that ends the head
    while (last != 0x0d0a0d0a) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      headBytes.write(c);
      last = (last << 8) | c;
      if (headBytes.size() > 1 << 20) {
        throw new IOException("request head too large");
      }
    }
    String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    String[] requestLine = lines[0].split(" ");
    List<String[]> headers = new ArrayList<>();
    long length = 0;
    boolean chunked = false;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim();
      String value = lines[i].substring(colon + 1).trim();
      headers.add(new String[] {name, value});
      if (name.equalsIgnoreCase("content-length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
        chunked = true;
      }
    }
    byte[] body = chunked ? readChunked(in) : in.readNBytes((int) length);
    return new Request(requestLine[0], requestLine[1], headers, body);
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line(in);
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        while (!line(in).isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      line(in);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    pool.shutdownNow();
  }
}
