package dev.tunekit.eval;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A model an eval suite runs against: the base model with a prompt-engineered system prompt and
 * few-shot examples (the baseline), the tuned model, or another provider's model. Every target is a
 * {@link ChatModel} plus the messages put in front of each case, and the limits the runner keeps to.
 *
 * <pre>{@code
 * EvalTarget baseline = EvalTarget.of("baseline", provider, "base-model")
 *     .withSystemPrompt("Translate the request into the query DSL. Reply with the query only.")
 *     .withExample("shipped orders", "FIND orders WHERE status = \"shipped\"")
 *     .withRateLimit(500);
 * EvalTarget tuned = EvalTarget.of("tuned", provider, "tuned-model-id").withRateLimit(500);
 * }</pre>
 *
 * @param name the name shown in reports; unique among the targets compared
 * @param model the chat model that answers (a provider, a decorated provider, or a lambda)
 * @param modelId the model id put in each {@link ChatRequest}
 * @param preamble messages sent before each case's messages: system prompt, then few-shot examples
 * @param provider the rate-limit group: targets with the same provider share one rate limiter and
 *     bulkhead, and one completion-cache namespace; defaults to {@code name}
 * @param requestsPerMinute the most requests per minute sent to {@code provider}; 0 for no limit
 * @param maxConcurrentCalls the most calls in flight at once to {@code provider}
 * @param rateLimitRetries how many times the runner re-sends a call that failed with
 *     {@link dev.tunekit.error.RateLimitedException}, after waiting its {@code retryAfter}. Keep 0 (the
 *     default) when {@code model} already goes through Tunekit's resilience layer, which retries;
 *     set it only for a raw model with no retry of its own (see {@link EvalRunner})
 */
public record EvalTarget(
    String name,
    ChatModel model,
    String modelId,
    List<ChatMessage> preamble,
    String provider,
    int requestsPerMinute,
    int maxConcurrentCalls,
    int rateLimitRetries) {

  /** Canonical constructor: checks names and limits. */
  public EvalTarget {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(provider, "provider");
    preamble = List.copyOf(preamble);
    if (name.isBlank() || provider.isBlank() || modelId.isBlank()) {
      throw new InvalidInputException("an eval target needs a non-blank name, modelId and provider");
    }
    if (requestsPerMinute < 0) {
      throw new InvalidInputException("requestsPerMinute must be 0 (no limit) or positive, got " + requestsPerMinute);
    }
    if (maxConcurrentCalls < 1) {
      throw new InvalidInputException("maxConcurrentCalls must be at least 1, got " + maxConcurrentCalls);
    }
    if (rateLimitRetries < 0) {
      throw new InvalidInputException("rateLimitRetries must be 0 or more, got " + rateLimitRetries);
    }
  }

  /** A target with no preamble, no rate limit, 4 concurrent calls and no 429 re-sends. */
  public static EvalTarget of(String name, ChatModel model, String modelId) {
    return new EvalTarget(name, model, modelId, List.of(), name, 0, 4, 0);
  }

  /** A copy whose first message is this system prompt (replacing an earlier one). */
  public EvalTarget withSystemPrompt(String systemPrompt) {
    List<ChatMessage> p = new ArrayList<>(preamble);
    if (!p.isEmpty() && p.get(0).role().equals("system")) {
      p.set(0, ChatMessage.system(systemPrompt));
    } else {
      p.add(0, ChatMessage.system(systemPrompt));
    }
    return new EvalTarget(name, model, modelId, p, provider, requestsPerMinute, maxConcurrentCalls, rateLimitRetries);
  }

  /** A copy with one more few-shot example (a user turn and the ideal assistant reply). */
  public EvalTarget withExample(String user, String assistant) {
    List<ChatMessage> p = new ArrayList<>(preamble);
    p.add(ChatMessage.user(user));
    p.add(ChatMessage.assistant(assistant));
    return new EvalTarget(name, model, modelId, p, provider, requestsPerMinute, maxConcurrentCalls, rateLimitRetries);
  }

  /** A copy in the rate-limit group {@code provider} (shared limiter, bulkhead and cache namespace). */
  public EvalTarget withProvider(String provider) {
    return new EvalTarget(name, model, modelId, preamble, provider, requestsPerMinute, maxConcurrentCalls, rateLimitRetries);
  }

  /** A copy limited to {@code requestsPerMinute} (0: no limit). */
  public EvalTarget withRateLimit(int requestsPerMinute) {
    return new EvalTarget(name, model, modelId, preamble, provider, requestsPerMinute, maxConcurrentCalls, rateLimitRetries);
  }

  /** A copy with at most {@code maxConcurrentCalls} calls in flight. */
  public EvalTarget withMaxConcurrentCalls(int maxConcurrentCalls) {
    return new EvalTarget(name, model, modelId, preamble, provider, requestsPerMinute, maxConcurrentCalls, rateLimitRetries);
  }

  /**
   * A copy that re-sends a call rejected with {@link dev.tunekit.error.RateLimitedException} up to
   * {@code retries} times, after its {@code retryAfter}. Only for a raw model with no retry layer.
   */
  public EvalTarget withRateLimitRetries(int retries) {
    return new EvalTarget(name, model, modelId, preamble, provider, requestsPerMinute, maxConcurrentCalls, retries);
  }

  /**
   * The request for one case: the preamble, then the case's messages, at temperature 0. When both
   * the preamble and the case start with a system message, the preamble's replaces the case's, so a
   * baseline's engineered prompt stands in for the system prompt the tuned model was trained with.
   */
  public ChatRequest request(EvalCase testCase) {
    List<ChatMessage> messages = new ArrayList<>(preamble);
    List<ChatMessage> input = testCase.messages();
    if (!preamble.isEmpty() && preamble.get(0).role().equals("system")
        && input.get(0).role().equals("system")) {
      // The target's own system prompt (a prompt-engineered baseline) replaces the case's.
      input = input.subList(1, input.size());
    }
    messages.addAll(input);
    return ChatRequest.of(modelId, messages);
  }

  @Override
  public String toString() {
    return "EvalTarget[" + name + ", model=" + modelId + ", provider=" + provider
        + ", rpm=" + (requestsPerMinute == 0 ? "unlimited" : requestsPerMinute)
        + ", concurrency=" + maxConcurrentCalls + "]";
  }
}
