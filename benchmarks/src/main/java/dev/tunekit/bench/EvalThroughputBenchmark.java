package dev.tunekit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.error.ProviderException;
import dev.tunekit.eval.EvalCache;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalReport;
import dev.tunekit.eval.EvalRunner;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.eval.Graders;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Eval throughput against a rate-limited endpoint: 2,000 cases against a loopback chat endpoint that
 * allows 600 requests per minute (a strict sliding window) and answers 429 with {@code retry-after-ms}
 * and {@code Retry-After} beyond it. The target is due to finish within 3.5 minutes (≥ 95 % of the
 * allowed rate) with no case lost to 429. Prints figures; it is not a test.
 *
 * <p>Run from the repository root after {@code mvn -B -o -q -pl benchmarks -am compile}:
 * {@code java -cp <classpath> dev.tunekit.bench.EvalThroughputBenchmark [--cases 2000] [--limit 600]
 * [--window-seconds 60] [--client-rpm 594] [--concurrency 8]}. {@code --window-seconds 6 --limit 60} keeps
 * the rate (600 rpm) with a ten-times shorter window, for a quick check of the same behaviour.
 *
 * <p>The client is a raw {@code java.net.http} chat model with no retry of its own, so the target opts
 * in to the runner's documented 429 re-send ({@code withRateLimitRetries(3)}) as a safety net; the
 * figures show how often it was needed. The runner's rate limiter is set to 99 % of the server's rate
 * because the two windows never line up exactly.
 */
