package dev.tunekit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.Run;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.TunekitException;
import dev.tunekit.local.LocalServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole workflow (validate, convert, upload, submit, poll to the end) against the local server
 * behind a {@link FaultProxy} that fails 30% of requests at random on every endpoint: 500, 503, 429
 * with retry-after, connection reset, a reply slower than the client's timeout, and creates that
 * commit on the server and then lose their connection. Over 100 seeded runs sharing one ledger, every
 * run must succeed and the server must hold exactly one job per run and one file per content.
 *
 * <p>A run whose start or wait still fails after the retry layer's attempts is resumed with
 * {@link Tunekit#resume(String)}, as a user would; the retry layer makes 8 attempts per call, so a call
 * fails for good only after 8 faults in a row (0.3^8, about 1 in 15,000). Such resumes are counted and printed. Reproduce a
 * failure with {@code -Dreliability.seed=N} (and {@code -Dreliability.runs=N} to scale).
 */
class FaultInjectionTest {
  static final long SEED = Long.getLong("reliability.seed", 20260101L);
  static final int RUNS = Integer.getInteger("reliability.runs", 100);
  static final double RATE = Double.parseDouble(System.getProperty("reliability.rate", "0.30"));
  /** The client's per-request timeout; a SLOW fault replies later than this. */
  static final Duration TIMEOUT = Duration.ofMillis(500);

  @TempDir Path dir;

  @Test
  void hundredSeededRunsUnderThirtyPercentFaultsAllSucceedWithNoDuplicateJobOrUpload() throws Exception {
    long began = System.nanoTime();
    long logMark = SdkLog.mark();
    try (LocalServer server = LocalServer.builder().dataDir(dir.resolve("server")).stepDelay(Duration.ZERO).start();
        FaultProxy proxy = new FaultProxy(URI.create(server.baseUrl()), RATE, TIMEOUT.plusMillis(250));
        ServerView view = new ServerView(server);
        Tunekit tk = Tunekit.fromConfig(Configs.write(dir, "tunekit.yaml", proxy.url("/v1"), server.token().reveal(),
            dir.resolve("ledger.db"), TIMEOUT, 8))) {

      Map<String, Integer> variantOfRun = new LinkedHashMap<>();
      Map<String, String> modelOfRun = new LinkedHashMap<>();
      Set<Integer> contents = new HashSet<>();
      int resumes = 0;
      long startNanos = 0;
      long awaitNanos = 0;
      for (int i = 0; i < RUNS; i++) {
        proxy.reseed(SEED * 1_000_003L + i);
        // Every tenth run trains on the previous run's data: its upload must be reused, not repeated.
        int variant = i % 10 == 9 ? i - 1 : i;
        contents.add(variant);
        Path data = Datasets.variant(dir.resolve("data"), variant, 40);
        Set<String> before = tk.runs().stream().map(r -> r.id()).collect(Collectors.toSet());
        Run run;
        long t0 = System.nanoTime();
        try {
          run = tk.fineTune().model("local-base").trainingData(data).validationSplit(0.25, 7)
              .suffix("f" + i).metadata("variant", String.valueOf(i)).start();
        } catch (TunekitException e) {
          resumes++;
          int runNo = i;
          String id = tk.runs().stream().map(r -> r.id()).filter(r -> !before.contains(r)).findFirst()
              .orElseThrow(() -> new AssertionError("run " + runNo + " failed before it was recorded", e));
          run = resumeUntilSubmitted(tk, id, e);
        }
        long t1 = System.nanoTime();
        startNanos += t1 - t0;
        RunResult result = null;
        for (int attempt = 0; result == null; attempt++) {
          try {
            result = run.await();
          } catch (TunekitException e) {
            resumes++;
            assertThat(attempt).as("awaiting run %d failed repeatedly: %s", i, e.getMessage()).isLessThan(5);
            run = tk.resume(run.id());
          }
        }
        assertThat(result.state()).as("run %d (%s): %s", i, run.id(), run.info().error().orElse("")).isEqualTo(RunState.SUCCEEDED);
        awaitNanos += System.nanoTime() - t1;
        variantOfRun.put(run.id(), i);
        modelOfRun.put(run.id(), result.fineTunedModel().orElseThrow());
      }
      double seconds = (System.nanoTime() - began) / 1e9;

      proxy.faults(false);
      List<ServerView.Job> jobs = view.jobs();
      List<ServerView.File> files = view.files();
      long duplicateJobs = ServerView.duplicateJobs(jobs);
      long duplicateFiles = ServerView.duplicateFiles(files);
      long retries = SdkLog.count(logMark, "retrying in");
      long reconciled = SdkLog.count(logMark, "had taken effect");
      Figures.record("faults/local-server", String.format(
          "runs=%d succeeded=%d seed=%d requests=%d faults=%d (%.1f%%) [%s] faults-on-creates=%d"
              + " creates-reaching-server=%d retries=%d creates-reconciled=%d resumes=%d jobs=%d uploads=%d"
              + " duplicate-jobs=%d duplicate-uploads=%d time=%.1fs (start %.0fms + await %.0fms per run)",
          RUNS, modelOfRun.size(), SEED, proxy.requests(), proxy.totalFaults(),
          100.0 * proxy.totalFaults() / proxy.requests(), proxy.faultSummary(), proxy.faultsOnCreates(),
          proxy.createsForwarded(), retries, reconciled, resumes, jobs.size(), files.stream().filter(f -> f.name().startsWith("tunekit-")).count(), duplicateJobs,
          duplicateFiles, seconds, startNanos / 1e6 / RUNS, awaitNanos / 1e6 / RUNS));
      // Every run has exactly its own job, and the job is the one that produced the run's model.
      Map<String, List<ServerView.Job>> byRun = view.jobsByRun();
      assertThat(byRun.keySet()).containsExactlyInAnyOrderElementsOf(variantOfRun.keySet());
      byRun.forEach((runId, js) -> {
        assertThat(js).as("jobs of %s", runId).hasSize(1);
        ServerView.Job job = js.get(0);
        assertThat(job.metadata()).containsEntry("variant", String.valueOf(variantOfRun.get(runId)));
        assertThat(job.model()).hasValue(modelOfRun.get(runId));
        assertThat(job.model().orElseThrow()).contains(":f" + variantOfRun.get(runId) + ":");
      });
      assertThat(duplicateJobs).isZero();
      assertThat(duplicateFiles).isZero();
      assertThat(jobs).hasSize(RUNS);
      assertThat(files.stream().filter(f -> f.name().startsWith("tunekit-"))).hasSize(2 * contents.size());
      assertThat(proxy.totalFaults()).as("faults were injected").isGreaterThan(RUNS);

    }
  }

  /** What a user does after start() failed: resume the run (it looks before it uploads or submits again). */
  static Run resumeUntilSubmitted(Tunekit tk, String runId, Throwable first) {
    TunekitException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        return tk.resume(runId);
      } catch (TunekitException e) {
        last = e;
      }
    }
    AssertionError error = new AssertionError("run " + runId + " could not be resumed: " + last.getMessage(), first);
    error.addSuppressed(last);
    throw error;
  }
}
