package dev.tunekit.together;

import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Checkpoints;
import dev.tunekit.spi.ModelDownloads;
import dev.tunekit.spi.PriceQuotes;
import dev.tunekit.spi.StartFromCheckpoint;
import dev.tunekit.testing.tck.ChatContract;
import dev.tunekit.testing.tck.CheckpointsContract;
import dev.tunekit.testing.tck.DeploymentsContract;
import dev.tunekit.testing.tck.ModelDownloadsContract;
import dev.tunekit.testing.tck.PauseResumeContract;
import dev.tunekit.testing.tck.PriceQuotesContract;
import dev.tunekit.testing.tck.ProviderFixture;
import dev.tunekit.testing.tck.StartFromCheckpointContract;
import dev.tunekit.testing.tck.TuningProviderContract;
import dev.tunekit.testing.tck.WebhookVerificationContract;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * Provider {@code together} keeps the provider contract against WireMock speaking Together's documented shapes,
 * with Chat (OpenAI-compatible {@code /chat/completions}) and Checkpoints ({@code GET /fine-tunes/{id}/checkpoints}).
 * Tunekit does not yet deploy Together models to dedicated endpoints or receive webhooks (Together sends none), so
 * those contracts are skipped by name; Together cannot pause a job. PriceQuotes ({@code estimate-price}),
 * StartFromCheckpoint ({@code from_checkpoint}) and ModelDownloads ({@code /finetune/download}) are declared and
 * under their contracts; TogetherRunOptionsTest and TogetherDownloadTest cover them further.
 */
class TogetherTckTest extends TuningProviderContract implements ChatContract, DeploymentsContract, PauseResumeContract,
    CheckpointsContract, WebhookVerificationContract, PriceQuotesContract, StartFromCheckpointContract,
    ModelDownloadsContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new TogetherTckFixture(dir);
  }

  @AfterAll
  static void stopFakes() {
    TogetherTckFixture.SHARED.close();
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(Chat.class, Checkpoints.class, PriceQuotes.class, StartFromCheckpoint.class, ModelDownloads.class);
  }
}
