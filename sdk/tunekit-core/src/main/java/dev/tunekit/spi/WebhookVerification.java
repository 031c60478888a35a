package dev.tunekit.spi;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The capability to verify the provider's signed webhook deliveries. Verification works on the raw
 * body bytes and headers; a verified delivery only prompts the core to re-read the job, which stays the
 * authority on its state.
 */
public interface WebhookVerification extends Capability {

  /**
   * Verifies one delivery's signature and timestamp (against {@code clock}) and reads which job it is
   * about.
   *
   * @throws dev.tunekit.error.InvalidInputException if the signature, timestamp or body is not valid
   */
  VerifiedWebhook verify(Map<String, String> headers, byte[] body, Clock clock);

  /**
   * A delivery whose signature checked out.
   *
   * @param id the delivery id (for replay protection)
   * @param type the event type as the provider spells it
   * @param jobId the job it is about, if it is about one
   */
  record VerifiedWebhook(String id, String type, Optional<String> jobId) {}
}
