package dev.tunekit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunInfo;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash and resume on {@code provider: ray}, against {@link RayDashboardFake} (its state outlives the clients): a
 * child JVM ({@link ChildMain} {@code start}) is killed with SIGKILL by the {@link FaultProxy}'s tap at each step that
 * costs something — after a data package was put, on the submit before Ray sees it, after Ray stored the submission
 * (before the ledger records it), while polling — and this process resumes the run from the shared ledger. Each run
 * must end with exactly one Ray submission and, as its model, that submission's adapter directory. Then the dashboard
 * restarts (refusing connections, or 503 while it starts) during the submit and during polling, with the run
 * recovering without a second submission.
 */
class RayCrashResumeTest {
  static final String MODEL = "Qwen/Qwen2.5-0.5B-Instruct";

  /** Where a child is killed: on its request matching {@code method} and {@code path}, before or after Ray answered. */
  enum KillPoint {
    AFTER_PACKAGE_PUT("PUT", "/api/packages/gcs/_ray_pkg_", true, 1, "2-uploading"),
    SUBMIT_BEFORE_RAY("POST", "/api/jobs/", false, 1, "4-submitting"),
    SUBMIT_AFTER_RAY_STORED_IT("POST", "/api/jobs/", true, 1, "4-submitting"),
    POLLING("GET", "/api/jobs/tunekit-", true, 2, "5-training");

    final String method;
    final String path;
    final boolean answered;
    final int nth;
    final String phase;

    KillPoint(String method, String path, boolean answered, int nth, String phase) {
      this.method = method;
      this.path = path;
      this.answered = answered;
      this.nth = nth;
      this.phase = phase;
    }

    boolean matches(String m, String target) {
      return m.equals(method) && (this == POLLING ? target.matches("/api/jobs/tunekit-[^/]+") : target.startsWith(path));
    }
  }

  @TempDir Path dir;

  /** One kill: its own proxy (whose tap kills the child), config and ledger, so the children run side by side. */
  private record Victim(KillPoint point, FaultProxy proxy, Path config, Path ledger, Child child, AtomicBoolean fired) {}

