package dev.tunekit.ray;

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
 * Provider {@code ray} keeps the provider contract against a WireMock dashboard speaking Ray's Jobs API, with Chat
 * through the OpenAI-compatible server named by {@code servingUrl}. Ray has no pause, Tunekit lists no checkpoints
 * (they are events from the log), a tuned adapter needs no deployment from this provider (the serving engine loads
 * it), and Ray sends no webhooks: those contracts are skipped by name.
 */
class RayTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new RayTckFixture(dir);
  }

  @AfterAll
  static void stopFakes() {
    RayTckFixture.SHARED.close();
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(Chat.class);
  }
}
