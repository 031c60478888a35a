package dev.tunekit.kubeflow;

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
 * Provider {@code kubeflow} keeps the provider contract against fabric8's Kubernetes mock server in CRUD mode. Without
 * {@code servingUrl} it offers no chat (covered by tunekit-ray's run of the same OpenAiChat); Kubeflow has no pause
 * Tunekit drives, checkpoints are events from the log, adapters are loaded by the serving engine, and there are no
 * webhooks: those contracts are skipped by name.
 */
class KubeflowTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new KubeflowTckFixture(dir);
  }

  @AfterAll
  static void stopFakes() {
    KubeflowTckFixture.SHARED.close();
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of();
  }
}
