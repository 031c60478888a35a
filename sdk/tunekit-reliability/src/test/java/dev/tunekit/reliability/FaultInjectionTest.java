package dev.tunekit.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.tunekit.Run;
import dev.tunekit.RunInfo;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;
import dev.tunekit.local.LocalServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole workflow (validate, convert, upload, submit, poll to the end) against the local server
 * with 30% of requests failing at random on every endpoint: 500, 503, 429 with retry-after,
 * connection reset, a reply slower than the client's timeout, and creates that commit on the server
 * and then lose their connection ({@link FaultPlan}). Two fault injectors, each in front of the
 * local server: a raw-socket {@link FaultProxy}, and WireMock proxying with {@link WireMockFaults}
 * (where training files go through the multipart Uploads API, so its create, parts and complete calls
 * get faults too).
 * Over the seeded runs sharing one ledger (12 per injector by default, 100 with
 * {@code -Preliability-full}), every run must succeed and the server (listed directly, not through
 * the faults) must hold exactly one job per run and one file per content.
 *
 * <p>Chance alone does not cover every fault in a short run, so each suite also gives its
 * {@link FaultPlan} a seeded schedule of obligations: every generic fault kind on an endpoint of its
 * own, <em>commit then drop</em> on {@code POST /files} and {@code POST /fine_tuning/jobs} (and on
 * the Uploads API's create and complete for WireMock), and a fault on an upload part. At the end the
 * suite asserts, from the injector's own record (the proxy's counts, WireMock's journal), that every
 * kind and every obligation was really applied.
 *
 * <p>The retry layer makes 8 attempts per call here, so a call fails for good only after 8 faults in
 * a row (0.3^8, about 1 in 15,000). A run whose start or wait still fails is resumed with
 * {@link Tunekit#resume(String)}, as a user would; such resumes are counted and printed. Reproduce a
 * failure with {@code -Dreliability.seed=N}; scale with {@code -Dreliability.runs=N}.
 */
class FaultInjectionTest {
  static final long SEED = Long.getLong("reliability.seed", 20260101L);
  static final int RUNS = Integer.getInteger("reliability.runs", 12);
  static final int WIREMOCK_RUNS = Integer.getInteger("reliability.wiremockRuns", RUNS);
  static final double RATE = Double.parseDouble(System.getProperty("reliability.rate", "0.30"));
  /** The client's per-request timeout; a SLOW fault replies later than this. */
  static final Duration TIMEOUT = Duration.ofMillis(500);

  /**
   * For the WireMock target: training files (about 20 KB) go through the Uploads API in 8 KB parts
   * (create, 3 parts, complete), validation files (about 7 KB) through {@code POST /files}.
   */
  static final String MULTIPART = "    multipartThreshold: 8KB\n    uploadPartSize: 8KB";

  @TempDir Path dir;

  @Test
  void seededRunsThroughAFaultProxyAllSucceedWithNoDuplicateJobOrUpload() throws Exception {
    long logMark = SdkLog.mark();
    FaultPlan plan = new FaultPlan(RATE).schedule(obligations(false), RUNS, SEED);
    try (LocalServer server = LocalServer.builder().dataDir(dir.resolve("server")).stepDelay(Duration.ZERO).start();
        FaultProxy proxy = new FaultProxy(URI.create(server.baseUrl()), plan, TIMEOUT.plusMillis(250));
        ServerView view = new ServerView(server);
        Tunekit tk = Tunekit.fromConfig(Configs.write(dir, "tunekit.yaml", proxy.url("/v1"), server.token().reveal(),
            dir.resolve("ledger.db"), TIMEOUT, 8))) {
      Outcome outcome = drive(tk, plan, RUNS, 0);
      plan.enabled(false);
      verify("faults/fault-proxy", view, plan, outcome, proxy.createsForwarded(), proxy.injected(), logMark);
    }
  }

  @Test
  void seededRunsThroughWireMockWithFaultsOnEveryEndpointAllSucceedWithNoDuplicateJobOrUpload()
      throws Exception {
    long logMark = SdkLog.mark();
    FaultPlan plan = new FaultPlan(RATE).schedule(obligations(true), WIREMOCK_RUNS, SEED + 1);
    WireMockServer wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
        .extensions(new WireMockFaults.Filter(plan), new WireMockFaults.Transformer(TIMEOUT.plusMillis(250))));
    wireMock.start();
    try (LocalServer server = LocalServer.builder().dataDir(dir.resolve("server")).stepDelay(Duration.ZERO).start();
        ServerView view = new ServerView(server);
        Tunekit tk = Tunekit.fromConfig(Configs.write(dir, "tunekit.yaml",
            "http://127.0.0.1:" + wireMock.port() + "/v1", server.token().reveal(), dir.resolve("ledger.db"),
            TIMEOUT, 8, MULTIPART))) {
      wireMock.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom("http://127.0.0.1:" + server.port())));
      Outcome outcome = drive(tk, plan, WIREMOCK_RUNS, 500);
      plan.enabled(false);
      // The journal's view: creating requests WireMock passed on to the server.
      long createsProxied = wireMock.getAllServeEvents().stream()
          .filter(e -> FaultPlan.isCreate(e.getRequest().getMethod().getName(), e.getRequest().getUrl()))
          .map(ServeEvent::getResponseDefinition).filter(d -> d != null && d.isProxyResponse()).count();
      verify("faults/wiremock", view, plan, outcome, createsProxied, journal(wireMock.getAllServeEvents()), logMark);
    } finally {
      wireMock.stop();
    }
  }

  /**
   * What each suite must inject at least once: every generic kind (500, 503, 429, reset, slow) on an
   * endpoint drawn for it from the seed, commit-then-drop on each creating endpoint, and for the
   * Uploads API (WireMock) a generic fault on an upload part as well.
   */
  static List<FaultPlan.Obligation> obligations(boolean uploadsApi) {
    List<FaultPlan.Endpoint> endpoints = new ArrayList<>(uploadsApi
        ? List.of(FaultPlan.Endpoint.FILES, FaultPlan.Endpoint.UPLOADS, FaultPlan.Endpoint.PARTS,
            FaultPlan.Endpoint.COMPLETE, FaultPlan.Endpoint.JOBS, FaultPlan.Endpoint.POLL)
        : List.of(FaultPlan.Endpoint.FILES, FaultPlan.Endpoint.JOBS, FaultPlan.Endpoint.POLL));
    Random random = new Random(SEED ^ (uploadsApi ? 0x5EED : 0xFA17));
    Collections.shuffle(endpoints, random);
    List<FaultPlan.Kind> generic = List.of(FaultPlan.Kind.HTTP_500, FaultPlan.Kind.HTTP_503, FaultPlan.Kind.HTTP_429,
        FaultPlan.Kind.RESET, FaultPlan.Kind.SLOW);
    List<FaultPlan.Obligation> out = new ArrayList<>();
    for (int i = 0; i < generic.size(); i++) {
      out.add(new FaultPlan.Obligation(generic.get(i), endpoints.get(i % endpoints.size())));
    }
    out.add(new FaultPlan.Obligation(FaultPlan.Kind.COMMIT_THEN_DROP, FaultPlan.Endpoint.FILES));
    out.add(new FaultPlan.Obligation(FaultPlan.Kind.COMMIT_THEN_DROP, FaultPlan.Endpoint.JOBS));
    if (uploadsApi) {
      out.add(new FaultPlan.Obligation(FaultPlan.Kind.COMMIT_THEN_DROP, FaultPlan.Endpoint.UPLOADS));
      out.add(new FaultPlan.Obligation(FaultPlan.Kind.COMMIT_THEN_DROP, FaultPlan.Endpoint.COMPLETE));
      FaultPlan.Obligation part = new FaultPlan.Obligation(generic.get(random.nextInt(generic.size())),
          FaultPlan.Endpoint.PARTS);
      if (!out.contains(part)) {
        out.add(part);
      }
    }
    return out;
  }

  /**
   * The faults WireMock really applied, read from its request journal: the 500, 503 and 429 replies
   * and resets the filter answered with, and the marked requests whose proxied reply was delayed or
   * (after the server answered 2xx, so the thing exists) dropped.
   */
  static Injected journal(List<ServeEvent> events) {
    Injected injected = new Injected();
    for (ServeEvent e : events) {
      FaultPlan.Endpoint endpoint = FaultPlan.Endpoint.of(e.getRequest().getMethod().getName(), e.getRequest().getUrl());
      String mark = e.getRequest().getHeader(WireMockFaults.MARK);
      var definition = e.getResponseDefinition();
      if (definition == null) {
        continue;
      }
      if (!definition.isProxyResponse()) {
        if (definition.getFault() == Fault.CONNECTION_RESET_BY_PEER) {
          injected.record(FaultPlan.Kind.RESET, endpoint);
        } else if (definition.getStatus() == 500 || definition.getStatus() == 503 || definition.getStatus() == 429) {
          injected.record(definition.getStatus() == 500 ? FaultPlan.Kind.HTTP_500
              : definition.getStatus() == 503 ? FaultPlan.Kind.HTTP_503 : FaultPlan.Kind.HTTP_429, endpoint);
        }
      } else if (FaultPlan.Kind.SLOW.name().equals(mark)) {
        injected.record(FaultPlan.Kind.SLOW, endpoint);
      } else if (FaultPlan.Kind.COMMIT_THEN_DROP.name().equals(mark) && e.getResponse() != null
          && e.getResponse().getStatus() / 100 == 2) {
        injected.record(FaultPlan.Kind.COMMIT_THEN_DROP, endpoint);
      }
    }
    return injected;
  }

  /** What the runs did. */
  record Outcome(Map<String, Integer> numberOfRun, Map<String, String> modelOfRun, Set<Integer> contents,
      int resumes, double seconds, double startMillis, double awaitMillis) {}

  /** {@code runs} runs, one after another, each with its own seeded fault sequence. */
  static Outcome drive(Tunekit tk, FaultPlan plan, int runs, int firstVariant) {
    long began = System.nanoTime();
    Map<String, Integer> numberOfRun = new LinkedHashMap<>();
    Map<String, String> modelOfRun = new LinkedHashMap<>();
    Set<Integer> contents = new HashSet<>();
    int resumes = 0;
    long startNanos = 0;
    long awaitNanos = 0;
    Path dataDir = tk.ledger().resolveSibling("data");
    for (int i = 0; i < runs; i++) {
      plan.beginRun(i, SEED * 1_000_003L + firstVariant + i);
      // Every tenth run trains on the previous run's data: its upload must be reused, not repeated.
      int variant = firstVariant + (i % 10 == 9 ? i - 1 : i);
      contents.add(variant);
      Path data = Datasets.variant(dataDir, variant, 40);
      Set<String> before = tk.runs().stream().map(RunInfo::id).collect(Collectors.toSet());
      long t0 = System.nanoTime();
      Run run;
      try {
        run = tk.fineTune().model("local-base").trainingData(data).validationSplit(0.25, 7)
            .suffix("f" + i).metadata("n", String.valueOf(i)).start();
      } catch (TunekitException e) {
        resumes++;
        int n = i;
        String id = tk.runs().stream().map(RunInfo::id).filter(r -> !before.contains(r)).findFirst()
            .orElseThrow(() -> new AssertionError("run " + n + " failed before it was recorded", e));
        run = resumeUntilSubmitted(tk, id, e);
      }
      long t1 = System.nanoTime();
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
      awaitNanos += System.nanoTime() - t1;
      startNanos += t1 - t0;
      assertThat(result.state()).as("run %d (%s): %s", i, run.id(), run.info().error().orElse(""))
          .isEqualTo(RunState.TRAINED);
      numberOfRun.put(run.id(), i);
      modelOfRun.put(run.id(), result.fineTunedModel().orElseThrow());
    }
    return new Outcome(numberOfRun, modelOfRun, contents, resumes, (System.nanoTime() - began) / 1e9,
        startNanos / 1e6 / runs, awaitNanos / 1e6 / runs);
  }

  /** Counts on the server, prints the figures, then asserts: one job per run, one file per content. */
  static void verify(String suite, ServerView view, FaultPlan plan, Outcome o, long createsReachingServer,
      Injected injected, long logMark) {
    int runs = o.numberOfRun().size();
    List<ServerView.Job> jobs = view.jobs();
    List<ServerView.File> files = view.files();
    long uploads = files.stream().filter(f -> f.name().startsWith("tunekit-")).count();
    long duplicateJobs = ServerView.duplicateJobs(jobs);
    long duplicateFiles = ServerView.duplicateFiles(files);
    long retries = SdkLog.count(logMark, "retrying in");
    long reconciled = SdkLog.count(logMark, "had taken effect");
    Figures.record(suite, String.format(
        "runs=%d succeeded=%d seed=%d requests=%d faults=%d (%.1f%%) [%s] scheduled=%d applied{%s} faults-on-creates=%d"
            + " creates-reaching-server=%d retries=%d creates-found-after-unknown-outcome=%d resumes=%d jobs=%d"
            + " uploads=%d duplicate-jobs=%d duplicate-uploads=%d time=%.1fs (start %.0fms + await %.0fms per run)",
        runs, o.modelOfRun().size(), SEED, plan.requests(), plan.totalFaults(),
        100.0 * plan.totalFaults() / Math.max(1, plan.requests()), plan.summary(), plan.forced(), injected.summary(),
        plan.faultsOnCreates(),
        createsReachingServer, retries, reconciled, o.resumes(), jobs.size(), uploads, duplicateJobs, duplicateFiles,
        o.seconds(), o.startMillis(), o.awaitMillis()));

    // Every run has exactly its own job, and the job is the one that produced the run's model.
    Map<String, List<ServerView.Job>> byRun = view.jobsByRun();
    assertThat(byRun.keySet()).containsExactlyInAnyOrderElementsOf(o.numberOfRun().keySet());
    byRun.forEach((runId, js) -> {
      assertThat(js).as("jobs of %s", runId).hasSize(1);
      ServerView.Job job = js.get(0);
      assertThat(job.metadata()).containsEntry("n", String.valueOf(o.numberOfRun().get(runId)));
      assertThat(job.model()).hasValue(o.modelOfRun().get(runId));
      assertThat(job.model().orElseThrow()).contains(":f" + o.numberOfRun().get(runId) + ":");
    });
    assertThat(duplicateJobs).isZero();
    assertThat(duplicateFiles).isZero();
    assertThat(jobs).hasSize(runs);
    assertThat(uploads).as("training and validation file once per content").isEqualTo(2L * o.contents().size());
    assertThat(plan.totalFaults()).as("faults were injected").isGreaterThan(runs);
    assertThat(plan.faults(FaultPlan.Kind.COMMIT_THEN_DROP)).as("creates committed then dropped").isPositive();
    // Every fault kind, and every scheduled kind-on-endpoint, was really applied (the injector's record).
    injected.assertCovers(suite, plan.required(), plan.unmet());
    if (retries >= 0) { // -1: the SDK log is not in a file (run outside Maven)
      assertThat(retries).as("the client retried the faults it saw").isPositive();
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
