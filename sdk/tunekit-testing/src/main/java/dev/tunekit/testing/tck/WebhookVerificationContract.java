package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.spi.WebhookVerification;
import dev.tunekit.spi.WebhookVerification.Rejected;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rules for the {@link WebhookVerification} capability: a signed delivery verifies and says which job
 * ended; anything else is a {@link Rejected} with the HTTP status to answer (401 for a delivery that is
 * not authentic or not fresh, 400 for one that is malformed), checked against the clock, tolerance and
 * secret given in {@link WebhookVerification.Options}.
 */
public interface WebhookVerificationContract extends CapabilityContract {

  /** The fixture's job every delivery is about. */
  String WEBHOOK_JOB = "ftjob-tck-webhook";

  /** Verification of {@code d} at {@code clock} with {@code tolerance} and the delivery's secret (or the provider's). */
  private static WebhookVerification.Options at(ProviderFixture.SignedDelivery d, Clock clock, Duration tolerance) {
    return new WebhookVerification.Options(clock, tolerance, d.secret());
  }

  private static WebhookVerification.Options now(ProviderFixture.SignedDelivery d) {
    return at(d, Clock.fixed(d.now(), ZoneOffset.UTC), Duration.ofMinutes(5));
  }

  /**
   * A correctly signed delivery saying a job ended verifies: it has an id (for replay protection), a type,
   * names its job and says the job ended (only then does the core re-read the job). If this fails, check
   * the signed payload's layout, the secret lookup ({@code Options.secret()}, else the provider's settings)
   * and how the event type is mapped to {@code jobEnded}.
   */
  @Test
  default void optional_webhook_validSignature_namesTheJob() {
    WebhookVerification v = require(WebhookVerification.class);
    ProviderFixture.SignedDelivery d = fixture().signedWebhook(WEBHOOK_JOB);
    WebhookVerification.VerifiedWebhook w = v.verify(d.headers(), d.body(), now(d));
    assertThat(w.id()).as("delivery id").isNotBlank();
    assertThat(w.type()).as("event type").isNotBlank();
    assertThat(w.jobId()).as("job the delivery is about").contains(WEBHOOK_JOB);
    assertThat(w.jobEnded()).as("a delivery saying the job succeeded says the job ended").isTrue();
  }

  /**
   * A delivery whose body changed after signing is refused as not authentic ({@link Rejected}, 401). If
   * this fails, check that the signature is computed over the raw bytes, not a re-serialised body, and
   * that a mismatch throws {@code Rejected} with status 401.
   */
  @Test
  default void optional_webhook_tamperedBody_isRefused() {
    WebhookVerification v = require(WebhookVerification.class);
    ProviderFixture.SignedDelivery d = fixture().signedWebhook(WEBHOOK_JOB);
    byte[] tampered = d.body();
    tampered[tampered.length / 2] ^= 1;
    assertThatThrownBy(() -> v.verify(d.headers(), tampered, now(d))).as("verify of a tampered body")
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.httpStatus()).as("HTTP status").isEqualTo(401));
  }

  /**
   * A delivery checked an hour after it was signed is refused (replay of an old delivery) as not
   * authentic ({@link Rejected}, 401). If this fails, check that the timestamp is checked against
   * {@code Options.clock()}, not the system clock.
   */
  @Test
  default void optional_webhook_staleTimestamp_isRefused() {
    WebhookVerification v = require(WebhookVerification.class);
    ProviderFixture.SignedDelivery d = fixture().signedWebhook(WEBHOOK_JOB);
    Clock later = Clock.fixed(d.now().plus(Duration.ofHours(1)), ZoneOffset.UTC);
    assertThatThrownBy(() -> v.verify(d.headers(), d.body(), at(d, later, Duration.ofMinutes(5))))
        .as("verify an hour late with a five-minute tolerance")
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.httpStatus()).as("HTTP status").isEqualTo(401));
  }

  /**
   * The tolerance is the caller's: the same hour-old delivery verifies when {@code Options.tolerance()}
   * is two hours. If this fails, check that the provider uses the options' tolerance, not its own
   * constant.
   */
  @Test
  default void optional_webhook_toleranceComesFromTheOptions() {
    WebhookVerification v = require(WebhookVerification.class);
    ProviderFixture.SignedDelivery d = fixture().signedWebhook(WEBHOOK_JOB);
    Clock later = Clock.fixed(d.now().plus(Duration.ofHours(1)), ZoneOffset.UTC);
    assertThat(v.verify(d.headers(), d.body(), at(d, later, Duration.ofHours(2))).jobId())
        .as("an hour-old delivery verified with a two-hour tolerance").contains(WEBHOOK_JOB);
  }

  /**
   * A delivery without headers (no id, timestamp or signature) is refused as malformed
   * ({@link Rejected}, 400), never with a parse error. If this fails, check the provider's missing-header
   * handling.
   */
  @Test
  default void optional_webhook_noHeaders_isRefusedAsMalformed() {
    WebhookVerification v = require(WebhookVerification.class);
    ProviderFixture.SignedDelivery d = fixture().signedWebhook(WEBHOOK_JOB);
    assertThatThrownBy(() -> v.verify(Map.of(), d.body(), now(d))).as("verify of a delivery without headers")
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.httpStatus()).as("HTTP status").isEqualTo(400));
  }
}
