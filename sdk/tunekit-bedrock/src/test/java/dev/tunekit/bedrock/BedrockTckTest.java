package dev.tunekit.bedrock;

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
import org.junit.jupiter.api.AfterAll;

/**
 * Provider {@code bedrock} keeps the provider contract against its loopback AWS (S3Proxy and WireMock).
 * No capability is exposed through {@code capability()} yet; after SPI v2 declare Chat (Converse) and
 * Deployments (custom model deployments), which the fixture already scripts.
 */
class BedrockTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) throws Exception {
    return new BedrockTckFixture(dir);
  }

  @AfterAll
  static void stopLoopbackAws() throws Exception {
    BedrockTckFixture.closeShared();
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of();
  }
}
