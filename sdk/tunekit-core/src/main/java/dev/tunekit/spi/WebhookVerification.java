package dev.tunekit.spi;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The capability to verify the provider's signed webhook deliveries. Verification works on the raw
 * body bytes and headers; a verified delivery only prompts the core to re-read the job, which stays the
 * authority on its state. Replay protection (remembering delivery ids) and the run update are the
 * core's, not the provider's.
 */
public interface WebhookVerification extends Capability {

  /**
   * Checks a signing secret's form before any delivery arrives, so a malformed secret fails at once.
   *
   * @throws InvalidInputException if the secret cannot be used (the message never shows it)
   */
  default void checkSecret(Secret secret) {
    if (secret.isBlank()) {
      throw new InvalidInputException("the webhook secret is blank; pass the signing secret of the webhook"
          + " endpoint, for example from an environment variable");
    }
  }

  /**
   * Verifies one delivery's signature and timestamp and reads what it is about.
   *
   * @throws Rejected if the signature, timestamp, headers or body are not valid
   */
  VerifiedWebhook verify(Map<String, String> headers, byte[] body, Options options);

  /**
   * How to verify.
   *
   * @param clock the clock the delivery's timestamp is checked against
   * @param tolerance how far the timestamp may be from the clock, either way
   * @param secret the signing secret; empty to use the one in the provider's settings
   */
  record Options(Clock clock, Duration tolerance, Optional<Secret> secret) {
    /** Canonical constructor. */
    public Options {
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(tolerance, "tolerance");
      Objects.requireNonNull(secret, "secret");
    }
  }

  /**
   * A delivery whose signature checked out.
   *
   * @param id the delivery id (for replay protection)
   * @param type the event type as the provider spells it
   * @param jobId the fine-tuning job it is about, if it is about one
   * @param jobEnded whether it says that job ended (succeeded, failed or was cancelled): only then
   *     does the core re-read the job
   */
  record VerifiedWebhook(String id, String type, Optional<String> jobId, boolean jobEnded) {
    /** Canonical constructor. */
    public VerifiedWebhook {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(jobId, "jobId");
    }
  }

  /** A delivery that failed verification, with the HTTP status to answer (400 malformed, 401 not authentic). */
  final class Rejected extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;

    /** @param reason why, never containing the secret */
    public Rejected(String reason, int httpStatus) {
      super(reason);
      this.httpStatus = httpStatus;
    }

    /** The HTTP status to answer with. */
    public int httpStatus() {
      return httpStatus;
    }
  }
}
