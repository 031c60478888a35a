/**
 * The Fireworks AI provider ({@code provider: fireworks}): supervised LoRA fine-tuning of open-weight models through
 * Fireworks' control-plane REST API (tunekit-http's {@link dev.tunekit.http.JsonHttpApi}, the JDK's HttpClient with Jackson:
 * Fireworks publishes no Java SDK), dedicated deployments of the tuned model, and chat through its OpenAI-compatible
 * inference (openai-java). Nothing here is API: users reach it through {@code tunekit.yaml} and the neutral
 * {@code dev.tunekit} types.
 */
package dev.tunekit.fireworks;
