package dev.tunekit.fireworks;

import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.Resumable;
import dev.tunekit.spi.StartFromCheckpoint;
import dev.tunekit.testing.tck.ChatContract;
import dev.tunekit.testing.tck.CheckpointsContract;
import dev.tunekit.testing.tck.DeploymentsContract;
import dev.tunekit.testing.tck.PauseResumeContract;
import dev.tunekit.testing.tck.ProviderFixture;
import dev.tunekit.testing.tck.StartFromCheckpointContract;
import dev.tunekit.testing.tck.TuningProviderContract;
import dev.tunekit.testing.tck.WebhookVerificationContract;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * Provider {@code fireworks} keeps the provider contract against WireMock speaking Fireworks' documented shapes,
 * with Chat (OpenAI-compatible {@code /inference/v1/chat/completions}), Deployments (a tuned LoRA model is
 * served only from a dedicated deployment), Resumable ({@code :resume}; the PauseResume contract's resume rule) and
 * StartFromCheckpoint ({@code warmStartFrom}).
 * Fireworks has no pause call for a supervised job (it pauses jobs itself), Tunekit does not list checkpoints, and
 * Fireworks sends no fine-tuning webhooks, so those rules are skipped by name.
 */
class FireworksTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract, StartFromCheckpointContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new FireworksTckFixture(dir);
  }

  @AfterAll
  static void stopFakes() {
    FireworksTckFixture.SHARED.close();
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(Chat.class, Deployments.class, Resumable.class, StartFromCheckpoint.class);
  }
}
