package dev.tunekit.bench;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chat completions per second through the official openai-java client against the local server:
 * sequential (one client, one kept-alive connection) and with 16 concurrent clients.
 *
 * <p>Two servers are measured in the same run, each in its own JVM started from this class path:
 * the server as shipped (TCP_NODELAY on) and its peer with {@code -Dtunekit.local.tcpNoDelay=false},
 * a control (Nagle's algorithm on; on the JDK server of before it cost about 40 ms per reply, on
 * Jetty it no longer shows). The load average is printed before and after, since the machine may be shared.
 *
 * <pre>
 * mvn -B -o -q -pl benchmarks -am package -DskipTests
 * java -Xmx256m -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *      dev.tunekit.bench.LocalServerChatBenchmark
 * </pre>
 *
 * <p>System properties: {@code -Dbench.seconds=5} (measuring time per figure, after a 2 s warm-up),
 * {@code -Dbench.clients=16}.
 */
public final class LocalServerChatBenchmark {
  private LocalServerChatBenchmark() {}

  /** A local server in a child JVM. */
  private record Child(Process process, String baseUrl, String token) implements AutoCloseable {
    @Override
    public void close() {
      process.destroy();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "5"));
    int clients = Integer.getInteger("bench.clients", 16);
    System.out.printf(Locale.ROOT, "cores: %d, load average before: %s%n",
        Runtime.getRuntime().availableProcessors(), LoadAverage.now());
    try (Child fixed = start("true"); Child peer = start("false")) {
      double fixedSeq = sequential(fixed, seconds);
      double peerSeq = sequential(peer, seconds);
      double fixedConc = concurrent(fixed, clients, seconds);
      double peerConc = concurrent(peer, clients, seconds);
      System.out.printf(Locale.ROOT, "%-40s %14s %18s%n", "server", "sequential/s", clients + " clients/s");
      System.out.printf(Locale.ROOT, "%-40s %14.1f %18.1f%n", "local server (TCP_NODELAY on, shipped)", fixedSeq, fixedConc);
      System.out.printf(Locale.ROOT, "%-40s %14.1f %18.1f%n", "peer: TCP_NODELAY off (control)", peerSeq, peerConc);
      System.out.printf(Locale.ROOT, "targets: >= 150 sequential/s, >= 500/s with 16 clients: %s, %s%n",
          fixedSeq >= 150 ? "met" : "NOT met", fixedConc >= 500 ? "met" : "NOT met");
    }
    System.out.printf(Locale.ROOT, "load average after: %s%n", LoadAverage.now());
  }

  private static Child start(String nodelay) throws IOException {
    Path data = Files.createTempDirectory("tunekit-bench-local-");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = List.of(javaBin, "-Xmx256m", "-Dtunekit.local.tcpNoDelay=" + nodelay,
        "-cp", System.getProperty("java.class.path"), "dev.tunekit.local.LocalServer",
        "--data-dir", data.toString(), "--port", "0", "--step-delay", "0");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    String baseUrl = null;
    while ((line = out.readLine()) != null) {
      int at = line.indexOf("listening on ");
      if (at >= 0) {
        baseUrl = line.substring(at + "listening on ".length()).trim();
        break;
      }
    }
    if (baseUrl == null) {
      p.destroy();
      throw new IllegalStateException("the local server (nodelay=" + nodelay + ") did not start");
    }
    Thread drain = new Thread(() -> {
      try {
        out.transferTo(java.io.Writer.nullWriter());
      } catch (IOException ignored) {
        // the child ended
      }
    });
    drain.setDaemon(true);
    drain.start();
    String token = Files.readString(data.resolve("server.token"), StandardCharsets.UTF_8).trim();
    return new Child(p, baseUrl, token);
  }

  private static OpenAIClient client(Child server) {
    return OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey(server.token()).maxRetries(0)
        .timeout(Duration.ofSeconds(30)).build();
  }

  private static final ChatCompletionCreateParams REQUEST = ChatCompletionCreateParams.builder()
      .model("local-base").addUserMessage("Which customers placed an order last week?").build();

  private static long run(OpenAIClient c, long untilNanos) {
    long n = 0;
    while (System.nanoTime() < untilNanos) {
      c.chat().completions().create(REQUEST);
      n++;
    }
    return n;
  }

  private static double sequential(Child server, double seconds) {
    OpenAIClient c = client(server);
    try {
      run(c, System.nanoTime() + 2_000_000_000L);
      long start = System.nanoTime();
      long n = run(c, start + (long) (seconds * 1e9));
      return n / ((System.nanoTime() - start) / 1e9);
    } finally {
      c.close();
    }
  }

  private static double concurrent(Child server, int clients, double seconds) throws InterruptedException {
    List<OpenAIClient> cs = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      cs.add(client(server));
    }
    try {
      runAll(cs, 2.0);
      return runAll(cs, seconds);
    } finally {
      cs.forEach(OpenAIClient::close);
    }
  }

  private static double runAll(List<OpenAIClient> cs, double seconds) throws InterruptedException {
    AtomicLong total = new AtomicLong();
    CountDownLatch done = new CountDownLatch(cs.size());
    long start = System.nanoTime();
    long until = start + (long) (seconds * 1e9);
    for (OpenAIClient c : cs) {
      Thread t = new Thread(() -> {
        try {
          total.addAndGet(run(c, until));
        } finally {
          done.countDown();
        }
      });
      t.setDaemon(true);
      t.start();
    }
    done.await();
    return total.get() / ((System.nanoTime() - start) / 1e9);
  }
}
