package dev.tunekit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalRunnerTest {
  @TempDir Path dir;

  /** A suite whose case i expects "answer i". */
  private static EvalSuite suite(int n) {
    List<EvalCase> cases = IntStream.range(0, n)
        .mapToObj(i -> EvalCase.of("c" + i, "question " + i, "answer " + i, i % 2 == 0 ? "even" : "odd"))
        .toList();
    return EvalSuite.of("numbers", cases).withGrader(Graders.exactMatch());
  }

  /** Answers "answer i" to "question i". */
  private static ChatResponse answer(ChatRequest r) {
    String q = r.messages().get(r.messages().size() - 1).content();
    return new ChatResponse(r.model(), q.replace("question", "answer"), "stop", 3, 2);
  }

  @Test
  void aRateLimitedTargetsLimiterIsRegisteredForMetricsAndANewerRunnerReplacesIt() {
    var registry = io.github.resilience4j.ratelimiter.RateLimiterRegistry.ofDefaults();
    EvalTarget limited = EvalTarget.of("t", EvalRunnerTest::answer, "m").withProvider("p").withRateLimit(6000);
    EvalRunner.builder().rateLimiterRegistry(registry).build().run(suite(2), limited);
    var first = registry.find("eval-p").orElseThrow();
    assertThat(first.getRateLimiterConfig().getLimitRefreshPeriod()).isEqualTo(java.time.Duration.ofMillis(10));
    EvalRunner.builder().rateLimiterRegistry(registry).build().run(suite(1), limited);
    assertThat(registry.find("eval-p").orElseThrow()).isNotSameAs(first);
    assertThat(registry.getAllRateLimiters()).hasSize(1);
    EvalRunner.builder().rateLimiterRegistry(registry).build().run(suite(1),
        EvalTarget.of("u", EvalRunnerTest::answer, "m").withProvider("unlimited"));
    assertThat(registry.find("eval-unlimited")).isEmpty(); // no requests-per-minute limit, no limiter
  }

  @Test
  void gradesEveryCaseAndKeepsSuiteOrder() {
    EvalReport r = EvalRunner.create().run(suite(10), EvalTarget.of("t", EvalRunnerTest::answer, "m"));
    assertThat(r.cases()).extracting(CaseResult::id).containsExactly(
        "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");
    assertThat(r.passRate().passed()).isEqualTo(10);
    assertThat(r.calls()).isEqualTo(10);
    assertThat(r.target()).isEqualTo("t");
    assertThat(r.model()).isEqualTo("m");
  }

  @Test
  void theTargetPreambleGoesBeforeTheCase() {
    List<ChatRequest> seen = Collections.synchronizedList(new ArrayList<>());
    EvalTarget t = EvalTarget.of("baseline", r -> {
      seen.add(r);
      return answer(r);
    }, "base-model").withSystemPrompt("You answer.").withExample("question 99", "answer 99");
    EvalRunner.create().run(suite(1), t);
    assertThat(seen.get(0).messages()).extracting(m -> m.role() + ":" + m.content())
        .containsExactly("system:You answer.", "user:question 99", "assistant:answer 99", "user:question 0");
  }

  @Test
  void aCallThatThrowsIsAnErrorNotAFail() {
    ChatModel flaky = r -> {
      if (r.messages().get(0).content().endsWith(" 3")) {
        throw ProviderException.builder("fake", "upstream exploded (HTTP 500)").statusCode(500).build();
      }
      return answer(r);
    };
    EvalReport r = EvalRunner.create().run(suite(5), EvalTarget.of("t", flaky, "m"));
    CaseResult c3 = r.caseResult("c3").orElseThrow();
    assertThat(c3.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(c3.output()).isEmpty();
    assertThat(c3.grades()).isEmpty();
    assertThat(c3.error()).get().asString().contains("call failed: upstream exploded (HTTP 500)");
    assertThat(r.passRate()).satisfies(p -> {
      assertThat(p.passed()).isEqualTo(4);
      assertThat(p.failed()).isZero();
      assertThat(p.errors()).isEqualTo(1);
      assertThat(p.rate()).isEqualTo(1.0);
    });
  }

  @Test
  void aGraderThatThrowsIsAnErrorUnlessAnotherGraderFailed() {
    EvalSuite s = EvalSuite.of("s", EvalCase.of("a", "question 1", "answer 1"), EvalCase.of("b", "question 2", "nope"))
        .withGrader(Graders.exactMatch())
        .withGrader(Grader.named("broken", (c, out) -> {
          throw new IllegalStateException("grader bug");
        }));
    EvalReport r = EvalRunner.create().run(s, EvalTarget.of("t", EvalRunnerTest::answer, "m"));
    assertThat(r.caseResult("a").orElseThrow().outcome()).isEqualTo(Outcome.ERROR);
    assertThat(r.caseResult("a").orElseThrow().error()).get().asString()
        .contains("grader 'broken' could not judge: IllegalStateException: grader bug");
    assertThat(r.caseResult("b").orElseThrow().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(r.passRateByGrader().get("broken").errors()).isEqualTo(2);
  }

  @Test
  void aSlowCallTimesOutAsAnErrorAndTheRunGoesOn() throws InterruptedException {
    java.util.concurrent.CountDownLatch interrupted = new java.util.concurrent.CountDownLatch(1);
    ChatModel slow = r -> {
      if (r.messages().get(0).content().endsWith(" 1")) {
        try {
          new java.util.concurrent.CountDownLatch(1).await(); // never answers on its own
        } catch (InterruptedException e) {
          interrupted.countDown();
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted");
        }
      }
      return answer(r);
    };
    EvalReport r = EvalRunner.builder().callTimeout(Duration.ofMillis(200)).build()
        .run(suite(4), EvalTarget.of("t", slow, "m"));
    // The run returned although the call never would have: the runner gave up on it and interrupted it.
    assertThat(interrupted.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    CaseResult c1 = r.caseResult("c1").orElseThrow();
    assertThat(c1.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(c1.error()).get().asString().startsWith("timed out after 200 ms");
    assertThat(r.passRate().passed()).isEqualTo(3);
  }

  @Test
  void reRunningWithAPersistentCacheMakesNoCalls() {
    AtomicInteger calls = new AtomicInteger();
    ChatModel counting = r -> {
      calls.incrementAndGet();
      return answer(r);
    };
    EvalTarget t = EvalTarget.of("t", counting, "m");
    EvalReport first;
    try (EvalCache cache = EvalCache.inDirectory(dir.resolve("cache"))) {
      first = EvalRunner.builder().cache(cache).build().run(suite(6), t);
    }
    assertThat(calls).hasValue(6);
    assertThat(first.calls()).isEqualTo(6);
    EvalReport second;
    try (EvalCache reopened = EvalCache.inDirectory(dir.resolve("cache"))) {
      second = EvalRunner.builder().cache(reopened).build().run(suite(6), t);
      assertThat(reopened.hits()).isEqualTo(6);
    }
    assertThat(calls).hasValue(6);
    assertThat(second.calls()).isZero();
    assertThat(second.cacheHits()).isEqualTo(6);
    assertThat(second.cases()).allMatch(CaseResult::cached);
    assertThat(second.passRate()).isEqualTo(first.passRate());
  }

  @Test
  void theCacheKeyCoversModelAndMessagesAndErrorsAreNotCached() {
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger(1);
    ChatModel model = r -> {
      calls.incrementAndGet();
      if (failures.getAndDecrement() > 0) {
        throw new IllegalStateException("first call fails");
      }
      return answer(r);
    };
    EvalRunner runner = EvalRunner.builder().cache(EvalCache.inMemory()).build();
    EvalTarget t = EvalTarget.of("t", model, "m").withMaxConcurrentCalls(1);
    EvalReport first = runner.run(suite(2), t);
    assertThat(first.errors()).hasSize(1);
    EvalReport again = runner.run(suite(2), t);
    assertThat(again.errors()).isEmpty();
    assertThat(again.calls()).isEqualTo(1);
    runner.run(suite(2), EvalTarget.of("t", model, "other-model").withMaxConcurrentCalls(1));
    assertThat(calls).hasValue(3 + 2);
    runner.run(suite(2), t.withSystemPrompt("new prompt"));
    assertThat(calls).hasValue(3 + 2 + 2);
  }

  @Test
  void theRateLimiterSpacesCalls() {
    List<Long> starts = Collections.synchronizedList(new ArrayList<>());
    ChatModel model = r -> {
      starts.add(System.nanoTime());
      return answer(r);
    };
    // 1200 requests per minute: one permit every 50 ms.
    EvalTarget t = EvalTarget.of("t", model, "m").withRateLimit(1200).withMaxConcurrentCalls(4);
    EvalRunner.create().run(suite(9), t);
    List<Long> sorted = new ArrayList<>(starts);
    Collections.sort(sorted);
    assertThat(sorted).hasSize(9);
    long spanMs = (sorted.get(8) - sorted.get(0)) / 1_000_000;
    // 9 permits lie in 9 distinct 50 ms periods; the first may come at the very end of its period,
    // so the permits span at least 7 whole periods (350 ms). The times are taken inside the model, after the
    // permit: a thread that waits for a core (the build runs modules and test JVMs side by side) starts late,
    // which shortens a measured span by up to that wait. 30 ms of it is allowed (a run saw 85 ms for 90), and
    // an unlimited target (about 0 ms) or one at twice the rate (4 calls in about 50 ms) still fails.
    assertThat(spanMs).as("at least 7 whole periods of 50 ms, less scheduling delay").isGreaterThanOrEqualTo(320);
    for (int i = 0; i + 3 < sorted.size(); i++) {
      long windowMs = (sorted.get(i + 3) - sorted.get(i)) / 1_000_000;
      assertThat(windowMs).as("4 calls never fit in 100 ms at 20/s, less scheduling delay").isGreaterThanOrEqualTo(70);
    }
  }

  @Test
  void theBulkheadCapsCallsInFlightAcrossTargetsOfOneProvider() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    ChatModel model = r -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        Thread.sleep(30);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        inFlight.decrementAndGet();
      }
      return answer(r);
    };
    EvalTarget a = EvalTarget.of("a", model, "m1").withProvider("shared").withMaxConcurrentCalls(2);
    EvalTarget b = EvalTarget.of("b", model, "m2").withProvider("shared").withMaxConcurrentCalls(2);
    List<EvalReport> reports = EvalRunner.create().runAll(suite(10), List.of(a, b));
    assertThat(reports).allSatisfy(r -> assertThat(r.passRate().passed()).isEqualTo(10));
    assertThat(maxInFlight.get()).isBetween(1, 2);
  }

  @Test
  void targetsSharingAProviderMustAgreeOnLimits() {
    EvalTarget a = EvalTarget.of("a", EvalRunnerTest::answer, "m").withProvider("p").withRateLimit(100);
    EvalTarget b = EvalTarget.of("b", EvalRunnerTest::answer, "m").withProvider("p").withRateLimit(200);
    assertThatThrownBy(() -> EvalRunner.create().runAll(suite(1), List.of(a, b)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("must set the same limits");
  }

  @Test
  void rateLimitedCallIsAnErrorAndPausesTheProvider() {
    List<Long> starts = Collections.synchronizedList(new ArrayList<>());
    ChatModel model = r -> {
      starts.add(System.nanoTime());
      if (r.messages().get(0).content().endsWith(" 0")) {
        throw ProviderException.builder("fake", "429 Too Many Requests").statusCode(429)
            .retryAfter(Duration.ofMillis(300)).buildRateLimited();
      }
      return answer(r);
    };
    // With a rate limit set the runner does not re-send (the model has no retry of its own and did not opt in).
    EvalReport r = EvalRunner.create().run(suite(2), EvalTarget.of("t", model, "m").withMaxConcurrentCalls(1)
        .withRateLimit(6000));
    CaseResult c0 = r.caseResult("c0").orElseThrow();
    assertThat(c0.outcome()).isEqualTo(Outcome.ERROR);
    // Was "after 1 attempt(s) (retry-after 300 ms)": it now counts the runner's sends and says what it counts.
    assertThat(c0.error()).get().asString().contains("rate limited by t: the runner sent this case 1 time(s)")
        .contains("last retry-after 300 ms").contains("lower the target's rate limit (now 6000 rpm)");
    assertThat(r.caseResult("c1").orElseThrow().passed()).isTrue();
    assertThat(starts).hasSize(2);
    assertThat((starts.get(1) - starts.get(0)) / 1_000_000).as("waited retry-after").isGreaterThanOrEqualTo(290);
  }

  /** A chat model allowing {@code limit} calls per sliding {@code windowMillis}, answering 429 beyond with the hint. */
  private static ChatModel rateLimited(int limit, long windowMillis, AtomicInteger rejected) {
    java.util.ArrayDeque<Long> accepted = new java.util.ArrayDeque<>();
    return r -> {
      long wait;
      synchronized (accepted) {
        long now = System.nanoTime();
        while (!accepted.isEmpty() && now - accepted.peekFirst() >= windowMillis * 1_000_000) {
          accepted.pollFirst();
        }
        wait = accepted.size() < limit ? 0 : windowMillis * 1_000_000 - (now - accepted.peekFirst());
        if (wait == 0) {
          accepted.addLast(now);
        }
      }
      if (wait > 0) {
        rejected.incrementAndGet();
        throw ProviderException.builder("fake", "429 Too Many Requests").statusCode(429)
            .retryAfter(Duration.ofNanos(wait)).buildRateLimited();
      }
      return answer(r);
    };
  }

  @Test
  void withNoRateLimitSetTheRunnerLearnsTheLimitFromThe429sAndNoCaseErrors() {
    AtomicInteger rejected = new AtomicInteger();
    // 100 per second, as 10 per sliding 100 ms; 4 concurrent callers with instant answers would send far more.
    EvalReport r = EvalRunner.create().run(suite(80), EvalTarget.of("t", rateLimited(10, 100, rejected), "m"));
    assertThat(r.errors()).as("errored cases").isEmpty();
    assertThat(r.passRate().passed()).isEqualTo(80);
    assertThat(rejected.get()).as("the endpoint did push back").isPositive();
    assertThat(r.calls()).isEqualTo(80L + rejected.get());
  }

  @Test
  void withNoRateLimitSetTheAdviceDoesNotSayToLowerIt() {
    ChatModel model = r -> {
      throw ProviderException.builder("fake", "429 Too Many Requests").statusCode(429)
          .retryAfter(Duration.ofMillis(1)).buildRateLimited();
    };
    EvalReport r = EvalRunner.create().run(suite(1), EvalTarget.of("t", model, "m"));
    String error = r.caseResult("c0").orElseThrow().error().orElseThrow();
    assertThat(error).contains("the runner sent this case " + (EvalRunner.ADAPTIVE_RESENDS + 1) + " time(s)")
        .contains("set a rate limit under the provider's with target.withRateLimit(rpm)")
        .doesNotContain("lower the target's rate limit");
    assertThat(r.calls()).isEqualTo(EvalRunner.ADAPTIVE_RESENDS + 1L);
  }

  @Test
  void aRawModelMayOptInToResendingAfter429() {
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    ChatModel model = r -> {
      String q = r.messages().get(0).content();
      if (attempts.computeIfAbsent(q, k -> new AtomicInteger()).incrementAndGet() <= 2) {
        throw ProviderException.builder("fake", "slow down").retryAfter(Duration.ofMillis(20)).buildRateLimited();
      }
      return answer(r);
    };
    EvalReport r = EvalRunner.create().run(suite(3), EvalTarget.of("t", model, "m").withRateLimitRetries(2));
    assertThat(r.passRate().passed()).isEqualTo(3);
    assertThat(r.calls()).isEqualTo(9);
    assertThat(attempts.values()).allMatch(a -> a.get() == 3);
  }

  @Test
  void otherFailuresAreNeverResent() {
    AtomicInteger calls = new AtomicInteger();
    ChatModel model = r -> {
      calls.incrementAndGet();
      throw ProviderException.builder("fake", "bad gateway").statusCode(502).retryable(true).build();
    };
    EvalReport r = EvalRunner.create().run(suite(2), EvalTarget.of("t", model, "m").withRateLimitRetries(5));
    assertThat(calls).hasValue(2);
    assertThat(r.errors()).hasSize(2);
  }

  @Test
  void theListenerHearsEveryCase() {
    AtomicInteger heard = new AtomicInteger();
    AtomicInteger lastTotal = new AtomicInteger();
    EvalRunner runner = EvalRunner.builder().listener((target, result, done, total) -> {
      heard.incrementAndGet();
      lastTotal.set(total);
    }).build();
    runner.compare(suite(5), EvalTarget.of("a", EvalRunnerTest::answer, "m"),
        EvalTarget.of("b", EvalRunnerTest::answer, "m"));
    assertThat(heard).hasValue(10);
    assertThat(lastTotal).hasValue(10);
  }

  @Test
  void theProgressBarCountsEveryCase() {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      EvalReport r = EvalRunner.builder().progressBar(true).build()
          .run(suite(7), EvalTarget.of("t", EvalRunnerTest::answer, "m"));
      assertThat(r.passRate().passed()).isEqualTo(7);
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("eval numbers").contains("7/7");
  }

  @Test
  void aSuiteWithoutGradersIsRejected() {
    EvalSuite bare = EvalSuite.of("bare", EvalCase.of("a", "q", "a"));
    assertThatThrownBy(() -> EvalRunner.create().run(bare, EvalTarget.of("t", EvalRunnerTest::answer, "m")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("has no graders");
  }
}
