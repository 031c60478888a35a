package dev.tunekit.openai;

import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Checkpoints;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.spi.WebhookVerification;
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
 * Provider {@code openai} keeps the provider contract against its WireMock API, with every capability
 * it exposes through {@code capability()}: Chat, PauseResume, Checkpoints and WebhookVerification
 * (deliveries signed the Standard Webhooks way, checked by openai-java's verifier with the
 * {@code whsec_} secret from the provider's settings). No Deployments: OpenAI serves a tuned model at
 * once, so its contract is mixed in only to be skipped by name.
 */
class OpenAiTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new OpenAiTckFixture("openai");
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(Chat.class, PauseResume.class, Checkpoints.class, WebhookVerification.class);
  }
}
