package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.dataset.InvalidDatasetException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.eval.Grade;
import dev.tunekit.eval.Grader;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.testing.FakeProvider.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Async that fits services: every async form runs on the caller's executor, and {@code FineTune.submit} returns the
 * run once it is recorded and validated, with the baseline, upload and job creation in the background.
 */
class AsyncTest extends FakeProviderTest {
  private static final String BASE = "gpt-4o-mini";
  private static final Grader ANY = Grader.named("any", (c, out) -> Grade.pass("answered"));
  private static final EvalSuite SUITE = EvalSuite.of("sql", EvalCase.of("c1", "question 1", "SELECT 1"),
      EvalCase.of("c2", "question 2", "SELECT 2")).withGrader(ANY);

  /** An executor that counts the tasks it is given and runs them on its own threads, named {@code caller-N}. */
  static final class CountingExecutor implements Executor {
    final AtomicInteger tasks = new AtomicInteger();
    final List<String> threads = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger n = new AtomicInteger();
    final ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "caller-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });

    @Override
    public void execute(Runnable task) {
      tasks.incrementAndGet();
      pool.execute(() -> {
        threads.add(Thread.currentThread().getName());
        task.run();
      });
    }
  }

  private final CountingExecutor executor = new CountingExecutor();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stopExecutor() {
    release.countDown();
    executor.pool.shutdownNow();
  }

  /** A baseline on the base model that answers only once {@link #release} is opened. */
  private EvalTarget blockingBaseline(Tunekit tk) {
    ChatModel base = tk.chatModel(BASE);
    return EvalTarget.of("prompted", r -> {
      try {
        if (!release.await(20, TimeUnit.SECONDS)) {
          throw new TunekitException("test latch never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TunekitException("interrupted", e);
      }
      return base.chat(r);
    }, BASE);
  }

  /** Records the states and failures a listener is told of. */
  static final class Recording implements RunListener {
    final List<RunState> states = Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<RunInfo> failedRun = new AtomicReference<>();
    final AtomicReference<TunekitException> failure = new AtomicReference<>();

    @Override
    public void onState(RunInfo run) {
      states.add(run.state());
    }

    @Override
    public void onFailed(RunInfo run, TunekitException e) {
      failedRun.set(run);
      failure.set(e);
    }
  }

  @Test
  void everyAsyncFormRunsOnTheCallersExecutor() throws Exception {
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE).trainingData(train).startAsync(executor).get(20, TimeUnit.SECONDS);
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
      RunResult result = run.awaitAsync(RunListener.none(), executor).get(20, TimeUnit.SECONDS);
      assertThat(result.succeeded()).isTrue();
      assertThat(run.jobAsync(executor).get(20, TimeUnit.SECONDS)).isPresent();
      assertThat(run.eventsAsync(executor).get(20, TimeUnit.SECONDS)).isNotEmpty();
      assertThat(run.metricsAsync(executor).get(20, TimeUnit.SECONDS)).isNotEmpty();
      assertThat(tk.resumeAsync(run.id(), executor).get(20, TimeUnit.SECONDS).id()).isEqualTo(run.id());
      assertThat(tk.chatAsync(BASE, List.of(ChatMessage.user("hi")), executor).get(20, TimeUnit.SECONDS).content())
          .isEqualTo(BASE + " says: hi");
      assertThat(run.evaluateAsync(SUITE, executor).get(20, TimeUnit.SECONDS).reports()).hasSize(2);
      assertThat(run.deployAsync(Map.of(), executor).get(20, TimeUnit.SECONDS).state())
          .isEqualTo(dev.tunekit.spi.Deployment.State.ACTIVE);
      assertThat(dev.tunekit.eval.EvalRunner.create().runAsync(SUITE, EvalTarget.of("b", tk.chatModel(BASE), BASE),
          executor).get(20, TimeUnit.SECONDS).passRate().rate()).isEqualTo(1.0);
      byte[] unsigned = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertThat(tk.webhooks(dev.tunekit.model.Secret.of("whsec_" + java.util.Base64.getEncoder().encodeToString(
          new byte[32]))).handleAsync(Map.of(), unsigned, executor).get(20, TimeUnit.SECONDS))
          .isInstanceOf(WebhookResult.Rejected.class);
      Run second = tk.fineTune().model(BASE).trainingData(train).submit(RunListener.none(), executor);
      second.submitted().get(20, TimeUnit.SECONDS);
      assertThat(second.cancelAsync(executor).get(20, TimeUnit.SECONDS)).isEqualTo(RunState.CANCELLED);
    }
    assertThat(executor.tasks.get()).isEqualTo(13);
    assertThat(executor.threads).hasSize(13).allMatch(name -> name.startsWith("caller-"));
    assertThat(fake.jobCount()).isEqualTo(2);
  }

