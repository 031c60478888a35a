package dev.tunekit.dataset;

/** What a dataset's examples are, detected from their shape. */
public enum DatasetKind {
  /** Chat conversations to imitate (supervised fine-tuning). */
  CHAT,
  /** Preference pairs (DPO). */
  PREFERENCE,
  /**
   * Prompts for reinforcement fine-tuning: chat messages that end with a user turn (the model answers it during
   * training) plus top-level reference fields the grader reads, such as {@code reference_answer}.
   */
  PROMPTS
}
