package dev.tunekit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.Run;
import dev.tunekit.RunInfo;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;
import dev.tunekit.local.LocalServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrency: {@code reliability.threads} runs (16 by default, 50 with {@code -Preliability-full})
 * started at once in one process keep their own state, and were all in flight together; two
 * processes sharing one ledger, racing {@code reliability.races} times (2 by default, 5 in full) to
 * resume the same run at the same instant, neither corrupt it nor submit one run twice.
 */
class ConcurrencyTest {
  static final int THREADS = Integer.getInteger("reliability.threads", 16);
  static final int RACES = Integer.getInteger("reliability.races", 2);

  @TempDir Path dir;

  @Test
  void runsAtOnceInOneProcessEachKeepTheirOwnDataJobAndModel() throws Exception {
    long began = System.nanoTime();
    // The server trains one job at a time; with 2 ms steps the jobs queue up for seconds, so all the
    // runs are in flight (polling, writing the ledger) together: counted, and asserted below.
    try (LocalServer server = LocalServer.builder().dataDir(dir.resolve("server")).stepDelay(Duration.ofMillis(2))
        .start();
        ServerView view = new ServerView(server);
        Tunekit tk = Tunekit.fromConfig(Configs.write(dir, "tunekit.yaml", server.baseUrl(), server.token().reveal(),
            dir.resolve("ledger.db"), Duration.ofSeconds(30), 5))) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch go = new CountDownLatch(1);
      java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();
      List<Future<RunResult>> futures = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        Path data = Datasets.variant(dir.resolve("data"), 2000 + i, 40);
        int n = i;
        futures.add(pool.submit(() -> {
          go.await();
          maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          try {
            Run run = tk.fineTune().model("local-base").trainingData(data).validationSplit(0.25, 7).suffix("c" + n)
                .metadata("variant", String.valueOf(n)).start();
            return run.await();
          } finally {
            inFlight.decrementAndGet();
          }
        }));
      }
      go.countDown();
      List<RunResult> results = new ArrayList<>();
      for (Future<RunResult> f : futures) {
        results.add(f.get(5, TimeUnit.MINUTES));
      }
      pool.shutdown();
      double seconds = (System.nanoTime() - began) / 1e9;

