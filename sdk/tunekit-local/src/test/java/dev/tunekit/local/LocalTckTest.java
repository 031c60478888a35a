package dev.tunekit.local;

import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Checkpoints;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.testing.tck.ChatContract;
import dev.tunekit.testing.tck.CheckpointsContract;
import dev.tunekit.testing.tck.DeploymentsContract;
import dev.tunekit.testing.tck.PauseResumeContract;
import dev.tunekit.testing.tck.ProviderFixture;
import dev.tunekit.testing.tck.TuningProviderContract;
import dev.tunekit.testing.tck.WebhookVerificationContract;
import java.nio.file.Path;
import java.util.Set;

/**
 * Provider {@code local} keeps the provider contract against the real local server, with the
 * capabilities it exposes through {@code capability()}: Chat (the server's exemplar base model),
 * PauseResume (the server's pause and resume) and Checkpoints (a scripted trainer that saves checkpoints
 * through the server). No Deployments (a tuned model is served as soon as it is trained) and no
 * webhooks, so those contracts are skipped by name.
 */
class LocalTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract,
    PauseResumeContract, CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new LocalTckFixture(dir, true);
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(Chat.class, PauseResume.class, Checkpoints.class);
  }
}
