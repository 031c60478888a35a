/**
 * The Together AI provider ({@code provider: together}): LoRA and full fine-tuning of open-weight models through
 * Together's own fine-tuning REST API ({@link dev.tunekit.together.TogetherApi} over tunekit-http's JSON client:
 * Together publishes no Java SDK), chat on the tuned model through its OpenAI-compatible inference (openai-java).
 * Nothing here is API: users reach it through {@code tunekit.yaml} and the neutral {@code dev.tunekit} types.
 */
package dev.tunekit.together;
