/**
 * Fine-tuning datasets: streaming validation of chat and preference JSONL, Tunekit's neutral input
 * (every finding with a severity, a 1-based line, a stable code and how to fix it), token statistics
 * with jtokkit following the tiktoken cookbook's chat accounting, cost estimates from the model
 * catalogs that provider modules contribute, conversion to provider formats through the converters
 * those modules contribute (refusing lossy conversions), and a deterministic train/validation split
 * with a SHA-256 per converted file. Entry point: {@link dev.tunekit.dataset.Dataset}; extension
 * point: {@link dev.tunekit.dataset.DatasetContributor}.
 */
package dev.tunekit.dataset;
