package dev.tunekit.model;

import java.util.Objects;

/**
 * One chat message in a provider-neutral request or dataset example.
 *
 * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content the text
 */
public record ChatMessage(String role, String content) {
  /** Canonical constructor. */
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  /** A system message. */
  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  /** A user message. */
  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  /** An assistant message. */
  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }
}