public final class EvalThroughputBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EvalThroughputBenchmark() {}

  /** Entry point; see the class comment for arguments. */
  public static void main(String[] args) throws Exception {
    int cases = intArg(args, "--cases", 2000);
    int limit = intArg(args, "--limit", 600);
    int windowSeconds = intArg(args, "--window-seconds", 60);
    double serverRpm = limit * 60.0 / windowSeconds;
    int clientRpm = intArg(args, "--client-rpm", (int) Math.floor(serverRpm * 0.99));
    int concurrency = intArg(args, "--concurrency", 8);

    RateLimitedChatEndpoint server = new RateLimitedChatEndpoint(limit, Duration.ofSeconds(windowSeconds),
        RateLimitedChatEndpoint.Hints.RETRY_AFTER);
    server.start();
    try {
      ChatModel model = new LoopbackChatModel(server.uri());
      EvalSuite suite = EvalSuite.of("throughput", IntStream.range(0, cases)
          .mapToObj(i -> EvalCase.of("c" + i, "question " + i, "answer " + i)).toList())
          .withGrader(Graders.exactMatch());
      EvalTarget target = EvalTarget.of("loopback", model, "bench-model")
          .withRateLimit(clientRpm)
          .withMaxConcurrentCalls(concurrency)
          .withRateLimitRetries(3);
      EvalCache cache = EvalCache.inMemory();
      EvalRunner runner = EvalRunner.builder().cache(cache).callTimeout(Duration.ofSeconds(30)).build();

      System.out.printf(Locale.ROOT, "Endpoint: %d requests per %d s sliding window (%.0f rpm), latency 20-80 ms%n",
          limit, windowSeconds, serverRpm);
      System.out.printf(Locale.ROOT, "Runner:   %d cases, rate limiter %d rpm, %d concurrent calls, 429 re-sends <= 3%n",
          cases, clientRpm, concurrency);
      long t0 = System.nanoTime();
      EvalReport report = runner.run(suite, target);
      double seconds = (System.nanoTime() - t0) / 1e9;

      long sent = server.accepted.get() + server.rejected.get();
      double spanSeconds = (server.lastAcceptNanos - server.firstAcceptNanos) / 1e9;
      double achievedRpm = (server.accepted.get() - 1) / spanSeconds * 60;
      long lost = report.cases().size() - report.passRate().passed();
      double budget = cases / serverRpm * 60 / 0.95;
      System.out.println();
      System.out.printf(Locale.ROOT, "cases                 %d%n", cases);
      System.out.printf(Locale.ROOT, "elapsed               %.1f s (%.2f min)%n", seconds, seconds / 60);
      System.out.printf(Locale.ROOT, "requests sent         %d (accepted %d, answered 429: %d)%n", sent,
          server.accepted.get(), server.rejected.get());
      System.out.printf(Locale.ROOT, "achieved rate         %.1f rpm between first and last accepted request = %.1f %% of %.0f rpm%n",
          achievedRpm, achievedRpm / serverRpm * 100, serverRpm);
      System.out.printf(Locale.ROOT, "overall rate          %.1f cases/min = %.1f %% of the allowed rate%n",
          cases / seconds * 60, cases / seconds * 60 / serverRpm * 100);
      System.out.printf(Locale.ROOT, "max in any window     %d of %d allowed%n", server.maxInWindow, limit);
      System.out.printf(Locale.ROOT, "passed / errors       %d / %d%n", report.passRate().passed(), report.errors().size());
      System.out.printf(Locale.ROOT, "cases lost            %d%n", lost);
      System.out.printf(Locale.ROOT, "budget                %.1f s for >= 95 %% of the allowed rate: %s%n", budget,
          seconds <= budget ? "MET" : "MISSED");
      System.out.printf(Locale.ROOT, "no case lost to 429   %s%n", lost == 0 ? "MET" : "MISSED");

      long before = server.accepted.get() + server.rejected.get();
      long t1 = System.nanoTime();
      EvalReport again = runner.run(suite, target);
      System.out.printf(Locale.ROOT, "re-run from cache     %.0f ms, %d calls, %d cache hits, %d requests reached the endpoint%n",
          (System.nanoTime() - t1) / 1e6, again.calls(), again.cacheHits(),
          server.accepted.get() + server.rejected.get() - before);
    } finally {
      server.stop();
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


  /**
   * A raw chat model for the loopback endpoint: no retries of its own; a 429 becomes a
   * {@link dev.tunekit.error.RateLimitedException} carrying the endpoint's {@code retry-after-ms}.
   */
  static final class LoopbackChatModel implements ChatModel {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI uri;

    LoopbackChatModel(URI uri) {
      this.uri = uri;
    }

    @Override
    public ChatResponse chat(dev.tunekit.model.ChatRequest request) {
      ObjectNode body = JSON.createObjectNode();
      body.put("model", request.model());
      var ms = body.putArray("messages");
      request.messages().forEach(m -> ms.addObject().put("role", m.role()).put("content", m.content()));
      HttpResponse<String> resp;
      try {
        resp = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw ProviderException.builder("loopback", "connection failed: " + e.getMessage()).cause(e)
            .retryable(true).outcomeUnknown(true).build();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ProviderException.builder("loopback", "interrupted").cause(e).outcomeUnknown(true).build();
      }
      if (resp.statusCode() == 429) {
        Duration after = resp.headers().firstValue("retry-after-ms").map(v -> Duration.ofMillis(Long.parseLong(v)))
            .orElse(Duration.ofSeconds(1));
        throw ProviderException.builder("loopback", "rate limited (HTTP 429)").statusCode(429).retryAfter(after)
            .buildRateLimited();
      }
      if (resp.statusCode() != 200) {
        throw ProviderException.builder("loopback", "HTTP " + resp.statusCode()).statusCode(resp.statusCode())
            .retryable(resp.statusCode() >= 500).outcomeUnknown(resp.statusCode() >= 500).build();
      }
      try {
        JsonNode n = JSON.readTree(resp.body());
        JsonNode choice = n.get("choices").get(0);
        return new ChatResponse(n.get("model").asText(), choice.get("message").get("content").asText(),
            choice.get("finish_reason").asText(), n.path("usage").path("prompt_tokens").asLong(-1),
            n.path("usage").path("completion_tokens").asLong(-1));
      } catch (IOException e) {
        throw ProviderException.builder("loopback", "unreadable response: " + e.getMessage()).cause(e).build();
      }
    }
  }

}
