package dev.tunekit.dataset;

/** A file format that some provider trains on. Tunekit converts datasets into these. */
public enum DatasetFormat {
  /** OpenAI chat fine-tuning JSONL: {@code {"messages":[...]}} per line. */
  OPENAI_CHAT,
  /** OpenAI preference (DPO) JSONL: {@code input}, {@code preferred_output}, {@code non_preferred_output}. */
  OPENAI_PREFERENCE,
  /** Amazon Bedrock {@code bedrock-conversation-2024} (Nova, Claude and Llama families). */
  BEDROCK_CONVERSATION,
  /** Amazon Titan text {@code {"prompt":…,"completion":…}}. */
  BEDROCK_TITAN
}
