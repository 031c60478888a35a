package dev.tunekit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback OpenAI-style chat endpoint ({@code POST /v1/chat/completions}) that admits {@code limit} requests per
 * sliding {@code window} and answers 429 beyond it, with the rate-limit hint headers of one {@link Hints} style;
 * accepted requests take 20–80 ms and answer "answer N" to "question N". Shared by the evaluation benchmarks.
 */
final class RateLimitedChatEndpoint {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Which headers a 429 carries. */
  enum Hints {
    /** {@code retry-after-ms} and {@code Retry-After} (seconds, rounded up). */
    RETRY_AFTER,
    /** {@code retry-after-ms} only. */
    RETRY_AFTER_MS,
    /** OpenAI's {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests}, {@code x-ratelimit-reset-requests}. */
    OPENAI_RESET
  }

  private final int limit;
  private final long windowNanos;
  private final Hints hints;
  private final ArrayDeque<Long> accepts = new ArrayDeque<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(16);
  private HttpServer server;
  final AtomicLong accepted = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  volatile long firstAcceptNanos;
  volatile long lastAcceptNanos;
  volatile int maxInWindow;

  RateLimitedChatEndpoint(int limit, Duration window, Hints hints) {
    this.limit = limit;
    this.windowNanos = window.toNanos();
    this.hints = hints;
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

  URI uri() {
    return URI.create("http://127.0.0.1:" + port() + "/v1/chat/completions");
  }

  void stop() {
    server.stop(0);
    pool.shutdownNow();
  }

  /** Admits the request (0) or returns how long until a slot frees up. */
  private synchronized long admit() {
    long now = System.nanoTime();
    while (!accepts.isEmpty() && now - accepts.peekFirst() >= windowNanos) {
      accepts.pollFirst();
    }
    if (accepts.size() >= limit) {
      return windowNanos - (now - accepts.peekFirst());
    }
    accepts.addLast(now);
    maxInWindow = Math.max(maxInWindow, accepts.size());
    if (accepted.getAndIncrement() == 0) {
      firstAcceptNanos = now;
    }
    lastAcceptNanos = now;
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
      switch (hints) {
        case RETRY_AFTER -> {
          ex.getResponseHeaders().add("retry-after-ms", Long.toString(ms));
          ex.getResponseHeaders().add("Retry-After", Long.toString((ms + 999) / 1000));
        }
        case RETRY_AFTER_MS -> ex.getResponseHeaders().add("retry-after-ms", Long.toString(ms));
        case OPENAI_RESET -> {
          ex.getResponseHeaders().add("x-ratelimit-limit-requests", Integer.toString(limit));
          ex.getResponseHeaders().add("x-ratelimit-remaining-requests", "0");
          ex.getResponseHeaders().add("x-ratelimit-reset-requests", ms + "ms");
        }
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
