package dev.tunekit;

import dev.tunekit.testing.FakeClock;
import dev.tunekit.testing.RecordingSleeper;
import dev.tunekit.model.JobStatus;
import dev.tunekit.internal.Workflow;
import dev.tunekit.internal.ledger.Ledger;
import dev.tunekit.error.ProviderException;
import dev.tunekit.internal.ResilienceSettings;
import dev.tunekit.internal.ResilientProvider;
import dev.tunekit.error.TunekitException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.testing.FakeProvider;
import dev.tunekit.testing.FakeProvider.Op;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paid work is created at most once, and a job that may exist is never left running unnoticed. */
class MoneySafetyTest {
  private static final Duration SHORT_LEASE = Duration.ofMinutes(5);
  @TempDir Path dir;
  private final String instance = "money-" + UUID.randomUUID();
  private final FakeClock clock = new FakeClock();
  private FakeProvider fake;
  private Path train;

  @BeforeEach
  void setUp() {
    fake = Fixtures.register(instance);
    train = Fixtures.chatDataset(dir, "train.jsonl", 20);
  }

  @AfterEach
  void tearDown() {
    FakeProvider.unregister(instance);
  }

  private Tunekit open(Sleeper sleeper) {
    return Fixtures.builder(dir, instance, clock, sleeper).leases(SHORT_LEASE, Duration.ofSeconds(1)).build();
  }

  /** A sleeper that advances the fake clock, and the first time it waits {@code atLeast}, lets {@code other} resume the run. */
  private Sleeper takenOverDuringWait(Duration atLeast, AtomicReference<Tunekit> other, AtomicBoolean tookOver) {
    return d -> {
      clock.advance(d);
      if (d.compareTo(atLeast) >= 0 && tookOver.compareAndSet(false, true)) {
        Tunekit b = other.get();
        b.resume(b.runs().get(0).id());
      }
    };
  }

  @Test
  void aSubmitterWhoseClaimExpiredWhileWaitingOutRetryAfterDoesNotCreateASecondJob() {
    fake.failNext(Op.CREATE_JOB, FakeProvider.rateLimited(Duration.ofMinutes(10)));
    AtomicReference<Tunekit> other = new AtomicReference<>();
    AtomicBoolean tookOver = new AtomicBoolean();
    try (Tunekit a = open(takenOverDuringWait(Duration.ofMinutes(10), other, tookOver));
        Tunekit b = open(new RecordingSleeper(clock))) {
      other.set(b);
      Run run = a.fineTune().model("m").trainingData(train).start();
      assertThat(tookOver).isTrue();
      assertThat(run.info().jobId()).contains("ftjob-1");
      assertThat(a.workflow().ledger().logOf(run.id())).anyMatch(l -> l.startsWith("submit.lease-lost"));
    }
    assertThat(fake.jobCount()).isEqualTo(1);
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(2); // the 429, then the other process's creation only
  }