      Map<String, List<ServerView.Job>> byRun = view.jobsByRun();
      Map<String, String> fileNames = new java.util.HashMap<>();
      view.files().forEach(f -> fileNames.put(f.id(), f.name()));
      Set<String> trainingFiles = new HashSet<>();
      int owned = 0;
      for (int i = 0; i < THREADS; i++) {
        RunResult r = results.get(i);
        assertThat(r.state()).as("run %d", i).isEqualTo(RunState.TRAINED);
        assertThat(byRun.get(r.runId())).as("jobs of run %d", i).hasSize(1);
        ServerView.Job job = byRun.get(r.runId()).get(0);
        // The job is this run's: its metadata, its model, and files holding this run's data only.
        assertThat(job.metadata()).containsEntry("variant", String.valueOf(i)).containsEntry("tunekit_run_id", r.runId());
        assertThat(r.fineTunedModel()).hasValue(job.model().orElseThrow());
        assertThat(job.model().orElseThrow()).contains(":c" + i + ":");
        assertThat(r.job().orElseThrow().id()).isEqualTo(job.id());
        assertThat(tk.run(r.runId()).info().jobId()).hasValue(job.id());
        String training = view.content(job.trainingFile());
        String validation = view.content(job.validationFile().orElseThrow());
        assertThat(fileNames.get(job.trainingFile())).endsWith("-training.jsonl");
        String tag = "(variant " + (2000 + i) + ")";
        assertThat(training.lines()).as("run %d's training file holds its data only", i).isNotEmpty()
            .allMatch(l -> l.contains(tag));
        assertThat(validation.lines()).as("run %d's validation file holds its data only", i).isNotEmpty()
            .allMatch(l -> l.contains(tag));
        trainingFiles.add(job.trainingFile());
        owned++;
      }
      assertThat(trainingFiles).hasSize(THREADS);
      assertThat(view.jobs()).hasSize(THREADS);
      assertThat(ServerView.duplicateFiles(view.files())).isZero();
      Figures.record("concurrency/one-process", String.format("runs-at-once=%d max-in-flight=%d succeeded=%d"
          + " runs-owning-their-job-model-and-data=%d jobs=%d duplicate-jobs=%d duplicate-uploads=%d time=%.1fs", THREADS,
          maxInFlight.get(), results.stream().filter(RunResult::succeeded).count(), owned, view.jobs().size(),
          ServerView.duplicateJobs(view.jobs()), ServerView.duplicateFiles(view.files()), seconds));
      // The race really happened: every run was started before any of them ended.
      assertThat(maxInFlight.get()).as("runs in flight at once").isEqualTo(THREADS);
    }
  }

  @Test
  void twoProcessesOnOneLedgerResumingTheSameRunSubmitItOnceAndKeepTheLedgerIntact() throws Exception {
    long began = System.nanoTime();
    Path ledger = dir.resolve("shared-ledger.db");
    try (LocalServer server = LocalServer.builder().dataDir(dir.resolve("server")).stepDelay(Duration.ZERO).start();
        ServerView view = new ServerView(server)) {
      Path config = Configs.write(dir, "tunekit.yaml", server.baseUrl(), server.token().reveal(), ledger,
          Duration.ofSeconds(30), 5);
      // Runs recorded in the ledger but stopped before upload: their first attempt found no server.
      Path offline = Configs.write(dir, "offline.yaml", "http://127.0.0.1:" + freePort() + "/v1", "unused", ledger,
          Duration.ofSeconds(2), 1);
      List<String> runIds = new ArrayList<>();
      try (Tunekit tk = Tunekit.fromConfig(offline)) {
        for (int i = 0; i < RACES; i++) {
          Set<String> before = new HashSet<>(tk.runs().stream().map(RunInfo::id).toList());
          Path data = Datasets.variant(dir.resolve("data"), 3000 + i, 40);
          try {
            tk.fineTune().model("local-base").trainingData(data).validationSplit(0.25, 7).suffix("r" + i).start();
            throw new AssertionError("the offline start should have failed");
          } catch (TunekitException expected) {
            runIds.add(tk.runs().stream().map(RunInfo::id).filter(id -> !before.contains(id)).findFirst().orElseThrow());
          }
        }
      }

      int bothSucceeded = 0;
      int overlapped = 0;
      for (int i = 0; i < RACES; i++) {
        String runId = runIds.get(i);
        Path go = dir.resolve("go-" + i);
        Child a = Child.start(dir.resolve("race-" + i + "-a.log"), "race", config.toString(), runId, go.toString());
        Child b = Child.start(dir.resolve("race-" + i + "-b.log"), "race", config.toString(), runId, go.toString());
        assertThat(a.await("READY", Duration.ofSeconds(60))).isPresent();
        assertThat(b.await("READY", Duration.ofSeconds(60))).isPresent();
        Files.createFile(go); // both resume the same run at the same moment
        assertThat(a.waitFor(Duration.ofMinutes(2))).as("child a: %s", a.lines()).isZero();
        assertThat(b.waitFor(Duration.ofMinutes(2))).as("child b: %s", b.lines()).isZero();
        String modelA = a.lines().stream().filter(l -> l.startsWith("MODEL ")).findFirst().orElseThrow();
        String modelB = b.lines().stream().filter(l -> l.startsWith("MODEL ")).findFirst().orElseThrow();
        assertThat(modelA).as("both processes see the same run end in the same model").isEqualTo(modelB)
            .contains(runId).contains(":r" + i + ":");
        bothSucceeded++;
        // The race fired: both processes were resuming the run at once (each got going before either
        // finished), and both resumed that very run.
        assertThat(Math.max(a.arrival("GO"), b.arrival("GO"))).as("race %d: both went before either finished", i)
            .isPositive().isLessThan(Math.min(a.arrival("MODEL "), b.arrival("MODEL ")));
        assertThat(a.lines()).as("child a resumed the run").contains("RUN " + runId);
        assertThat(b.lines()).as("child b resumed the run").contains("RUN " + runId);
        overlapped++;
      }

      // Both processes also start runs of their own at once on the same ledger; four of each side's
      // eight datasets are also the other side's, so their uploads must be shared, not repeated.
      Child a = Child.start(dir.resolve("many-a.log"), "many", config.toString(), dir.resolve("data").toString(), "4000", "8");
      Child b = Child.start(dir.resolve("many-b.log"), "many", config.toString(), dir.resolve("data").toString(), "4004", "8");
      assertThat(a.waitFor(Duration.ofMinutes(3))).as("child a: %s", a.lines()).isZero();
      assertThat(b.waitFor(Duration.ofMinutes(3))).as("child b: %s", b.lines()).isZero();
      double seconds = (System.nanoTime() - began) / 1e9;

      List<ServerView.Job> jobs = view.jobs();
      String integrity = LedgerFile.integrityCheck(ledger);
      Map<String, List<ServerView.Job>> byRun = view.jobsByRun();
      int ledgerRuns;
      long ledgerSucceeded;
      try (Tunekit tk = Tunekit.fromConfig(config)) {
        ledgerRuns = tk.runs().size();
        ledgerSucceeded = tk.runs().stream().filter(r -> r.state() == RunState.TRAINED).count();
        for (RunInfo r : tk.runs()) {
          assertThat(byRun.get(r.id())).as("jobs of %s", r.id()).hasSize(1);
          assertThat(r.jobId()).hasValue(byRun.get(r.id()).get(0).id());
        }
      }
      long uploads = view.files().stream().filter(f -> f.name().startsWith("tunekit-")).count();
      Figures.record("concurrency/two-processes", String.format("same-run-races=%d overlapping=%d both-processes-same-model=%d"
              + " concurrent-runs-from-two-processes=16 (12 datasets) ledger-runs=%d ledger-succeeded=%d jobs=%d"
              + " uploads=%d duplicate-jobs=%d duplicate-uploads=%d ledger-integrity=%s time=%.1fs", RACES, overlapped,
          bothSucceeded,
          ledgerRuns, ledgerSucceeded, jobs.size(), uploads, ServerView.duplicateJobs(jobs),
          ServerView.duplicateFiles(view.files()), integrity, seconds));
      assertThat(integrity).isEqualTo("ok");
      assertThat(ServerView.duplicateJobs(jobs)).isZero();
      assertThat(ServerView.duplicateFiles(view.files())).isZero();
      assertThat(jobs).hasSize(RACES + 16);
      assertThat(uploads).as("a training and a validation file per dataset, shared across processes")
          .isEqualTo(2L * (RACES + 12));
      assertThat(ledgerRuns).isEqualTo(RACES + 16);
      assertThat(ledgerSucceeded).isEqualTo(RACES + 16);
    }
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