  @Test
  void killedAtEveryStep_resumesToTheSameSubmissionAndTheSameAdapter() throws Exception {
    long began = System.nanoTime();
    FaultPlan noFaults = new FaultPlan(0);
    noFaults.enabled(false);
    List<Victim> victims = new ArrayList<>();
    try (RayDashboardFake ray = new RayDashboardFake()) {
      try {
        // The children start together (a JVM's start is most of their time), each killed at its own point.
        for (KillPoint point : KillPoint.values()) {
          int i = point.ordinal();
          FaultProxy proxy = new FaultProxy(URI.create(ray.url()), noFaults, Duration.ZERO);
          Path ledger = dir.resolve("ledger-" + i + ".db");
          Path config = Configs.writeRay(dir.resolve("c" + i), "tunekit.yaml", proxy.url(""), RayDashboardFake.OUTPUT,
              ledger);
          Path data = Datasets.variant(dir.resolve("data"), 2000 + i, 40);
          AtomicReference<Child> victim = new AtomicReference<>();
          AtomicBoolean fired = new AtomicBoolean();
          AtomicInteger seen = new AtomicInteger();
          proxy.tap((method, target, answered, status) -> {
            if (fired.get() || answered != point.answered || !point.matches(method, target)
                || seen.incrementAndGet() < point.nth) {
              return false;
            }
            fired.set(true);
            try {
              victim.get().kill();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return true;
          });
          Child child = Child.start(dir.resolve("child-" + i + ".log"), "start", config.toString(), data.toString(),
              "r" + i, MODEL);
          victim.set(child);
          victims.add(new Victim(point, proxy, config, ledger, child, fired));
        }
        Map<String, String> modelOfRun = new LinkedHashMap<>();
        List<String> phases = new ArrayList<>();
        for (Victim v : victims) {
          assertThat(v.child().process().waitFor(120, TimeUnit.SECONDS)).as("child at %s ended", v.point()).isTrue();
          v.proxy().tap(null);
          assertThat(v.fired().get()).as("kill point %s reached; output %s", v.point(), v.child().lines()).isTrue();
          v.child().kill();
          try (Tunekit tk = Tunekit.fromConfig(v.config())) {
            List<String> recorded = tk.runs().stream().map(RunInfo::id).toList();
            assertThat(recorded).as("the run the child at %s recorded", v.point()).hasSize(1);
            String runId = recorded.get(0);
            String phase = CrashResumeTest.phase(LedgerFile.steps(v.ledger(), runId), true);
            phases.add(v.point() + "=" + phase.substring(2));
            assertThat(phase).as("ledger after a kill at %s", v.point()).isEqualTo(v.point().phase);
            RunResult result = tk.resume(runId).await();
            assertThat(result.state()).as("%s resumed after a kill at %s", result, v.point())
                .isEqualTo(RunState.TRAINED);
            String model = result.fineTunedModel().orElseThrow();
            String submission = model.substring(model.lastIndexOf('/') + 1);
            assertThat(ray.jobs).as("Ray holds the submission the model came from").containsKey(submission);
            assertThat(model).as("the adapter of that submission").isEqualTo(ray.output(submission));
            modelOfRun.put(runId, model);
          }
          assertThat(LedgerFile.integrityCheck(v.ledger())).isEqualTo("ok");
        }
        Figures.record("ray-crash-resume", String.format("kills=%d killed-in{%s} submissions=%d"
                + " already-exists-answers=%d data-package-puts=%d runs-trained=%d time=%.1fs",
            KillPoint.values().length, String.join(" ", phases), ray.submissions.get(), ray.alreadyExists.get(),
            ray.dataPuts.get(), modelOfRun.size(), (System.nanoTime() - began) / 1e9));
        assertThat(ray.submissions.get()).as("one submission per run, none duplicated")
            .isEqualTo(KillPoint.values().length);
        assertThat(ray.jobs).hasSize(KillPoint.values().length);
        assertThat(new HashSet<>(modelOfRun.values())).hasSize(KillPoint.values().length);
      } finally {
        for (Victim v : victims) {
          v.child().kill();
          v.proxy().close();
        }
      }
    }
  }

  @Test
  void dashboardRestartsDuringSubmitAndPolling_theRunRecoversWithoutASecondSubmission() throws Exception {
    try (RayDashboardFake ray = new RayDashboardFake()) {
      // The retry layer's budget: 20 + 40 + 80 + 160 + 200 ms between six attempts, longer than a 150 ms restart.
      Path config = Configs.writeRay(dir, "tunekit.yaml", ray.url(), RayDashboardFake.OUTPUT, dir.resolve("l.db"),
          "maxAttempts: 6, initialBackoff: 20ms, maxBackoff: 200ms");
      List<RunResult> runs = new ArrayList<>();
      try (Tunekit tk = Tunekit.fromConfig(config)) {
        // 1. the submit meets a dashboard still starting: 503 twice
        ray.unavailableFor = r -> r.equals("POST /api/jobs/");
        ray.unavailable.set(2);
        runs.add(run(tk, 3000).await());
        assertThat(ray.unavailable.get()).as("both 503s were served").isZero();
        // 2. Ray stores the submit, then restarts before answering: connections refused for 150 ms
        ray.commitThenDrop.set(1);
        ray.restartAfterDrop = 150;
        runs.add(run(tk, 3001).await());
        assertThat(ray.commitThenDrop.get()).isZero();
        // 3. while polling: the dashboard restarts (refused for 150 ms), then answers 503 three times
        ray.restartAtSecondPoll = 150;
        ray.unavailableFor = r -> r.startsWith("GET /api/jobs/tunekit-");
        ray.unavailable.set(3);
        runs.add(run(tk, 3002).await());
        assertThat(ray.restartAtSecondPoll).isZero();
        // 4. a restart longer than the retry budget, right after Ray stored the submit: the run stops, resumable,
        // and the resume finds the stored submission instead of submitting again
        ray.commitThenDrop.set(1);
        ray.restartAfterDrop = 1500;
        Set<String> before = new HashSet<>(tk.runs().stream().map(RunInfo::id).toList());
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> run(tk, 3003).await());
        assertThat(failure).as("the outage outlasts the retries").isNotNull().hasMessageContaining("tk.resume(");
        String stopped = tk.runs().stream().map(RunInfo::id).filter(id -> !before.contains(id)).findFirst()
            .orElseThrow();
        Thread.sleep(1600);
        runs.add(tk.resume(stopped).await());
      }
      for (RunResult r : runs) {
        assertThat(r.state()).as("%s", r).isEqualTo(RunState.TRAINED);
        String model = r.fineTunedModel().orElseThrow();
        assertThat(model).isEqualTo(ray.output(model.substring(model.lastIndexOf('/') + 1)));
      }
      Figures.record("ray-dashboard-restarts", String.format("runs=%d submissions=%d already-exists-answers=%d",
          runs.size(), ray.submissions.get(), ray.alreadyExists.get()));
      assertThat(ray.submissions.get()).as("one submission per run").isEqualTo(4);
      assertThat(ray.jobs).hasSize(4);
    }
  }

  private dev.tunekit.Run run(Tunekit tk, int variant) {
    Path data = Datasets.variant(dir.resolve("data"), variant, 40);
    return tk.fineTune().model(MODEL).trainingData(data).validationSplit(0.25, 7).start();
  }
}
