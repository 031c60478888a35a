package dev.tunekit.model;

/**
 * Anything that answers a chat request: a provider, a tuned model, or a JShell lambda in a test.
 * Evaluation targets are built from these.
 */
@FunctionalInterface
public interface ChatModel {

  /** One chat completion. */
  ChatResponse chat(ChatRequest request);
}
