package dev.tunekit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.Run;
import dev.tunekit.RunInfo;
import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Sleeper;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;
import dev.tunekit.local.LocalServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A benchmark, not a CI test (it runs only with {@code -Dreliability.defaultsBench=true}): 30 runs per seed
 * through {@link FaultProxy} with 30 % faults (500, 503, 429, reset, slow, commit-then-drop on creates) with
 * Tunekit's <b>default</b> resilience and polling settings (no {@code resilience:} or {@code polling:} section).
 * A run counts as finished only if {@code start()} and {@code await()} succeed without a resume. Time runs
 * {@code reliability.timeScale} times faster (default 10) through an injected clock and sleeper, so that the
 * default 0.5-30 s backoffs, 30 s open breaker and 5-60 s polls take a tenth of the wall time; the client's
 * request timeout and the proxy's slow fault stay in real time. Prints one line per seed.
 *
 * <pre>
 * mvn -B -o -q test -pl sdk/tunekit-reliability -am -Dtest=DefaultSettingsFaultBench \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dreliability.defaultsBench=true [-Dreliability.seeds=1,2,3]
 * </pre>
 */
@EnabledIfSystemProperty(named = "reliability.defaultsBench", matches = "true")
class DefaultSettingsFaultBench {
  static final int RUNS = Integer.getInteger("reliability.defaultsRuns", 30);
  static final double SCALE = Double.parseDouble(System.getProperty("reliability.timeScale", "10"));

  @TempDir Path dir;

  @Test
  void thirtyRunsPerSeedWithDefaultSettings() throws Exception {
    String seeds = System.getProperty("reliability.seeds", "1,2,3,4,5");
    List<String> lines = new ArrayList<>();
    boolean allFinished = true;
    for (String s : seeds.split(",")) {
      long seed = Long.parseLong(s.trim());
      String line = seed(seed, dir.resolve("seed-" + seed));
      lines.add(line);
      System.out.println(line);
      Figures.record("faults/default-settings", line);
      allFinished &= line.contains("finished=" + RUNS + "/" + RUNS) && line.contains("duplicate-jobs=0 ");
    }
    System.out.printf(Locale.ROOT, "load average %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    assertThat(allFinished).as(String.join("\n", lines)).isTrue();
  }

  private String seed(long seed, Path d) throws IOException {
    FaultPlan plan = new FaultPlan(0.30);
    plan.reseed(seed);
    Clock clock = scaledClock();
    Sleeper sleeper = t -> Thread.sleep((long) Math.ceil(t.toMillis() / SCALE));
    Path config = d.resolve("tunekit.yaml");
    AtomicInteger pauses = new AtomicInteger();
    long began = System.nanoTime();
    int finished = 0;
    List<String> failures = new ArrayList<>();
    try (LocalServer server = LocalServer.builder().dataDir(d.resolve("server")).stepDelay(Duration.ZERO).start();
        FaultProxy proxy = new FaultProxy(URI.create(server.baseUrl()), plan, Duration.ofMillis(750));
        ServerView view = new ServerView(server)) {
      Files.createDirectories(d);
      Files.writeString(config, String.join("\n",
          "provider: openai-compatible",
          "ledger: " + d.resolve("ledger.db").toAbsolutePath(),
          "workDir: " + d.resolve("work").toAbsolutePath(),
          "providers:",
          "  openai-compatible:",
          "    baseUrl: " + proxy.url("/v1"),
          "    apiKey: " + server.token().reveal(),
          "    timeout: 500ms",
          ""));
      try (Tunekit tk = Tunekit.builder().configFile(config).clock(clock).sleeper(sleeper).build()) {
        RunListener listener = new RunListener() {
          @Override
          public void onProviderPaused(String provider, Instant until) {
            pauses.incrementAndGet();
          }
        };
        for (int i = 0; i < RUNS; i++) {
          plan.beginRun(i, seed * 1_000_003L + i);
          Path data = Datasets.variant(d.resolve("data"), i, 40);
          try {
            Run run = tk.fineTune().model("local-base").trainingData(data).validationSplit(0.25, 7)
                .suffix("d" + i).metadata("n", String.valueOf(i)).start();
            RunResult result = run.await(listener);
            if (result.state() == RunState.TRAINED) {
              finished++;
            } else {
              failures.add(i + ":" + result.state());
            }
          } catch (TunekitException e) {
            failures.add(i + ":" + e.getClass().getSimpleName() + ":" + firstLine(e.getMessage()));
          }
        }
        plan.enabled(false);
        long open = tk.runs().stream().map(RunInfo::state).filter(st -> st != RunState.TRAINED).count();
        return String.format(Locale.ROOT,
            "seed=%d finished=%d/%d requests=%d faults=%d (%.1f%%) [%s] jobs=%d duplicate-jobs=%d duplicate-uploads=%d"
                + " unfinished-in-ledger=%d breaker-waits-told=%d wall=%.1fs%s",
            seed, finished, RUNS, plan.requests(), plan.totalFaults(),
            100.0 * plan.totalFaults() / Math.max(1, plan.requests()), plan.summary(), view.jobs().size(),
            ServerView.duplicateJobs(view.jobs()), ServerView.duplicateFiles(view.files()), open, pauses.get(),
            (System.nanoTime() - began) / 1e9, failures.isEmpty() ? "" : " failed=" + failures.size() + ", first: " + failures.get(0));
      }
    }
  }

  private static String firstLine(String s) {
    String m = s == null ? "" : s;
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.length() > 120 ? m.substring(0, 120) + "..." : m;
  }

  /** A clock running {@link #SCALE} times faster than real time. */
  private static Clock scaledClock() {
    Instant origin = Instant.now();
    long nanos0 = System.nanoTime();
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return origin.plusNanos((long) ((System.nanoTime() - nanos0) * SCALE));
      }
    };
  }
}
