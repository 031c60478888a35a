package dev.tunekit.model;


import java.util.Objects;
import java.util.Optional;

/**
 * The provider-neutral state of a remote fine-tuning job. Closed: every provider state maps to one of
 * these, and a state Tunekit does not know yet becomes {@link Unknown} (carrying the raw value) rather
 * than an error. {@link #raw()} always holds the provider's own spelling.
 */
public sealed interface JobStatus {

  /** The provider's own spelling of the state, such as {@code validating_files} or {@code InProgress}. */
  String raw();

  /** Whether the job will not change state any more. */
  default boolean isTerminal() {
    return this instanceof Succeeded || this instanceof Failed || this instanceof Cancelled;
  }

  /** The provider is validating the uploaded files. */
  record Validating(String raw) implements JobStatus {}

  /** Accepted and waiting for capacity. */
  record Queued(String raw) implements JobStatus {}

  /** Training. */
  record Running(String raw) implements JobStatus {}

  /** Paused by the user; can be resumed. */
  record Paused(String raw) implements JobStatus {}

  /** Finished; {@code model} is the id of the tuned model (absent only if the provider omitted it). */
  record Succeeded(String raw, Optional<String> model) implements JobStatus {
    /** Canonical constructor. */
    public Succeeded {
      Objects.requireNonNull(model, "model");
    }
  }

  /** Failed; {@code reason} is the provider's explanation, {@code code} its error code if any. */
  record Failed(String raw, String reason, Optional<String> code) implements JobStatus {
    /** Canonical constructor. */
    public Failed {
      Objects.requireNonNull(code, "code");
    }
  }

  /** Cancelled (or stopped) by the user. */
  record Cancelled(String raw) implements JobStatus {}

  /** A state this version of Tunekit does not know. Treated as non-terminal; polling continues. */
  record Unknown(String raw) implements JobStatus {}
}
