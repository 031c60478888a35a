package dev.tunekit.internal;

import dev.tunekit.Webhooks;
import dev.tunekit.error.AwaitTimeoutException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.ProviderException;
import dev.tunekit.Sleeper;

import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.JobProgress;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TuningProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a job to end, in the manner of an AWS SDK v2 waiter: poll, map the response to done or
 * keep waiting, back off between polls (growing while nothing changes, back to the initial interval on
 * any change), give up after an overall timeout. Events and metrics are read with the provider's
 * cursors, kept between polls, so each poll fetches only what is new; a poll is one
 * {@link TuningProvider#progress} call (one retry sequence, one circuit-breaker permission); new events (still de-duplicated
 * by id) and metric points (each step once) are pushed to the sink. A transient failure of one poll (still failing after the
 * retry layer, or an open circuit breaker) does not end the wait; any other failure does. Clock and
 * sleeper are injected, so tests run in milliseconds.
 *
 * <p>With a {@link Nudge}, the wait between two polls is cut into slices of {@code checkEvery}; after
 * each slice the nudge is asked whether someone else (a {@link Webhooks} handler, in this process or
 * another one sharing the ledger) has recorded a different status, and if so the waiter polls at once
 * instead of sleeping out the interval. The poll that follows stays the authority on the job's status.
 */
public final class JobWaiter {
  private static final Logger LOG = LoggerFactory.getLogger(JobWaiter.class);

  /** Where the waiter delivers what it sees. */
  public interface Sink {
    void status(RemoteJob job);

    void event(JobEvent event);

    void metric(MetricPoint point);
  }

  /** Asked between slices of a wait: has the job's status been seen to change by someone else? */
  @FunctionalInterface
  public interface Nudge {
    /** Whether a status other than {@code lastRawStatus} (the last one this waiter polled; null before) is known. */
    boolean changedFrom(String lastRawStatus);
  }

  private final TuningProvider provider;
  private final PollingSettings settings;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Nudge nudge;
  private final Duration checkEvery;

  public JobWaiter(TuningProvider provider, PollingSettings settings, Clock clock, Sleeper sleeper) {
    this(provider, settings, clock, sleeper, null, null);
  }

  public JobWaiter(TuningProvider provider, PollingSettings settings, Clock clock, Sleeper sleeper, Nudge nudge,
      Duration checkEvery) {
    this.provider = provider;
    this.settings = settings;
    this.clock = clock;
    this.sleeper = sleeper;
    this.nudge = nudge;
    this.checkEvery = checkEvery == null || checkEvery.isNegative() || checkEvery.isZero() ? null : checkEvery;
  }

