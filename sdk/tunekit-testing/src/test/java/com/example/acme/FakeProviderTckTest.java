package com.example.acme;

import dev.tunekit.model.JobStatus;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.WebhookVerification;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The test kit's own {@link FakeProvider} keeps the contract it checks others against, with the
 * capabilities it offers: Chat, Deployments and WebhookVerification (its webhook check is a fake of
 * OpenAI's signing, with the secret passed in the options). It has no pause/resume or checkpoints, so
 * those two contracts are skipped, naming the capability.
 */
public class FakeProviderTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract,
    PauseResumeContract, CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new FakeFixture(dir);
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(Chat.class, Deployments.class, WebhookVerification.class);
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

    @Override
    public String chatModel() {
      return baseModel();
    }

    @Override
    public String deployableModel() {
      return "ft:fake:tck";
    }

    private static final byte[] WEBHOOK_KEY = "fake-webhook-signing-key-32bytes".getBytes(StandardCharsets.UTF_8);

    /** Signed as OpenAI signs (the fake's scheme), with the secret passed in the options. */
    @Override
    public SignedDelivery signedWebhook(String jobId) {
      Instant now = Instant.parse("2026-11-01T10:00:00Z");
      byte[] body = ("{\"id\":\"evt_tck\",\"type\":\"fine_tuning.job.succeeded\",\"data\":{\"id\":\"" + jobId
          + "\"}}").getBytes(StandardCharsets.UTF_8);
      return new SignedDelivery(Map.of("webhook-id", "msg_tck", "webhook-timestamp",
          Long.toString(now.getEpochSecond()), "webhook-signature",
          FakeProvider.sign(WEBHOOK_KEY, "msg_tck", now.getEpochSecond(), body)), body, now,
          Optional.of(Secret.of("whsec_" + Base64.getEncoder().encodeToString(WEBHOOK_KEY))));
    }
  }
}
