package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.error.TunekitException;
import dev.tunekit.model.JobStatus;
import dev.tunekit.testing.FakeProvider.Op;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Stopping {@code run.await()}: an interrupt (a service's cancel) and JShell's Ctrl-C (an asynchronous
 * {@link ThreadDeath} on the waiting thread) both say, in one line, that the job keeps running and how
 * to wait for it again; the ledger stays as it was and the run can be awaited to its end.
 */
class AwaitInterruptTest extends FakeProviderTest {

  @Test
  void interruptingAWaitingThreadSaysTheJobKeepsRunningAndHowToAwaitIt() throws Exception {
    fake.script(new JobStatus.Running("running"));
    // a sleeper that really blocks (briefly), so the interrupt lands in a wait as it does in a session
    Sleeper blocking = d -> Thread.sleep(20);
    try (Tunekit tk = Fixtures.builder(dir, instance, clock, blocking).build()) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicBoolean flagKept = new AtomicBoolean();
      Thread waiter = new Thread(() -> {
        try {
          run.await();
        } catch (Throwable t) {
          thrown.set(t);
          flagKept.set(Thread.currentThread().isInterrupted());
        }
      });
      waiter.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (fake.calls(Op.JOB) < 2 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      waiter.interrupt();
      waiter.join(10_000);

      assertThat(waiter.isAlive()).isFalse();
      assertThat(thrown.get()).isInstanceOf(TunekitException.class);
      String message = thrown.get().getMessage();
      assertThat(message).doesNotContain("\n").contains(run.id(), "keeps running on the provider",
          "tk.run(\"" + run.id() + "\").await()", "tk.resume(\"" + run.id() + "\")");
      assertThat(flagKept).isTrue();
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
      assertThat(run.info().jobStatus()).contains("running");

      fake.script(new JobStatus.Running("running"), new JobStatus.Succeeded("succeeded", Optional.of("ft:m:x")));
      assertThat(tk.run(run.id()).await().state()).isEqualTo(RunState.TRAINED);
    }
  }

  @Test
  @SuppressWarnings("removal")
  void jshellsStopPrintsOneLineAndLeavesTheRunResumable() throws Exception {
    fake.script(new JobStatus.Running("running"));
    // JShell's Ctrl-C throws a ThreadDeath into the running snippet wherever it is; most of the time
    // that is a sleep between polls: this sleeper throws it from the second wait.
    int[] sleeps = {0};
    Sleeper stopped = d -> {
      if (++sleeps[0] == 2) {
        throw new ThreadDeath();
      }
      sleeper.sleep(d); // otherwise fake time, advancing the clock
    };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    try (Tunekit tk = Fixtures.builder(dir, instance, clock, stopped).build()) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      Throwable thrown = null;
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      try {
        run.await();
      } catch (ThreadDeath t) {
        thrown = t;
      } finally {
        System.setErr(original);
      }

      assertThat(thrown).as("the stop goes on to JShell").isInstanceOf(ThreadDeath.class);
      String printed = err.toString(StandardCharsets.UTF_8);
      assertThat(printed.lines().filter(l -> l.contains(run.id()))).singleElement().asString()
          .contains("keeps running on the provider", "tk.run(\"" + run.id() + "\").await()");
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
      fake.script(new JobStatus.Running("running"), new JobStatus.Succeeded("succeeded", Optional.of("ft:m:x")));
      assertThat(tk.run(run.id()).await().state()).isEqualTo(RunState.TRAINED);
    }
  }
}
