package com.example.acme;

import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.testing.FakeProvider;
import dev.tunekit.testing.FakeProvider.Op;
import dev.tunekit.testing.tck.ChatContract;
import dev.tunekit.testing.tck.CheckpointsContract;
import dev.tunekit.testing.tck.DeploymentsContract;
import dev.tunekit.testing.tck.PauseResumeContract;
import dev.tunekit.testing.tck.ProviderFixture;
import dev.tunekit.testing.tck.WebhookVerificationContract;
import dev.tunekit.testing.tck.TuningProviderContract;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The test kit's own {@link FakeProvider} keeps the contract it checks others against. It declares no
 * capability, so each capability contract mixed in here is skipped, naming the capability.
 */
class FakeProviderTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract,
    PauseResumeContract, CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new FakeFixture(dir);
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(); // FakeProvider offers no capability interface yet (SPI v2 adds them)
  }

  /** Scripts the fake through its own knobs: job scripts and commit-then-fail. */
  static final class FakeFixture implements ProviderFixture {
    final FakeProvider fake = new FakeProvider();
    final Path dir;

    FakeFixture(Path dir) {
      this.dir = dir;
    }

    @Override
    public TuningProvider provider() {
      return fake;
    }

    @Override
    public String baseModel() {
      return "gpt-4o-mini-2024-07-18";
    }

    @Override
    public void nextUploadCommitsThenDropsConnection(FileUpload upload) {
      fake.commitThenFail(Op.UPLOAD, FakeProvider.timeoutAfterSend());
    }

    @Override
    public void nextCreateCommitsThenDropsConnection(JobRequest request) {
      fake.commitThenFail(Op.CREATE_JOB, FakeProvider.timeoutAfterSend());
    }

    private static final Map<String, JobStatus> STATUSES = statuses();

    private static Map<String, JobStatus> statuses() {
      Map<String, JobStatus> m = new LinkedHashMap<>();
      m.put("validating_files", new JobStatus.Validating("validating_files"));
      m.put("queued", new JobStatus.Queued("queued"));
      m.put("running", new JobStatus.Running("running"));
      m.put("paused", new JobStatus.Paused("paused"));
      m.put("succeeded", new JobStatus.Succeeded("succeeded", java.util.Optional.of("ft:fake:tck")));
      m.put("failed", new JobStatus.Failed("failed", "scripted failure", java.util.Optional.empty()));
      m.put("cancelled", new JobStatus.Cancelled("cancelled"));
      return m;
    }

    @Override
    public Map<String, Class<? extends JobStatus>> rawStatuses() {
      Map<String, Class<? extends JobStatus>> m = new LinkedHashMap<>();
      STATUSES.forEach((raw, s) -> m.put(raw, s.getClass()));
      return m;
    }

    @Override
    public String unknownRawStatus() {
      return "reticulating_splines";
    }

    @Override
    public String jobReporting(String rawStatus) {
      fake.script(STATUSES.getOrDefault(rawStatus, new JobStatus.Unknown(rawStatus)));
      return createdJob();
    }

    private String createdJob() {
      FileUpload upload = dev.tunekit.testing.tck.TckValues.chatUpload(fake, baseModel(),
          dir, "fake-" + System.nanoTime());
      String file = fake.upload(upload).id();
      return fake.createJob(dev.tunekit.testing.tck.TckValues.jobRequest(baseModel(), file)).id();
    }

    @Override
    public String runningJob() {
      return jobReporting("running");
    }

    @Override
    public String succeededJob() {
      return jobReporting("succeeded");
    }

    @Override
    public String jobWithHistory() {
      fake.script(new JobStatus.Running("running"), new JobStatus.Running("running"), new JobStatus.Running("running"),
          new JobStatus.Running("running"));
      String id = createdJob();
      fake.job(id); // first read: the state it was created in
      fake.job(id); // step 1: a metric and an event
      return id;
    }

    @Override
    public void appendHistory(String jobId) {
      fake.job(jobId);
    }
  }
}
