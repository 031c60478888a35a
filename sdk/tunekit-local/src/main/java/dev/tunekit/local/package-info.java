/**
 * The embedded default provider: an OpenAI-compatible fine-tuning server bound to loopback
 * ({@link dev.tunekit.local.LocalServer}), its trainers (the built-in exemplar trainer and an
 * external-command trainer for a real training script), and {@link dev.tunekit.local.LocalProviderFactory},
 * which starts the server and drives it through the {@code openai-compatible} provider — the same
 * code path as OpenAI.
 */
package dev.tunekit.local;