  /** Polls until the job is terminal; returns its final snapshot or throws {@link AwaitTimeoutException}. */
  public RemoteJob await(String runId, String jobId, Sink sink) {
    Instant start = clock.instant();
    Instant deadline = start.plus(settings.timeout());
    Duration interval = settings.initialInterval();
    Set<String> seenEvents = new HashSet<>();
    long lastStep = Long.MIN_VALUE;
    Optional<Cursor> eventsCursor = Optional.empty();
    Optional<Cursor> metricsCursor = Optional.empty();
    String lastStatus = null;
    String lastRaw = null;
    RemoteJob last = null;
    boolean split = false;
    while (true) {
      boolean changed = false;
      // One call per poll (one retry sequence, one circuit-breaker permission): the job's state and what is
      // new in its events and metrics since the cursors kept from the previous poll.
      Optional<Cursor> eventsFrom = eventsCursor;
      Optional<Cursor> metricsFrom = metricsCursor;
      // After a poll that failed, the next one reads the three separately, so that a read that keeps failing
      // (a provider's events endpoint down) cannot hide the job's status; then one call again.
      RemoteJob job;
      Page<MetricPoint> metrics = null;
      Page<JobEvent> events = null;
      if (!split) {
        JobProgress progress = poll(() -> provider.progress(jobId, eventsFrom, metricsFrom));
        split = progress == null;
        job = progress == null ? null : progress.job();
        if (progress != null) {
          metrics = progress.metrics();
          events = progress.events();
        }
      } else {
        split = false;
        job = poll(() -> provider.job(jobId));
        if (job != null) {
          metrics = poll(() -> provider.metrics(jobId, metricsFrom));
          events = poll(() -> provider.events(jobId, eventsFrom));
        }
      }
      if (job != null) {
        last = job;
        lastRaw = job.status().raw();
        // A new running state is announced before the events and metrics of this poll; a terminal
        // state after them, so "succeeded" is never followed by older training steps. The first poll
        // always announces first (RunListener: "called once at the start with the current status"),
        // even for a job that ended before the wait began: its steps are then shown under the state the
        // job is in, never under a placeholder.
        String status = job.status().getClass().getSimpleName() + ":" + job.status().raw();
        boolean statusChanged = !status.equals(lastStatus);
        boolean firstSight = lastStatus == null;
        lastStatus = status;
        boolean announced = false;
        if (statusChanged) {
          changed = true;
          if (!job.status().isTerminal() || firstSight) {
            sink.status(job);
            announced = true;
          }
        }
        // Metrics before events: a poll that brings many steps at once then shows each step with its loss.
        if (metrics != null) {
          metricsCursor = metrics.next().or(() -> metricsFrom);
          for (MetricPoint p : metrics.items().stream().sorted(Comparator.comparingLong(MetricPoint::step)).toList()) {
            if (p.step() > lastStep) { // a provider that re-reads must not make us re-deliver
              lastStep = p.step();
              changed = true;
              sink.metric(p);
            }
          }
        }
        if (events != null) {
          eventsCursor = events.next().or(() -> eventsFrom);
          for (JobEvent e : events.items()) {
            if (seenEvents.add(e.id())) {
              changed = true;
              sink.event(e);
            }
          }
        }
        if (job.status().isTerminal()) {
          if (statusChanged && !announced) {
            sink.status(job);
          }
          return job;
        }
      }
      interval = changed ? settings.initialInterval() : grow(interval);
      Instant now = clock.instant();
      if (!now.isBefore(deadline)) {
        throw new AwaitTimeoutException(runId, "Run " + runId + " (job " + jobId + ", status "
            + (last == null ? "unknown" : last.status().raw()) + ") did not finish within "
            + Durations.format(Duration.between(start, now)) + ". The job keeps running on the provider: wait again with"
            + " tk.resume(\"" + runId + "\").await(...), raise polling.timeout in tunekit.yaml, or cancel it with"
            + " run.cancel().");
      }
      Duration remaining = Duration.between(now, deadline);
      pause(interval.compareTo(remaining) < 0 ? interval : remaining, lastRaw);
    }
  }

  /** Sleeps {@code d}, or less when the nudge says the status changed meanwhile. */
  private void pause(Duration d, String lastRaw) {
    if (nudge == null || checkEvery == null) {
      sleeper.sleepUninterruptibly(d);
      return;
    }
    Duration left = d;
    while (left.compareTo(Duration.ZERO) > 0) {
      Duration slice = left.compareTo(checkEvery) < 0 ? left : checkEvery;
      sleeper.sleepUninterruptibly(slice);
      left = left.minus(slice);
      if (left.compareTo(Duration.ZERO) > 0 && changed(lastRaw)) {
        LOG.debug("Job status changed elsewhere (webhook); polling {} now", provider.name());
        return;
      }
    }
  }

  private boolean changed(String lastRaw) {
    try {
      return nudge.changedFrom(lastRaw);
    } catch (RuntimeException e) {
      LOG.debug("Could not check the ledger for a webhook ({}); keeping the poll schedule", e.toString());
      return false;
    }
  }

  private Duration grow(Duration interval) {
    long next = (long) Math.ceil(interval.toMillis() * settings.multiplier());
    return Duration.ofMillis(Math.min(next, settings.maxInterval().toMillis()));
  }

  private <T> T poll(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (ProviderException e) {
      if (!e.retryable()) {
        throw e;
      }
      LOG.warn("Polling {} failed after retries ({}); will poll again", provider.name(), e.getMessage());
      return null;
    }
  }
}
