package dev.tunekit;

import dev.tunekit.error.AwaitTimeoutException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.dataset.InvalidDatasetException;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.ProviderException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.testing.FakeProvider;
import dev.tunekit.testing.FakeProvider.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkflowTest extends FakeProviderTest {

  @Test
  void wholeLifecycleRunsFromDatasetToDeployedModel() {
    List<String> seen = new ArrayList<>();
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).validationSplit(0.2, 7)
          .hyperparameters(h -> h.epochs(3).extra("warmup", 5)).suffix("sql").metadata("team", "search").start();
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);

      RunResult result = run.await(new RunListener() {
        @Override
        public void onStatus(RemoteJob job) {
          seen.add("status " + job.status().raw());
        }

        @Override
        public void onMetric(MetricPoint p) {
          seen.add("metric " + p.step());
        }
      });

      assertThat(result.succeeded()).isTrue();
      assertThat(result.fineTunedModel()).contains("ft:gpt-4o-mini:fake:ftjob-1");
      assertThat(result.metrics()).extracting(MetricPoint::step).containsExactly(1L, 2L, 3L);
      assertThat(seen).containsSubsequence("status validating_files", "status queued", "status running", "metric 1",
          "metric 2", "metric 3", "status succeeded");
      assertThat(run.state()).isEqualTo(RunState.TRAINED);
      assertThat(run.fineTunedModel()).contains("ft:gpt-4o-mini:fake:ftjob-1");

      JobRequest request = fake.createdJobs().get(0);
      assertThat(request.method()).isEqualTo(TrainingMethod.SUPERVISED);
      assertThat(request.validationFileId()).isPresent();
      assertThat(request.hyperparameters().epochs()).hasValue(3);
      assertThat(request.hyperparameters().extra("warmup")).contains(5);
      assertThat(request.suffix()).contains("sql");
      assertThat(request.metadata()).containsEntry("team", "search").containsEntry("tunekit_run_id", run.id());

      Deployment d = run.deploy(Map.of("deployment", "provisioned", "modelUnits", 2));
      assertThat(d.state()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(fake.deployOptions()).containsExactly(Map.of("deployment", "provisioned", "modelUnits", 2));
      assertThat(run.chatModel().chat(ChatRequest.of("ignored", List.of(ChatMessage.user("hi")))).content())
          .isEqualTo("ft:gpt-4o-mini:fake:ftjob-1 says: hi");

      assertThat(run.state()).isEqualTo(RunState.DEPLOYED);
      assertThat(tk.workflow().ledger().evalResults(run.id())).isEmpty(); // nothing public writes evaluations
      assertThat(tk.runs()).extracting(RunInfo::id).containsExactly(run.id());
      List<String> log = tk.workflow().ledger().logOf(run.id());
      assertThat(log).extracting(l -> l.split(" ")[0]).containsSubsequence("run.created", "validate", "prepare",
          "upload.start", "upload.done", "upload.start", "upload.done", "files", "submit.start", "submit.done",
          "job.status", "deploy.start", "deploy.state", "state");
      assertThat(tk.workflow().ledger().history(run.id())).containsExactly("* -START-> CREATED",
          "CREATED -VALIDATE-> VALIDATED", "VALIDATED -UPLOAD-> UPLOADED", "UPLOADED -SUBMIT-> SUBMITTED",
          "SUBMITTED -JOB_SUCCEEDED-> TRAINED", "TRAINED -DEPLOY-> DEPLOYED");
    }
    assertThat(fake.calls(Op.UPLOAD)).isEqualTo(2);
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
    assertThat(fake.closeCount()).isEqualTo(1);
  }

  @Test
  void datasetWithErrorsStopsTheRunBeforeAnyUpload() {
    Path bad = Fixtures.write(dir.resolve("bad.jsonl"), Fixtures.chatLine(1) + "\n{\"prompt\":\"no messages\"}\nnot json\n");
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.fineTune().model("gpt-4o-mini").trainingData(bad).start())
          .isInstanceOfSatisfying(InvalidDatasetException.class, e -> {
            assertThat(e.location()).contains(bad + ":2");
            assertThat(e.getMessage()).contains("nothing was uploaded").contains(bad + ":3");
            assertThat(tk.runs()).singleElement().satisfies(r -> {
              assertThat(r.id()).isEqualTo(e.runId());
              assertThat(r.state()).isEqualTo(RunState.REJECTED);
            });
          });
    }
    assertThat(fake.calls(Op.UPLOAD)).isZero();
    assertThat(fake.calls(Op.CREATE_JOB)).isZero();
  }

  @Test
  void sameDataIsUploadedOncePerProviderAcrossRuns() {
    try (Tunekit tk = open()) {
      Run first = tk.fineTune().model("m").trainingData(train).start();
      Run second = tk.fineTune().model("m").trainingData(train).start();
      assertThat(first.id()).isNotEqualTo(second.id());
      assertThat(tk.workflow().ledger().logOf(second.id())).anyMatch(l -> l.startsWith("upload.reused file-1"));
    }
    assertThat(fake.calls(Op.UPLOAD)).isEqualTo(1);
    assertThat(fake.jobCount()).isEqualTo(2);
  }

  @Test
  void runKilledAfterSubmitResumesTheSameJobWithoutUploadingAgain() {
    String runId;
    try (Tunekit tk = open()) {
      runId = tk.fineTune().model("m").trainingData(train).start().id();
    }
    try (Tunekit tk = open()) {
      Run run = tk.resume(runId);
      RunResult result = run.await();
      assertThat(result.succeeded()).isTrue();
      assertThat(result.job()).map(RemoteJob::id).contains("ftjob-1");
    }
    assertThat(fake.calls(Op.UPLOAD)).isEqualTo(1);
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void crashBetweenJobCreationAndLedgerWriteIsReconciledOnResume() {
    fake.commitThenFail(Op.CREATE_JOB, new IllegalStateException("simulated crash after the provider created the job"));
    String runId;
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start())
          .hasMessageContaining("simulated crash");
      RunInfo info = tk.runs().get(0);
      runId = info.id();
      assertThat(info.jobId()).isEmpty();
      assertThat(info.state()).isEqualTo(RunState.UPLOADED);
    }
    try (Tunekit tk = open()) {
      Run run = tk.resume(runId);
      assertThat(run.info().jobId()).contains("ftjob-1");
      assertThat(tk.workflow().ledger().logOf(runId)).anyMatch(l -> l.contains("found after an interrupted attempt"));
    }
    assertThat(fake.calls(Op.FIND_JOB)).isEqualTo(1);
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void createThatCommitsThenTimesOutLeavesExactlyOneJob() {
    fake.commitThenFail(Op.CREATE_JOB, FakeProvider.timeoutAfterSend());
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      assertThat(run.info().jobId()).contains("ftjob-1");
    }
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
    assertThat(fake.calls(Op.FIND_JOB)).isEqualTo(1);
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void createThatTimesOutBeforeReachingTheProviderIsCheckedThenRetried() {
    fake.failNext(Op.CREATE_JOB, FakeProvider.timeoutAfterSend());
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      assertThat(run.info().jobId()).contains("ftjob-1");
    }
    assertThat(fake.calls(Op.FIND_JOB)).isEqualTo(1);
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(2);
    assertThat(fake.jobCount()).isEqualTo(1);
  }

  @Test
  void uploadThatCommitsThenTimesOutIsFoundInsteadOfUploadedAgain() {
    fake.commitThenFail(Op.UPLOAD, FakeProvider.timeoutAfterSend());
    try (Tunekit tk = open()) {
      tk.fineTune().model("m").trainingData(train).start();
    }
    assertThat(fake.calls(Op.UPLOAD)).isEqualTo(1);
    assertThat(fake.calls(Op.FIND_FILE)).isEqualTo(1);
    assertThat(fake.fileCount()).isEqualTo(1);
  }

  @Test
  void twoInstancesResumingOneRunConcurrentlySubmitOnce() throws Exception {
    fake.failNext(Op.CREATE_JOB, FakeProvider.http(400));
    String runId;
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start())
          .isInstanceOf(ProviderException.class);
      runId = tk.runs().get(0).id();
    }
    // Whoever claims the submission blocks inside createJob until the other one has found it busy.
    java.util.concurrent.CountDownLatch otherWaited = new java.util.concurrent.CountDownLatch(1);
    fake.onCreateJob(() -> {
      try {
        otherWaited.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Sleeper ledgerWait = d -> {
      otherWaited.countDown();
      Thread.sleep(2);
    };
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try (Tunekit a = Fixtures.builder(dir, instance, clock, ledgerWait).leases(java.time.Duration.ofMinutes(30),
            java.time.Duration.ofMillis(2)).build();
        Tunekit b = Fixtures.builder(dir, instance, clock, ledgerWait).leases(java.time.Duration.ofMinutes(30),
            java.time.Duration.ofMillis(2)).build()) {
      var fa = pool.submit(() -> a.resume(runId).info().jobId().orElseThrow());
      var fb = pool.submit(() -> b.resume(runId).info().jobId().orElseThrow());
      assertThat(fa.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("ftjob-1");
      assertThat(fb.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("ftjob-1");
    } finally {
      pool.shutdownNow();
    }
    assertThat(otherWaited.getCount()).isZero();
    assertThat(fake.jobCount()).isEqualTo(1);
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(2); // the refused 400, then exactly one real creation
  }

  @Test
  void twoRunsOfOneInstanceStartedTogetherOnTheSameDataUploadItOnce() throws Exception {
    java.util.concurrent.CountDownLatch otherWaited = new java.util.concurrent.CountDownLatch(1);
    fake.onUpload(() -> {
      try {
        otherWaited.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Sleeper ledgerWait = d -> {
      otherWaited.countDown();
      Thread.sleep(2);
    };
    try (Tunekit tk = Fixtures.builder(dir, instance, clock, ledgerWait)
        .leases(java.time.Duration.ofMinutes(30), java.time.Duration.ofMillis(2)).build()) {
      var first = tk.fineTune().model("m").trainingData(train).startAsync();
      var second = tk.fineTune().model("m").trainingData(train).startAsync();
      assertThat(first.get(20, java.util.concurrent.TimeUnit.SECONDS).state()).isEqualTo(RunState.SUBMITTED);
      assertThat(second.get(20, java.util.concurrent.TimeUnit.SECONDS).state()).isEqualTo(RunState.SUBMITTED);
    }
    assertThat(otherWaited.getCount()).isZero();
    assertThat(fake.calls(Op.UPLOAD)).isEqualTo(1);
    assertThat(fake.jobCount()).isEqualTo(2);
  }

  @Test
  void ledgerFileIsOwnerOnly() throws Exception {
    try (Tunekit tk = open()) {
      tk.fineTune().model("m").trainingData(train).start();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tk.ledger()))).isEqualTo("rw-------");
      Path wal = Path.of(tk.ledger() + "-wal");
      assertThat(wal).exists(); // SQLite gives its journal the database file's mode
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(wal))).isEqualTo("rw-------");
    }
  }

  @Test
  void cancellingBeforeSubmissionMeansTheJobIsNeverSubmitted() {
    fake.failNext(Op.CREATE_JOB, FakeProvider.http(400));
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start());
      String runId = tk.runs().get(0).id();
      assertThat(tk.run(runId).cancel()).isEqualTo(RunState.CANCELLED);
      Run resumed = tk.resume(runId);
      assertThat(resumed.state()).isEqualTo(RunState.CANCELLED);
      assertThat(resumed.await().state()).isEqualTo(RunState.CANCELLED);
    }
    assertThat(fake.jobCount()).isZero();
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
  }

  @Test
  void cancelAfterSubmissionCancelsTheRemoteJob() {
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      assertThat(run.cancel()).isEqualTo(RunState.CANCELLED);
      RunResult r = run.await();
      assertThat(r.state()).isEqualTo(RunState.CANCELLED);
      assertThatThrownBy(r::orThrow).hasMessageContaining("cancelled");
    }
    assertThat(fake.calls(Op.CANCEL)).isEqualTo(1);
  }

  @Test
  void awaitGivesUpAfterTheTimeoutAndTheRunStaysResumable() {
    fake.script(new JobStatus.Running("running"));
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      assertThatThrownBy(run::await).isInstanceOfSatisfying(AwaitTimeoutException.class, e -> {
        assertThat(e.runId()).isEqualTo(run.id());
        assertThat(e.getMessage()).contains("tk.resume(\"" + run.id() + "\")");
      });
      assertThat(sleeper.total()).isEqualTo(java.time.Duration.ofHours(1));
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
    }
  }

  @Test
  void unknownRunIdSaysHowToListRuns() {
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.resume("run-nope")).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("tk.runs()");
    }
  }

  @Test
  void startAsyncAndAwaitAsyncComplete() throws Exception {
    try (Tunekit tk = open()) {
      RunResult r = tk.fineTune().model("m").trainingData(train).startAsync()
          .thenCompose(run -> run.awaitAsync(RunListener.none()))
          .get(20, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(r.succeeded()).isTrue();
    }
  }
}
