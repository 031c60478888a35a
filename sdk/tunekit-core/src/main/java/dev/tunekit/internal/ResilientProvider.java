package dev.tunekit.internal;

import dev.tunekit.error.CircuitOpenException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.Sleeper;
import dev.tunekit.Tunekit;

import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.TunekitException;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.WebhookVerification;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TuningProvider;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry layer: wraps the real provider so every caller (the run workflow, evaluation, chat)
 * goes through one Resilience4j {@link Retry} and one {@link CircuitBreaker}, both named after the
 * provider. Order: Retry(CircuitBreaker(call)) — each attempt asks the breaker, and an open breaker
 * fails fast without being retried.
 *
 * <p>Retried: {@link ProviderException#retryable()} failures (408/409/429/5xx, connection errors), with
 * exponential backoff and jitter, waiting {@link ProviderException#retryAfter()} when the provider said
 * (for a short 429 hint, that hint plus jitter, so that concurrent callers spread out: {@link #rateLimitWait}). Not retried: everything else (400, 401, 404, policy refusals), which propagates at
 * once. Creating calls are never blindly retried: when {@code createJob} (or {@code upload}) fails with
 * an unknown outcome the provider is asked first ({@code findJob}/{@code findFile}) whether it took
 * effect, and only if not is the call repeated. Resilience4j decides (attempt counting, predicate,
 * interval); the waiting is done by an injected {@link Sleeper} so tests run in milliseconds.
 *
 * <p><b>Patient calls.</b> Inside {@link #patiently} (a run's long-running steps: start, resume, the background
 * steps of submit, await and its polling) an open breaker is waited out instead of failing the run: the call
 * sleeps until the breaker lets a trial call through (telling the caller until when, once per opening) and
 * tries again; the wait costs no attempt, so a degraded provider (say 30 % of calls failing, which opens the
 * default breaker now and then) slows a run down instead of ending it. Calls outside that scope ({@code tk.chat}, a single read) fail fast as before.
 */
public final class ResilientProvider implements TuningProvider {
  private static final Logger LOG = LoggerFactory.getLogger(ResilientProvider.class);
  /** A server asking for a longer wait than this is not waited for; its error goes to the caller. */
  public static final Duration MAX_HONOURED_RETRY_AFTER = Duration.ofMinutes(10);
  /** A 429 hint shorter than this (a per-second window's) gets jitter on top; a longer one is waited exactly. */
  public static final Duration SHORT_RATE_LIMIT_HINT = Duration.ofMillis(250);
  /** How long a patient call waits when the breaker is half open with its trial call in flight. */
  static final Duration HALF_OPEN_RECHECK = Duration.ofMillis(200);

  private final TuningProvider delegate;
  private final ResilienceSettings settings;
  private final Sleeper sleeper;
  private final Retry retry;
  private final CircuitBreaker breaker;
  private final io.github.resilience4j.retry.RetryRegistry retryRegistry;
  private final io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry breakerRegistry;
  private final Clock clock;
  private final IntervalFunction backoff;
  /** Set on a thread inside {@link #patiently}: told until when an open breaker is waited out. */
  private final ThreadLocal<java.util.function.Consumer<Instant>> patient = new ThreadLocal<>();
  /** When the breaker, opened last, lets a trial call through. */
  private volatile Instant openUntil = Instant.MIN;

  public ResilientProvider(TuningProvider delegate, ResilienceSettings settings, Clock clock, Sleeper sleeper) {
    this.delegate = delegate;
    this.settings = settings;
    this.sleeper = sleeper;
    this.clock = clock;
    IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(),
        settings.multiplier(), 0.5, settings.maxBackoff());
    RetryConfig retryConfig = RetryConfig.custom()
        .maxAttempts(settings.maxAttempts())
        .retryOnException(ResilientProvider::isRetryable)
        .intervalBiFunction((attempt, outcome) -> {
          Throwable t = outcome.isLeft() ? outcome.getLeft() : null;
          if (t instanceof ProviderException pe && pe.retryAfter().isPresent()) {
            Duration wait = pe.retryAfter().get();
            if (wait.compareTo(MAX_HONOURED_RETRY_AFTER) > 0) {
              return -1L;
            }
            return t instanceof RateLimitedException ? rateLimitWait(wait, attempt) : Math.max(0L, wait.toMillis());
          }
          return backoff.apply(attempt);
        })
        .failAfterMaxAttempts(false)
        .build();
    this.backoff = backoff;
    this.retryRegistry = io.github.resilience4j.retry.RetryRegistry.of(retryConfig);
    this.retry = retryRegistry.retry(delegate.name());
    CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
        .failureRateThreshold(settings.failureRateThreshold())
        .slidingWindowSize(settings.slidingWindowSize())
        .minimumNumberOfCalls(Math.min(settings.minimumNumberOfCalls(), settings.slidingWindowSize()))
        .waitDurationInOpenState(settings.waitInOpenState())
        .permittedNumberOfCallsInHalfOpenState(1)
        .recordException(ResilientProvider::isProviderFailure)
        .clock(clock)
        .build();
    this.breakerRegistry = io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.of(breakerConfig);
    this.breaker = breakerRegistry.circuitBreaker(delegate.name());
    breaker.getEventPublisher().onStateTransition(e -> {
      if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
        openUntil = clock.instant().plus(settings.waitInOpenState());
      }
    });
  }

  /**
   * Runs {@code body} with every call it makes on this thread <em>patient</em> (see the class comment):
   * an open breaker is waited out, {@code onPause} being told until when. Nested scopes keep the
   * outer {@code onPause} when theirs is null.
   */
  public <T> T patiently(java.util.function.Consumer<Instant> onPause, Supplier<T> body) {
    java.util.function.Consumer<Instant> outer = patient.get();
    patient.set(onPause != null ? onPause : outer != null ? outer : until -> {});
    try {
      return body.get();
    } finally {
      if (outer == null) {
        patient.remove();
      } else {
        patient.set(outer);
      }
    }
  }

  /** {@link #patiently(java.util.function.Consumer, Supplier)} for a body with no result. */
  public void patiently(java.util.function.Consumer<Instant> onPause, Runnable body) {
    patiently(onPause, () -> {
      body.run();
      return null;
    });
  }

  /** The registry holding this provider's one {@link Retry} (for metrics). */
  public io.github.resilience4j.retry.RetryRegistry retryRegistry() {
    return retryRegistry;
  }

  /** The registry holding this provider's one {@link CircuitBreaker} (for metrics and health). */
  public io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry circuitBreakerRegistry() {
    return breakerRegistry;
  }

  /** Transient failures worth another attempt. An open breaker is not one of them. */
  public static boolean isRetryable(Throwable t) {
    return t instanceof ProviderException pe && pe.retryable() && !(t instanceof CircuitOpenException);
  }

  /** What counts against the provider's health: server-side and transport failures, not our bad requests or rate limits. */
  public static boolean isProviderFailure(Throwable t) {
    return t instanceof ProviderException pe && !(t instanceof RateLimitedException)
        && !(t instanceof CircuitOpenException) && (pe.retryable() || pe.outcomeUnknown());
  }

  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  public TuningProvider delegate() {
    return delegate;
  }

  // ------------------------------------------------------------------ the decorated operations

  @Override
  public String name() {
    return delegate.name();
  }

  /** Offline checks: no remote call, so nothing to retry or count against the breaker. */
  @Override
  public java.util.List<dev.tunekit.spi.PreflightProblem> preflight(dev.tunekit.spi.JobPlan plan) {
    return delegate.preflight(plan);
  }

  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    return delegate.trainingFormat(baseModel, kind);
  }

  @Override
  public Optional<RemoteFile> findFile(FileUpload upload) {
    return call("findFile", () -> delegate.findFile(upload), null);
  }

  @Override
  public RemoteFile upload(FileUpload upload) {
    return upload(upload, null);
  }

  /**
   * {@link #upload(FileUpload)}, running {@code beforeEachAttempt} before every attempt (the first and
   * each retry): it renews the caller's ledger claim and throws to stop before an attempt it no longer
   * owns. What it throws propagates at once, unretried.
   */
  public RemoteFile upload(FileUpload upload, Runnable beforeEachAttempt) {
    return call("upload", () -> delegate.upload(upload), () -> findFile(upload), beforeEachAttempt);
  }

  @Override
  public RemoteJob createJob(JobRequest request) {
    return createJob(request, null);
  }

  /** {@link #createJob(JobRequest)} with a check before every attempt, as for {@link #upload(FileUpload, Runnable)}. */
  public RemoteJob createJob(JobRequest request, Runnable beforeEachAttempt) {
    return call("createJob", () -> delegate.createJob(request), () -> findJob(request.idempotencyKey()),
        beforeEachAttempt);
  }

  @Override
  public Optional<RemoteJob> findJob(String idempotencyKey) {
    return call("findJob", () -> delegate.findJob(idempotencyKey), null);
  }

  @Override
  public RemoteJob job(String jobId) {
    return call("job", () -> delegate.job(jobId), null);
  }

  @Override
  public Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    return call("events", () -> delegate.events(jobId, after), null);
  }

  @Override
  public Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    return call("metrics", () -> delegate.metrics(jobId, after), null);
  }

  /** One poll as one call: one retry sequence and one circuit-breaker permission, not three. */
  @Override
  public dev.tunekit.spi.JobProgress progress(String jobId, Optional<Cursor> eventsAfter, Optional<Cursor> metricsAfter) {
    return call("progress", () -> delegate.progress(jobId, eventsAfter, metricsAfter), null);
  }

  @Override
  public RemoteJob cancel(String jobId) {
    return call("cancel", () -> delegate.cancel(jobId), null);
  }

  /**
   * The delegate's capability, wrapped so that every call through it goes through the same retry and
   * circuit breaker as the base operations (a deploy or a chat is retried like a job read). Empty when
   * the delegate does not have it. {@link WebhookVerification} and {@link dev.tunekit.spi.Endpoints} are work done in
   * this process (no remote call) and are handed out as they are, so an open circuit never stops a webhook from being
   * verified or a server from being named.
   */
  @Override
  public <C extends Capability> Optional<C> capability(Class<C> type) {
    Optional<C> raw = delegate.capability(type);
    if (raw.isEmpty() || type == WebhookVerification.class || type == dev.tunekit.spi.Endpoints.class) {
      return raw;
    }
    C target = raw.get();
    Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
      switch (method.getName()) {
        case "toString":
          if (method.getParameterCount() == 0) {
            return "Resilient" + type.getSimpleName() + "{" + name() + "}";
          }
          break;
        case "hashCode":
          if (method.getParameterCount() == 0) {
            return System.identityHashCode(self);
          }
          break;
        case "equals":
          if (method.getParameterCount() == 1) {
            return self == args[0];
          }
          break;
        default:
          break;
      }
      return call(method.getName(), () -> invoke(method, target, args), null);
    });
    return Optional.of(type.cast(proxy));
  }

  private static Object invoke(Method method, Object target, Object[] args) {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new TunekitException("capability call " + method.getName() + " failed: " + cause, cause);
    } catch (IllegalAccessException e) {
      throw new TunekitException("capability method " + method.getName() + " is not accessible: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }

  // ------------------------------------------------------------------ the retry loop

  /**
   * Runs {@code action} through the breaker, retrying per the Resilience4j policy. When
   * {@code reconcile} is given (creating calls), a failure with an unknown outcome is first checked
   * with it: if the thing exists it is returned, and it is never created twice.
   */
  private <T> T call(String op, Supplier<T> action, Supplier<Optional<T>> reconcile) {
    return call(op, action, reconcile, null);
  }

  private <T> T call(String op, Supplier<T> action, Supplier<Optional<T>> reconcile, Runnable beforeEachAttempt) {
    Retry.AsyncContext<T> context = retry.asyncContext();
    java.util.function.Consumer<Instant> onPause = patient.get();
    Instant told = null;
    int attempt = 0;
    while (true) {
      attempt++;
      if (beforeEachAttempt != null) {
        beforeEachAttempt.run(); // outside the try: what it throws is neither retried nor held against the provider
      }
      try {
        T result = throughBreaker(action);
        context.onComplete();
        return result;
      } catch (RuntimeException e) {
        if (reconcile != null && e instanceof ProviderException pe && pe.outcomeUnknown()) {
          Optional<T> existing = reconcileAfter(op, pe, reconcile);
          if (existing.isPresent()) {
            LOG.info("{} {}: the call failed with an unknown outcome but had taken effect; using the existing result",
                name(), op);
            context.onComplete();
            return existing.get();
          }
        }
        if (e instanceof CircuitOpenException open && onPause != null) {
          told = waitOutOpenBreaker(op, onPause, told);
          attempt--; // waiting out the breaker costs no attempt
          continue;
        }
        long waitMillis = context.onError(e);
        if (waitMillis < 0) {
          throw e;
        }
        Duration wait = Duration.ofMillis(waitMillis);
        int most = settings.maxAttempts();
        if (e instanceof RateLimitedException) {
          // Rate limits are expected under load: one line per attempt only at DEBUG (callers summarise).
          LOG.debug("{} {} rate limited ({}); retrying in {} (attempt {} of {})", name(), op, summary(e),
              Durations.format(wait), attempt + 1, most);
        } else {
          LOG.warn("{} {} failed ({}); retrying in {} (attempt {} of {})", name(), op, summary(e),
              Durations.format(wait), attempt + 1, most);
        }
        sleeper.sleepUninterruptibly(wait);
      }
    }
  }

  /**
   * The wait after a 429 whose hint is {@code hint}, before attempt {@code attempt + 1}. A hint of at least
   * {@link #SHORT_RATE_LIMIT_HINT} (or {@code initialBackoff}, if less) is waited exactly. A shorter one (a per-second window's 30-100 ms) is a floor with
   * jitter on top: callers that all waited exactly the hint would come back together and spend every attempt
   * within a third of a second. The jitter is uniform in [0, max(hint, 50 ms) x 2^(attempt-1)], capped at the
   * exponential backoff's nominal wait for that attempt.
   */
  long rateLimitWait(Duration hint, int attempt) {
    long h = Math.max(0L, hint.toMillis());
    if (h >= Math.min(settings.initialBackoff().toMillis(), SHORT_RATE_LIMIT_HINT.toMillis())) {
      return h;
    }
    double nominal = Math.min(settings.initialBackoff().toMillis() * Math.pow(settings.multiplier(), attempt - 1),
        settings.maxBackoff().toMillis());
    double spread = Math.min(Math.max(h, 50L) * Math.pow(2, attempt - 1), nominal);
    return h + (long) (java.util.concurrent.ThreadLocalRandom.current().nextDouble() * spread);
  }

  /**
   * Sleeps until the open breaker lets a trial call through (or briefly, while another thread's trial
   * is in flight), telling {@code onPause} once per new opening. Returns the instant told.
   */
  private Instant waitOutOpenBreaker(String op, java.util.function.Consumer<Instant> onPause, Instant told) {
    Instant now = clock.instant();
    Instant until = openUntil;
    if (!until.isAfter(now)) {
      until = now.plus(HALF_OPEN_RECHECK);
    } else if (!until.equals(told)) {
      LOG.info("{} {}: provider failing, calls paused until {}; the run waits and tries again then", name(), op,
          until);
      Instant u = until;
      try {
        onPause.accept(u);
      } catch (RuntimeException listenerFailure) {
        LOG.warn("A run listener failed on onProviderPaused: {}", listenerFailure.toString());
      }
      told = until;
    }
    // 1 ms past: the breaker lets the trial through only once its wait is strictly over.
    sleeper.sleepUninterruptibly(Duration.between(now, until).plusMillis(1));
    return told;
  }

  private <T> Optional<T> reconcileAfter(String op, ProviderException failure, Supplier<Optional<T>> reconcile) {
    try {
      return reconcile.get();
    } catch (RuntimeException checkFailed) {
      // We cannot tell whether the create took effect: repeating it could pay twice. Stop here; the
      // ledger has recorded the attempt, so a resumed run checks again before creating anything.
      throw ProviderException.builder(name(), name() + " " + op + " may have succeeded, and checking whether it did"
              + " also failed (" + summary(checkFailed) + "). Nothing was repeated. Resume the run later:"
              + " Tunekit checks for the existing result before creating it again.")
          .cause(failure)
          .statusCode(failure.statusCode().orElse(null))
          .requestId(failure.requestId().orElse(null))
          .outcomeUnknown(true)
          .retryable(false)
          .build();
    }
  }

  private <T> T throughBreaker(Supplier<T> action) {
    if (!breaker.tryAcquirePermission()) {
      CircuitBreaker.Metrics m = breaker.getMetrics();
      throw new CircuitOpenException(ProviderException.builder(name(), "Provider " + name()
              + " is failing: " + Math.round(m.getFailureRate()) + "% of its last " + m.getNumberOfBufferedCalls()
              + " calls failed, so Tunekit paused calls to it for " + Durations.format(settings.waitInOpenState())
              + ". Check the provider's status page and try again later.")
          .retryable(true)
          .retryAfter(settings.waitInOpenState()));
    }
    long start = System.nanoTime();
    try {
      T result = action.get();
      breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      return result;
    } catch (RuntimeException | Error e) {
      breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      throw e;
    }
  }

  private static String summary(Throwable e) {
    if (e instanceof ProviderException pe && pe.statusCode().isPresent()) {
      return "HTTP " + pe.statusCode().get() + ": " + e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  @Override
  public String toString() {
    return "ResilientProvider{" + name() + ", breaker=" + breaker.getState() + "}";
  }
}
