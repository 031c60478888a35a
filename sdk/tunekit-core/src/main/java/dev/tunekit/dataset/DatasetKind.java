package dev.tunekit.dataset;

/** What a dataset's examples are, detected from their shape. */
public enum DatasetKind {
  /** Chat conversations to imitate (supervised fine-tuning). */
  CHAT,
  /** Preference pairs (DPO). */
  PREFERENCE
}
