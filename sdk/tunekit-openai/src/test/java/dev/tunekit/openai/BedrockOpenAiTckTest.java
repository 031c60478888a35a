package dev.tunekit.openai;

import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Checkpoints;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.testing.tck.ChatContract;
import dev.tunekit.testing.tck.CheckpointsContract;
import dev.tunekit.testing.tck.PauseResumeContract;
import dev.tunekit.testing.tck.ProviderFixture;
import dev.tunekit.testing.tck.TuningProviderContract;
import java.nio.file.Path;
import java.util.Set;

/**
 * Provider {@code bedrock-openai} (Bedrock's OpenAI-compatible fine-tuning API) keeps the provider contract
 * against a WireMock speaking the OpenAI shapes it documents, with Chat, PauseResume and Checkpoints
 * declared: uploads and job creates that commit and then lose their connection are found again, never
 * repeated. It has no Deployments (a tuned model is served as it is) and no webhooks.
 */
class BedrockOpenAiTckTest extends TuningProviderContract implements ChatContract, PauseResumeContract,
    CheckpointsContract {

  @Override
  protected ProviderFixture createFixture(Path dir) {
    return new OpenAiTckFixture("bedrock-openai");
  }

  @Override
  protected Set<Class<? extends Capability>> declaredCapabilities() {
    return Set.of(Chat.class, PauseResume.class, Checkpoints.class);
  }
}
