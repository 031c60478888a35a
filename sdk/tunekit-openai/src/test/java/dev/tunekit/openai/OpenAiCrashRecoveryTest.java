package dev.tunekit.openai;

import static dev.tunekit.openai.WorkflowStubs.JOB;
import static dev.tunekit.openai.WorkflowStubs.JOBS;
import static dev.tunekit.openai.WorkflowStubs.TUNED;
import static dev.tunekit.openai.WorkflowStubs.body;
import static dev.tunekit.openai.WorkflowStubs.chatDataset;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tunekit.Run;
import dev.tunekit.RunInfo;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.openai.TestHooks.FakeTime;
import dev.tunekit.Tunekit;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteJob;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real crashes: a separate Tunekit JVM ({@link CrashChild}) is killed with SIGKILL while one of its
 * requests is on the wire (the server has received it, the answer has not been sent), then this JVM
 * opens the same ledger and resumes the run. Nothing is closed cleanly, so the ledger still holds the
 * dead process's claim: resuming must recognise it as stale, look up what the server kept, and never
 * upload or create anything twice.
 */
class OpenAiCrashRecoveryTest {
  @TempDir Path dir;
  final KillOnRequest killer = new KillOnRequest();
  OpenAiWireMock api;
  WorkflowStubs stubs;
  FakeTime time;
  Path train;

  @BeforeEach
  void start() throws IOException {
    api = OpenAiWireMock.start(killer);
    stubs = new WorkflowStubs(api);
    stubs.stubSucceedingRun();
    time = new FakeTime();
    train = chatDataset(dir.resolve("train.jsonl"), 12);
  }

  @AfterEach
  void stop() {
    killer.destroy();
    api.close();
  }

  private Tunekit open() {
    return time.install(Tunekit.builder()
            .provider("openai")
            .setting("baseUrl", api.baseUrl())
            .setting("apiKey", OpenAiWireMock.CANARY_KEY)
            .setting("timeout", "10s")
            .ledger(dir.resolve("ledger.db"))
            .workDir(dir.resolve("work"))
            .polling(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofHours(1)))
        .build();
  }

  @Test
  void processKilledWhileItsUploadWasInFlightFindsTheFileOnResumeInsteadOfUploadingAgain() throws Exception {
    LoggedRequest upload = crashChildOn("POST", api.path("/files"), "start");
    assertThat(api.count("POST", JOBS)).isZero();

    // The server kept the file the dead process sent.
    stubs.listUploadedFile(upload, "file-train");
    try (Tunekit tk = open()) {
      RunInfo crashed = tk.runs().get(0);
      assertThat(crashed.state()).isEqualTo(RunState.VALIDATED);
      Run run = tk.resume(crashed.id());
      assertThat(run.info().jobId()).contains(JOB);
      assertThat(TestHooks.ledgerLog(tk, run.id())).anyMatch(l -> l.startsWith("upload.done file-train")
          && l.contains("found after an interrupted attempt"));
      RunResult result = run.await();
      assertThat(result.fineTunedModel()).contains(TUNED);
    }
    assertThat(api.count("POST", "/files")).isEqualTo(1);
    assertThat(api.count("GET", "/files")).isEqualTo(1);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    assertThat(body(api.requests("POST", JOBS).get(0)).path("training_file").asText()).isEqualTo("file-train");
  }

