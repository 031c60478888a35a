package dev.tunekit.local;

import dev.tunekit.spi.Capability;
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
 * Provider {@code openai-compatible} keeps the provider contract against the real local server. No capability is
 * exposed through {@code capability()} yet; after SPI v2 declare PauseResume (the fixture drives the
 * server's pause/resume) and Chat and Checkpoints once the fixture scripts a chat model and a
 * checkpointing trainer.
 */
class OpenAiCompatibleTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract,
    PauseResumeContract, CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new LocalTckFixture(dir, false);
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of();
  }
}
