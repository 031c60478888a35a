package dev.tunekit.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A provider-neutral chat completion request, used for evaluation and smoke tests of a model.
 *
 * @param model the model id (base model, tuned model, or deployment name)
 * @param messages the conversation so far
 * @param temperature sampling temperature; evaluation uses 0 by default
 * @param maxTokens upper bound on generated tokens, if any
 * @param seed sampling seed, if the provider supports one
 */
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    Optional<Double> temperature,
    Optional<Integer> maxTokens,
    Optional<Long> seed) {

  /** Canonical constructor. */
  public ChatRequest {
    Objects.requireNonNull(model, "model");
    messages = List.copyOf(messages);
    Objects.requireNonNull(temperature, "temperature");
    Objects.requireNonNull(maxTokens, "maxTokens");
    Objects.requireNonNull(seed, "seed");
  }

  /** A deterministic request (temperature 0) with no token limit. */
  public static ChatRequest of(String model, List<ChatMessage> messages) {
    return new ChatRequest(model, messages, Optional.of(0.0), Optional.empty(), Optional.empty());
  }
}
