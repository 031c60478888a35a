package dev.tunekit.openai;

import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Deployments;
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
 * Provider {@code azure} keeps the provider contract against a WireMock Azure OpenAI v1 data plane
 * ({@code /openai/v1}) and Azure Resource Manager's deployments API on the same server, with Chat,
 * Deployments (through ARM), PauseResume and Checkpoints declared, and no exclusion.
 */
class AzureTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new OpenAiTckFixture("azure");
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(Chat.class, Deployments.class, PauseResume.class, Checkpoints.class);
  }
}
