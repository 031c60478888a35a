package com.example.acme;

import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Checkpoints;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.WebhookVerification;
import dev.tunekit.testing.tck.ChatContract;
import dev.tunekit.testing.tck.CheckpointsContract;
import dev.tunekit.testing.tck.DeploymentsContract;
import dev.tunekit.testing.tck.PauseResumeContract;
import dev.tunekit.testing.tck.ProviderFixture;
import dev.tunekit.testing.tck.TuningProviderContract;
import dev.tunekit.testing.tck.WebhookVerificationContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The third-party provider passes the whole contract, every capability included. */
class AcmeTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new AcmeFixture(dir);
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(Chat.class, Deployments.class, PauseResume.class, Checkpoints.class, WebhookVerification.class);
  }

  /** Scripts an {@link AcmeServer}; the provider comes from the ServiceLoader-registered factory. */
  static final class AcmeFixture implements ProviderFixture {
    final String id = "acme-tck-" + UUID.randomUUID();
    final AcmeServer server = AcmeServer.register(id, new AcmeServer(3));
    final Path dir;

    AcmeFixture(Path dir) {
      this.dir = dir;
    }

    @Override
    public TuningProvider provider() {
      return new AcmeProviderFactory().create(ProviderSettings.of("thirdparty", "AcmeTckTest", dir, Map.of("server", id)));
    }

    @Override
    public String baseModel() {
      return "acme-base";
    }

    @Override
    public void nextUploadCommitsThenDropsConnection(FileUpload upload) {
      server.commitThenDropNext(AcmeServer.Op.UPLOAD);
    }

    @Override
    public void nextCreateCommitsThenDropsConnection(JobRequest request) {
      server.commitThenDropNext(AcmeServer.Op.CREATE);
    }

    @Override
    public Map<String, Class<? extends JobStatus>> rawStatuses() {
      Map<String, Class<? extends JobStatus>> m = new LinkedHashMap<>();
      m.put("PENDING", JobStatus.Queued.class);
      m.put("TRAINING", JobStatus.Running.class);
      m.put("HALTED", JobStatus.Paused.class);
      m.put("DONE", JobStatus.Succeeded.class);
      m.put("ERROR", JobStatus.Failed.class);
      m.put("CANCELED", JobStatus.Cancelled.class);
      return m;
    }

    @Override
    public String unknownRawStatus() {
      return "RETRAINING_ON_MARS";
    }

    @Override
    public String jobReporting(String rawStatus) {
      return server.jobIn(rawStatus);
    }

    @Override
    public String runningJob() {
      return server.jobIn("TRAINING");
    }

    @Override
    public String succeededJob() {
      return server.jobIn("DONE");
    }

    @Override
    public String jobWithHistory() {
      String job = server.jobIn("TRAINING");
      server.step(job);
      return job;
    }

    @Override
    public void appendHistory(String jobId) {
      server.step(jobId);
    }

    @Override
    public String chatModel() {
      return "acme-base";
    }

    @Override
    public String deployableModel() {
      return AcmeProvider.TUNED_PREFIX + "acme-job-1";
    }

    @Override
    public String jobWithCheckpoints() {
      String job = server.jobIn("DONE");
      server.step(job);
      server.step(job);
      return job;
    }

    @Override
    public SignedDelivery signedWebhook(String jobId) {
      Instant now = Instant.parse("2026-11-01T10:00:00Z");
      String ts = Long.toString(now.getEpochSecond());
      byte[] body = ("{\"type\":\"job.updated\",\"job\":\"" + jobId + "\"}").getBytes(StandardCharsets.UTF_8);
      return new SignedDelivery(Map.of("acme-delivery", "dlv-1", "acme-timestamp", ts,
          "acme-signature", AcmeProvider.sign(server.webhookSecret, "dlv-1", ts, body)), body, now);
    }

    @Override
    public void close() {
      AcmeServer.unregister(id);
    }
  }
}
