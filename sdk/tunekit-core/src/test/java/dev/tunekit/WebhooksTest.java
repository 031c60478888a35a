package dev.tunekit;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.Secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.testing.FakeProvider;
import dev.tunekit.testing.FakeProvider.Op;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhooksTest extends FakeProviderTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Secret SECRET = Secret.of("whsec_" + Base64.getEncoder().encodeToString(KEY));
  private static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);


  /** Starts a run whose job is running on the "provider" and will have ended by the next status call. */
  private Run startRunThatEnds(Tunekit tk, dev.tunekit.model.JobStatus end) {
    fake.script(new JobStatus.Running("running"), end);
    Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).start();
    fake.job(jobId(run)); // the provider's first answer: running
    return run;
  }

  private static String jobId(Run run) {
    return run.info().jobId().orElseThrow();
  }

  private static JobStatus succeeded() {
    return new JobStatus.Succeeded("succeeded", Optional.of("ft:gpt-4o-mini:fake:ftjob-1"));
  }

  // ------------------------------------------------------------------ signing like OpenAI does

  /** The fake provider's verifier checks OpenAI's scheme; sign with its own signer. */
  static String signature(byte[] key, String id, long timestamp, byte[] body) {
    return FakeProvider.sign(key, id, timestamp, body);
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

  // ------------------------------------------------------------------ accepted

  @Test
  void validSucceededDeliveryIsAcceptedAndUpdatesTheRunAfterOneStatusCall() {
    try (Tunekit tk = open()) {
      Run run = startRunThatEnds(tk, succeeded());
      int jobCalls = fake.calls(Op.JOB);
      byte[] body = event("fine_tuning.job.succeeded", jobId(run));

      WebhookResult r = tk.webhooks(SECRET).handle(signed("wh_1", body), body);

      assertThat(r).isEqualTo(new WebhookResult.Accepted(run.id(), RunState.TRAINED));
      assertThat(r.httpStatus()).isEqualTo(200);
      assertThat(fake.calls(Op.JOB)).isEqualTo(jobCalls + 1);
      assertThat(run.state()).isEqualTo(RunState.TRAINED);
      assertThat(run.fineTunedModel()).contains("ft:gpt-4o-mini:fake:ftjob-1");
      assertThat(tk.workflow().ledger().logOf(run.id()))
          .anyMatch(l -> l.equals("webhook fine_tuning.job.succeeded " + jobId(run) + " (webhook-id wh_1)"));
    }
  }

  @Test
  void failedDeliveryRecordsTheFailureTheProviderConfirms() {
    try (Tunekit tk = open()) {
      Run run = startRunThatEnds(tk, new JobStatus.Failed("failed", "training file has 3 invalid lines", Optional.empty()));
      byte[] body = event("fine_tuning.job.failed", jobId(run));

      WebhookResult r = tk.webhooks(SECRET).handle(signed("wh_f", body), body);

      assertThat(r).isEqualTo(new WebhookResult.Accepted(run.id(), RunState.FAILED));
      assertThat(run.info().error()).contains("training file has 3 invalid lines");
    }
  }

  @Test
  void cancelledDeliveryMarksTheRunCancelled() {
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).start();
      fake.cancel(jobId(run)); // cancelled in the provider's console
      byte[] body = event("fine_tuning.job.cancelled", jobId(run));

      WebhookResult r = tk.webhooks(SECRET).handle(signed("wh_c", body), body);

      assertThat(r).isEqualTo(new WebhookResult.Accepted(run.id(), RunState.CANCELLED));
      assertThat(run.state()).isEqualTo(RunState.CANCELLED);
    }
  }

  @Test
  void timestampWithinTheToleranceIsAccepted() {
    try (Tunekit tk = open()) {
      Run run = startRunThatEnds(tk, succeeded());
      byte[] body = event("fine_tuning.job.succeeded", jobId(run));
      long ts = now() - Duration.ofMinutes(4).toSeconds();

      WebhookResult r = tk.webhooks(SECRET).handle(headers("wh_t", ts, signature(KEY, "wh_t", ts, body)), body);

      assertThat(r).isInstanceOf(WebhookResult.Accepted.class);
    }
  }

  // ------------------------------------------------------------------ rejected

  @Test
  void widerToleranceAcceptsAnOlderTimestamp() {
    try (Tunekit tk = open()) {
      Run run = startRunThatEnds(tk, succeeded());
      byte[] body = event("fine_tuning.job.succeeded", jobId(run));
      long ts = now() - 360;

      WebhookResult r = tk.webhooks(SECRET).withTolerance(Duration.ofMinutes(10))
          .handle(headers("wh_6", ts, signature(KEY, "wh_6", ts, body)), body);

      assertThat(r).isInstanceOf(WebhookResult.Accepted.class);
    }
  }

  @Test
  void replayedWebhookIdIsAcknowledgedButNotActedOnTwice() {
    try (Tunekit tk = open()) {
      Run run = startRunThatEnds(tk, succeeded());
      byte[] body = event("fine_tuning.job.succeeded", jobId(run));
      Webhooks webhooks = tk.webhooks(SECRET);
      assertThat(webhooks.handle(signed("wh_7", body), body)).isInstanceOf(WebhookResult.Accepted.class);
      int jobCalls = fake.calls(Op.JOB);
      int logLines = tk.workflow().ledger().logOf(run.id()).size();

      clock.advance(Duration.ofSeconds(30)); // the same delivery again, freshly signed (a redelivery or a replay)
      WebhookResult again = webhooks.handle(signed("wh_7", body), body);

      assertThat(again).isInstanceOfSatisfying(WebhookResult.Ignored.class, x -> {
        assertThat(x.httpStatus()).isEqualTo(200);
        assertThat(x.reason()).contains("wh_7").contains("already handled");
      });
      assertThat(fake.calls(Op.JOB)).isEqualTo(jobCalls);
      assertThat(tk.workflow().ledger().logOf(run.id())).hasSize(logLines);
    }
  }

  @Test
  void replayProtectionHoldsAcrossHandlersSharingTheLedger() {
    try (Tunekit tk = open(); Tunekit other = open()) {
      Run run = startRunThatEnds(tk, succeeded());
      byte[] body = event("fine_tuning.job.succeeded", jobId(run));
      Map<String, String> h = signed("wh_8", body);
      assertThat(tk.webhooks(SECRET).handle(h, body)).isInstanceOf(WebhookResult.Accepted.class);

      assertThat(other.webhooks(SECRET).handle(h, body)).isInstanceOf(WebhookResult.Ignored.class);
    }
  }

  // ------------------------------------------------------------------ ignored

  @Test
  void otherEventTypesAreIgnoredWithoutCallingTheProvider() {
    try (Tunekit tk = open()) {
      Run run = startRunThatEnds(tk, succeeded());
      int jobCalls = fake.calls(Op.JOB);
      byte[] body = event("batch.completed", "batch_abc");

      WebhookResult r = tk.webhooks(SECRET).handle(signed("wh_9", body), body);

      assertThat(r).isEqualTo(new WebhookResult.Ignored("event type batch.completed is not a fine-tuning job's end",
          200));
      assertThat(fake.calls(Op.JOB)).isEqualTo(jobCalls);
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
    }
  }

  @Test
  void jobUnknownToTheLedgerIsIgnoredWith404SoTheSenderRetries() {
    try (Tunekit tk = open()) {
      int jobCalls = fake.calls(Op.JOB);
      byte[] body = event("fine_tuning.job.succeeded", "ftjob-not-ours");

      WebhookResult r = tk.webhooks(SECRET).handle(signed("wh_10", body), body);

      assertThat(r).isInstanceOfSatisfying(WebhookResult.Ignored.class, x -> {
        assertThat(x.httpStatus()).isEqualTo(404);
        assertThat(x.reason()).contains("ftjob-not-ours");
      });
      assertThat(fake.calls(Op.JOB)).isEqualTo(jobCalls);
    }
  }

  // ------------------------------------------------------------------ cannot confirm yet

  @Test
  void deliveryAheadOfTheProvidersStatusIsAnswered503AndProcessedWhenDeliveredAgain() {
    try (Tunekit tk = open()) {
      fake.script(new JobStatus.Running("running"), new JobStatus.Running("running"), succeeded());
      Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).start();
      byte[] body = event("fine_tuning.job.succeeded", jobId(run));
      Webhooks webhooks = tk.webhooks(SECRET);

      WebhookResult first = webhooks.handle(signed("wh_11", body), body); // provider still says running

      assertThat(first).isInstanceOfSatisfying(WebhookResult.Rejected.class, x -> {
        assertThat(x.httpStatus()).isEqualTo(503);
        assertThat(x.reason()).contains("still reports it running");
      });
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
      fake.job(jobId(run)); // time passes on the provider: now it has ended
      clock.advance(Duration.ofMinutes(1));
      assertThat(webhooks.handle(signed("wh_11", body), body))
          .isEqualTo(new WebhookResult.Accepted(run.id(), RunState.TRAINED));
    }
  }

  @Test
  void providerFailureWhileConfirmingIsAnswered503AndTheDeliveryIsNotRemembered() {
    try (Tunekit tk = open()) {
      Run run = startRunThatEnds(tk, succeeded());
      byte[] body = event("fine_tuning.job.succeeded", jobId(run));
      Webhooks webhooks = tk.webhooks(SECRET);
      fake.failNext(Op.JOB, FakeProvider.http(403));

      WebhookResult first = webhooks.handle(signed("wh_12", body), body);

      assertThat(first).isInstanceOfSatisfying(WebhookResult.Rejected.class, x -> {
        assertThat(x.httpStatus()).isEqualTo(503);
        assertThat(x.reason()).contains("could not confirm").contains("HTTP 403");
      });
      assertThat(webhooks.handle(signed("wh_12", body), body)).isInstanceOf(WebhookResult.Accepted.class);
    }
  }

  // ------------------------------------------------------------------ await

  /** A sleeper that advances the fake clock and, on the first sleep, lets {@code onFirstSleep} run (a delivery). */
  private Sleeper deliveringSleeper(List<Duration> sleeps, Runnable onFirstSleep) {
    return d -> {
      boolean first = sleeps.isEmpty();
      sleeps.add(d);
      clock.advance(d);
      if (first) {
        onFirstSleep.run();
      }
    };
  }

  private Tunekit.Builder slowPolling(Sleeper s) {
    return Fixtures.builder(dir, instance, clock, s)
        .polling(Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofHours(24))
        .leases(Duration.ofMinutes(30), Duration.ofSeconds(1));
  }

  @Test
  void awaitReturnsWithinOneLedgerCheckOfAWebhookHandledByAnotherInstance() {
    List<Duration> sleeps = new ArrayList<>();
    List<WebhookResult> results = new ArrayList<>();
    String[] job = new String[1];
    try (Tunekit endpoint = open()) { // the service's webhook endpoint: another instance on the same ledger
      Sleeper s = deliveringSleeper(sleeps, () -> {
        byte[] body = event("fine_tuning.job.succeeded", job[0]);
        results.add(endpoint.webhooks(SECRET).handle(signed("wh_a", body), body));
      });
      try (Tunekit tk = slowPolling(s).build()) {
        fake.script(new JobStatus.Running("running"), succeeded());
        Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).start();
        job[0] = jobId(run);

        RunResult result = run.await();

        assertThat(result.succeeded()).isTrue();
        assertThat(result.fineTunedModel()).contains("ft:gpt-4o-mini:fake:ftjob-1");
        assertThat(results).singleElement().isInstanceOf(WebhookResult.Accepted.class);
        // one 1 s slice, then the ledger showed the webhook's status: no 10-minute wait
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1));
      }
    }
  }

  @Test
  void withoutAWebhookTheSameAwaitWaitsOutThePollInterval() {
    List<Duration> sleeps = new ArrayList<>();
    try (Tunekit tk = slowPolling(deliveringSleeper(sleeps, () -> {})).build()) {
      fake.script(new JobStatus.Running("running"), succeeded());
      Run run = tk.fineTune().model("gpt-4o-mini").trainingData(train).start();

      assertThat(run.await().succeeded()).isTrue();
      assertThat(sleeps.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofMinutes(10));
    }
  }

  // ------------------------------------------------------------------ the secret

  // ------------------------------------------------------------------ verification is the provider's

  @Test
  void aDeliveryTheProviderRejectsIsAnsweredWithItsStatusAndTheRunUntouched() {
    try (Tunekit tk = open()) {
      Run run = startRunThatEnds(tk, succeeded());
      int jobCalls = fake.calls(Op.JOB);
      byte[] body = event("fine_tuning.job.succeeded", jobId(run));

      WebhookResult r = tk.webhooks(SECRET).handle(headers("wh_2", now(), signature(OTHER_KEY, "wh_2", now(), body)),
          body);

      assertThat(r).isEqualTo(new WebhookResult.Rejected("no webhook-signature matches", 401));
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
      assertThat(fake.calls(Op.JOB)).isEqualTo(jobCalls);
      // a rejected delivery's id is not remembered: the genuine one with that id is still processed
      assertThat(tk.webhooks(SECRET).handle(signed("wh_2", body), body)).isInstanceOf(WebhookResult.Accepted.class);
    }
  }

  @Test
  void aProviderWithoutWebhookVerificationCannotHaveAHandler() {
    fake.without(dev.tunekit.spi.WebhookVerification.class);
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.webhooks(SECRET))
          .isInstanceOf(dev.tunekit.error.UnsupportedCapabilityException.class)
          .hasMessageStartingWith("Provider fake does not support WebhookVerification: cannot verify webhook"
              + " deliveries.")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET.reveal()));
      assertThatThrownBy(tk::webhooks).isInstanceOf(dev.tunekit.error.UnsupportedCapabilityException.class);
    }
  }

  @Test
  void toStringNamesTheToleranceNeverTheSecret() {
    try (Tunekit tk = open()) {
      String b64Key = Base64.getEncoder().encodeToString(KEY);
      assertThat(tk.webhooks(SECRET).toString()).doesNotContain(b64Key).contains("tolerance=5m");
    }
  }
}
