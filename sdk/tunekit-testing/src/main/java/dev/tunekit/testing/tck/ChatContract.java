package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.model.ChatResponse;
import dev.tunekit.spi.Chat;
import org.junit.jupiter.api.Test;

/** Rules for the {@link Chat} capability. */
public interface ChatContract extends CapabilityContract {

  /**
   * A chat request gets an answer with the model that answered and token counts that are not made up.
   * If this fails, check how the provider reads the completion's content, model and usage (a missing
   * usage must be -1, never 0 or a guess).
   */
  @Test
  default void optional_chat_answersWithContentAndModel() {
    Chat chat = require(Chat.class);
    ChatResponse r = chat.chat(TckValues.chat(fixture().chatModel(), "Say hello."));
    assertThat(r.content()).as("chat content").isNotNull();
    assertThat(r.model()).as("the model that answered").isNotBlank();
    assertThat(r.finishReason()).as("finish reason").isNotBlank();
    assertThat(r.inputTokens()).as("input tokens (-1 when unknown)").isGreaterThanOrEqualTo(-1);
    assertThat(r.outputTokens()).as("output tokens (-1 when unknown)").isGreaterThanOrEqualTo(-1);
  }
}