  @Test
  void submitReturnsTheValidatedRunBeforeTheBaselineFinishes() throws Exception {
    Recording listener = new Recording();
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE).trainingData(train).evaluateWith(SUITE).baseline(blockingBaseline(tk))
          .submit(listener, executor);

      assertThat(run.state()).isEqualTo(RunState.VALIDATED); // the baseline is still blocked on the latch
      assertThat(run.baselineReport()).isEmpty();
      assertThat(fake.calls(Op.UPLOAD)).isZero();
      assertThat(fake.jobCount()).isZero();
      assertThat(run.submitted()).isNotDone();

      release.countDown();
      assertThat(run.submitted().get(20, TimeUnit.SECONDS).state()).isEqualTo(RunState.SUBMITTED);
      assertThat(listener.states).containsExactly(RunState.VALIDATED, RunState.BASELINE_EVALUATED, RunState.UPLOADED,
          RunState.SUBMITTED);
      assertThat(listener.failure.get()).isNull();
      assertThat(run.baselineReport()).isPresent();
      assertThat(run.await().succeeded()).isTrue();
    }
    assertThat(executor.tasks.get()).isEqualTo(1);
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void awaitAfterSubmitWaitsForTheBackgroundStepsThenTheJob() {
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE).trainingData(train).evaluateWith(SUITE).baseline(blockingBaseline(tk))
          .submit(RunListener.none(), executor);
      new Thread(() -> {
        sleep(100);
        release.countDown();
      }).start();
      assertThat(run.await().succeeded()).isTrue();
    }
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void badInputStillFailsBeforeSubmitReturnsAndNothingIsSent() {
    java.nio.file.Path bad = Fixtures.write(dir.resolve("bad.jsonl"), "not json\n" + Fixtures.chatLine(1) + "\n");
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.fineTune().model(BASE).trainingData(bad).evaluateWith(SUITE)
          .submit(RunListener.none(), executor)).isInstanceOf(InvalidDatasetException.class);
      assertThat(tk.runs()).extracting(RunInfo::state).containsExactly(RunState.REJECTED);
    }
    assertThat(executor.tasks.get()).isZero();
    assertThat(fake.chatRequests()).isEmpty();
    assertThat(fake.calls(Op.UPLOAD)).isZero();
  }

  @Test
  void aBaselineFailureInTheBackgroundLandsInTheRunsStateErrorAndListener() throws Exception {
    Recording listener = new Recording();
    String runId;
    try (Tunekit tk = open()) {
      EvalTarget down = EvalTarget.of("prompted", r -> {
        throw new TunekitException("baseline model is down");
      }, BASE);
      Run run = tk.fineTune().model(BASE).trainingData(train).evaluateWith(SUITE).baseline(down)
          .submit(listener, executor);
      runId = run.id();

      assertThatThrownBy(() -> run.submitted().get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(TunekitException.class).hasMessageContaining("errored");
      assertThat(listener.failure.get()).isNotNull();
      assertThat(listener.failure.get().resumeRunId()).contains(runId);
      assertThat(listener.failedRun.get().state()).isEqualTo(RunState.VALIDATED);
      assertThat(listener.failedRun.get().error()).hasValueSatisfying(e -> assertThat(e).contains("errored"));
      assertThat(run.state()).isEqualTo(RunState.VALIDATED);
      assertThat(run.info().error()).hasValueSatisfying(e -> assertThat(e).contains("baseline model is down"));
      assertThatThrownBy(run::await).isInstanceOf(TunekitException.class).hasMessageContaining("errored");
      assertThat(listener.states).containsExactly(RunState.VALIDATED);
      assertThat(fake.calls(Op.UPLOAD)).isZero();
    }
    try (Tunekit tk = open()) { // the run is resumable, with a baseline that answers
      Run resumed = tk.resume(runId, SUITE, EvalTarget.of("prompted", tk.chatModel(BASE), BASE));
      assertThat(resumed.state()).isEqualTo(RunState.SUBMITTED);
    }
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void closeWaitsForTheBackgroundBaselineThenStopsBeforeTheUploadAndTheRunResumesOnce() throws Exception {
    String runId;
    Tunekit tk = Fixtures.builder(dir, instance, clock, sleeper).closeWait(Duration.ofSeconds(20)).build();
    Run run = tk.fineTune().model(BASE).trainingData(train).evaluateWith(SUITE).baseline(blockingBaseline(tk))
        .submit(RunListener.none(), executor);
    runId = run.id();
    Thread closer = new Thread(tk::close, "closer");
    closer.start();
    // close() has begun once it waits for the background steps; then the baseline may finish.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (closer.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(closer.isAlive()).isTrue(); // still waiting: the baseline is blocked
    release.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(20));
    assertThat(closer.isAlive()).isFalse();

    assertThat(fake.calls(Op.UPLOAD)).isZero();
    assertThat(fake.jobCount()).isZero();
    try (Tunekit again = open()) {
      RunInfo info = again.run(runId).info();
      assertThat(info.state()).isEqualTo(RunState.BASELINE_EVALUATED); // close waited for the baseline to be recorded
      assertThat(info.error()).hasValueSatisfying(e -> assertThat(e).contains("closed before the upload"));
      Run resumed = again.resume(runId, SUITE, EvalTarget.of("prompted", again.chatModel(BASE), BASE));
      assertThat(resumed.state()).isEqualTo(RunState.SUBMITTED);
    }
    assertThat(fake.jobCount()).isEqualTo(1);
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
  }

  @Test
  void closeWaitIsBoundedWhenTheBackgroundBaselineNeverEnds() throws Exception {
    Tunekit tk = Fixtures.builder(dir, instance, clock, sleeper).closeWait(Duration.ofMillis(200)).build();
    Run run = tk.fineTune().model(BASE).trainingData(train).evaluateWith(SUITE).baseline(blockingBaseline(tk))
        .submit(RunListener.none(), executor);
    String runId = run.id();
    Thread closer = new Thread(tk::close, "closer");
    closer.start();
    closer.join(TimeUnit.SECONDS.toMillis(20)); // the baseline's latch stays closed throughout
    assertThat(closer.isAlive()).isFalse();
    release.countDown();
    assertThat(fake.calls(Op.UPLOAD)).isZero();
    try (Tunekit again = open()) {
      assertThat(again.run(runId).state()).isEqualTo(RunState.VALIDATED);
      assertThat(again.resume(runId, SUITE, EvalTarget.of("prompted", again.chatModel(BASE), BASE)).state())
          .isEqualTo(RunState.SUBMITTED);
    }
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void aRunWhoseBackgroundNeverRanIsResumedElsewhereAndItsLateBackgroundCreatesNoSecondJob() throws Exception {
    List<Runnable> parked = new ArrayList<>();
    try (Tunekit first = open(); Tunekit other = open()) {
      Run run = first.fineTune().model(BASE).trainingData(train).submit(RunListener.none(), parked::add);
      assertThat(run.state()).isEqualTo(RunState.VALIDATED); // the process "crashed" before its background ran
      assertThat(other.resume(run.id()).state()).isEqualTo(RunState.SUBMITTED);
      parked.forEach(Runnable::run); // the late background finds the job recorded and creates nothing
      assertThat(run.submitted().get(20, TimeUnit.SECONDS).state()).isEqualTo(RunState.SUBMITTED);
    }
    assertThat(fake.jobCount()).isEqualTo(1);
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
  }

  @Test
  void cancellingASubmittedRunWhileItsBaselineRunsMeansNoJobIsEverCreated() throws Exception {
    Recording listener = new Recording();
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE).trainingData(train).evaluateWith(SUITE).baseline(blockingBaseline(tk))
          .submit(listener, executor);
      assertThat(run.cancel()).isEqualTo(RunState.CANCELLED);
      release.countDown();
      assertThatThrownBy(() -> run.submitted().get(20, TimeUnit.SECONDS)).cause()
          .isInstanceOf(TunekitException.class).hasMessageContaining("cancelled before its job was created");
      assertThat(listener.failure.get()).isNotNull();
      assertThat(run.state()).isEqualTo(RunState.CANCELLED);
      assertThat(run.await().state()).isEqualTo(RunState.CANCELLED);
    }
    assertThat(fake.calls(Op.UPLOAD)).isZero();
    assertThat(fake.calls(Op.CREATE_JOB)).isZero();
  }

  @Test
  void anExecutorThatRefusesLeavesTheRunValidatedAndResumable() {
    try (Tunekit tk = open()) {
      Executor refusing = r -> {
        throw new java.util.concurrent.RejectedExecutionException("queue full");
      };
      assertThatThrownBy(() -> tk.fineTune().model(BASE).trainingData(train).submit(RunListener.none(), refusing))
          .isInstanceOfSatisfying(TunekitException.class, e -> assertThat(e.resumeRunId()).isPresent())
          .hasMessageContaining("queue full");
      RunInfo info = tk.runs().get(0);
      assertThat(info.state()).isEqualTo(RunState.VALIDATED);
      assertThat(tk.resume(info.id()).state()).isEqualTo(RunState.SUBMITTED);
    }
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
