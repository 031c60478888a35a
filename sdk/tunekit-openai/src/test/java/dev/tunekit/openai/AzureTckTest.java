package dev.tunekit.openai;

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
 * Provider {@code azure} keeps the provider contract against a WireMock Azure OpenAI v1 data plane
 * ({@code /openai/v1}). No capability is exposed through {@code capability()} yet; after SPI v2 declare
 * Chat, PauseResume and Checkpoints (not Deployments: Azure deployments need the ARM control plane,
 * which the provider does not call yet).
 */
class AzureTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new OpenAiTckFixture("azure");
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of();
  }
}
