package dev.tunekit.dataset;

import dev.tunekit.error.InvalidInputException;
import java.util.Objects;

/**
 * A file format that a provider trains on, named by a stable id. Open: Tunekit's core knows only the
 * neutral formats it reads, {@link #CHAT_JSONL}, {@link #PREFERENCE_JSONL} and {@link #PROMPT_JSONL}; any other format is
 * contributed, with its converter, by the provider module that trains on it (see
 * {@link DatasetContributor}). Two formats are the same when their ids are; the description is prose.
 *
 * @param id stable id: lower-case letters, digits, dots and dashes, such as {@code chat-jsonl}
 * @param description one line saying what a line of the file looks like
 */
public record DatasetFormat(String id, String description) {
  /** Chat JSONL, Tunekit's neutral input: {@code {"messages":[{"role":…,"content":…},…]}} per line. */
  public static final DatasetFormat CHAT_JSONL = new DatasetFormat("chat-jsonl",
      "chat JSONL: {\"messages\":[{\"role\":...,\"content\":...},...]} per line");
  /** Preference JSONL: {@code input}, {@code preferred_output}, {@code non_preferred_output} per line. */
  public static final DatasetFormat PREFERENCE_JSONL = new DatasetFormat("preference-jsonl",
      "preference JSONL: {\"input\":{...},\"preferred_output\":[...],\"non_preferred_output\":[...]} per line");

  /**
   * Prompt JSONL for reinforcement fine-tuning: chat messages ending with a user turn plus the reference fields a
   * grader reads, {@code {"messages":[…,{"role":"user",…}],"reference_answer":…}} per line (the shape the
   * providers' reinforcement fine-tuning APIs document).
   */
  public static final DatasetFormat PROMPT_JSONL = new DatasetFormat("prompt-jsonl",
      "prompt JSONL: {\"messages\":[...,{\"role\":\"user\",...}],\"reference_answer\":...} per line");

  /** Canonical constructor: checks the id. */
  public DatasetFormat {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    if (!id.matches("[a-z0-9][a-z0-9.-]{0,63}")) {
      throw new InvalidInputException("a dataset format id is 1 to 64 lower-case letters, digits, dots and "
          + "dashes (such as chat-jsonl), was '" + id + "'");
    }
  }

  /** The neutral format a dataset of {@code kind} is read in. */
  public static DatasetFormat neutral(DatasetKind kind) {
    return kind == DatasetKind.PREFERENCE ? PREFERENCE_JSONL : kind == DatasetKind.PROMPTS ? PROMPT_JSONL : CHAT_JSONL;
  }

  /** Whether this is one of the neutral formats Tunekit reads (written as they are read). */
  public boolean isNeutral() {
    return equals(CHAT_JSONL) || equals(PREFERENCE_JSONL) || equals(PROMPT_JSONL);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DatasetFormat f && f.id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** The id. */
  @Override
  public String toString() {
    return id;
  }
}
