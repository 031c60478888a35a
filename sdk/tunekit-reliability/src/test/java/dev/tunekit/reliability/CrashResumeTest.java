package dev.tunekit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunInfo;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.local.LocalServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash and resume: a run in a child JVM ({@link ChildMain} {@code start}) is killed with SIGKILL,
 * {@code reliability.kills} times (8 by default, 50 with {@code -Preliability-full}), each time on a
 * new dataset and the same shared ledger. The first kills are each at a fixed {@link KillPoint}: the
 * child talks to the server through a {@link FaultProxy} (injecting nothing) whose tap kills it the
 * moment its upload, its job create or its poll reaches the proxy, before the server sees the
 * request or after the server has acted on it. The remaining kills come after a seeded random delay
 * spread over a calibrated run. After each kill, this process resumes the run from the ledger
 * ({@link Tunekit#resume(String)}) and waits for it. The local server runs here, so its state
 * outlives every child. Afterwards the server must hold exactly one job per run and one file per
 * content, each run's model must be the one its job produced (and the one the child printed, when it
 * got that far), every kill point must have fired, and the ledger must be intact.
 */
class CrashResumeTest {
  static final long SEED = Long.getLong("reliability.seed", 20260101L);
  static final int KILLS = Integer.getInteger("reliability.kills", 8);

  /**
   * Where a child is killed. Each of the fixed points kills it from the proxy's tap, on the child's
   * own request: so the kill lands in that phase every time, whatever the machine's speed.
   */
  enum KillPoint {
    /** On its {@code nth} {@code POST /files}, before the server sees it (nothing uploaded yet). */
    UPLOAD_BEFORE_SERVER(FaultPlan.Endpoint.FILES, false, 2, "2-uploading"),
    /** On its {@code nth} {@code POST /files}, after the server stored the file (the reply is lost). */
    UPLOAD_AFTER_COMMIT(FaultPlan.Endpoint.FILES, true, 2, "2-uploading"),
    /** On its {@code POST /fine_tuning/jobs}, before the server sees it. */
    CREATE_BEFORE_SERVER(FaultPlan.Endpoint.JOBS, false, 1, "4-submitting"),
    /** On its {@code POST /fine_tuning/jobs}, after the server created the job (the reply is lost). */
    CREATE_AFTER_COMMIT(FaultPlan.Endpoint.JOBS, true, 1, "4-submitting"),
    /** On its {@code nth} {@code GET /fine_tuning/jobs/ID}, after the server answered the poll. */
    POLL(FaultPlan.Endpoint.POLL, true, 3, "5-training"),
    /** After a seeded random delay, up to 10% past the calibrated run time. */
    RANDOM_DELAY(null, false, 0, null);

    final FaultPlan.Endpoint endpoint;
    final boolean afterServer;
    /** The kill comes on the 1st..{@code maxNth} such request (seeded). */
    final int maxNth;
    /** The phase the ledger must show after this kill. */
    final String phase;

    KillPoint(FaultPlan.Endpoint endpoint, boolean afterServer, int maxNth, String phase) {
      this.endpoint = endpoint;
      this.afterServer = afterServer;
      this.maxNth = maxNth;
      this.phase = phase;
    }

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** The kill schedule: every fixed point once, in seeded order, then random delays. */
  static List<KillPoint> schedule(int kills, long seed) {
    List<KillPoint> fixed = new ArrayList<>(List.of(KillPoint.values()));
    fixed.remove(KillPoint.RANDOM_DELAY);
    Collections.shuffle(fixed, new Random(seed));
    List<KillPoint> out = new ArrayList<>();
    for (int i = 0; i < kills; i++) {
      out.add(i < fixed.size() ? fixed.get(i) : KillPoint.RANDOM_DELAY);
    }
    return out;
  }

  @TempDir Path dir;

  @Test
  void runsKilledAtEveryPhaseAllResumeToOneJobOneUploadAndTheirModel() throws Exception {
    assertThat(KILLS).as("reliability.kills must cover every fixed kill point").isGreaterThanOrEqualTo(
        KillPoint.values().length - 1);
    long began = System.nanoTime();
    Path ledger = dir.resolve("shared-ledger.db");
    FaultPlan noFaults = new FaultPlan(0);
    noFaults.enabled(false);
    try (LocalServer server = LocalServer.builder().dataDir(dir.resolve("server")).stepDelay(Duration.ofMillis(10))
        .start(); ServerView view = new ServerView(server);
        FaultProxy proxy = new FaultProxy(URI.create(server.baseUrl()), noFaults, Duration.ZERO)) {
      Path config = Configs.write(dir, "tunekit.yaml", proxy.url("/v1"), server.token().reveal(), ledger,
          Duration.ofSeconds(10), 5);

      // A first child writes the class-data archive the others start from; a second one, started from
      // it, measures how long a whole run takes once the child is READY (kills are spread over that).
      Path classArchive = dir.resolve("child-classes.jsa");
      long calibrationStart = System.nanoTime();
      Child archiver = Child.start(dir.resolve("child-archiver.log"),
          List.of("-XX:ArchiveClassesAtExit=" + classArchive), "start", config.toString(),
          Datasets.variant(dir.resolve("data"), 998, 40).toString(), "archiver");
      assertThat(archiver.await("READY", Duration.ofSeconds(60))).as("first child started").isPresent();
      long bootMillis = (System.nanoTime() - calibrationStart) / 1_000_000;
      assertThat(archiver.waitFor(Duration.ofSeconds(120))).as("first child, output %s", archiver.lines()).isZero();
      Child calibration = Child.start(dir.resolve("child-calibration.log"),
          List.of("-XX:SharedArchiveFile=" + classArchive), "start", config.toString(),
          Datasets.variant(dir.resolve("data"), 999, 40).toString(), "calibration");
      assertThat(calibration.await("READY", Duration.ofSeconds(60))).as("calibration child started").isPresent();
      long ready = System.nanoTime();
      assertThat(calibration.await("MODEL", Duration.ofSeconds(120))).as("calibration output %s", calibration.lines())
          .hasValueSatisfying(m -> assertThat(m).endsWith("TRAINED"));
      long runMillis = Math.max(200, (System.nanoTime() - ready) / 1_000_000);
      assertThat(calibration.waitFor(Duration.ofSeconds(120))).as("calibration exit, output %s", calibration.lines()).isZero();
      Set<String> known = new HashSet<>(runIds(config));

      Random random = new Random(SEED);
      List<KillPoint> schedule = schedule(KILLS, SEED);
      Map<KillPoint, Integer> killPoints = new EnumMap<>(KillPoint.class);
      Map<String, Integer> phases = new TreeMap<>();
      Map<String, String> modelOfRun = new LinkedHashMap<>();
      int childFinishedFirst = 0;
      long bootNanos = 0;
      for (int i = 0; i < KILLS; i++) {
        Path data = Datasets.variant(dir.resolve("data"), 1000 + i, 40);
        String suffix = "k" + i;
        KillPoint point = schedule.get(i);
        int nth = point.maxNth == 0 ? 0 : 1 + random.nextInt(point.maxNth);
        AtomicReference<Child> victim = new AtomicReference<>();
        AtomicBoolean fired = new AtomicBoolean();
        if (point != KillPoint.RANDOM_DELAY) {
          AtomicInteger seen = new AtomicInteger();
          proxy.tap((method, target, answered, status) -> {
            if (fired.get() || answered != point.afterServer || FaultPlan.Endpoint.of(method, target) != point.endpoint
                || seen.incrementAndGet() < nth) {
              return false;
            }
            fired.set(true);
            try {
              victim.get().kill(); // SIGKILL while its request is in the proxy; then its connection is reset
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return true;
          });
        }
        long launched = System.nanoTime();
        Child child = Child.start(dir.resolve("child-" + i + ".log"), List.of("-XX:SharedArchiveFile=" + classArchive),
            "start", config.toString(), data.toString(), suffix);
        victim.set(child);
        assertThat(child.await("READY", Duration.ofSeconds(60))).as("child %d started: %s", i, child.lines()).isPresent();
        bootNanos += System.nanoTime() - launched;
        boolean aliveAtKill;
        if (point == KillPoint.RANDOM_DELAY) {
          // Up to 10% past the calibrated run time, so some children finish before the kill.
          Thread.sleep((long) (random.nextDouble() * runMillis * 1.1));
          aliveAtKill = child.process().isAlive();
          child.kill();
        } else {
          // The tap kills the child on its own request; it must not get to the end of its run first.
          assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).as("child %d ended", i).isTrue();
          proxy.tap(null);
          assertThat(fired.get()).as("kill point %s (request %d) reached by child %d; output %s", point, nth, i,
              child.lines()).isTrue();
          child.kill(); // already dead: reaps it and drains its output
          aliveAtKill = true;
        }
        if (!aliveAtKill) {
          childFinishedFirst++;
        }
        killPoints.merge(point, 1, Integer::sum);
        Optional<String> printedModel = child.lines().stream().filter(l -> l.startsWith("MODEL ")).findFirst()
            .map(l -> l.split(" ")[2]);

        try (Tunekit tk = Tunekit.fromConfig(config)) {
          List<String> fresh = tk.runs().stream().map(RunInfo::id).filter(id -> !known.contains(id)).toList();
          assertThat(fresh).as("runs the child %d recorded", i).hasSizeLessThanOrEqualTo(1);
          RunResult result;
          String phase;
          if (fresh.isEmpty()) {
            // Killed before the run was recorded: nothing exists anywhere yet; the user starts it again.
            phase = "0-before-run-recorded";
            result = tk.fineTune().model("local-base").trainingData(data).validationSplit(0.25, 7).suffix(suffix)
                .metadata("suffix", suffix).start().await();
          } else {
            String runId = fresh.get(0);
            phase = phase(LedgerFile.steps(ledger, runId), aliveAtKill);
            result = tk.resume(runId).await();
          }
          phases.merge(phase, 1, Integer::sum);
          if (point == KillPoint.POLL) {
            assertThat(phase).as("ledger after a kill while polling").isIn("5-training", "6-job-succeeded");
          } else if (point != KillPoint.RANDOM_DELAY) {
            assertThat(phase).as("ledger after a kill at %s", point).isEqualTo(point.phase);
          }
          assertThat(result.state()).as("run of child %d (killed in %s)", i, phase).isEqualTo(RunState.TRAINED);
          String model = result.fineTunedModel().orElseThrow();
          printedModel.ifPresent(m -> assertThat(model).as("model after resume = model the child saw").isEqualTo(m));
          assertThat(model).contains(":" + suffix + ":");
          modelOfRun.put(result.runId(), model);
          known.add(result.runId());
        }
      }
      double seconds = (System.nanoTime() - began) / 1e9;

      List<ServerView.Job> jobs = view.jobs();
      List<ServerView.File> files = view.files();
      long duplicateJobs = ServerView.duplicateJobs(jobs);
      long duplicateFiles = ServerView.duplicateFiles(files);
      String integrity = LedgerFile.integrityCheck(ledger);
      Figures.record("crash-resume", String.format("kills=%d seed=%d kill-points{%s} killed-in{%s}"
              + " child-finished-before-kill=%d"
              + " jobs=%d (+2 calibration) uploads=%d duplicate-jobs=%d duplicate-uploads=%d models-matching=%d"
              + " ledger-integrity=%s child-boot=%dms (first) %dms (mean, with class-data archive) child-run=%dms time=%.1fs",
          KILLS, SEED, killPoints.entrySet().stream().map(e -> e.getKey().label() + "=" + e.getValue())
              .collect(Collectors.joining(" ")), phases.entrySet().stream().map(e -> e.getKey().substring(2) + "=" + e.getValue())
              .collect(Collectors.joining(" ")), childFinishedFirst, jobs.size() - 2,
          files.stream().filter(f -> f.name().startsWith("tunekit-")).count(), duplicateJobs, duplicateFiles,
          modelOfRun.size(), integrity, bootMillis, bootNanos / 1_000_000 / KILLS, runMillis, seconds));

      assertThat(duplicateJobs).isZero();
      assertThat(duplicateFiles).isZero();
      assertThat(integrity).isEqualTo("ok");
      // Every kill point fired: upload (before and after the server), create (both), poll.
      for (KillPoint p : KillPoint.values()) {
        if (p != KillPoint.RANDOM_DELAY || KILLS >= KillPoint.values().length) {
          assertThat(killPoints.getOrDefault(p, 0)).as("kills at %s (%s)", p, killPoints).isPositive();
        }
      }
      Map<String, List<ServerView.Job>> byRun = view.jobsByRun();
      modelOfRun.forEach((runId, model) -> {
        assertThat(byRun.get(runId)).as("jobs of %s", runId).hasSize(1);
        assertThat(byRun.get(runId).get(0).model()).as("the server's model for %s", runId).hasValue(model);
      });
      assertThat(jobs).hasSize(KILLS + 2);
      // Two files (training and validation split) per run, each uploaded once.
      assertThat(files.stream().filter(f -> f.name().startsWith("tunekit-"))).hasSize(2 * (KILLS + 2));
    }
  }

  private static List<String> runIds(Path config) {
    try (Tunekit tk = Tunekit.fromConfig(config)) {
      return tk.runs().stream().map(RunInfo::id).toList();
    }
  }

  /** How far the killed child got, from the steps its ledger recorded. */
  static String phase(List<String> steps, boolean aliveAtKill) {
    if (!aliveAtKill) {
      return "7-after-exit";
    }
    if (has(steps, "job.status succeeded")) {
      return "6-job-succeeded";
    }
    if (has(steps, "submit.done")) {
      return "5-training";
    }
    if (has(steps, "submit.start")) {
      return "4-submitting";
    }
    if (has(steps, "files ")) {
      return "3-uploaded";
    }
    if (has(steps, "upload.start")) {
      return "2-uploading";
    }
    return "1-validating";
  }

  private static boolean has(List<String> steps, String prefix) {
    return steps.stream().anyMatch(s -> s.startsWith(prefix));
  }
}
