package dev.tunekit;

import dev.tunekit.internal.Durations;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.internal.ledger.Ledger;
import dev.tunekit.model.Secret;
import dev.tunekit.error.TunekitException;
import dev.tunekit.internal.Workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.spi.RemoteJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable, framework-neutral handler for OpenAI's fine-tuning webhooks
 * ({@code fine_tuning.job.succeeded}, {@code .failed}, {@code .cancelled}), so that a service learns
 * that a job ended without polling for it.
 *
 * <pre>{@code
 * Webhooks webhooks = tk.webhooks(Secret.of(System.getenv("OPENAI_WEBHOOK_SECRET")));
 * // in any HTTP framework, with the raw request body bytes (not re-serialized JSON):
 * WebhookResult r = webhooks.handle(headers, body);
 * response.status(r.httpStatus());
 * }</pre>
 *
 * <p>Each delivery is checked the Standard Webhooks way: the {@code webhook-id},
 * {@code webhook-timestamp} and {@code webhook-signature} headers must be present (names in any case);
 * the timestamp must be within the tolerance (default 5 minutes) of this server's clock; and one of
 * the space-separated {@code v1,<base64>} signatures must equal the HMAC-SHA256, keyed with the
 * secret (base64-decoded after its {@code whsec_} prefix), of {@code id.timestamp.body} — compared in
 * constant time. A {@code webhook-id} already handled is acknowledged without acting again (ids are
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
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The default accepted distance between {@code webhook-timestamp} and this server's clock. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
  private static final Duration MIN_MEMORY = Duration.ofDays(3);
  private static final int MAX_ID_LENGTH = 256;
  private static final String PREFIX = "whsec_";
  private static final Set<String> JOB_ENDED = Set.of("fine_tuning.job.succeeded", "fine_tuning.job.failed",
      "fine_tuning.job.cancelled");

  private final Workflow workflow;
  private final Secret secret;
  private final Duration tolerance;

  private Webhooks(Workflow workflow, Secret secret, Duration tolerance) {
    this.workflow = Objects.requireNonNull(workflow, "workflow");
    this.secret = Objects.requireNonNull(secret, "secret");
    this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
    if (tolerance.isNegative() || tolerance.isZero()) {
      throw new InvalidInputException("webhook timestamp tolerance must be positive, was " + tolerance);
    }
    key(secret); // fail now, not on the first delivery
  }

  /**
   * A handler for OpenAI webhooks signed with {@code secret} (as shown when the endpoint was created in
   * the OpenAI dashboard, {@code whsec_…}) that updates runs in {@code tunekit}'s ledger. Same as
   * {@link Tunekit#webhooks(Secret)}.
   *
   * @throws InvalidInputException if the secret is blank or not base64 after {@code whsec_}
   */
  public static Webhooks openai(Secret secret, Tunekit tunekit) {
    return new Webhooks(Objects.requireNonNull(tunekit, "tunekit").workflow(), secret, DEFAULT_TOLERANCE);
  }

  static Webhooks of(Workflow workflow, Secret secret) {
    return new Webhooks(workflow, secret, DEFAULT_TOLERANCE);
  }

  /** The same handler with another timestamp tolerance (how far {@code webhook-timestamp} may be from now). */
  public Webhooks withTolerance(Duration tolerance) {
    return new Webhooks(workflow, secret, tolerance);
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
    String id = header(headers, "webhook-id");
    String timestamp = header(headers, "webhook-timestamp");
    String signatures = header(headers, "webhook-signature");
    if (id == null || timestamp == null || signatures == null) {
      return rejected("missing header " + (id == null ? "webhook-id" : timestamp == null ? "webhook-timestamp"
          : "webhook-signature") + "; is this a Standard Webhooks delivery from OpenAI, and does the web framework"
          + " pass every header through?", 400);
    }
    if (id.length() > MAX_ID_LENGTH || id.isBlank()) {
      return rejected("webhook-id is blank or longer than " + MAX_ID_LENGTH + " characters", 400);
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return rejected("webhook-timestamp is not a number of seconds since the epoch", 400);
    }
    Instant now = workflow.clock().instant();
    long skew = now.getEpochSecond() - seconds;
    if (Math.abs(skew) > tolerance.getSeconds()) {
      return rejected("webhook-timestamp is " + Math.abs(skew) + " s " + (skew > 0 ? "older" : "newer")
          + " than this server's clock (tolerance " + Durations.format(tolerance) + "): a replayed or long-delayed"
          + " delivery, or a server clock that is off", 401);
    }
    if (!signatureMatches(id, timestamp.trim(), signatures, body)) {
      return rejected("no webhook-signature matches the body: the webhook secret differs from the endpoint's in"
          + " the OpenAI dashboard, or the body was changed (pass the raw bytes, not re-serialized JSON)", 401);
    }
    JsonNode event;
    try {
      event = JSON.readTree(body);
    } catch (IOException e) {
      return rejected("the signed body is not JSON", 400);
    }
    String type = text(event, "type");
    if (type == null || !JOB_ENDED.contains(type)) {
      return ignored("event type " + (type == null ? "(none)" : type) + " is not a fine-tuning job's end", 200);
    }
    String jobId = event == null ? null : text(event.path("data"), "id");
    if (jobId == null || jobId.isBlank()) {
      return rejected(type + " event has no data.id (the job id)", 400);
    }
    Ledger ledger = workflow.ledger();
    Optional<String> runId = ledger.runOfJob(jobId);
    if (runId.isEmpty()) {
      return ignored("no run in ledger " + ledger.file() + " has job " + jobId + " (a job started elsewhere, or not"
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

  private boolean signatureMatches(String id, String timestamp, String header, byte[] body) {
    byte[] expected;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      expected = mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new TunekitException("HmacSHA256 is not available in this JVM: " + e.getMessage(), e);
    }
    boolean match = false;
    for (String entry : header.trim().split("\\s+")) {
      int comma = entry.indexOf(',');
      if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
        continue; // another scheme (such as v1a) or garbage
      }
      byte[] candidate;
      try {
        candidate = Base64.getDecoder().decode(entry.substring(comma + 1));
      } catch (IllegalArgumentException e) {
        continue;
      }
      match |= MessageDigest.isEqual(expected, candidate); // constant time; look at every entry
    }
    return match;
  }

  /** The HMAC key: base64 after {@code whsec_} (as OpenAI's SDKs read it), else the secret's UTF-8 bytes. */
  private static byte[] key(Secret secret) {
    if (secret.isBlank()) {
      throw new InvalidInputException("the webhook secret is blank; pass the signing secret shown when the webhook"
          + " endpoint was created (whsec_…), for example from an environment variable");
    }
    String value = secret.reveal().trim();
    if (!value.startsWith(PREFIX)) {
      return value.getBytes(StandardCharsets.UTF_8);
    }
    try {
      byte[] key = Base64.getDecoder().decode(value.substring(PREFIX.length()));
      if (key.length == 0) {
        throw new IllegalArgumentException("empty");
      }
      return key;
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("the webhook secret is not valid: after 'whsec_' it must be base64; copy it"
          + " again from the OpenAI dashboard (the value is not shown here)");
    }
  }

  private static String header(Map<String, String> headers, String name) {
    String v = headers.get(name);
    if (v == null) {
      for (Map.Entry<String, String> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().toLowerCase(Locale.ROOT).equals(name)) {
          v = e.getValue();
          break;
        }
      }
    }
    return v == null || v.isBlank() ? null : v;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
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
    return "Webhooks{openai, tolerance=" + Durations.format(tolerance) + "}";
  }
}
