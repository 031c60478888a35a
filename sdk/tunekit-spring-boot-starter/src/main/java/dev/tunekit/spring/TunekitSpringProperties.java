package dev.tunekit.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The starter's own settings, under {@code tunekit.spring.*}. Tunekit's settings themselves are the keys of
 * {@code tunekit.yaml} under {@code tunekit.*} (docs/config.md), read by Tunekit's own config loader, not here.
 *
 * @param shutdownWait how long closing the application context waits for Tunekit's uploads and job
 *     submissions in flight to record what they created in the ledger (default 30s)
 * @param webhook the webhook endpoint
 * @param metrics the run gauges
 */
@ConfigurationProperties("tunekit.spring")
public record TunekitSpringProperties(
    @DefaultValue("30s") Duration shutdownWait,
    @DefaultValue Webhook webhook,
    @DefaultValue Metrics metrics) {

  /**
   * The webhook endpoint (needs Spring MVC; only for providers that sign webhooks, such as OpenAI).
   *
   * @param enabled whether to register it (default true)
   * @param path where providers POST deliveries (default {@code /tunekit/webhooks})
   */
  public record Webhook(@DefaultValue("true") boolean enabled, @DefaultValue("/tunekit/webhooks") String path) {}

  /**
   * The {@code tunekit.runs} gauges.
   *
   * @param runsRefresh how long the run counts by state are reused before the ledger is read again (default 10s)
   */
  public record Metrics(@DefaultValue("10s") Duration runsRefresh) {}
}
