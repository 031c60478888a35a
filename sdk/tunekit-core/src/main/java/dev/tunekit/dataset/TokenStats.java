package dev.tunekit.dataset;

/**
 * Token statistics of a dataset, counted with a tiktoken encoding following the cookbook's chat accounting.
 * Examples with errors are not counted (see {@link #countedExamples()}).
 *
 * @param encoding the tiktoken encoding used ({@code o200k_base}, {@code cl100k_base})
 * @param countedExamples examples whose tokens were counted
 * @param messages messages in the counted examples
 * @param totalTokens tokens of all counted examples
 * @param min fewest tokens in one example
 * @param mean mean tokens per example
 * @param p50 median tokens per example (nearest rank)
 * @param p95 95th percentile of tokens per example (nearest rank)
 * @param max most tokens in one example
 * @param assistantTokens tokens of the assistant messages trained on (weight not 0)
 * @param contextLimit the target model's per-example token limit, or 0 when unknown
 * @param overLimitExamples examples over {@code contextLimit}
 * @param billingTokens tokens billed per epoch: the sum over examples of min(contextLimit, tokens)
 */
public record TokenStats(
    String encoding,
    long countedExamples,
    long messages,
    long totalTokens,
    long min,
    double mean,
    long p50,
    long p95,
    long max,
    long assistantTokens,
    long contextLimit,
    long overLimitExamples,
    long billingTokens) {

  /** No examples counted. */
  public static TokenStats empty(String encoding) {
    return new TokenStats(encoding, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }
}
