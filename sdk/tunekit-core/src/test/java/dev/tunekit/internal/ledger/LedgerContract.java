package dev.tunekit.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.RunState;
import dev.tunekit.spi.Deployment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every ledger database guarantees, run against each one: SQLite here ({@code SqliteLedgerTest}),
 * PostgreSQL in tunekit-postgres ({@code PostgresLedgerTest}, through this module's test jar). Each test
 * opens a fresh, empty store; "two instances" are two {@link Ledger}s on one store (two owners, as two
 * processes are), and races start their claimers together at a barrier.
 */
public abstract class LedgerContract {
  /** Claimers per race: enough to interleave, few enough for 2 cores. */
  private static final int RACERS = 4;
  private static final Duration LEASE = Duration.ofMinutes(5);

  private final List<AutoCloseable> open = new ArrayList<>();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  /** A new, empty store; the function opens a ledger (one more instance) on it each time it is applied. */
  protected abstract Function<Clock, Ledger> freshStore() throws Exception;

  /** A raw {@link Jdbc} on a new, empty store of the same database. */
  protected abstract Jdbc freshJdbc() throws Exception;

  private List<Ledger> instances(int n) throws Exception {
    Function<Clock, Ledger> store = freshStore();
    List<Ledger> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Ledger l = store.apply(Clock.systemUTC());
      open.add(l);
      out.add(l);
    }
    return out;
  }

  @AfterEach
  void closeAll() throws Exception {
    pool.shutdownNow();
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private static void run(Ledger l, String id) {
    l.insertRun(id, "fake", "base", "key-" + id, "{\"v\":1}", RunState.CREATED);
  }

  /**
   * Holds each claimer of {@code ls} between its claim's read and its write until all have read or 150 ms
   * passed: without a lock every claimer reads the row unclaimed and takes it; with one, the others wait
   * for the holder's commit (so it goes on after the timeout) and then see its claim.
   */
  private static void holdClaimersTogether(List<Ledger> ls) {
    CyclicBarrier read = new CyclicBarrier(ls.size());
    ls.forEach(l -> l.leases().afterClaimRead = () -> {
      try {
        read.await(150, TimeUnit.MILLISECONDS);
      } catch (Exception timedOutOrBroken) {
        // the others are waiting for our lock: go on
      }
    });
  }

  /** Runs every task at once (after a barrier) and returns their results in order. */
  private <T> List<T> race(List<Callable<T>> tasks) throws Exception {
    CyclicBarrier go = new CyclicBarrier(tasks.size());
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> t : tasks) {
      futures.add(pool.submit(() -> {
        go.await(30, TimeUnit.SECONDS);
        return t.call();
      }));
    }
    List<T> out = new ArrayList<>();
    for (Future<T> f : futures) {
      out.add(f.get(60, TimeUnit.SECONDS));
    }
    return out;
  }

  @Test
  void aRunsDatasetHashesAreRecordedOnce_aLaterPreparationKeepsTheFirst() throws Exception {
    Ledger l = instances(1).get(0);
    run(l, "run-h");
    run(l, "run-t");
    assertThat(l.datasetHashes("run-h")).isEmpty();
    String a = "a".repeat(64);
    String b = "b".repeat(64);
    l.recordDatasetHashes("run-h", a, b);
    l.recordDatasetHashes("run-h", "c".repeat(64), null); // a resume converting changed data: the first stay
    l.recordDatasetHashes("run-t", a, null);
    assertThat(l.datasetHashes("run-h")).containsExactly(a, b);
    assertThat(l.datasetHashes("run-t")).containsExactly(a);
    assertThat(l.datasetHashes("no-such-run")).isEmpty();
  }

  @Test
  void aWriteStoppedByAnErrorCommitsNothing() throws Exception {
    try (Jdbc jdbc = freshJdbc()) {
      jdbc.write(c -> Jdbc.update(c, "CREATE TABLE t (v INTEGER)"));

      assertThatThrownBy(() -> jdbc.write(c -> {
        Jdbc.update(c, "INSERT INTO t VALUES (1)");
        throw new ThreadDeath(); // stopped between two statements of one transaction
      })).isInstanceOf(ThreadDeath.class);

      assertThat((List<Integer>) jdbc.read(c -> Jdbc.query(c, "SELECT v FROM t", r -> r.getInt(1)))).isEmpty();
      jdbc.write(c -> Jdbc.update(c, "INSERT INTO t VALUES (2)")); // the connection is usable again
      assertThat((List<Integer>) jdbc.read(c -> Jdbc.query(c, "SELECT v FROM t", r -> r.getInt(1)))).containsExactly(2);
    }
  }

  @Test
  void instancesOpeningAnEmptyStoreAtOnceMigrateItOnceAndAllWork() throws Exception {
    Function<Clock, Ledger> store = freshStore();
    List<Callable<Ledger>> openers = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) {
      openers.add(() -> store.apply(Clock.systemUTC()));
    }
    List<Ledger> ledgers = race(openers);
    open.addAll(ledgers);
    for (int i = 0; i < ledgers.size(); i++) {
      run(ledgers.get(i), "run-" + i);
    }
    assertThat(ledgers.get(0).allRuns()).hasSize(RACERS);
    assertThat(ledgers.get(0).db().read(ledgers.get(0).db().dialect()::schemaVersion)).isEqualTo(Schema.VERSION);
  }

  @Test
  void racingInstancesClaimARunsSubmissionOnceAndTheOthersSeeItBusyThenDone() throws Exception {
    List<Ledger> ls = instances(RACERS);
    run(ls.get(0), "r1");
    holdClaimersTogether(ls);
    List<Callable<Ledger.Claim>> claims = new ArrayList<>();
    ls.forEach(l -> claims.add(() -> l.claimSubmit("r1", LEASE)));
    List<Ledger.Claim> got = race(claims);

    assertThat(got).filteredOn(c -> c instanceof Ledger.Claim.Claimed).as("claims that won: %s", got).hasSize(1);
    assertThat(got).filteredOn(c -> c instanceof Ledger.Claim.Busy).hasSize(RACERS - 1);
    Ledger winner = ls.get(got.indexOf(got.stream().filter(c -> c instanceof Ledger.Claim.Claimed).findFirst().get()));
    winner.setColumns("r1", Map.of("job_id", "job-1"));
    for (Ledger l : ls) {
      assertThat(l.claimSubmit("r1", LEASE)).isEqualTo(new Ledger.Claim.Done("job-1"));
    }
  }

  @Test
  void racingInstancesClaimANewUploadOnce() throws Exception {
    List<Ledger> ls = instances(RACERS);
    holdClaimersTogether(ls);
    List<Callable<Ledger.Claim>> claims = new ArrayList<>();
    ls.forEach(l -> claims.add(() -> l.claimUpload("fake", "sha-1", "train.jsonl", 42, LEASE)));
    List<Ledger.Claim> got = race(claims);

    assertThat(got).filteredOn(c -> c instanceof Ledger.Claim.Claimed).as("claims that won: %s", got).hasSize(1);
    assertThat(got).filteredOn(c -> c instanceof Ledger.Claim.Busy).hasSize(RACERS - 1);
  }

  @Test
  void aClaimReleasedOnCloseIsTakenByAnotherInstanceWhichResumesTheRun() throws Exception {
    Function<Clock, Ledger> store = freshStore();
    Ledger a = store.apply(Clock.systemUTC());
    Ledger b = store.apply(Clock.systemUTC());
    open.add(b);
    run(a, "r1");
    assertThat(a.move("r1", RunState.CREATED, 0, "VALIDATE", RunState.VALIDATED, "ok", Map.of())).isTrue();
    assertThat(a.claimSubmit("r1", LEASE)).isInstanceOf(Ledger.Claim.Claimed.class);
    a.submitAttempt("r1", 1);
    assertThat(b.claimSubmit("r1", LEASE)).isInstanceOf(Ledger.Claim.Busy.class);
    a.close();

    assertThat(b.claimSubmit("r1", LEASE)).as("the other instance takes over").isEqualTo(new Ledger.Claim.Claimed(1));
    Ledger.RunRow row = b.run("r1").orElseThrow();
    assertThat(row.state()).isEqualTo(RunState.VALIDATED);
    assertThat(row.version()).isEqualTo(1);
    assertThat(b.history("r1")).containsExactly("* -START-> CREATED", "CREATED -VALIDATE-> VALIDATED");
    assertThat(b.logOf("r1")).contains("submit.start attempt 1");
  }

  @Test
  void racingMovesFromOneVersionLetExactlyOneWin() throws Exception {
    List<Ledger> ls = instances(RACERS);
    run(ls.get(0), "r1");
    List<Callable<Boolean>> moves = new ArrayList<>();
    ls.forEach(l -> moves.add(() -> l.move("r1", RunState.CREATED, 0, "VALIDATE", RunState.VALIDATED, null,
        Map.of("job_status", "x"))));
    assertThat(race(moves)).filteredOn(Boolean::booleanValue).hasSize(1);
    assertThat(ls.get(1).run("r1").orElseThrow().version()).isEqualTo(1);
    assertThat(ls.get(1).history("r1")).hasSize(2);
  }

  @Test
  void racingEvaluationResultsKeepTheFirstOnly() throws Exception {
    List<Ledger> ls = instances(RACERS);
    run(ls.get(0), "r1");
    List<Callable<Boolean>> records = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) {
      Ledger l = ls.get(i);
      String json = "{\"v\":1,\"by\":" + i + "}";
      records.add(() -> l.evalResultOnce("r1", "tunekit:baseline", json));
    }
    List<Boolean> recorded = race(records);
    assertThat(recorded).filteredOn(Boolean::booleanValue).hasSize(1);
    assertThat(ls.get(0).evalResults("r1")).hasSize(1);
    assertThat(ls.get(0).evalResult("r1", "tunekit:baseline").orElseThrow())
        .contains("\"by\":" + recorded.indexOf(true));
  }

  @Test
  void aWebhookDeliveredToEveryInstanceAtOnceIsHandledOnce() throws Exception {
    List<Ledger> ls = instances(RACERS);
    Instant forgetBefore = Instant.now().minus(Duration.ofDays(1));
    List<Callable<Boolean>> claims = new ArrayList<>();
    ls.forEach(l -> claims.add(() -> l.claimWebhook("wh-1", forgetBefore)));
    assertThat(race(claims)).filteredOn(Boolean::booleanValue).hasSize(1);
    ls.get(0).forgetWebhook("wh-1");
    assertThat(ls.get(1).claimWebhook("wh-1", forgetBefore)).isTrue();
  }

  @Test
  void anExpiredUploadIsForgottenOnlyIfItStillRecordsThatFileAndDeploymentsAreUpserted() throws Exception {
    List<Ledger> ls = instances(2);
    Ledger a = ls.get(0);
    Ledger b = ls.get(1);
    run(a, "r1");
    assertThat(a.claimUpload("fake", "sha-1", "train.jsonl", 42, LEASE)).isEqualTo(new Ledger.Claim.Claimed(0));
    a.uploadAttempt("r1", "fake", "sha-1", "train.jsonl");
    a.uploadDone("r1", "fake", "sha-1", "file-1", "uploaded");
    assertThat(b.claimUpload("fake", "sha-1", "train.jsonl", 42, LEASE)).isEqualTo(new Ledger.Claim.Done("file-1"));
    b.uploadExpired("r1", "fake", "sha-1", "file-other"); // not what is recorded: kept
    assertThat(a.claimUpload("fake", "sha-1", "train.jsonl", 42, LEASE)).isEqualTo(new Ledger.Claim.Done("file-1"));
    b.uploadExpired("r1", "fake", "sha-1", "file-1");
    assertThat(a.claimUpload("fake", "sha-1", "train.jsonl", 42, LEASE)).isEqualTo(new Ledger.Claim.Claimed(0));

    a.deployment("r1", Deployment.builder().id("d1").modelId("m").inferenceModel("m").state(Deployment.State.CREATING)
        .rawState("Creating").build());
    b.deployment("r1", Deployment.builder().id("d1").modelId("m").inferenceModel("m@1").state(Deployment.State.ACTIVE)
        .rawState("Succeeded").build());
    assertThat(a.deploymentOf("r1").orElseThrow().state()).isEqualTo(Deployment.State.ACTIVE);
    assertThat(a.deploymentOf("r1").orElseThrow().inferenceModel()).isEqualTo("m@1");
    a.setColumns("r1", Map.of("job_id", new RunRepository.IfAbsent("job-1"), "fine_tuned_model",
        new RunRepository.OrKeep(null)));
    b.setColumns("r1", Map.of("job_id", new RunRepository.IfAbsent("job-2")));
    assertThat(b.runOfJob("job-1")).contains("r1");
    assertThat(b.runOfJob("job-2")).isEmpty();
  }
}
