package dev.tunekit.examples.service;

/**
 * The body of {@code POST /api/runs}. Every field is optional; what is left out comes from the bundled dataset
 * ({@code service.dataDir}). Paths are files on the service's machine (a JSONL file uploaded there).
 *
 * @param trainingData chat JSONL to train on (default: the bundled train.jsonl)
 * @param validationData chat JSONL for the validation loss (default: the bundled validation.jsonl when the
 *     training data is the bundled one, else none)
 * @param heldout the eval suite: chat JSONL whose assistant replies are the expected answers (default: the
 *     bundled heldout.jsonl)
 * @param baselinePrompt the system prompt of the prompt-engineered baseline (default: the bundled one)
 * @param gate how many points of pass rate the tuned model must gain over the baseline, in [-1, 1] (default 0.05)
 * @param epochs training epochs (default: the provider's choice)
 * @param model the base model (default {@code local-base})
 * @param suffix the tuned model's suffix (default {@code service})
 */
public record StartRunRequest(String trainingData, String validationData, String heldout, String baselinePrompt,
    Double gate, Integer epochs, String model, String suffix) {}