  @Test
  void processKilledWhileItsJobCreationWasInFlightFindsTheJobOnResumeInsteadOfCreatingASecond() throws Exception {
    LoggedRequest create = crashChildOn("POST", api.path(JOBS), "start");
    String key = body(create).path("metadata").path(JobRequest.IDEMPOTENCY_METADATA_KEY).asText();
    assertThat(api.count("POST", "/files")).isEqualTo(1);

    // The server created the job the dead process asked for.
    try (Tunekit tk = open()) {
      RunInfo crashed = tk.runs().get(0);
      assertThat(crashed.state()).isEqualTo(RunState.UPLOADED);
      assertThat(crashed.jobId()).isEmpty();
      assertThat(TestHooks.idempotencyKey(tk, crashed.id())).isEqualTo(key);
      Run run = tk.resume(crashed.id());
      assertThat(run.info().jobId()).contains(JOB);
      assertThat(TestHooks.ledgerLog(tk, run.id())).anyMatch(l -> l.startsWith("submit.done " + JOB)
          && l.contains("found after an interrupted attempt"));
      assertThat(run.await().succeeded()).isTrue();
    }
    assertThat(api.count("POST", "/files")).isEqualTo(1);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    assertThat(api.requests("GET", JOBS)).singleElement().satisfies(r ->
        assertThat(r.queryParameter(WorkflowStubs.KEY_PARAM).firstValue()).isEqualTo(key));
  }

  @Test
  void processKilledWhileAwaitingItsJobIsResumedOnTheSameJob() throws Exception {
    crashChildOn("GET", api.path(JOBS + "/" + JOB), "await");
    assertThat(api.count("POST", "/files")).isEqualTo(1);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);

    try (Tunekit tk = open()) {
      RunInfo crashed = tk.runs().get(0);
      assertThat(crashed.state()).isEqualTo(RunState.SUBMITTED);
      assertThat(crashed.jobId()).contains(JOB);
      Run run = tk.resume(crashed.id());
      RunResult result = run.await();
      assertThat(result.succeeded()).isTrue();
      assertThat(result.job()).map(RemoteJob::id).contains(JOB);
    }
    assertThat(api.count("POST", "/files")).isEqualTo(1);
    assertThat(api.count("POST", JOBS)).isEqualTo(1);
    assertThat(stubs.lookups()).isZero();
  }

  /**
   * Starts {@link CrashChild} in {@code mode} and kills it (SIGKILL) when its {@code method path}
   * request has reached the server and before the answer is sent. Returns that request.
   */
  private LoggedRequest crashChildOn(String method, String path, String mode) throws Exception {
    killer.arm(method, path);
    Path log = dir.resolve("child.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classPath,
            CrashChild.class.getName(), api.baseUrl(), dir.resolve("ledger.db").toString(),
            dir.resolve("work").toString(), train.toString(), mode)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    killer.child.complete(child);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child exited; its log:%n%s", read(log)).isTrue();
    LoggedRequest killedOn = killer.killedOn.get();
    assertThat(killedOn).as("the child was killed on %s %s; its log:%n%s", method, path, read(log)).isNotNull();
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    assertThat(read(log)).doesNotContain(mode.equals("start") ? "submitted" : "finished");
    return killedOn;
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Kills the child process the first time a request matches, before the server answers it. */
  static final class KillOnRequest implements ServeEventListener {
    final CompletableFuture<Process> child = new CompletableFuture<>();
    final AtomicReference<LoggedRequest> killedOn = new AtomicReference<>();
    private volatile String method;
    private volatile String path;

    void arm(String method, String path) {
      this.method = method;
      this.path = path;
    }

    @Override
    public void beforeResponseSent(ServeEvent event, Parameters parameters) {
      LoggedRequest r = event.getRequest();
      if (method == null || !r.getMethod().getName().equals(method)
          || !URI.create(r.getUrl()).getPath().equals(path) || killedOn.get() != null) {
        return;
      }
      try {
        Process p = child.get(60, TimeUnit.SECONDS);
        killedOn.set(r); // before the kill: the test reads it once the child is gone
        p.destroyForcibly();
        p.waitFor(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("could not kill the child process", e);
      }
    }

    void destroy() {
      Process p = child.getNow(null);
      if (p != null) {
        p.destroyForcibly();
      }
    }

    @Override
    public String getName() {
      return "kill-child-on-request";
    }

    @Override
    public boolean applyGlobally() {
      return true;
    }
  }
}
