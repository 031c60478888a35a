package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.UnsupportedCapabilityException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.testing.FakeProvider.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The core asks for capabilities before it relies on them, and says clearly when one is missing. */
class ProviderCapabilitiesTest extends FakeProviderTest {

  @Test
  void withoutDeploymentsATunedModelIsServedAsItIsAndNothingIsDeployed() {
    fake.without(Deployments.class);
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).start();
      run.await();

      Deployment d = run.deploy();

      assertThat(d).isEqualTo(Deployment.immediate(run.fineTunedModel().orElseThrow()));
      assertThat(fake.calls(Op.DEPLOY)).isZero();
      assertThat(fake.calls(Op.DEPLOYMENT)).isZero();
    }
  }

  @Test
  void withDeploymentsTheProvidersDeployIsCalledThroughTheRetryLayer() {
    fake.failNext(Op.DEPLOY, dev.tunekit.testing.FakeProvider.http(503));
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).start();
      run.await();

      assertThat(run.deploy().state()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(fake.calls(Op.DEPLOY)).isEqualTo(2); // the 503 was retried
    }
  }

  @Test
  void chatOnAProviderWithoutChatFailsNamingTheProviderAndTheCapability() {
    fake.without(Chat.class);
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.chat("gpt-4o-mini", List.of(ChatMessage.user("hi"))))
          .isInstanceOf(UnsupportedCapabilityException.class)
          .hasMessage("Provider fake does not support Chat: cannot chat with model gpt-4o-mini. Choose a provider"
              + " that supports Chat, or leave out the step that needs it.");
      assertThatThrownBy(() -> tk.chatModel("ft:x")).isInstanceOf(UnsupportedCapabilityException.class)
          .hasMessageContaining("cannot chat with model ft:x");
      assertThat(fake.calls(Op.CHAT)).isZero();
    }
  }
}
