package dev.tunekit.spring;

import dev.tunekit.Tunekit;
import dev.tunekit.WebhookResult;
import dev.tunekit.Webhooks;
import dev.tunekit.error.UnsupportedCapabilityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The webhook endpoint ({@code POST ${tunekit.spring.webhook.path}}, default {@code /tunekit/webhooks}): hands
 * each delivery to {@link Tunekit#webhooks()}, which verifies its signature with the provider's
 * {@code webhookSecret} setting and updates the run. A delivery that fails verification is answered 400 with
 * a fixed body ({@code {"status":"rejected"}}): nothing of the request is echoed. With a provider that does not
 * sign webhooks, every request is answered 404.
 */
@RestController
public class TunekitWebhookController {
  private static final Logger LOG = LoggerFactory.getLogger(TunekitWebhookController.class);
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

  /** Verifies and handles one delivery; the body must be the raw bytes as sent. */
  @PostMapping(path = "${tunekit.spring.webhook.path:/tunekit/webhooks}")
  public ResponseEntity<Map<String, Object>> handle(@RequestHeader HttpHeaders headers,
      @RequestBody(required = false) byte[] body) {
    if (webhooks.isEmpty()) {
      return ResponseEntity.status(404).body(Map.of("status", "unsupported", "provider", provider));
    }
    Map<String, String> h = new LinkedHashMap<>();
    headers.forEach((k, v) -> {
      if (!v.isEmpty()) {
        h.put(k, v.get(0));
      }
    });
    WebhookResult r = webhooks.get().handle(h, body == null ? new byte[0] : body);
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
