package dev.tunekit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tunekit.Tunekit;
import dev.tunekit.eval.EvalCache;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalReport;
import dev.tunekit.eval.EvalRunner;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.eval.Graders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Evaluation at a provider's rate limit with and without a configured limit (issue 16, item 5). 300 cases go
 * through Tunekit's {@code openai-compatible} provider (openai-java, the core's one retry layer) to a loopback
 * OpenAI-style chat endpoint allowing 600 requests per minute as 10 per sliding second (so a 429's hint is
 * tens of milliseconds, as the issue measured). Two header modes for the 429s: OpenAI's
 * {@code x-ratelimit-reset-requests} only, and {@code retry-after-ms} only. For each mode: the target with no
 * rate limit (the default: 4 concurrent calls), then with {@code withRateLimit(594)}. Prints requests per
 * minute, errored cases and 429s next to the peer's figures quoted from the issue, and the load average.
 * Not a test.
 *
 * <p>{@code java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)
 * dev.tunekit.bench.EvalRateLimitBenchmark [--cases 300] [--per-second 10]}
 */
public final class EvalRateLimitBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EvalRateLimitBenchmark() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    int cases = intArg(args, "--cases", 300);
    int perSecond = intArg(args, "--per-second", 10);
    int rpm = perSecond * 60;
    System.out.printf(Locale.ROOT, "Endpoint: %d requests per sliding second (%d rpm), latency 20-80 ms; %d cases%n",
        perSecond, rpm, cases);
    System.out.printf(Locale.ROOT, "load average before: %s%n", loadAverage());
    System.out.printf(Locale.ROOT, "%-28s %-16s %9s %8s %6s %7s %8s%n", "429 headers", "rate limit", "req/min",
        "% limit", "errors", "429s", "seconds");
    for (String mode : new String[] {"x-ratelimit-reset-requests", "retry-after-ms"}) {
      for (int limit : new int[] {0, (int) Math.floor(rpm * 0.99)}) {
        row(mode, limit, cases, perSecond);
      }
    }
    System.out.println("peer (quoted from issue 16, not measured here): promptfoo defaults, 300 cases, 600 rpm:"
        + " ~560 req/min and 0 errors with x-ratelimit-reset-requests; ~20 req/min with retry-after-ms only");
    System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
  }

  private static void row(String mode, int limit, int cases, int perSecond) throws Exception {
    Endpoint server = new Endpoint(perSecond, mode);
    server.start();
    Path dir = Files.createTempDirectory("tk-ratelimit-bench");
    Path config = dir.resolve("tunekit.yaml");
    Files.writeString(config, String.join("\n",
        "provider: openai-compatible",
        "ledger: " + dir.resolve("ledger.db"),
        "workDir: " + dir.resolve("work"),
        "providers:",
        "  openai-compatible:",
        "    baseUrl: http://127.0.0.1:" + server.port() + "/v1",
        "    apiKey: bench-key",
        ""));
    try (Tunekit tk = Tunekit.fromConfig(config)) {
      EvalSuite suite = EvalSuite.of("ratelimit", IntStream.range(0, cases)
          .mapToObj(i -> EvalCase.of("c" + i, "question " + i, "answer " + i)).toList())
          .withGrader(Graders.exactMatch());
      EvalTarget target = EvalTarget.of("bench", tk.chatModel("bench-model"), "bench-model");
      if (limit > 0) {
        target = target.withRateLimit(limit);
      }
      EvalRunner runner = EvalRunner.builder().cache(EvalCache.none()).callTimeout(Duration.ofMinutes(2)).build();
      long t0 = System.nanoTime();
      EvalReport report = runner.run(suite, target);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double span = (server.lastAccept - server.firstAccept) / 1e9;
      double achieved = (server.accepted.get() - 1) / span * 60;
      System.out.printf(Locale.ROOT, "%-28s %-16s %9.1f %7.1f%% %6d %7d %8.1f%n", mode,
          limit == 0 ? "none (default)" : limit + " rpm", achieved, achieved / (perSecond * 60.0) * 100,
          report.errors().size(), server.rejected.get(), seconds);
    } finally {
      server.stop();
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static int intArg(String[] args, String name, int dflt) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return dflt;
  }

  /** An OpenAI-style chat endpoint: {@code limit} requests per sliding second, 429 beyond with one hint header. */
  static final class Endpoint {
    private final int limit;
    private final String mode;
    private final ArrayDeque<Long> accepts = new ArrayDeque<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(16);
    private HttpServer server;
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    volatile long firstAccept;
    volatile long lastAccept;

    Endpoint(int limit, String mode) {
      this.limit = limit;
      this.mode = mode;
    }

    void start() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.createContext("/v1/chat/completions", this::handle);
      server.setExecutor(pool);
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    void stop() {
      server.stop(0);
      pool.shutdownNow();
    }

    private synchronized long admit() {
      long now = System.nanoTime();
      while (!accepts.isEmpty() && now - accepts.peekFirst() >= 1_000_000_000L) {
        accepts.pollFirst();
      }
      if (accepts.size() >= limit) {
        return 1_000_000_000L - (now - accepts.peekFirst());
      }
      accepts.addLast(now);
      if (accepted.getAndIncrement() == 0) {
        firstAccept = now;
      }
      lastAccept = now;
      return 0;
    }

    private void handle(HttpExchange ex) throws IOException {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      long wait = admit();
      if (wait > 0) {
        rejected.incrementAndGet();
        long ms = Math.max(1, wait / 1_000_000);
        if (mode.equals("retry-after-ms")) {
          ex.getResponseHeaders().add("retry-after-ms", Long.toString(ms));
        } else {
          ex.getResponseHeaders().add("x-ratelimit-limit-requests", Integer.toString(limit));
          ex.getResponseHeaders().add("x-ratelimit-remaining-requests", "0");
          ex.getResponseHeaders().add("x-ratelimit-reset-requests", ms + "ms");
        }
        send(ex, 429, "{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\","
            + "\"code\":\"rate_limit_exceeded\"}}");
        return;
      }
      try {
        Thread.sleep(ThreadLocalRandom.current().nextLong(20, 81));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      JsonNode req = JSON.readTree(body);
      JsonNode messages = req.get("messages");
      String question = messages.get(messages.size() - 1).get("content").asText();
      ObjectNode resp = JSON.createObjectNode();
      resp.put("id", "chatcmpl-" + accepted.get());
      resp.put("object", "chat.completion");
      resp.put("created", System.currentTimeMillis() / 1000);
      resp.put("model", req.get("model").asText());
      ObjectNode choice = resp.putArray("choices").addObject();
      choice.put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", question.replace("question", "answer"))
          .putNull("refusal");
      choice.put("finish_reason", "stop");
      choice.putNull("logprobs");
      resp.putObject("usage").put("prompt_tokens", 5).put("completion_tokens", 2).put("total_tokens", 7);
      send(ex, 200, resp.toString());
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
