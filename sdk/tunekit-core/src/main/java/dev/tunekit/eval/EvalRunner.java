package dev.tunekit.eval;

import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.error.TunekitException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Runs an {@link EvalSuite} against one or more {@link EvalTarget}s, concurrently, and returns reports.
 *
 * <pre>{@code
 * EvalRunner runner = EvalRunner.builder().cache(EvalCache.inDirectory(Path.of(".tunekit/eval-cache")))
 *     .progressBar(true).build();
 * EvalComparison cmp = runner.compare(suite, baseline, tuned);
 * cmp.print();
 * cmp.report("tuned").requireImprovementOver(cmp.report("baseline"), 0.05);
 * }</pre>
 *
 * <p><b>Per case:</b> the completion cache is consulted first (a hit costs nothing and takes no
 * permit); otherwise the call waits for a permit of its provider's Resilience4j {@link Bulkhead}
 * ({@link EvalTarget#maxConcurrentCalls()}), then of its {@link RateLimiter}
 * ({@link EvalTarget#requestsPerMinute()}, spread evenly: one permit every 60 s / rpm), and runs with
 * the per-case timeout. Targets with the same {@link EvalTarget#provider()} share both, and so do
 * successive runs of one runner. Set the rate a little under the provider's limit (say 99 %): the
 * provider's minute window and ours never line up exactly.
 *
 * <p><b>Failures are errors, never passes or fails.</b> A call that throws or times out is recorded
 * as an {@link Outcome#ERROR} with the reason, and is kept out of pass rates. Completions are cached
 * and errors are not, so running the suite again re-sends only the cases that errored.
 *
 * <p><b>Rate limits and retries (one retry layer).</b> Provider chat models built by Tunekit go through
 * the core's resilience layer, which already retries 429s honouring {@code retry-after}; this runner
 * does not retry on top of it. When a call still fails with {@link RateLimitedException}, the runner
 * records an error for that case and pauses every call to that provider for the exception's
 * {@code retryAfter} (1 s if absent) — back-pressure, not a retry. For a raw {@code ChatModel} with no
 * retry of its own (a lambda, a hand-made client), opt in explicitly with
 * {@link EvalTarget#withRateLimitRetries(int)}: the runner then re-sends a call rejected with
 * {@code RateLimitedException} up to that many times, each after the pause. No other failure is ever
 * re-sent.
 *
 * <p><b>No rate limit set ({@code requestsPerMinute == 0}): the runner learns it.</b> A 429 that reaches the
 * runner slows that provider's calls down (the gap between two calls grows by half, AIMD) and pauses them for
 * the server's hint plus jitter; every answered call shrinks the gap by 1 %. A rate-limited case is re-sent
 * (up to {@value #ADAPTIVE_RESENDS} times, or {@code rateLimitRetries} if higher): a 429 means the request was
 * not processed, so a re-send costs nothing. One INFO line per evaluation sums up the 429s, re-sends and the
 * pace learned; the retry layer logs each attempt at DEBUG only. An LLM judge's calls are made by the grader through its own chat model, outside these
 * limits.
 */
public final class EvalRunner {
  private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
  /** With no rate limit set, how many times a rate-limited case is re-sent while the runner learns the limit. */
  static final int ADAPTIVE_RESENDS = 10;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EvalRunner.class);

  private final EvalCache cache;
  private final Duration callTimeout;
  private final EvalListener listener;
  private final boolean progressBar;
  private final Duration maxPermitWait;
  private final Map<String, ProviderLimits> limits = new ConcurrentHashMap<>();
  private final io.github.resilience4j.ratelimiter.RateLimiterRegistry rateLimiters;

  private EvalRunner(Builder b) {
    this.cache = b.cache;
    this.callTimeout = b.callTimeout;
    this.listener = b.listener;
    this.progressBar = b.progressBar;
    this.maxPermitWait = b.maxPermitWait;
    this.rateLimiters = b.rateLimiters;
  }

  /** A builder: in-memory cache, 60 s per-case timeout, no progress bar. */
  public static Builder builder() {
    return new Builder();
  }

  /** A runner with the builder's defaults. */
  public static EvalRunner create() {
    return builder().build();
  }

  /** Runs {@code suite} against {@code target}. */
  public EvalReport run(EvalSuite suite, EvalTarget target) {
    return runAll(suite, List.of(target)).get(0);
  }

  /**
   * Runs {@code suite} against {@code baseline} and every other target concurrently, and compares
   * them side by side; flipped cases are counted against the baseline.
   */
  public EvalComparison compare(EvalSuite suite, EvalTarget baseline, EvalTarget... others) {
    List<EvalTarget> all = new ArrayList<>();
    all.add(baseline);
    all.addAll(List.of(others));
    return EvalComparison.of(runAll(suite, all));
  }

  /**
   * {@link #run(EvalSuite, EvalTarget)} as one task on {@code executor} (the calls themselves run on this runner's
   * own threads, as in {@code run}). Cancelling the future does not stop the task: calls already sent complete
   * and are cached.
   */
  public CompletableFuture<EvalReport> runAsync(EvalSuite suite, EvalTarget target, Executor executor) {
    return async(() -> run(suite, target), executor);
  }

  /** {@link #compare(EvalSuite, EvalTarget, EvalTarget...)} as one task on {@code executor}; see {@link #runAsync}. */
  public CompletableFuture<EvalComparison> compareAsync(EvalSuite suite, EvalTarget baseline, List<EvalTarget> others,
      Executor executor) {
    EvalTarget[] rest = others.toArray(EvalTarget[]::new);
    return async(() -> compare(suite, baseline, rest), executor);
  }

  /** {@link #runAll(EvalSuite, List)} as one task on {@code executor}; see {@link #runAsync}. */
  public CompletableFuture<List<EvalReport>> runAllAsync(EvalSuite suite, List<EvalTarget> targets, Executor executor) {
    List<EvalTarget> copy = List.copyOf(targets);
    return async(() -> runAll(suite, copy), executor);
  }

  private static <T> CompletableFuture<T> async(java.util.function.Supplier<T> work, Executor executor) {
    Objects.requireNonNull(executor, "executor");
    try {
      return CompletableFuture.supplyAsync(work, executor);
    } catch (java.util.concurrent.RejectedExecutionException refused) {
      return CompletableFuture.failedFuture(new dev.tunekit.error.TunekitException("The executor refused the"
          + " evaluation (" + refused + "); nothing was sent. Pass an executor that accepts tasks.", refused));
    }
  }

  /** Runs {@code suite} against every target concurrently; reports in target order. */
  public List<EvalReport> runAll(EvalSuite suite, List<EvalTarget> targets) {
    Objects.requireNonNull(suite, "suite");
    if (!suite.isGraded()) {
      throw new InvalidInputException("eval suite '" + suite.name() + "' has no graders; add one with "
          + "suite.withGrader(Graders.exactMatch()) or a lambda");
    }
    if (targets.isEmpty()) {
      throw new InvalidInputException("no eval target given; pass at least one EvalTarget");
    }
    if (targets.stream().map(EvalTarget::name).distinct().count() != targets.size()) {
      throw new InvalidInputException("eval targets must have distinct names, got "
          + targets.stream().map(EvalTarget::name).toList());
    }
    List<ProviderLimits> perTarget = targets.stream().map(this::limitsFor).toList();
    int total = suite.size() * targets.size();
    AtomicInteger done = new AtomicInteger();
    ProgressBar bar = progressBar ? new ProgressBarBuilder().setTaskName("eval " + suite.name())
        .setInitialMax(total).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).build() : null;
    ExecutorService calls = Executors.newCachedThreadPool(daemon("tunekit-eval-call"));
    List<ExecutorService> pools = new ArrayList<>();
    try {
      List<List<Future<CaseResult>>> futures = new ArrayList<>();
      List<Counters> counters = new ArrayList<>();
      Instant started = Instant.now();
      long startNanos = System.nanoTime();
      for (int t = 0; t < targets.size(); t++) {
        EvalTarget target = targets.get(t);
        ProviderLimits lim = perTarget.get(t);
        ExecutorService pool = Executors.newFixedThreadPool(target.maxConcurrentCalls(),
            daemon("tunekit-eval-" + target.name()));
        pools.add(pool);
        Counters counter = new Counters();
        counters.add(counter);
        List<Future<CaseResult>> fs = new ArrayList<>();
        for (EvalCase c : suite.cases()) {
          fs.add(pool.submit(() -> {
            CaseResult r = runCase(suite, target, c, lim, counter, calls);
            int n = done.incrementAndGet();
            if (bar != null) {
              bar.step();
            }
            if (listener != null) {
              listener.onCaseFinished(target.name(), r, n, total);
            }
            return r;
          }));
        }
        futures.add(fs);
      }
      List<EvalReport> reports = new ArrayList<>();
      for (int t = 0; t < targets.size(); t++) {
        List<CaseResult> results = new ArrayList<>();
        for (Future<CaseResult> f : futures.get(t)) {
          results.add(f.get());
        }
        EvalTarget target = targets.get(t);
        logSummary(suite, target, perTarget.get(t), counters.get(t), results);
        reports.add(new EvalReport(suite.name(), suite.fingerprint(), target.name(), target.modelId(),
            target.provider(), started, Duration.ofNanos(System.nanoTime() - startNanos),
            counters.get(t).calls.get(), counters.get(t).cacheHits.get(), results, List.of()));
      }
      return reports;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TunekitException("evaluation of suite '" + suite.name() + "' was interrupted; "
          + "completed calls are cached, so running it again resumes cheaply", e);
    } catch (ExecutionException e) {
      throw new TunekitException("evaluation of suite '" + suite.name() + "' failed: " + describe(e.getCause()),
          e.getCause());
    } finally {
      pools.forEach(ExecutorService::shutdownNow);
      calls.shutdownNow();
      if (bar != null) {
        bar.close();
      }
    }
  }

  private CaseResult runCase(EvalSuite suite, EvalTarget target, EvalCase c, ProviderLimits lim,
      Counters counter, ExecutorService calls) {
    ChatRequest request = target.request(c);
    Optional<ChatResponse> hit = cache.get(target.provider(), request);
    if (hit.isPresent()) {
      counter.cacheHits.incrementAndGet();
      return grade(suite, c, hit.get().content(), Duration.ZERO, true);
    }
    int sends = 0;
    long first = System.nanoTime();
    int resends = lim.rpm == 0 ? Math.max(target.rateLimitRetries(), ADAPTIVE_RESENDS) : target.rateLimitRetries();
    while (true) {
      sends++;
      long begin = System.nanoTime();
      try {
        ChatResponse response = call(target, request, lim, counter, calls);
        Duration latency = Duration.ofNanos(System.nanoTime() - begin);
        lim.answered();
        cache.put(target.provider(), request, response);
        return grade(suite, c, response.content(), latency, false);
      } catch (RateLimitedException e) {
        counter.rateLimited.incrementAndGet();
        Duration wait = e.retryAfter().filter(d -> !d.isNegative() && !d.isZero()).orElse(DEFAULT_RETRY_AFTER);
        lim.rateLimited(wait);
        if (sends <= resends) {
          counter.resends.incrementAndGet();
          continue;
        }
        String advice = lim.rpm == 0
            ? "set a rate limit under the provider's with target.withRateLimit(rpm)"
            : "lower the target's rate limit (now " + lim.rpm + " rpm)";
        if (target.rateLimitRetries() == 0 && lim.rpm != 0) {
          advice += ", or for a raw model with no retry of its own set withRateLimitRetries(n)";
        }
        return error(c, "rate limited by " + target.provider() + ": the runner sent this case " + sends
            + " time(s) over " + Durations.seconds(System.nanoTime() - first)
            + " (each send also retried by the provider's retry layer, if the model has one)"
            + e.retryAfter().map(d -> "; last retry-after " + d.toMillis() + " ms").orElse("") + ": "
            + e.getMessage() + ". Run the suite again later (finished cases are cached), or " + advice,
            Duration.ofNanos(System.nanoTime() - begin));
      } catch (TimeoutException e) {
        return error(c, "timed out after " + callTimeout.toMillis() + " ms; the call was cancelled. "
            + "Raise EvalRunner.Builder.callTimeout if the model is just slow",
            Duration.ofNanos(System.nanoTime() - begin));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return error(c, "interrupted before the call finished", Duration.ofNanos(System.nanoTime() - begin));
      } catch (RuntimeException e) {
        return error(c, "call failed: " + describe(e), Duration.ofNanos(System.nanoTime() - begin));
      }
    }
  }

  private ChatResponse call(EvalTarget target, ChatRequest request, ProviderLimits lim, Counters counter,
      ExecutorService calls) throws InterruptedException, TimeoutException {
    lim.awaitPause();
    lim.bulkhead.acquirePermission();
    try {
      lim.awaitPace();
    } catch (InterruptedException e) {
      lim.bulkhead.releasePermission();
      throw e;
    }
    boolean handedOver = false;
    try {
      if (lim.rateLimiter != null && !lim.rateLimiter.acquirePermission()) {
        throw new TunekitException("waited more than " + maxPermitWait.toSeconds() + " s for a rate-limit "
            + "permit of " + target.provider() + "; lower the number of cases or raise the target's rate");
      }
      counter.calls.incrementAndGet();
      Future<ChatResponse> future = calls.submit(() -> {
        try {
          ChatResponse r = target.model().chat(request);
          if (r == null) {
            throw new TunekitException("the chat model of target '" + target.name() + "' returned null");
          }
          return r;
        } finally {
          lim.bulkhead.onComplete();
        }
      });
      handedOver = true;
      try {
        return future.get(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | InterruptedException e) {
        future.cancel(true);
        throw e;
      } catch (CancellationException e) {
        throw new TunekitException("the call was cancelled", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new TunekitException(describe(cause), cause);
      }
    } finally {
      if (!handedOver) {
        lim.bulkhead.releasePermission();
      }
    }
  }

  /** Grades {@code output} with every grader of the suite. */
  static CaseResult grade(EvalSuite suite, EvalCase c, String output, Duration latency, boolean cached) {
    List<GraderResult> grades = new ArrayList<>();
    String firstError = null;
    for (Grader g : suite.gradersFor(c)) {
      try {
        Grade grade = g.grade(c, output);
        if (grade == null) {
          throw new TunekitException("grader returned null instead of a Grade");
        }
        grades.add(new GraderResult(g.name(), grade.passed() ? Outcome.PASS : Outcome.FAIL, grade.score(),
            grade.reason()));
      } catch (RuntimeException e) {
        String msg = "grader '" + g.name() + "' could not judge: " + describe(e);
        grades.add(new GraderResult(g.name(), Outcome.ERROR, 0.0, msg));
        if (firstError == null) {
          firstError = msg;
        }
      }
    }
    Outcome outcome;
    if (grades.stream().anyMatch(g -> g.outcome() == Outcome.FAIL)) {
      outcome = Outcome.FAIL;
    } else if (firstError != null) {
      outcome = Outcome.ERROR;
    } else {
      outcome = Outcome.PASS;
    }
    return new CaseResult(c.id(), c.tags(), c.messages(), c.expected(), Optional.of(output), outcome, grades,
        Optional.ofNullable(firstError), latency, cached);
  }

  private static CaseResult error(EvalCase c, String message, Duration latency) {
    return new CaseResult(c.id(), c.tags(), c.messages(), c.expected(), Optional.empty(), Outcome.ERROR,
        List.of(), Optional.of(message), latency, false);
  }

  static String describe(Throwable e) {
    if (e == null) {
      return "unknown failure";
    }
    if (e instanceof TunekitException) {
      return e.getMessage();
    }
    String msg = e.getMessage();
    return e.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : ": " + msg);
  }

  private ProviderLimits limitsFor(EvalTarget t) {
    ProviderLimits l = limits.computeIfAbsent(t.provider(),
        p -> new ProviderLimits(p, t.requestsPerMinute(), t.maxConcurrentCalls(), maxPermitWait, rateLimiters));
    if (l.rpm != t.requestsPerMinute() || l.concurrency != t.maxConcurrentCalls()) {
      throw new InvalidInputException("target '" + t.name() + "' sets rate " + t.requestsPerMinute()
          + " rpm and " + t.maxConcurrentCalls() + " concurrent calls for provider '" + t.provider()
          + "', which already has " + l.rpm + " rpm and " + l.concurrency + " in this runner; targets "
          + "sharing a provider must set the same limits");
    }
    return l;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static final class Counters {
    final AtomicLong calls = new AtomicLong();
    final AtomicLong cacheHits = new AtomicLong();
    final AtomicLong rateLimited = new AtomicLong();
    final AtomicLong resends = new AtomicLong();
  }

  /** One line per evaluation and target, instead of one per attempt; only when something was rate limited. */
  private static void logSummary(EvalSuite suite, EvalTarget target, ProviderLimits lim, Counters counter,
      List<CaseResult> results) {
    long limited = counter.rateLimited.get();
    if (limited == 0) {
      return;
    }
    long errored = results.stream().filter(r -> r.outcome() == Outcome.ERROR).count();
    double pace = lim.learnedRpm();
    LOG.info("eval '{}' on {}: {} calls, {} rate-limited (429) answers reached the runner, {} re-sent, {} cases errored;"
            + " {}", suite.name(), target.name(), counter.calls.get(), limited, counter.resends.get(), errored,
        lim.rpm != 0 ? "rate limit " + lim.rpm + " rpm (set)"
            : pace > 0 ? String.format(java.util.Locale.ROOT, "pace learned from the 429s: %.0f rpm", pace)
            : "no pace learned");
  }

  /** Formats elapsed nanoseconds for messages. */
  private static final class Durations {
    static String seconds(long nanos) {
      return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }
  }

  /** One Resilience4j rate limiter and bulkhead per provider, plus the 429 pause. */
  static final class ProviderLimits {
    final int rpm;
    final int concurrency;
    final RateLimiter rateLimiter;
    final Bulkhead bulkhead;
    private final AtomicLong pausedUntil = new AtomicLong(System.nanoTime());

    ProviderLimits(String provider, int rpm, int concurrency, Duration maxPermitWait,
        io.github.resilience4j.ratelimiter.RateLimiterRegistry registry) {
      this.rpm = rpm;
      this.concurrency = concurrency;
      this.rateLimiter = rpm == 0 ? null : RateLimiter.of("eval-" + provider, RateLimiterConfig.custom()
          .limitForPeriod(1)
          .limitRefreshPeriod(Duration.ofNanos(60_000_000_000L / rpm))
          .timeoutDuration(maxPermitWait)
          .build());
      if (registry != null && rateLimiter != null) {
        synchronized (registry) { // the newest limiter of that name is the one metrics follow
          if (registry.replace(rateLimiter.getName(), rateLimiter).isEmpty()) {
            registry.rateLimiter(rateLimiter.getName(), rateLimiter.getRateLimiterConfig());
            registry.replace(rateLimiter.getName(), rateLimiter);
          }
        }
      }
      this.bulkhead = Bulkhead.of("eval-" + provider, BulkheadConfig.custom()
          .maxConcurrentCalls(concurrency)
          .maxWaitDuration(Duration.ofDays(1))
          .build());
    }

    /** With no rate limit set: the learned gap between two calls' starts, in nanoseconds (0: no pacing yet). */
    private final AtomicLong gapNanos = new AtomicLong();
    private final AtomicLong nextStart = new AtomicLong(System.nanoTime());

    /** A 429 reached the runner: pause everyone for the hint plus jitter, and (no limit set) slow down. */
    void rateLimited(Duration hint) {
      long h = hint.toNanos();
      pauseFor(Duration.ofNanos(h + (long) (java.util.concurrent.ThreadLocalRandom.current().nextDouble()
          * Math.max(h, 100_000_000L) / 2)));
      if (rpm == 0) {
        // Multiplicative decrease: the first 429 starts pacing at 10 calls/s per permit of concurrency.
        gapNanos.updateAndGet(g -> g == 0 ? 100_000_000L / concurrency : Math.min((long) (g * 1.5), 60_000_000_000L));
      }
    }

    /** An answered call: additive increase of the learned pace (the gap shrinks by 1 %). */
    void answered() {
      if (rpm == 0) {
        gapNanos.updateAndGet(g -> g == 0 ? 0 : Math.max(1, (long) (g * 0.99)));
      }
    }

    /** The learned pace in calls per minute, 0 when none was needed. */
    double learnedRpm() {
      long g = gapNanos.get();
      return g == 0 ? 0 : 60e9 / g;
    }

    /** With no rate limit set and a pace learned: waits for this call's start slot. */
    void awaitPace() throws InterruptedException {
      long gap = gapNanos.get();
      if (rpm != 0 || gap == 0) {
        return;
      }
      long now = System.nanoTime();
      long slot = nextStart.getAndAccumulate(now, (next, n) -> Math.max(next, n) + gap);
      long wait = Math.max(slot, now) - now;
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }

    void pauseFor(Duration d) {
      long until = System.nanoTime() + d.toNanos();
      pausedUntil.accumulateAndGet(until, (a, b) -> a - b > 0 ? a : b);
    }

    void awaitPause() throws InterruptedException {
      while (true) {
        long wait = pausedUntil.get() - System.nanoTime();
        if (wait <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
  }

  /** Builder for {@link EvalRunner}. */
  public static final class Builder {
    private EvalCache cache = EvalCache.inMemory();
    private Duration callTimeout = Duration.ofSeconds(60);
    private EvalListener listener;
    private boolean progressBar;
    private Duration maxPermitWait = Duration.ofMinutes(30);
    private io.github.resilience4j.ratelimiter.RateLimiterRegistry rateLimiters;

    private Builder() {}

    /**
     * Also registers each provider's rate limiter ({@code eval-<provider>}) in this registry, so that metrics
     * (resilience4j-micrometer) can follow it; a newer runner's limiter of the same name replaces the older
     * one there. Default: none.
     */
    public Builder rateLimiterRegistry(io.github.resilience4j.ratelimiter.RateLimiterRegistry registry) {
      this.rateLimiters = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Where completions are cached; {@link EvalCache#none()} to always call. Default: in memory. */
    public Builder cache(EvalCache cache) {
      this.cache = Objects.requireNonNull(cache, "cache");
      return this;
    }

    /** How long one chat call may take before it is cancelled and recorded as an error. Default 60 s. */
    public Builder callTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new InvalidInputException("callTimeout must be positive, got " + timeout);
      }
      this.callTimeout = timeout;
      return this;
    }

    /** Called after each case. */
    public Builder listener(EvalListener listener) {
      this.listener = listener;
      return this;
    }

    /** Shows a console progress bar on standard error (for JShell). Default off. */
    public Builder progressBar(boolean show) {
      this.progressBar = show;
      return this;
    }

    /** The longest a call may wait for a rate-limit permit before it is an error. Default 30 min. */
    public Builder maxPermitWait(Duration wait) {
      this.maxPermitWait = Objects.requireNonNull(wait, "wait");
      return this;
    }

    /** The runner. */
    public EvalRunner build() {
      return new EvalRunner(this);
    }
  }
}
