package dev.tunekit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resumable evaluation sets: a child JVM ({@link ChildMain} {@code eval}) evaluates a 60-case suite
 * with a directory {@link dev.tunekit.eval.EvalCache} against a loopback OpenAI-compatible server
 * that this process runs and that counts answers per case. Once the server has answered half the
 * cases it holds every further request (so no answer is in flight), the test waits until the child
 * has finished those cases, and SIGKILLs it. A second child on the same cache directory must then
 * send only the missing cases: every case answered exactly once at the server, and a complete report.
 */
class EvalResumeTest {
  static final int CASES = 60;
  static final int HALF = CASES / 2;
  static final ObjectMapper JSON = new ObjectMapper();

  /** Answers per case id (the question {@code q<i>} names case {@code c<i>}). */
  final Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();
  final AtomicInteger answers = new AtomicInteger();
  final AtomicInteger received = new AtomicInteger();
  /** Open while the first child runs: requests past the first {@link #HALF} answers wait on it. */
  volatile CountDownLatch gate = new CountDownLatch(1);
  volatile boolean holding = true;

  @Test
  void anEvaluationKilledHalfway_resumesInAnotherProcess_andSendsOnlyTheMissingCases(@TempDir Path dir)
      throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/v1/chat/completions", this::chat);
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
      Path cache = dir.resolve("eval-cache");

      Child first = Child.start(dir.resolve("first.log"), "eval", cache.toString(), base, String.valueOf(CASES));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (first.lines().stream().filter(l -> l.startsWith("CASE ")).count() < HALF && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(first.lines().stream().filter(l -> l.startsWith("CASE "))).as("cases the first child finished")
          .hasSize(HALF);
      first.kill();
      assertThat(answers.get()).as("answers before the kill").isEqualTo(HALF);
      int heldAtKill = received.get() - HALF;

      holding = false;
      gate.countDown(); // the held requests of the dead child are dropped unanswered
      Child second = Child.start(dir.resolve("second.log"), "eval", cache.toString(), base, String.valueOf(CASES));
      assertThat(second.waitFor(Duration.ofSeconds(30))).as("second child's exit; output " + second.lines()).isZero();
      String report = second.await("REPORT ", Duration.ofSeconds(1)).orElseThrow();
      System.out.printf("eval resume: first child finished %d cases (%d requests held at the kill); "
          + "second child: %s; server answers %d%n", HALF, heldAtKill, report, answers.get());

      for (int i = 0; i < CASES; i++) {
        AtomicInteger n = answered.get("c" + i);
        assertThat(n == null ? 0 : n.get()).as("answers for case c" + i).isEqualTo(1);
      }
      assertThat(answers.get()).as("server answers over both processes").isEqualTo(CASES);
      // REPORT <cases> <calls> <cacheHits> <errors> <passRate>
      String[] f = report.split(" ");
      assertThat(f[1]).as("cases in the resumed report").isEqualTo(String.valueOf(CASES));
      assertThat(f[2]).as("calls the resumed run made").isEqualTo(String.valueOf(CASES - HALF));
      assertThat(f[3]).as("cases the resumed run took from the cache").isEqualTo(String.valueOf(HALF));
      assertThat(f[4]).as("errors in the resumed report").isEqualTo("0");
    } finally {
      gate.countDown();
      server.stop(0);
    }
  }

  private void chat(HttpExchange ex) throws IOException {
    try (ex) {
      JsonNode body = JSON.readTree(ex.getRequestBody());
      JsonNode messages = body.path("messages");
      String question = messages.get(messages.size() - 1).path("content").asText();
      String id = "c" + question.substring(1);
      received.incrementAndGet();
      if (holding) {
        synchronized (this) {
          if (answers.get() >= HALF) {
            holdThenDrop(ex);
            return;
          }
          answers.incrementAndGet();
        }
      } else {
        answers.incrementAndGet();
      }
      answered.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      String reply = JSON.createObjectNode().put("id", "chatcmpl-" + id).put("object", "chat.completion")
          .put("created", 1).put("model", body.path("model").asText())
          .set("choices", JSON.createArrayNode().add(JSON.createObjectNode().put("index", 0).put("finish_reason", "stop")
              .set("message", JSON.createObjectNode().put("role", "assistant").put("content", "a" + question.substring(1)))))
          .toString();
      byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private void holdThenDrop(HttpExchange ex) throws IOException {
    try {
      gate.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ex.sendResponseHeaders(503, -1); // to a connection whose client is gone: never an answer
  }
}
