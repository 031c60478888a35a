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
 * Provider {@code openai} keeps the provider contract against its WireMock API. It declares the
 * capabilities it exposes through {@code capability()} today: none yet (chat, pause/resume and
 * checkpoints are still plain TuningProvider methods until SPI v2 lands; then declare Chat,
 * PauseResume and Checkpoints here, which the fixture already scripts).
 */
class OpenAiTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new OpenAiTckFixture("openai");
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of();
  }
}
