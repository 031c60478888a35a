package dev.tunekit;

import java.util.Objects;

/**
 * What {@link Webhooks#handle(java.util.Map, byte[])} did with one delivery, with the HTTP status to
 * answer the sender with: {@link Accepted} (verified, and the run updated), {@link Rejected} (not
 * verified or not processable now) or {@link Ignored} (verified, nothing to do).
 */
public sealed interface WebhookResult {

  /** The HTTP status code to answer the webhook request with. */
  int httpStatus();

  /**
   * The delivery was verified and its run updated to the status the provider confirmed.
   *
   * @param runId the run whose job the event is about
   * @param state the run's state after the update
   */
  record Accepted(String runId, RunState state) implements WebhookResult {
    /** Canonical constructor. */
    public Accepted {
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(state, "state");
    }

    /** Always 200. */
    @Override
    public int httpStatus() {
      return 200;
    }
  }

  /**
   * The delivery was not acted on: a missing header, a bad signature or a timestamp outside the
   * tolerance (4xx: do not trust it), or the job's new status could not be confirmed yet (503: the
   * sender delivers it again later).
   *
   * @param reason what was wrong, safe to log (never contains the secret or a signature)
   * @param httpStatus the status to answer with
   */
  record Rejected(String reason, int httpStatus) implements WebhookResult {
    /** Canonical constructor. */
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The delivery was verified but there is nothing to do: an event type other than a fine-tuning
   * job's end (200), a delivery already handled (200), or a job that no run in this ledger has (404,
   * so that the sender delivers it again in case the job's id is not recorded yet).
   *
   * @param reason why nothing was done
   * @param httpStatus the status to answer with
   */
  record Ignored(String reason, int httpStatus) implements WebhookResult {
    /** Canonical constructor. */
    public Ignored {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
