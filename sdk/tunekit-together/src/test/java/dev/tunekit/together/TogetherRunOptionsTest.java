package dev.tunekit.together;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tunekit.testing.SharedServer;
import dev.tunekit.Run;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.PriceQuote;
import dev.tunekit.spi.PriceRefusedException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * maxPrice, the remote price quote ({@code POST /fine-tunes/estimate-price}) and {@code from_checkpoint}, through the
 * engine against WireMock: a cap above the catalog estimate stops the run before anything is sent; a quote above
 * the cap, or one that is not allowed to proceed, stops it after the (free) upload and before the paid create.
 */
class TogetherRunOptionsTest {
  @RegisterExtension
  static final SharedServer<TogetherFakes> SERVER = new SharedServer<>(TogetherFakes::new, f -> f.wm.resetAll());
  static TogetherFakes fakes;
  @TempDir Path tmp;

  @BeforeEach
  void stubs() {
    fakes = SERVER.get();
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/files")).willReturn(okJson("{\"data\":[]}")));
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/files/upload")).willReturn(okJson(TogetherFakes.file("file-1", "t.jsonl", 1))));
    fakes.wm.stubFor(get(urlPathEqualTo("/v1/fine-tunes")).willReturn(okJson("{\"data\":[]}")));
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes")).willReturn(okJson(TogetherFakes.job("ft-q1", "pending", "x", ""))));
  }

  private Tunekit open() {
    Tunekit.Builder b = Tunekit.builder().provider("together");
    for (Map.Entry<String, Object> e : fakes.settings().entrySet()) {
      b.setting(e.getKey(), e.getValue());
    }
    return b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work")).env(Map.of())
        .retry(2, Duration.ofMillis(1), Duration.ofMillis(2), 2.0).build();
  }

  /** {@code estimated_total_price} and the rest of the documented answer. */
  private static void quote(String price, boolean allowed) {
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes/estimate-price")).willReturn(okJson("{\"estimated_total_price\":"
        + price + ",\"allowed_to_proceed\":" + allowed + ",\"user_limit\":100.0,\"estimated_train_token_count\":52000,"
        + "\"estimated_eval_token_count\":0}")));
  }

  private Path data(int n) {
    return dev.tunekit.testing.ChatData.write(tmp.resolve("train.jsonl"), n);
  }

  @Test
  void aCapBelowTheCatalogEstimate_rejectsTheRunBeforeAnyCall() {
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model(TogetherFakes.BASE_MODEL).trainingData(data(1000))
          .hyperparameters(h -> h.epochs(20)).maxPrice(new BigDecimal("0.05")).start(), PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("maxPrice: the estimated training cost is", "above maxPrice 0.05 USD",
          "20 epochs", "from the together catalog").doesNotContain("resume");
      assertThat(tk.run(e.runId().orElseThrow()).state()).isEqualTo(RunState.REJECTED);
    }
    fakes.wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void aQuoteAboveTheCap_isRecorded_andNothingIsCreated() {
    quote("250.5", true);
    try (Tunekit tk = open()) {
      PriceRefusedException e = catchThrowableOfType(() -> tk.fineTune().model(TogetherFakes.BASE_MODEL).trainingData(data(12))
          .hyperparameters(h -> h.epochs(2)).maxPrice(new BigDecimal("25")).start(), PriceRefusedException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("maxPrice: the provider quoted 250.5 USD for 52000 trained tokens",
          "above maxPrice 25 USD; raise maxPrice", "start a new run", "before its job was created",
          "no job was created").doesNotContain("resume").doesNotContain("Nothing was sent")
          .doesNotContain("before anything was uploaded");
      assertThat(e.resumeRunId()).isEmpty();
      assertThat(e.quote().amount()).isEqualByComparingTo("250.5");
      Run run = tk.run(e.runId().orElseThrow());
      assertThat(run.state()).isEqualTo(RunState.REJECTED);
      assertThat(run.priceQuote()).hasValueSatisfying(q -> {
        assertThat(q.amount()).isEqualByComparingTo("250.5");
        assertThat(q.source()).contains("estimate-price");
      });
    }
    fakes.wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/files/upload")));
    fakes.wm.verify(0, postRequestedFor(urlPathEqualTo("/v1/fine-tunes")));
  }

  @Test
  void aQuoteThatIsNotAllowedToProceed_refusesTheCreate_evenWithoutACap() {
    quote("3.10", false);
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model(TogetherFakes.BASE_MODEL).trainingData(data(12))
          .start(), PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("may not proceed", "NOT allowed to proceed", "credit limit");
    }
    fakes.wm.verify(0, postRequestedFor(urlPathEqualTo("/v1/fine-tunes")));
  }

  @Test
  void withACap_aFailedQuoteCreatesNothing() {
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes/estimate-price")).willReturn(aResponse().withStatus(400)
        .withHeader("Content-Type", "application/json").withBody(TogetherFakes.error("invalid_request_error", "bad"))));
    try (Tunekit tk = open()) {
      TunekitException e = catchThrowableOfType(() -> tk.fineTune().model(TogetherFakes.BASE_MODEL).trainingData(data(12))
          .maxPrice(new BigDecimal("25")).start(), TunekitException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("price quote failed", "maxPrice set", "HTTP 400")
          .doesNotContain(TogetherFakes.KEY);
      // A refusal refuses again: the run is rejected, and the advice is to fix it and start anew, not to resume.
      assertThat(e.getMessage()).contains("nothing was created", "start a new run").doesNotContain("tk.resume");
      assertThat(tk.runs().get(0).state()).isEqualTo(RunState.REJECTED);
    }
    fakes.wm.verify(0, postRequestedFor(urlPathEqualTo("/v1/fine-tunes")));
  }

  @Test
  void withACap_aQuoteThatKeepsFailingWith503_keepsTheRunToResume_andCreatesNothing() {
    fakes.wm.stubFor(post(urlPathEqualTo("/v1/fine-tunes/estimate-price")).willReturn(aResponse().withStatus(503)
        .withHeader("Content-Type", "application/json").withBody(TogetherFakes.error("server_error", "busy"))));
    try (Tunekit tk = open()) {
      TunekitException e = catchThrowableOfType(() -> tk.fineTune().model(TogetherFakes.BASE_MODEL).trainingData(data(12))
          .maxPrice(new BigDecimal("25")).start(), TunekitException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("price quote failed", "HTTP 503", "nothing was created", "tk.resume(\"run-")
          .doesNotContain("start a new run");
      assertThat(tk.runs().get(0).state()).isNotEqualTo(RunState.REJECTED).isNotEqualTo(RunState.FAILED);
    }
    fakes.wm.verify(0, postRequestedFor(urlPathEqualTo("/v1/fine-tunes")));
  }

  @Test
  void aQuoteWithinTheCap_isRecorded_andTheJobStartsFromTheCheckpoint() {
    quote("1.25", true);
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(TogetherFakes.BASE_MODEL).trainingData(data(12)).hyperparameters(h -> h.epochs(2))
          .maxPrice(new BigDecimal("25")).fromCheckpoint("ft-prev-1234:10").start();
      assertThat(run.state()).isEqualTo(RunState.SUBMITTED);
      PriceQuote q = run.priceQuote().orElseThrow();
      assertThat(q.amount()).isEqualByComparingTo("1.25");
      assertThat(q.currency()).isEqualTo("USD");
      assertThat(q.trainedTokens()).hasValue(52000);
      assertThat(q.allowedToProceed()).isTrue();
    }
    fakes.wm.verify(postRequestedFor(urlPathEqualTo("/v1/fine-tunes/estimate-price"))
        .withRequestBody(matchingJsonPath("$.training_file", com.github.tomakehurst.wiremock.client.WireMock.equalTo("file-1")))
        .withRequestBody(matchingJsonPath("$.model", com.github.tomakehurst.wiremock.client.WireMock.equalTo(TogetherFakes.BASE_MODEL)))
        .withRequestBody(matchingJsonPath("$.n_epochs", com.github.tomakehurst.wiremock.client.WireMock.equalTo("2")))
        .withRequestBody(matchingJsonPath("$.from_checkpoint", com.github.tomakehurst.wiremock.client.WireMock.equalTo("ft-prev-1234:10")))
        .withRequestBody(equalToJson("{\"training_method\":{\"method\":\"sft\"}}", true, true)));
    fakes.wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/fine-tunes"))
        .withRequestBody(matchingJsonPath("$.from_checkpoint", com.github.tomakehurst.wiremock.client.WireMock.equalTo("ft-prev-1234:10"))));
  }

  @Test
  void aMalformedCheckpoint_isAPreflightProblem_beforeAnyCall() {
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model(TogetherFakes.BASE_MODEL).trainingData(data(12))
          .fromCheckpoint("ft-prev-1234:latest").start(), PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("fromCheckpoint: 'ft-prev-1234:latest' is not a Together checkpoint",
          "positive whole number", "ft-1234abcd-5678:100");
    }
    fakes.wm.verify(0, anyRequestedFor(anyUrl()));
  }
}
