package dev.tunekit.http;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.HttpFailures;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Chat on a provider's OpenAI-compatible inference endpoint through openai-java: a {@link ChatRequest} becomes the
 * {@code POST /chat/completions} parameters (system, user and assistant messages, temperature, seed, max tokens)
 * and the first choice becomes a {@link ChatResponse}. The client is built on the first call with no retries of
 * its own (the core's is the one retry layer). Failures are translated by the provider's {@link ProviderErrors};
 * a chat is a read, so never outcome-unknown. A key the server echoes back is redacted, and a cause whose message
 * holds it is dropped.
 */
public final class OpenAiChat implements AutoCloseable {
  private final ProviderErrors errors;
  private final String displayName;
  private final Supplier<String> baseUrl;
  private final Supplier<Secret> apiKey;
  private final Duration timeout;
  private OpenAIClient client;

  /**
   * @param errors the provider's error translation
   * @param displayName the provider as a message names it, such as {@code Together}
   * @param baseUrl the inference base, such as {@code https://api.together.xyz/v1}, read on the first call
   * @param apiKey the key, read on the first call (so a missing key fails the call, not the constructor)
   * @param timeout each call's timeout
   */
  public OpenAiChat(ProviderErrors errors, String displayName, Supplier<String> baseUrl, Supplier<Secret> apiKey,
      Duration timeout) {
    this.errors = errors;
    this.displayName = displayName;
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
    this.timeout = timeout;
  }

  private synchronized OpenAIClient client() {
    if (client == null) {
      client = OpenAIOkHttpClient.builder().baseUrl(baseUrl.get()).apiKey(apiKey.get().reveal())
          // One retry layer: the core's. openai-java must make exactly one attempt.
          .maxRetries(0).timeout(timeout).build();
    }
    return client;
  }

  /**
   * {@code POST /chat/completions} for {@code request}, sent with {@code wireModel} as the model (the provider's
   * full name for the request's model); the response names the request's model.
   */
  public ChatResponse chat(ChatRequest request, String wireModel) {
    if (request.messages().isEmpty()) {
      throw new InvalidInputException("a chat request needs at least one message");
    }
    ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(wireModel);
    for (ChatMessage m : request.messages()) {
      switch (m.role()) {
        case "system" -> b.addSystemMessage(m.content());
        case "user" -> b.addUserMessage(m.content());
        case "assistant" -> b.addAssistantMessage(m.content());
        default -> throw new InvalidInputException("chat message role '" + m.role() + "' is not supported on "
            + displayName + "; use system, user or assistant");
      }
    }
    request.temperature().ifPresent(b::temperature);
    request.seed().ifPresent(b::seed);
    request.maxTokens().ifPresent(n -> b.maxTokens((long) n));
    ChatCompletionCreateParams params = b.build();
    String op = "POST /chat/completions for " + wireModel;
    ChatCompletion c;
    try {
      c = client().chat().completions().create(params);
    } catch (RuntimeException e) {
      throw failure(op, e);
    }
    List<ChatCompletion.Choice> choices = c._choices().asKnown().orElse(List.of());
    if (choices.isEmpty()) {
      throw ProviderException.builder(errors.provider(), op + " returned no choices").retryable(false).build();
    }
    ChatCompletion.Choice first = choices.get(0);
    String content = first.message().content().orElse("");
    String finish = first._finishReason().asKnown().map(ChatCompletion.Choice.FinishReason::asString)
        .or(() -> first._finishReason().asString()).orElse("unknown");
    long in = c.usage().map(u -> u._promptTokens().asKnown().orElse(-1L)).orElse(-1L);
    long out = c.usage().map(u -> u._completionTokens().asKnown().orElse(-1L)).orElse(-1L);
    return new ChatResponse(request.model(), content, finish, in, out);
  }

  /** An openai-java failure on a chat call as a Tunekit exception (a read: never outcome-unknown). */
  RuntimeException failure(String op, RuntimeException e) {
    if (e instanceof TunekitException te) {
      return te;
    }
    Secret key = keyOrEmpty();
    if (e instanceof OpenAIServiceException s) {
      Optional<Duration> after = s.headers().values("retry-after").stream().findFirst()
          .flatMap(HttpFailures::retryAfter);
      return errors.http(op, false, s.statusCode(), key.redact(s.body() == null ? null : s.body().toString()), after);
    }
    if (e instanceof OpenAIIoException) {
      return errors.network(op, false, e);
    }
    String m = e.getMessage();
    ProviderException.Builder b = ProviderException.builder(errors.provider(), op + " failed: "
        + e.getClass().getSimpleName() + (m == null ? "" : ": " + key.redact(m))).retryable(false);
    return (key.isIn(m) ? b : b.cause(e)).build();
  }

  private Secret keyOrEmpty() {
    try {
      return apiKey.get();
    } catch (RuntimeException missing) {
      return Secret.of("");
    }
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "OpenAiChat{" + errors.provider() + "}";
  }
}
