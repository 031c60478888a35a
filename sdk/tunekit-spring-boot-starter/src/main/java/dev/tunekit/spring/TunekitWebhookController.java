package dev.tunekit.spring;

import dev.tunekit.Tunekit;
import dev.tunekit.WebhookResult;
import dev.tunekit.Webhooks;
import dev.tunekit.error.UnsupportedCapabilityException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The webhook endpoint ({@code POST ${tunekit.spring.webhook.path}}, default {@code /tunekit/webhooks}): hands
 * each delivery to {@link Tunekit#webhooks()}, which verifies its signature with the provider's
 * {@code webhookSecret} setting and updates the run. A delivery that fails verification is answered 400 with
 * a fixed body ({@code {"status":"rejected"}}): nothing of the request is echoed; a body over 1 MiB is answered
 * 413 without being read further. With a provider that does not
 * sign webhooks, every request is answered 404.
 */
@RestController
public class TunekitWebhookController {
  private static final Logger LOG = LoggerFactory.getLogger(TunekitWebhookController.class);
  /** The largest delivery read (1 MiB; a fine-tuning event is well under 1 KiB); a larger one is answered 413. */
  public static final int MAX_BODY_BYTES = 1 << 20;
  private final Optional<Webhooks> webhooks;
  private final String provider;

  /** @param tunekit the Tunekit whose provider verifies deliveries */
  public TunekitWebhookController(Tunekit tunekit) {
    this.provider = tunekit.provider();
    Optional<Webhooks> w;
    try {
      w = Optional.of(tunekit.webhooks());
    } catch (UnsupportedCapabilityException e) {
      LOG.info("Tunekit webhook endpoint answers 404: provider {} does not sign webhooks", provider);
      w = Optional.empty();
    }
    this.webhooks = w;
  }

  /** Verifies and handles one delivery, from the raw body bytes as sent. */
  @PostMapping(path = "${tunekit.spring.webhook.path:/tunekit/webhooks}")
  public ResponseEntity<Map<String, Object>> handle(@RequestHeader HttpHeaders headers, InputStream in)
      throws IOException {
    if (webhooks.isEmpty()) {
      return ResponseEntity.status(404).body(Map.of("status", "unsupported", "provider", provider));
    }
    // Anyone can post here before the signature is checked: read no more than a delivery can need.
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      return ResponseEntity.status(413).body(Map.of("status", "rejected"));
    }
    Map<String, String> h = new LinkedHashMap<>();
    headers.forEach((k, v) -> {
      if (!v.isEmpty()) {
        h.put(k, v.get(0));
      }
    });
    WebhookResult r = webhooks.get().handle(h, body);
    Map<String, Object> out = new LinkedHashMap<>();
    int status = r.httpStatus();
    if (r instanceof WebhookResult.Accepted a) {
      out.put("status", "accepted");
      out.put("run", a.runId());
      out.put("state", a.state().name());
    } else if (r instanceof WebhookResult.Rejected x && status < 500) {
      LOG.debug("Tunekit webhook rejected: {}", x.reason());
      status = 400; // not verified: do not trust it, do not say more
      out.put("status", "rejected");
    } else if (r instanceof WebhookResult.Rejected) {
      out.put("status", "retry");
    } else {
      out.put("status", "ignored");
    }
    return ResponseEntity.status(status).body(out);
  }
}
