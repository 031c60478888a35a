package dev.tunekit.vertex;

import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.testing.tck.ChatContract;
import dev.tunekit.testing.tck.CheckpointsContract;
import dev.tunekit.testing.tck.DeploymentsContract;
import dev.tunekit.testing.tck.PauseResumeContract;
import dev.tunekit.testing.tck.ProviderFixture;
import dev.tunekit.testing.tck.TuningProviderContract;
import dev.tunekit.testing.tck.WebhookVerificationContract;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * Provider {@code vertex} keeps the provider contract against WireMock (tuning REST) and Google's in-memory
 * Cloud Storage, with Chat ({@code generateContent}). It has no Deployments capability (the tuning job
 * creates the endpoint that serves the tuned model), and Tunekit does not pause, list checkpoints of, or
 * receive webhooks for Vertex jobs, so those contracts are skipped by name.
 */
class VertexTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new VertexTckFixture(dir);
  }

  @AfterAll
  static void stopFakes() {
    VertexTckFixture.SHARED.close();
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(Chat.class);
  }
}