  @Test
  void anUploaderWhoseClaimExpiredWhileWaitingOutRetryAfterDoesNotUploadAgain() {
    fake.failNext(Op.UPLOAD, FakeProvider.rateLimited(Duration.ofMinutes(10)));
    AtomicReference<Tunekit> other = new AtomicReference<>();
    AtomicBoolean tookOver = new AtomicBoolean();
    try (Tunekit a = open(takenOverDuringWait(Duration.ofMinutes(10), other, tookOver));
        Tunekit b = open(new RecordingSleeper(clock))) {
      other.set(b);
      Run run = a.fineTune().model("m").trainingData(train).start();
      assertThat(tookOver).isTrue();
      assertThat(run.info().jobId()).contains("ftjob-1");
      assertThat(a.workflow().ledger().logOf(run.id())).anyMatch(l -> l.startsWith("upload.lease-lost"));
    }
    assertThat(fake.fileCount()).isEqualTo(1);
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void aSecondJobCreatedByACallThatOutlivedItsClaimIsCancelledAndLogged() {
    AtomicReference<Tunekit> other = new AtomicReference<>();
    AtomicBoolean slowCall = new AtomicBoolean();
    fake.onCreateJob(() -> {
      if (slowCall.compareAndSet(false, true)) {
        // This create call hangs past its claim; meanwhile another process takes over and creates the job.
        clock.advance(SHORT_LEASE.plusMinutes(1));
        Tunekit b = other.get();
        b.resume(b.runs().get(0).id());
      }
    });
    try (Tunekit a = open(new RecordingSleeper(clock)); Tunekit b = open(new RecordingSleeper(clock))) {
      other.set(b);
      Run run = a.fineTune().model("m").trainingData(train).start();
      assertThat(run.info().jobId()).contains("ftjob-1");
      assertThat(a.workflow().ledger().logOf(run.id()))
          .anyMatch(l -> l.startsWith("submit.duplicate ftjob-2"))
          .anyMatch(l -> l.startsWith("submit.duplicate.cancelled ftjob-2"));
    }
    assertThat(fake.jobCount()).isEqualTo(2);
    assertThat(fake.calls(Op.CANCEL)).isEqualTo(1);
    assertThat(fake.job("ftjob-2").status()).isInstanceOf(JobStatus.Cancelled.class);
    assertThat(fake.job("ftjob-1").status().isTerminal()).isFalse();
  }

  @Test
  void theDefaultClaimOutlastsEveryRetryWaitOfOneCall() {
    for (int attempts : new int[] {1, 5, 10}) {
      ResilienceSettings r = ResilienceSettings.defaults();
      r = new ResilienceSettings(attempts, r.initialBackoff(), r.maxBackoff(), r.multiplier(), r.failureRateThreshold(),
          r.slidingWindowSize(), r.minimumNumberOfCalls(), r.waitInOpenState());
      Duration worstWaits = ResilientProvider.MAX_HONOURED_RETRY_AFTER.multipliedBy(attempts - 1);
      assertThat(Tunekit.Builder.defaultLease(r)).isGreaterThan(worstWaits.plusMinutes(30));
    }
  }

  @Test
  void cancellingARunWhoseSubmissionMayHaveReachedTheProviderFindsAndCancelsTheJob() {
    fake.commitThenFail(Op.CREATE_JOB, new IllegalStateException("simulated crash after the provider created the job"));
    try (Tunekit tk = open(new RecordingSleeper(clock))) {
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start()).hasMessageContaining("crash");
      String runId = tk.runs().get(0).id();
      assertThat(tk.run(runId).info().jobId()).isEmpty();

      assertThat(tk.run(runId).cancel()).isEqualTo(RunState.CANCELLED);

      assertThat(tk.run(runId).info().jobId()).contains("ftjob-1");
      assertThat(tk.resume(runId).state()).isEqualTo(RunState.CANCELLED);
    }
    assertThat(fake.calls(Op.FIND_JOB)).isEqualTo(1);
    assertThat(fake.calls(Op.CANCEL)).isEqualTo(1);
    assertThat(fake.job("ftjob-1").status()).isInstanceOf(JobStatus.Cancelled.class);
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void aCancelThatCouldNotLookForAPossibleJobCanBeRepeatedAndThenCancelsIt() {
    fake.commitThenFail(Op.CREATE_JOB, new IllegalStateException("simulated crash after the provider created the job"));
    try (Tunekit tk = open(new RecordingSleeper(clock))) {
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start()).hasMessageContaining("crash");
      String runId = tk.runs().get(0).id();
      fake.failNext(Op.FIND_JOB, FakeProvider.http(401));

      assertThatThrownBy(() -> tk.run(runId).cancel()).isInstanceOf(TunekitException.class)
          .hasMessageContaining("tk.run(\"" + runId + "\").cancel() again");
      assertThat(tk.run(runId).state()).isEqualTo(RunState.CANCELLED); // nothing will be submitted any more
      assertThat(fake.job("ftjob-1").status().isTerminal()).isFalse();

      assertThat(tk.run(runId).cancel()).isEqualTo(RunState.CANCELLED);
      assertThat(tk.run(runId).info().jobId()).contains("ftjob-1");
    }
    assertThat(fake.job("ftjob-1").status()).isInstanceOf(JobStatus.Cancelled.class);
  }

