package dev.tunekit;

import dev.tunekit.internal.Durations;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.internal.ledger.Ledger;
import dev.tunekit.model.Secret;
import dev.tunekit.error.TunekitException;
import dev.tunekit.internal.Workflow;

import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.WebhookVerification;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable, framework-neutral handler for a provider's signed fine-tuning webhooks (deliveries
 * saying that a job succeeded, failed or was cancelled), so that a service learns that a job ended
 * without polling for it.
 *
 * <pre>{@code
 * Webhooks webhooks = tk.webhooks(Secret.of(System.getenv("WEBHOOK_SECRET")));
 * // in any HTTP framework, with the raw request body bytes (not re-serialized JSON):
 * WebhookResult r = webhooks.handle(headers, body);
 * response.status(r.httpStatus());
 * }</pre>
 *
 * <p>Each delivery is verified by the provider's {@link WebhookVerification} capability, from the raw
 * body bytes and headers, with the delivery's timestamp checked against this server's clock within a
 * tolerance (default 5 minutes); how a provider signs is its own module's business (see
 * docs/webhooks.md). A provider without that capability
 * cannot have a handler: {@link Tunekit#webhooks(Secret)} then fails with an
 * {@link dev.tunekit.error.UnsupportedCapabilityException}. This class keeps replay protection and the
 * run update: a {@code webhook-id} already handled is acknowledged without acting again (ids are
 * remembered in the ledger, for three days or twice the tolerance, whichever is longer), so a replayed
 * or redelivered event never updates a run twice.
 *
 * <p>Updating the run: the event's job id is looked up in the ledger, and the job's status is then
 * confirmed with one {@code job(id)} call to the provider (through the retry layer) — the webhook says
 * <em>that</em> the job ended; the provider says how, and names the tuned model. The confirmed status
 * is recorded in the ledger, so {@link Run#state()} sees it at once and a {@link Run#await(RunListener)}
 * blocked in this or another process sharing the ledger stops waiting out its poll interval and polls
 * (within {@code ledgerPoll}, half a second by default). When the provider does not yet report the job
 * as ended, or cannot be reached, the delivery is answered 503 and forgotten, so the sender's retry is
 * processed. A job that ended moves the run (TRAINED, FAILED or CANCELLED), and the run is then driven
 * on a Tunekit thread exactly as {@code await()} and {@code tk.resume} drive it: a trained run with an
 * eval suite is evaluated and gated (EVALUATED, then GATE_PASSED or GATE_BLOCKED) when this Tunekit has
 * the suite ({@link Tunekit#resume(String, dev.tunekit.eval.EvalSuite)} attaches it); without it, the
 * run stays TRAINED and its {@link RunInfo#error()} says to resume it with the suite.
 *
 * <p>The secret is a {@link Secret}: it never appears in a result, a log line or {@link #toString()}.
 * Thread-safe.
 */
public final class Webhooks {
  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
  /** The default accepted distance between {@code webhook-timestamp} and this server's clock. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
  private static final Duration MIN_MEMORY = Duration.ofDays(3);

  private final Workflow workflow;
  private final Optional<Secret> secret;
  private final Duration tolerance;
  private final WebhookVerification verification;

  private Webhooks(Workflow workflow, Optional<Secret> secret, Duration tolerance) {
    this.workflow = Objects.requireNonNull(workflow, "workflow");
    this.secret = Objects.requireNonNull(secret, "secret");
    this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
    if (tolerance.isNegative() || tolerance.isZero()) {
      throw new InvalidInputException("webhook timestamp tolerance must be positive, was " + tolerance);
    }
    // Verification is the provider's capability; without it there is nothing to trust.
    this.verification = workflow.provider().require(WebhookVerification.class, "verify webhook deliveries");
    secret.ifPresent(verification::checkSecret); // fail now, not on the first delivery
  }

  /** @param secret the signing secret, or empty for the one in the provider's settings ({@code webhookSecret}) */
  static Webhooks of(Workflow workflow, Optional<Secret> secret) {
    return new Webhooks(workflow, secret, DEFAULT_TOLERANCE);
  }

  /** The same handler with another timestamp tolerance (how far {@code webhook-timestamp} may be from now). */
  public Webhooks withTolerance(Duration tolerance) {
    return new Webhooks(workflow, secret, tolerance);
  }

  /**
   * {@link #handle(Map, byte[])} as one task on {@code executor} (for a non-blocking web stack): the future
   * completes with the result to answer with. Cancelling it does not stop the task: a delivery being handled is
   * recorded all the same.
   */
  public java.util.concurrent.CompletableFuture<WebhookResult> handleAsync(Map<String, String> headers, byte[] body,
      java.util.concurrent.Executor executor) {
    Map<String, String> h = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    byte[] b = Objects.requireNonNull(body, "body").clone();
    return dev.tunekit.internal.Async.supply(() -> handle(h, b), executor);
  }

  /**
   * Verifies one delivery and, for a fine-tuning job's end, updates its run. Never throws for a bad
   * delivery: the result says what happened and which HTTP status to answer with.
   *
   * @param headers the request headers (names in any case; one value each)
   * @param body the raw request body, exactly as received
   */
  public WebhookResult handle(Map<String, String> headers, byte[] body) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    Instant now = workflow.clock().instant();
    WebhookVerification.VerifiedWebhook delivery;
    try {
      delivery = verification.verify(headers, body,
          new WebhookVerification.Options(workflow.clock(), tolerance, secret));
    } catch (WebhookVerification.Rejected e) {
      return rejected(e.getMessage(), e.httpStatus());
    } catch (InvalidInputException e) {
      return rejected(e.getMessage(), 400);
    }
    String id = delivery.id();
    String type = delivery.type();
    if (!delivery.jobEnded() || delivery.jobId().isEmpty()) {
      return ignored("event type " + type + " is not a fine-tuning job's end", 200);
    }
    String jobId = delivery.jobId().get();
    Ledger ledger = workflow.ledger();
    Optional<String> runId = ledger.runOfJob(jobId);
    if (runId.isEmpty()) {
      return ignored("no run in ledger " + ledger.location() + " has job " + jobId + " (a job started elsewhere, or not"
          + " recorded yet: the sender retries)", 404);
    }
    Instant forgetBefore = now.minus(tolerance.multipliedBy(2).compareTo(MIN_MEMORY) > 0
        ? tolerance.multipliedBy(2) : MIN_MEMORY);
    if (!ledger.claimWebhook(id, forgetBefore)) {
      return ignored("webhook-id " + id + " was already handled (a replay or a redelivery); not acting again", 200);
    }
    String run = runId.get();
    ledger.log(run, "webhook", type + " " + jobId + " (webhook-id " + id + ")");
    try {
      RemoteJob job = workflow.provider().job(jobId);
      if (!job.status().isTerminal()) {
        ledger.forgetWebhook(id);
        return rejected(type + " for job " + jobId + ", but " + workflow.provider().name() + " still reports it "
            + job.status().raw() + "; answered 503 so that the sender delivers it again", 503);
      }
      workflow.recordJob(run, job.status());
      RunState state = workflow.row(run).state();
      workflow.driveAsync(run); // evaluate and gate, off the sender's request
      LOG.info("Webhook {}: run {} (job {}) is {}", type, run, jobId, state);
      return new WebhookResult.Accepted(run, state);
    } catch (TunekitException e) {
      ledger.forgetWebhook(id);
      ledger.log(run, "webhook.error", e.getMessage());
      return rejected("could not confirm the status of job " + jobId + " with " + workflow.provider().name() + " ("
          + e.getMessage() + "); answered 503 so that the sender delivers it again", 503);
    }
  }

  private static WebhookResult rejected(String reason, int status) {
    LOG.debug("Webhook rejected ({}): {}", status, reason);
    return new WebhookResult.Rejected(reason, status);
  }

  private static WebhookResult ignored(String reason, int status) {
    LOG.debug("Webhook ignored ({}): {}", status, reason);
    return new WebhookResult.Ignored(reason, status);
  }

  /** Names the tolerance only, never the secret. */
  @Override
  public String toString() {
    return "Webhooks{" + workflow.provider().name() + ", tolerance=" + Durations.format(tolerance) + "}";
  }
}
