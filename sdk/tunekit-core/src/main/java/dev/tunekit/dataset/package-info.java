/**
 * Fine-tuning datasets: streaming validation of OpenAI chat and preference JSONL (every finding with
 * a severity, a 1-based line, a stable code and how to fix it), token statistics with jtokkit
 * following OpenAI's chat accounting, cost estimates from per-provider price files, conversion to
 * each provider's format (refusing lossy conversions), and a deterministic train/validation split
 * with a SHA-256 per converted file. Entry point: {@link dev.tunekit.dataset.Dataset}.
 */
package dev.tunekit.dataset;
