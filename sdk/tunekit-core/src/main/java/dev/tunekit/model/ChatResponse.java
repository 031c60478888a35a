package dev.tunekit.model;

import java.util.Objects;

/**
 * A provider-neutral chat completion.
 *
 * @param model the model that answered, as the provider reported it
 * @param content the assistant's reply text
 * @param finishReason why generation stopped ({@code stop}, {@code length}, ...)
 * @param inputTokens prompt tokens billed, or -1 if not reported
 * @param outputTokens completion tokens billed, or -1 if not reported
 */
public record ChatResponse(String model, String content, String finishReason, long inputTokens, long outputTokens) {
  /** Canonical constructor. */
  public ChatResponse {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(finishReason, "finishReason");
  }
}
