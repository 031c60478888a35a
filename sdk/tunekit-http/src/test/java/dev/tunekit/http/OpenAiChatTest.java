package dev.tunekit.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.Secret;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What needs no server: the error-body reader and the chat failures that are not HTTP answers. */
class OpenAiChatTest {
  static final ProviderErrors ERRORS = new ProviderErrors("acme", "Check the Acme key.");

  @Test
  void errorBodies_ofTheCommonShapes_giveTheirMessage_otherTextIsShownOnOneLine() {
    assertThat(ERRORS.message("{\"error\":{\"message\":\"bad model\",\"type\":\"invalid\"}}")).isEqualTo("bad model");
    assertThat(ERRORS.message("{\"code\":5,\"message\":\"not found\",\"details\":[]}")).isEqualTo("not found");
    assertThat(ERRORS.message("upstream\n  timed out")).isEqualTo("upstream timed out");
    assertThat(ERRORS.message("x".repeat(400))).hasSize(301).endsWith("…");
    assertThat(ERRORS.message(" ")).isEqualTo("(no message)");
  }

  @Test
  void aFailureWhoseMessageHoldsTheKey_isRedacted_andItsCauseDropped() {
    OpenAiChat chat = new OpenAiChat(ERRORS, "Acme", () -> "http://127.0.0.1:1/v1", () -> Secret.of("sk-acme-42"),
        Duration.ofSeconds(1));
    RuntimeException leaky = chat.failure("POST /chat/completions for m", new IllegalStateException("bad key sk-acme-42"));
    assertThat(leaky).isInstanceOf(ProviderException.class)
        .hasMessage("POST /chat/completions for m failed: IllegalStateException: bad key [redacted]").hasNoCause();
    RuntimeException plain = chat.failure("op", new IllegalStateException("boom"));
    assertThat(plain).hasCauseInstanceOf(IllegalStateException.class);
    InvalidInputException own = new InvalidInputException("no messages");
    assertThat(chat.failure("op", own)).isSameAs(own);
  }
}
