package dev.tunekit.openai;

import static dev.tunekit.openai.OpenAiWireMock.CANARY_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.Tunekit;
import dev.tunekit.WebhookResult;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Secret;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.WebhookVerification;
import dev.tunekit.spi.WebhookVerification.Options;
import dev.tunekit.spi.WebhookVerification.Rejected;
import dev.tunekit.spi.WebhookVerification.VerifiedWebhook;
import dev.tunekit.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OpenAI's webhook signature checks, driven through openai-java's own verifier behind the provider's
 * {@link WebhookVerification} capability (moved here from the core's WebhooksTest, which keeps the
 * replay protection and run-update tests).
 */
class OpenAiWebhooksTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Secret SECRET = Secret.of("whsec_" + Base64.getEncoder().encodeToString(KEY));
  private static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);
  private static final Duration TOLERANCE = Duration.ofMinutes(5);

  @TempDir Path dir;
  final FakeClock clock = new FakeClock();
  OpenAiWireMock api;
  TuningProvider provider;
  WebhookVerification verifier;

  @BeforeEach
  void start() {
    api = OpenAiWireMock.start();
    provider = api.provider();
    verifier = provider.capability(WebhookVerification.class).orElseThrow();
  }

  @AfterEach
  void stop() {
    provider.close();
    api.close();
  }

  static String signature(byte[] key, String id, long timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] event(String type, String jobId) {
    return ("{\"id\":\"evt_" + UUID.randomUUID().toString().replace("-", "") + "\",\"object\":\"event\",\"type\":\""
        + type + "\",\"created_at\":1719168000,\"data\":{\"id\":\"" + jobId + "\"}}").getBytes(StandardCharsets.UTF_8);
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }

  /** Headers as a framework might pass them: capitalised names. */
  private static Map<String, String> headers(String id, long timestamp, String signature) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Webhook-Id", id);
    h.put("Webhook-Timestamp", Long.toString(timestamp));
    h.put("Webhook-Signature", signature);
    h.put("Content-Type", "application/json");
    return h;
  }

  private Map<String, String> signed(String id, byte[] body) {
    return headers(id, now(), signature(KEY, id, now(), body));
  }

  private Options options() {
    return options(TOLERANCE);
  }

  private Options options(Duration tolerance) {
    return new Options(clock, tolerance, Optional.of(SECRET));
  }

  // ------------------------------------------------------------------ accepted

  @Test
  void validDeliveryIsVerifiedAndSaysWhichJobEnded() {
    byte[] body = event("fine_tuning.job.succeeded", "ftjob-1");
    VerifiedWebhook v = verifier.verify(signed("wh_1", body), body, options());
    assertThat(v).isEqualTo(new VerifiedWebhook("wh_1", "fine_tuning.job.succeeded", Optional.of("ftjob-1"), true));
  }

  @Test
  void oneValidSignatureAmongSeveralIsEnough() {
    byte[] body = event("fine_tuning.job.succeeded", "ftjob-1");
    String valid = signature(KEY, "wh_m", now(), body);
    String stale = signature(OTHER_KEY, "wh_m", now(), body); // e.g. the secret before a rotation

    VerifiedWebhook v = verifier.verify(headers("wh_m", now(), stale + " v1," + Base64.getEncoder()
        .encodeToString("not-hmac".getBytes(StandardCharsets.UTF_8)) + " " + valid), body, options());

    assertThat(v.jobEnded()).isTrue();
  }

  @Test
  void timestampWithinTheToleranceIsAccepted() {
    byte[] body = event("fine_tuning.job.succeeded", "ftjob-1");
    long ts = now() - Duration.ofMinutes(4).toSeconds();
    assertThat(verifier.verify(headers("wh_t", ts, signature(KEY, "wh_t", ts, body)), body, options()).id())
        .isEqualTo("wh_t");
  }

  @Test
  void widerToleranceAcceptsAnOlderTimestamp() {
    byte[] body = event("fine_tuning.job.succeeded", "ftjob-1");
    long ts = now() - 360;
    assertThat(verifier.verify(headers("wh_6", ts, signature(KEY, "wh_6", ts, body)), body,
        options(Duration.ofMinutes(10))).jobEnded()).isTrue();
  }

  @Test
  void otherEventTypesAreVerifiedButNotAJobsEnd() {
    byte[] body = event("batch.completed", "batch_abc");
    VerifiedWebhook v = verifier.verify(signed("wh_9", body), body, options());
    assertThat(v.type()).isEqualTo("batch.completed");
    assertThat(v.jobEnded()).isFalse();
  }

  // ------------------------------------------------------------------ rejected

  @Test
  void signatureMadeWithAnotherSecretIsRejected() {
    byte[] body = event("fine_tuning.job.succeeded", "ftjob-1");
    assertThatThrownBy(() -> verifier.verify(headers("wh_2", now(), signature(OTHER_KEY, "wh_2", now(), body)), body,
        options()))
        .isInstanceOfSatisfying(Rejected.class, x -> {
          assertThat(x.httpStatus()).isEqualTo(401);
          assertThat(x.getMessage()).contains("secret").doesNotContain(SECRET.reveal());
        });
  }

  @Test
  void tamperedBodyIsRejected() {
    byte[] signedBody = event("fine_tuning.job.cancelled", "ftjob-1");
    byte[] tampered = new String(signedBody, StandardCharsets.UTF_8).replace("cancelled", "succeeded")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> verifier.verify(signed("wh_3", signedBody), tampered, options()))
        .isInstanceOfSatisfying(Rejected.class, x -> assertThat(x.httpStatus()).isEqualTo(401));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"})
  void missingHeaderIsRejectedNamingIt(String missing) {
    byte[] body = event("fine_tuning.job.succeeded", "ftjob-1");
    Map<String, String> h = signed("wh_4", body);
    h.remove(missing);
    assertThatThrownBy(() -> verifier.verify(h, body, options()))
        .isInstanceOfSatisfying(Rejected.class, x -> {
          assertThat(x.httpStatus()).isEqualTo(400);
          assertThat(x.getMessage()).contains("missing header " + missing.toLowerCase(java.util.Locale.ROOT));
        });
  }

  @ParameterizedTest
  @ValueSource(longs = {-360, 360, -86_400})
  void timestampOutsideTheToleranceIsRejectedEvenWhenCorrectlySigned(long offsetSeconds) {
    byte[] body = event("fine_tuning.job.succeeded", "ftjob-1");
    long ts = now() + offsetSeconds;
    assertThatThrownBy(() -> verifier.verify(headers("wh_5", ts, signature(KEY, "wh_5", ts, body)), body, options()))
        .isInstanceOfSatisfying(Rejected.class, x -> {
          assertThat(x.httpStatus()).isEqualTo(401);
          assertThat(x.getMessage()).contains(offsetSeconds < 0 ? "older" : "newer").contains("tolerance 5m");
        });
  }

  // ------------------------------------------------------------------ the secret

  @Test
  void secretNeverAppearsInRejectionsOrToString() {
    byte[] body = event("fine_tuning.job.succeeded", "ftjob-1");
    List<Map<String, String>> deliveries = List.of(headers("x", now(), "v1,AAAA"), headers("x", now() - 9999,
        "v1,AAAA"), Map.of());
    String b64Key = Base64.getEncoder().encodeToString(KEY);
    for (Map<String, String> h : deliveries) {
      assertThatThrownBy(() -> verifier.verify(h, body, options())).isInstanceOf(Rejected.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(b64Key)
              .doesNotContain(new String(KEY, StandardCharsets.UTF_8)));
    }
    assertThat(verifier.toString()).doesNotContain(b64Key);
  }

  @Test
  void malformedSecretFailsAtOnceWithoutShowingIt() {
    assertThatThrownBy(() -> verifier.checkSecret(Secret.of("whsec_not*base64!")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("after 'whsec_' it must be base64")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not*base64!"));
    assertThatThrownBy(() -> verifier.checkSecret(Secret.of("  "))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("blank");
  }

  @Test
  void withoutASecretInSettingsOrCallTheErrorNamesTheSetting() {
    byte[] body = event("fine_tuning.job.succeeded", "ftjob-1");
    assertThatThrownBy(() -> verifier.verify(signed("wh_s", body), body, new Options(clock, TOLERANCE,
        Optional.empty())))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("providers.openai.webhookSecret");
  }

  // ------------------------------------------------------------------ through Tunekit

  private Tunekit open(Map<String, String> extra) {
    Tunekit.Builder b = Tunekit.builder().provider("openai").setting("baseUrl", api.baseUrl())
        .setting("apiKey", CANARY_KEY).env(Map.of()).clock(clock)
        .ledger(dir.resolve("ledger.db")).workDir(dir.resolve("work"));
    extra.forEach(b::setting);
    return b.build();
  }

  @Test
  void tunekitWebhooksUseTheSecretFromTheProvidersSettingsAndOpenAiJavasVerifier() {
    try (Tunekit tk = open(Map.of("webhookSecret", SECRET.reveal()))) {
      byte[] body = event("fine_tuning.job.succeeded", "ftjob-not-ours");

      WebhookResult ok = tk.webhooks().handle(signed("wh_e1", body), body);
      WebhookResult bad = tk.webhooks().handle(headers("wh_e2", now(), signature(OTHER_KEY, "wh_e2", now(), body)),
          body);
      malformed(tk);

      // verified, then the core's ledger side: no run has this job
      assertThat(ok).isInstanceOfSatisfying(WebhookResult.Ignored.class,
          x -> assertThat(x.httpStatus()).isEqualTo(404));
      assertThat(bad).isInstanceOfSatisfying(WebhookResult.Rejected.class,
          x -> assertThat(x.httpStatus()).isEqualTo(401));
      assertThat(api.server().getAllServeEvents()).isEmpty(); // verification makes no request
    }
  }

  private static void malformed(Tunekit tk) {
    assertThatThrownBy(() -> tk.webhooks(Secret.of("whsec_not*base64!"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("after 'whsec_' it must be base64");
  }

  @Test
  void anOpenAiCompatibleProviderHasNoWebhookVerification() {
    try (TuningProvider compatible = api.provider("openai-compatible", Map.of())) {
      assertThat(compatible.capability(WebhookVerification.class)).isEmpty();
    }
  }
}
