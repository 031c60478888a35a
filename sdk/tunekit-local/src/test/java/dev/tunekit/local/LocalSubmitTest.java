package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tunekit.Run;
import dev.tunekit.RunInfo;
import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.eval.Graders;
import dev.tunekit.internal.Internals;
import dev.tunekit.internal.ResilientProvider;
import dev.tunekit.model.ChatModel;
import dev.tunekit.spi.PreflightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code FineTune.submit} on the embedded server: the run comes back validated before the baseline has answered and
 * before the server got any request; the caller's executor runs the background steps and the wait.
 */
class LocalSubmitTest {
  @TempDir Path dir;
  private final AtomicInteger tasks = new AtomicInteger();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Executor counting = r -> {
    tasks.incrementAndGet();
    pool.execute(r);
  };
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    pool.shutdownNow();
  }

  private Tunekit open() {
    return Tunekit.builder().provider("local").setting("stepDelay", "0ms").ledger(dir.resolve("ledger.db"))
        .workDir(dir.resolve("work")).build();
  }

  private static LocalServer server(Tunekit tk) {
    return ((LocalTuningProvider) ((ResilientProvider) Internals.workflow(tk).provider()).delegate()).server();
  }

  private Path dataset(int n) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add("{\"messages\":[{\"role\":\"user\",\"content\":\"question " + i + "\"},"
          + "{\"role\":\"assistant\",\"content\":\"answer " + i + "\"}]}");
    }
    return Files.write(dir.resolve("train-" + n + ".jsonl"), lines);
  }

  private static EvalSuite suite() {
    return EvalSuite.of("s", EvalCase.of("c1", "question 1", "answer 1"), EvalCase.of("c2", "question 2", "answer 2"))
        .withGrader(Graders.exactMatch());
  }

  @Test
  void submitReturnsBeforeTheBaselineAndTheCallersExecutorRunsTheRest() throws Exception {
    Path train = dataset(20);
    List<RunState> states = Collections.synchronizedList(new ArrayList<>());
    try (Tunekit tk = open()) {
      ChatModel base = tk.chatModel("local-base");
      EvalTarget blocked = EvalTarget.of("baseline", r -> {
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new TunekitException("interrupted", e);
        }
        return base.chat(r);
      }, "local-base");
      Run run = tk.fineTune().model("local-base").trainingData(train).evaluateWith(suite()).baseline(blocked)
          .submit(new RunListener() {
            @Override
            public void onState(RunInfo info) {
              states.add(info.state());
            }
          }, counting);

      assertThat(run.state()).isEqualTo(RunState.VALIDATED);
      assertThat(server(tk).requestsReceived()).isZero(); // no baseline chat, no upload, no job yet
      release.countDown();
      RunResult result = run.awaitAsync(RunListener.none(), counting).get(60, TimeUnit.SECONDS);

      assertThat(result.succeeded()).isTrue();
      assertThat(result.state()).isEqualTo(RunState.EVALUATED);
      assertThat(states).containsExactly(RunState.VALIDATED, RunState.BASELINE_EVALUATED, RunState.UPLOADED,
          RunState.SUBMITTED);
      assertThat(tk.runs()).hasSize(1);
    }
    assertThat(tasks.get()).isEqualTo(2); // the background steps and the wait
  }

  @Test
  void preflightStillRefusesBeforeSubmitReturnsAndNothingReachesTheServer() throws IOException {
    Path train = dataset(20);
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("gpt-4o-mini").trainingData(train)
          .evaluateWith(suite()).baselinePrompt("Answer.").submit(RunListener.none(), counting),
          PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(tk.run(e.runId().orElseThrow()).state()).isEqualTo(RunState.REJECTED);
      assertThat(server(tk).requestsReceived()).isZero();
    }
    assertThat(tasks.get()).isZero();
  }
}
