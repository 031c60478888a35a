/**
 * OpenAI, Azure OpenAI and OpenAI-compatible fine-tuning, on the official openai-java SDK. The only
 * public type is {@link dev.tunekit.openai.OpenAiProviderFactory}, found through
 * {@link java.util.ServiceLoader}; everything else is package-private and no SDK type crosses the
 * {@link dev.tunekit.spi.TuningProvider} boundary.
 *
 * <p>Retries: the SDK is built with {@code maxRetries(0)} (and its OkHttp client does not retry on
 * connection failure), so the core's resilience layer is the one retry layer. SDK failures become
 * {@link dev.tunekit.error.ProviderException}s that carry the status code, {@code x-request-id},
 * {@code retry-after-ms}/{@code Retry-After}, whether a retry may succeed, and whether the call may
 * have taken effect (5xx, timeouts, connection resets after sending) — which the core checks with
 * {@code findJob} (a {@code metadata[tunekit_idempotency_key]} lookup) before any second create.
 */
package dev.tunekit.openai;
