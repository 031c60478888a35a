package dev.tunekit.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.http.Headers;
import com.openai.errors.InvalidWebhookSignatureException;
import com.openai.models.webhooks.WebhookVerificationParams;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.WebhookVerification;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * OpenAI's webhook verification on openai-java's own verifier ({@code client.webhooks().verifySignature}):
 * the Standard Webhooks scheme, with the {@code webhook-id}, {@code webhook-timestamp} and
 * {@code webhook-signature} headers, the timestamp checked both ways against the clock, any one of
 * several {@code v1,…} signatures accepted and compared in constant time. This class only turns the
 * outcome into a {@link WebhookVerification.Rejected} with a status and a message that says what to
 * fix, and reads the event type and job id of a verified delivery.
 *
 * <p>The secret is the one passed by the caller ({@code tk.webhooks(secret)}) or the provider setting
 * {@code webhookSecret} (such as {@code ${OPENAI_WEBHOOK_SECRET}}); it never appears in a message.
 */
final class OpenAiWebhooks implements WebhookVerification {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ID_LENGTH = 256;
  private static final String PREFIX = "whsec_";
  private static final Set<String> JOB_ENDED = Set.of("fine_tuning.job.succeeded", "fine_tuning.job.failed",
      "fine_tuning.job.cancelled");

  private final OpenAiConfig config;
  private final OpenAIClient client;

  OpenAiWebhooks(OpenAiConfig config, OpenAIClient client) {
    this.config = config;
    this.client = client;
  }

  @Override
  public void checkSecret(Secret secret) {
    WebhookVerification.super.checkSecret(secret);
    String value = secret.reveal().trim();
    if (!value.startsWith(PREFIX)) {
      return; // used as raw bytes, as openai-java does
    }
    try {
      if (Base64.getDecoder().decode(value.substring(PREFIX.length())).length == 0) {
        throw new IllegalArgumentException("empty");
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("the webhook secret is not valid: after 'whsec_' it must be base64; copy it"
          + " again from the OpenAI dashboard (the value is not shown here)");
    }
  }

  @Override
  public VerifiedWebhook verify(Map<String, String> headers, byte[] body, Options options) {
    Secret secret = options.secret().or(config::webhookSecret).orElseThrow(() -> new InvalidInputException(
        "no webhook secret for provider " + config.name() + ": set providers." + config.name()
            + ".webhookSecret (for example \"${OPENAI_WEBHOOK_SECRET}\") or pass it to tk.webhooks(secret)"));
    checkSecret(secret);
    String id = header(headers, "webhook-id");
    String timestamp = header(headers, "webhook-timestamp");
    String signatures = header(headers, "webhook-signature");
    if (id == null || timestamp == null || signatures == null) {
      throw new Rejected("missing header " + (id == null ? "webhook-id" : timestamp == null ? "webhook-timestamp"
          : "webhook-signature") + "; is this a Standard Webhooks delivery from OpenAI, and does the web framework"
          + " pass every header through?", 400);
    }
    if (id.length() > MAX_ID_LENGTH || id.isBlank()) {
      throw new Rejected("webhook-id is blank or longer than " + MAX_ID_LENGTH + " characters", 400);
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw new Rejected("webhook-timestamp is not a number of seconds since the epoch", 400);
    }
    Headers h = Headers.builder().put("webhook-id", id).put("webhook-timestamp", timestamp.trim())
        .put("webhook-signature", signatures).build();
    WebhookVerificationParams params = WebhookVerificationParams.builder().payload(body).headers(h)
        .secret(secret.reveal().trim()).tolerance(options.tolerance()).build();
    try {
      client.webhooks().withOptions(o -> o.clock(options.clock())).verifySignature(params);
    } catch (InvalidWebhookSignatureException e) {
      long skew = options.clock().instant().getEpochSecond() - seconds;
      if (Math.abs(skew) > options.tolerance().getSeconds()) {
        throw new Rejected("webhook-timestamp is " + Math.abs(skew) + " s " + (skew > 0 ? "older" : "newer")
            + " than this server's clock (tolerance " + format(options.tolerance()) + "): a replayed or long-delayed"
            + " delivery, or a server clock that is off", 401);
      }
      throw new Rejected("no webhook-signature matches the body: the webhook secret differs from the endpoint's in"
          + " the OpenAI dashboard, or the body was changed (pass the raw bytes, not re-serialized JSON)", 401);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // openai-java's checks of headers and secret; ours above come first, so this is a safety net
      throw new Rejected("the delivery could not be verified: " + e.getMessage(), 400);
    }
    JsonNode event;
    try {
      event = JSON.readTree(body);
    } catch (IOException e) {
      throw new Rejected("the signed body is not JSON", 400);
    }
    String type = text(event, "type");
    String jobId = event == null ? null : text(event.path("data"), "id");
    boolean ended = type != null && JOB_ENDED.contains(type);
    if (ended && (jobId == null || jobId.isBlank())) {
      throw new Rejected(type + " event has no data.id (the job id)", 400);
    }
    return new VerifiedWebhook(id, type == null ? "(none)" : type,
        ended ? Optional.of(jobId) : Optional.ofNullable(jobId), ended);
  }

  private static String format(Duration d) {
    long s = d.getSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
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

  @Override
  public String toString() {
    return "OpenAiWebhooks{" + config.name() + "}";
  }
}
