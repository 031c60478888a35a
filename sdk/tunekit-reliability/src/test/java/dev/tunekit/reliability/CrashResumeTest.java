package dev.tunekit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunInfo;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.local.LocalServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash and resume: a run in a child JVM ({@link ChildMain} {@code start}) is killed with SIGKILL at
 * a seeded random moment, 50 times over, each time on a new dataset and the same shared ledger. After
 * each kill, this process resumes the run from the ledger ({@link Tunekit#resume(String)}) and waits
 * for it. The local server runs here, so its state outlives every child. Afterwards the server must
 * hold exactly one job per run and one file per content, each run's model must be the one its job
 * produced (and the one the child printed, when it got that far), and the ledger must be intact.
 */
class CrashResumeTest {
  static final long SEED = Long.getLong("reliability.seed", 20260101L);
  static final int KILLS = Integer.getInteger("reliability.kills", 50);

  @TempDir Path dir;

  @Test
  void fiftyRunsKilledAtRandomPointsAllResumeToOneJobOneUploadAndTheirModel() throws Exception {
    long began = System.nanoTime();
    Path ledger = dir.resolve("shared-ledger.db");
    try (LocalServer server = LocalServer.builder().dataDir(dir.resolve("server")).stepDelay(Duration.ofMillis(10))
        .start(); ServerView view = new ServerView(server)) {
      Path config = Configs.write(dir, "tunekit.yaml", server.baseUrl(), server.token().reveal(), ledger,
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
      Map<String, Integer> phases = new TreeMap<>();
      Map<String, String> modelOfRun = new LinkedHashMap<>();
      int childFinishedFirst = 0;
      long bootNanos = 0;
      for (int i = 0; i < KILLS; i++) {
        Path data = Datasets.variant(dir.resolve("data"), 1000 + i, 40);
        String suffix = "k" + i;
        long launched = System.nanoTime();
        Child child = Child.start(dir.resolve("child-" + i + ".log"), List.of("-XX:SharedArchiveFile=" + classArchive),
            "start", config.toString(), data.toString(), suffix);
        assertThat(child.await("READY", Duration.ofSeconds(60))).as("child %d started: %s", i, child.lines()).isPresent();
        bootNanos += System.nanoTime() - launched;
        // Up to 10% past the calibrated run time, so some children finish before the kill.
        Thread.sleep((long) (random.nextDouble() * runMillis * 1.1));
        boolean aliveAtKill = child.process().isAlive();
        child.kill();
        if (!aliveAtKill) {
          childFinishedFirst++;
        }
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
      Figures.record("crash-resume", String.format("kills=%d seed=%d killed-in{%s} child-finished-before-kill=%d"
              + " jobs=%d (+2 calibration) uploads=%d duplicate-jobs=%d duplicate-uploads=%d models-matching=%d"
              + " ledger-integrity=%s child-boot=%dms (first) %dms (mean, with class-data archive) child-run=%dms time=%.1fs",
          KILLS, SEED, phases.entrySet().stream().map(e -> e.getKey().substring(2) + "=" + e.getValue())
              .collect(Collectors.joining(" ")), childFinishedFirst, jobs.size() - 2,
          files.stream().filter(f -> f.name().startsWith("tunekit-")).count(), duplicateJobs, duplicateFiles,
          modelOfRun.size(), integrity, bootMillis, bootNanos / 1_000_000 / KILLS, runMillis, seconds));

      assertThat(duplicateJobs).isZero();
      assertThat(duplicateFiles).isZero();
      assertThat(integrity).isEqualTo("ok");
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
