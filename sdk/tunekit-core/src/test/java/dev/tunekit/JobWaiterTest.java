package dev.tunekit;

import dev.tunekit.testing.FakeClock;
import dev.tunekit.testing.RecordingSleeper;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.error.AwaitTimeoutException;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.internal.JobWaiter;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.internal.PollingSettings;
import dev.tunekit.internal.ResilienceSettings;
import dev.tunekit.internal.ResilientProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.Cursors;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.testing.FakeProvider;
import dev.tunekit.testing.FakeProvider.Op;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobWaiterTest {
  private final FakeClock clock = new FakeClock();
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);
  private final FakeProvider fake = new FakeProvider();
  private final List<String> statuses = new ArrayList<>();
  private final List<JobEvent> events = new ArrayList<>();
  private final List<MetricPoint> metrics = new ArrayList<>();
  private final JobWaiter.Sink sink = new JobWaiter.Sink() {
    @Override
    public void status(RemoteJob job) {
      statuses.add(job.status().raw());
    }

    @Override
    public void event(JobEvent event) {
      events.add(event);
    }

    @Override
    public void metric(MetricPoint point) {
      metrics.add(point);
    }
  };

  private String job() {
    String file = fake.upload(FileUpload.builder().path(Path.of("t")).fileName("t").sha256("0".repeat(64)).sizeBytes(1)
        .format(DatasetFormat.CHAT_JSONL).role(FileUpload.Role.TRAINING).build()).id();
    return fake.createJob(JobRequest.builder().runId("run-1").idempotencyKey("k").baseModel("m")
        .method(TrainingMethod.SUPERVISED).trainingFileId(file).validationFileId(Optional.empty())
        .hyperparameters(Hyperparameters.defaults()).suffix(Optional.empty()).metadata(Map.of()).build()).id();
  }

  private JobWaiter waiter(Duration timeout) {
    PollingSettings polling = new PollingSettings(Duration.ofSeconds(1), Duration.ofSeconds(4), 1.5, timeout);
    ResilientProvider provider = new ResilientProvider(fake, ResilienceSettings.defaults(), clock, sleeper);
    return new JobWaiter(provider, polling, clock, sleeper);
  }

  @Test
  void backsOffWhileNothingChangesAndResetsOnChange() {
    Optional<String> model = Optional.of("ft:m");
    fake.script(new JobStatus.Queued("queued"), new JobStatus.Queued("queued"), new JobStatus.Queued("queued"),
        new JobStatus.Queued("queued"), new JobStatus.Queued("queued"), new JobStatus.Running("running"),
        new JobStatus.Succeeded("succeeded", model));
    RemoteJob done = waiter(Duration.ofHours(1)).await("run-1", job(), sink);
    assertThat(done.status()).isInstanceOf(JobStatus.Succeeded.class);
    // change (first sight), then 1s → 1.5s → 2.25s → 3.375s → capped 4s, then a change resets to 1s
    assertThat(sleeper.sleeps).extracting(Duration::toMillis).containsExactly(1000L, 1500L, 2250L, 3375L, 4000L, 1000L);
    assertThat(statuses).containsExactly("queued", "running", "succeeded");
  }

  @Test
  void deliversEachEventOnceAndEachMetricStepOnce() {
    String id = job();
    waiter(Duration.ofHours(1)).await("run-1", id, sink);
    List<JobEvent> all = Cursors.readAll(after -> fake.events(id, after));
    assertThat(fake.calls(Op.EVENTS)).isGreaterThan(3);
    assertThat(events).extracting(JobEvent::id).doesNotHaveDuplicates()
        .containsExactlyElementsOf(all.stream().map(JobEvent::id).toList());
    assertThat(metrics).extracting(MetricPoint::step).containsExactly(1L, 2L, 3L);
  }

  @Test
  void timesOutAfterTheOverallTimeoutWithoutOversleeping() {
    fake.script(new JobStatus.Running("running"));
    String id = job();
    assertThatThrownBy(() -> waiter(Duration.ofSeconds(30)).await("run-7", id, sink))
        .isInstanceOfSatisfying(AwaitTimeoutException.class, e -> {
          assertThat(e.runId()).isEqualTo("run-7");
          assertThat(e.getMessage()).contains(id).contains("running").contains("30s");
        });
    assertThat(sleeper.total()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aPollThatStillFailsAfterRetriesDoesNotEndTheWait() {
    String id = job();
    fake.failNext(Op.JOB, 5, () -> FakeProvider.http(503)); // exhausts one call's 5 attempts
    RemoteJob done = waiter(Duration.ofHours(1)).await("run-1", id, sink);
    assertThat(done.status()).isInstanceOf(JobStatus.Succeeded.class);
  }

  @Test
  void anEventsReadThatKeepsFailingDoesNotHideTheJobsStatus() {
    String id = job();
    // Every events read fails, also after retries: the poll (one progress call) fails, and the next poll reads
    // the job, metrics and events separately, so the job's status still gets through.
    fake.failNext(Op.EVENTS, 10_000, () -> FakeProvider.http(503));
    RemoteJob done = waiter(Duration.ofHours(1)).await("run-1", id, sink);
    assertThat(done.status()).isInstanceOf(JobStatus.Succeeded.class);
    assertThat(metrics).extracting(MetricPoint::step).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aNonRetryableFailureEndsTheWait() {
    String id = job();
    fake.failNext(Op.JOB, FakeProvider.http(401));
    assertThatThrownBy(() -> waiter(Duration.ofHours(1)).await("run-1", id, sink))
        .isInstanceOf(AuthenticationException.class);
  }

  @Test
  void keepsTheProvidersCursorsBetweenPollsSoEachPollReadsOnlyWhatIsNew() {
    String id = job();
    waiter(Duration.ofHours(1)).await("run-1", id, sink);
    List<Optional<Cursor>> eventCursors = fake.eventCursors();
    List<Optional<Cursor>> metricCursors = fake.metricCursors();
    assertThat(eventCursors.get(0)).isEmpty(); // the first poll reads from the beginning
    assertThat(metricCursors.get(0)).isEmpty();
    // every later poll passes on the cursor the previous one returned (never empty again once something was seen)
    assertThat(eventCursors.subList(1, eventCursors.size())).allSatisfy(c -> assertThat(c).isPresent());
    assertThat(metricCursors.get(metricCursors.size() - 1)).contains(new Cursor("3"));
    List<Integer> positions = eventCursors.stream().skip(1).map(c -> Integer.parseInt(c.orElseThrow().value())).toList();
    assertThat(positions).isSorted(); // never read from an earlier position again
    assertThat(positions.get(positions.size() - 1)).isLessThanOrEqualTo(events.size());
  }

  @Test
  void theFirstPollAnnouncesTheStatusBeforeItsStepsEvenWhenTheJobHasAlreadyEnded() {
    String id = job();
    for (int i = 0; i < 10; i++) {
      fake.job(id); // the job ends before anyone waits
    }
    List<String> order = new ArrayList<>();
    waiter(Duration.ofHours(1)).await("run-1", id, new JobWaiter.Sink() {
      @Override
      public void status(RemoteJob job) {
        order.add("status " + job.status().raw());
      }

      @Override
      public void event(JobEvent event) {
        order.add("event");
      }

      @Override
      public void metric(MetricPoint point) {
        order.add("metric " + point.step());
      }
    });
    assertThat(order).first().isEqualTo("status succeeded");
    assertThat(order).filteredOn(s -> s.startsWith("status")).containsExactly("status succeeded");
    assertThat(order).contains("metric 1", "metric 2", "metric 3");
  }
}