  @Test
  void aFailedRemoteCancelOfAJobCreatedWhileCancellingCanBeRetried() {
    fake.failNext(Op.CANCEL, FakeProvider.http(400));
    AtomicReference<Tunekit> self = new AtomicReference<>();
    AtomicBoolean cancelledInFlight = new AtomicBoolean();
    fake.onCreateJob(() -> {
      if (cancelledInFlight.compareAndSet(false, true)) {
        Tunekit tk = self.get();
        tk.run(tk.runs().get(0).id()).cancel(); // the user cancels while the create call is in flight
      }
    });
    try (Tunekit tk = open(new RecordingSleeper(clock))) {
      self.set(tk);
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start())
          .hasMessageContaining("cancel() again");
      String runId = tk.runs().get(0).id();
      assertThat(tk.run(runId).info().jobId()).contains("ftjob-1");
      assertThat(fake.job("ftjob-1").status().isTerminal()).isFalse(); // the remote cancel failed

      assertThat(tk.run(runId).cancel()).isEqualTo(RunState.CANCELLED);
      assertThat(tk.workflow().ledger().logOf(runId)).anyMatch(l -> l.startsWith("cancel.error ftjob-1"));
    }
    assertThat(fake.calls(Op.CANCEL)).isEqualTo(2);
    assertThat(fake.job("ftjob-1").status()).isInstanceOf(JobStatus.Cancelled.class);
  }

  @Test
  void cancellingAnAlreadyCancelledJobDoesNotCancelItAgain() {
    try (Tunekit tk = open(new RecordingSleeper(clock))) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      assertThat(run.cancel()).isEqualTo(RunState.CANCELLED);
      assertThat(run.cancel()).isEqualTo(RunState.CANCELLED);
    }
    assertThat(fake.calls(Op.CANCEL)).isEqualTo(1);
  }

  @Test
  void aStartThatFailsWithTheJobInDoubtNamesTheRunToResume() {
    fake.failNext(Op.CREATE_JOB, FakeProvider.timeoutAfterSend());
    fake.failNext(Op.FIND_JOB, FakeProvider.http(401));
    try (Tunekit tk = open(new RecordingSleeper(clock))) {
      AtomicReference<TunekitException> thrown = new AtomicReference<>();
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start())
          .isInstanceOfSatisfying(ProviderException.class, thrown::set);
      String runId = tk.runs().get(0).id();
      assertThat(thrown.get().resumeRunId()).contains(runId);
      assertThat(thrown.get().getMessage()).contains("tk.resume(\"" + runId + "\")");

      Run resumed = tk.resume(thrown.get().resumeRunId().orElseThrow());
      assertThat(resumed.info().jobId()).contains("ftjob-1");
    }
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void aDefiniteRefusalOfTheJobSaysFixAndStartAgainNotResume() {
    fake.failNext(Op.CREATE_JOB, FakeProvider.http(400));
    try (Tunekit tk = open(new RecordingSleeper(clock))) {
      AtomicReference<TunekitException> thrown = new AtomicReference<>();
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start())
          .isInstanceOfSatisfying(ProviderException.class, thrown::set);
      String runId = tk.runs().get(0).id();
      assertThat(thrown.get().resumeRunId()).isEmpty();
      assertThat(thrown.get().failedRunId()).contains(runId);
      assertThat(thrown.get().getMessage()).doesNotContain("rather than starting a new run")
          .doesNotContain("second job").contains("fix the cause and start a new run");
    }
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
  }

  @Test
  void anOutOfRangeHyperparameterRefusedAtSubmissionSaysFixAndStartAgain() {
    fake.failNext(Op.CREATE_JOB, new dev.tunekit.error.InvalidInputException(
        "hyperparameter epochCount must be between 1 and 5, was 9"));
    try (Tunekit tk = open(new RecordingSleeper(clock))) {
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start())
          .isInstanceOfSatisfying(dev.tunekit.error.InvalidInputException.class, e -> {
            assertThat(e.resumeRunId()).isEmpty();
            assertThat(e.getMessage()).doesNotContain("second job").contains("fix the cause and start a new run");
          });
    }
  }

  @Test
  void aFailureWithAnUnknownOutcomeStillSaysResume() {
    fake.failNext(Op.CREATE_JOB, FakeProvider.timeoutAfterSend());
    fake.failNext(Op.FIND_JOB, FakeProvider.http(401));
    try (Tunekit tk = open(new RecordingSleeper(clock))) {
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start())
          .isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.outcomeUnknown()).isTrue();
            assertThat(e.failedRunId()).isEmpty();
            assertThat(e.getMessage()).contains("tk.resume(").doesNotContain("fix the cause and start a new run");
          });
    }
  }

  @Test
  void anUnexpectedFailureDuringStartIsWrappedWithTheRunToResume() {
    fake.commitThenFail(Op.CREATE_JOB, new IllegalStateException("simulated crash after the provider created the job"));
    try (Tunekit tk = open(new RecordingSleeper(clock))) {
      AtomicReference<TunekitException> thrown = new AtomicReference<>();
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start())
          .isInstanceOfSatisfying(TunekitException.class, thrown::set).hasMessageContaining("simulated crash")
          .hasRootCauseInstanceOf(IllegalStateException.class);
      String runId = tk.runs().get(0).id();
      assertThat(thrown.get().resumeRunId()).contains(runId);
      assertThat(thrown.get().getMessage()).contains("tk.resume(\"" + runId + "\")");
    }
  }

  @Test
  void closingWhileASubmissionIsInFlightKeepsItsClaimSoNoOtherProcessSubmitsToo() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    fake.onCreateJob(() -> {
      entered.countDown();
      try {
        release.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    String runId;
    Tunekit a = open(new RecordingSleeper(clock));
    var started = a.fineTune().model("m").trainingData(train).startAsync();
    try {
      assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      a.workflow().closeWait(Duration.ofMillis(50));
      a.close(); // the create call is still blocked inside the provider
      try (Tunekit b = open(new RecordingSleeper(clock))) {
        runId = b.runs().get(0).id();
        assertThat(b.workflow().ledger().claimSubmit(runId, SHORT_LEASE)).isInstanceOf(Ledger.Claim.Busy.class);
      }
    } finally {
      release.countDown();
      try {
        started.get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException expected) {
        // its ledger was closed under it; the run is resumable
      }
    }
  }

  @Test
  void closeWaitsForASubmissionInFlightToRecordItsJob() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    fake.onCreateJob(() -> {
      entered.countDown();
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        throw new IllegalStateException("interrupted inside createJob");
      }
    });
    Tunekit a = open(new RecordingSleeper(clock));
    var started = a.fineTune().model("m").trainingData(train).startAsync();
    assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    a.close();
    assertThat(started.get(10, java.util.concurrent.TimeUnit.SECONDS).id()).isNotBlank();
    try (Tunekit b = open(new RecordingSleeper(clock))) {
      assertThat(b.runs().get(0).jobId()).contains("ftjob-1");
    }
  }

  @Test
  void aLateJobStatusNeverMovesARunOutOfATerminalState() {
    try (Tunekit tk = open(new RecordingSleeper(clock))) {
      Workflow w = tk.workflow();
      String c = tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(train).start().id();
      w.recordJob(c, new JobStatus.Cancelled("cancelled"));
      w.recordJob(c, new JobStatus.Running("running")); // a poll answered before the cancel landed
      assertThat(tk.run(c).state()).isEqualTo(RunState.CANCELLED);

      String s = tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(train).suffix("s").start().id();
      w.recordJob(s, new JobStatus.Succeeded("succeeded", java.util.Optional.of("ft:m:s")));
      w.recordJob(s, new JobStatus.Queued("queued"));
      w.recordJob(s, new JobStatus.Failed("failed", "late failure", java.util.Optional.empty()));
      assertThat(tk.run(s).state()).isEqualTo(RunState.TRAINED);
      assertThat(tk.run(s).fineTunedModel()).contains("ft:m:s");

      String r = tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(train).suffix("r").start().id();
      w.recordJob(r, new JobStatus.Running("running"));
      assertThat(tk.run(r).state()).isEqualTo(RunState.SUBMITTED); // non-terminal still follows
    }
  }

  private static String mode(Path f) throws java.io.IOException {
    return java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(f));
  }

  @Test
  void theEvalCacheAndItsJournalAreOwnerOnly() throws Exception {
    Path cacheDir = dir.resolve("work/eval-cache");
    try (dev.tunekit.eval.EvalCache cache = dev.tunekit.eval.EvalCache.inDirectory(cacheDir)) {
      assertThat(mode(cacheDir)).isEqualTo("rwx------");
      assertThat(mode(cacheDir.resolve("completions.db"))).isEqualTo("rw-------");
      Path wal = cacheDir.resolve("completions.db-wal");
      assertThat(wal).exists();
      assertThat(mode(wal)).isEqualTo("rw-------");
    }
  }
}
