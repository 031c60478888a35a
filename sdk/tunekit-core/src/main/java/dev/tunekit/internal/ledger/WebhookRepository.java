package dev.tunekit.internal.ledger;

import java.time.Clock;
import java.time.Instant;

/** The {@code webhooks} table: delivery ids already handled (replay protection across processes). */
public final class WebhookRepository {
  private final Jdbc db;
  private final Clock clock;

  WebhookRepository(Jdbc db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * Remembers a webhook id; returns false when it was already remembered (a replay or a redelivery).
   * Ids received before {@code forgetBefore} are dropped first, so the table stays small.
   */
  public boolean claim(String webhookId, Instant forgetBefore) {
    return db.write(c -> {
      Jdbc.update(c, "DELETE FROM webhooks WHERE received_at < ?", forgetBefore.toEpochMilli());
      return Jdbc.update(c, "INSERT INTO webhooks (id, received_at) VALUES (?,?) ON CONFLICT(id) DO NOTHING",
          webhookId, clock.millis()) > 0;
    });
  }

  /** Forgets a webhook id, so that the sender's next delivery of it is processed (after a failure to process it). */
  public void forget(String webhookId) {
    db.write(c -> Jdbc.update(c, "DELETE FROM webhooks WHERE id = ?", webhookId));
  }
}
