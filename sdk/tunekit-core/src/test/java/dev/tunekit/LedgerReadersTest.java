package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Readers of the ledger never wait behind a writer: while another process holds SQLite's write lock
 * (BEGIN IMMEDIATE held open) and a writer of this Tunekit sits in SQLite's busy wait for it, reads —
 * {@code run.state()}, {@code tk.runs()}, a webhook's job lookup — still return at once.
 */
class LedgerReadersTest extends FakeProviderTest {

  @Test
  void readsReturnPromptlyWhileAWriterOfThisProcessBusyWaitsForAnotherProcesssWriteLock() throws Exception {
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).start();
      String jobId = run.info().jobId().orElseThrow();
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + tk.ledger());
           Statement s = other.createStatement()) {
        s.execute("BEGIN IMMEDIATE"); // another process holds the write lock
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> tk.workflow().ledger()
            .log(run.id(), "blocked.write", "waits for the other process"));
        Thread.sleep(300); // the writer is in SQLite's busy wait now (up to 15 s)
        assertThat(writer).isNotDone();

        long t0 = System.nanoTime();
        assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
        assertThat(tk.runs()).singleElement().extracting(RunInfo::id).isEqualTo(run.id());
        assertThat(tk.workflow().ledger().runOfJob(jobId)).contains(run.id());
        assertThat(run.info().jobId()).contains(jobId);
        Duration reads = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(reads).as("four reads while a writer busy-waits").isLessThan(Duration.ofSeconds(2));
        assertThat(writer).isNotDone(); // the reads did not wait for it: it is still waiting

        s.execute("ROLLBACK");
        writer.get(20, TimeUnit.SECONDS);
      }
      assertThat(tk.workflow().ledger().logOf(run.id())).anyMatch(l -> l.startsWith("blocked.write"));
    }
  }
}
