package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.spi.WebhookVerification;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Rules for the {@link WebhookVerification} capability. */
public interface WebhookVerificationContract extends CapabilityContract {

  /** A correctly signed delivery verifies and names its job. If this fails, check the signed payload's layout. */
  @Test
  default void optional_webhook_validSignature_namesTheJob() {
    WebhookVerification v = require(WebhookVerification.class);
    ProviderFixture.SignedDelivery d = fixture().signedWebhook("ftjob-tck-webhook");
    WebhookVerification.VerifiedWebhook w = v.verify(d.headers(), d.body(), Clock.fixed(d.now(), ZoneOffset.UTC));
    assertThat(w.id()).as("delivery id").isNotBlank();
    assertThat(w.jobId()).as("job the delivery is about").contains("ftjob-tck-webhook");
  }

  /**
   * A delivery whose body changed after signing is refused with {@link InvalidInputException}. If this
   * fails, check that the signature is computed over the raw bytes, not a re-serialised body.
   */
  @Test
  default void optional_webhook_tamperedBody_isRefused() {
    WebhookVerification v = require(WebhookVerification.class);
    ProviderFixture.SignedDelivery d = fixture().signedWebhook("ftjob-tck-webhook");
    byte[] tampered = d.body().clone();
    tampered[tampered.length / 2] ^= 1;
    assertThatThrownBy(() -> v.verify(d.headers(), tampered, Clock.fixed(d.now(), ZoneOffset.UTC)))
        .isInstanceOf(InvalidInputException.class);
  }

  /**
   * A delivery checked an hour after it was signed is refused (replay of an old delivery). If this
   * fails, check that the timestamp is checked against the given clock, not the system clock.
   */
  @Test
  default void optional_webhook_staleTimestamp_isRefused() {
    WebhookVerification v = require(WebhookVerification.class);
    ProviderFixture.SignedDelivery d = fixture().signedWebhook("ftjob-tck-webhook");
    Clock later = Clock.fixed(d.now().plus(Duration.ofHours(1)), ZoneOffset.UTC);
    assertThatThrownBy(() -> v.verify(d.headers(), d.body(), later)).isInstanceOf(InvalidInputException.class);
  }
}
