/**
 * Support for provider modules whose backend publishes no Java SDK (Together AI, Fireworks AI): {@link
 * dev.tunekit.http.JsonHttpApi}, JSON and multipart calls over the JDK's HttpClient with one attempt per call;
 * {@link dev.tunekit.http.ProviderErrors}, the translation of their answers into Tunekit exceptions (through
 * {@link dev.tunekit.spi.HttpFailures}); {@link dev.tunekit.http.OpenAiChat}, chat on an OpenAI-compatible
 * inference endpoint through openai-java; and {@link dev.tunekit.http.VllmServer}, a vLLM server as the serving
 * target of LoRA adapters (runtime load and unload, chat), for any engine that trains them. A key a server echoes
 * back is redacted from every message. Like a provider
 * module, it uses only Tunekit's {@code spi}, {@code model} and {@code error} packages; it is not an API for users.
 */
package dev.tunekit.http;
