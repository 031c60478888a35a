package dev.tunekit.bedrock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.Tunekit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11.5 on Bedrock: missing credentials and unparseable answers get the advice that fits them. */
class BedrockAdviceTest {
  @TempDir Path tmp;
  private WireMockServer wm;

  @BeforeEach
  void start() {
    wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
  }

  @AfterEach
  void stop() {
    wm.stop();
  }

  private static final String[] AWS_PROPERTIES = {"aws.accessKeyId", "aws.secretAccessKey", "aws.sessionToken",
      "aws.sharedCredentialsFile", "aws.configFile", "aws.disableEc2Metadata", "aws.profile"};

  /** Runs {@code body} with the SDK's default chain finding nothing: no keys, no profile files, no instance role. */
  private void withoutCredentials(Runnable body) {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null
        && System.getenv("AWS_PROFILE") == null && System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") == null
        && System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") == null
        && System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") == null, "AWS credentials are set in the environment");
    String[] saved = new String[AWS_PROPERTIES.length];
    for (int i = 0; i < AWS_PROPERTIES.length; i++) {
      saved[i] = System.getProperty(AWS_PROPERTIES[i]);
      System.clearProperty(AWS_PROPERTIES[i]);
    }
    System.setProperty("aws.sharedCredentialsFile", tmp.resolve("no-credentials").toString());
    System.setProperty("aws.configFile", tmp.resolve("no-config").toString());
    System.setProperty("aws.disableEc2Metadata", "true");
    try {
      body.run();
    } finally {
      for (int i = 0; i < AWS_PROPERTIES.length; i++) {
        if (saved[i] == null) {
          System.clearProperty(AWS_PROPERTIES[i]);
        } else {
          System.setProperty(AWS_PROPERTIES[i], saved[i]);
        }
      }
    }
  }

  @Test
  void noCredentialsIsAOneLineAuthenticationErrorAndNothingIsSent() {
    withoutCredentials(() -> {
      try (BedrockProvider p = (BedrockProvider) new BedrockProviderFactory().create(ProviderSettings.of("bedrock",
          "tunekit.yaml", tmp, Fixtures.settings(wm.baseUrl(), wm.baseUrl())))) {
        for (Runnable call : List.<Runnable>of(
            () -> p.upload(dev.tunekit.spi.FileUpload.builder().path(tmp.resolve("t.jsonl")).fileName("t.jsonl")
                .sha256("0".repeat(64)).sizeBytes(10).format(BedrockFormats.CONVERSATION)
                .role(dev.tunekit.spi.FileUpload.Role.TRAINING).build()),
            () -> p.createJob(Fixtures.request("run-1", Hyperparameters.builder().epochs(2).build())),
            () -> p.chat(ChatRequest.of("amazon.nova-micro-v1:0", List.of(ChatMessage.user("hi")))),
            () -> p.job(Fixtures.JOB_ARN))) {
          assertThatThrownBy(call::run).isInstanceOfSatisfying(AuthenticationException.class, e -> {
            assertThat(e.getMessage()).contains("No AWS credentials found").contains("nothing was sent")
                .doesNotContain("\n").doesNotContain("may have succeeded").doesNotContain("before a response");
            assertThat(e.getMessage().length()).isLessThan(300);
            assertThat(e.retryable()).isFalse();
            assertThat(e.outcomeUnknown()).isFalse();
          });
        }
      }
    });
    assertThat(wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void aRunWithoutCredentialsStopsOnOneShortLineBeforeAnyRequest() throws Exception {
    Path data = Datasets.chat(tmp.resolve("support.jsonl"), 12);
    withoutCredentials(() -> {
      Tunekit.Builder b = Tunekit.builder().provider("bedrock").ledger(tmp.resolve("ledger.db"))
          .workDir(tmp.resolve("work")).retry(3, Duration.ofMillis(1), Duration.ofMillis(10), 2.0);
      Fixtures.settings(wm.baseUrl(), wm.baseUrl()).forEach(b::setting);
      try (Tunekit tk = b.build()) {
        assertThatThrownBy(() -> tk.fineTune().model(Fixtures.NOVA).trainingData(data).start())
            .isInstanceOfSatisfying(AuthenticationException.class, e -> {
              assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("may have succeeded")
                  .doesNotContain("second job").contains("fix the cause and start a new run");
              assertThat(e.getMessage().length()).isLessThan(400);
            });
      }
    });
    assertThat(wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void preflightRefusesMissingCredentialsBeforeAnyRequestSayingWhereItLooked() throws Exception {
    Path data = Datasets.chat(tmp.resolve("support.jsonl"), 12);
    // One WireMock stands in for Bedrock and S3 (both endpoints point at it) and records every request.
    withoutCredentials(() -> {
      try (BedrockProvider p = (BedrockProvider) new BedrockProviderFactory().create(ProviderSettings.of("bedrock",
          "tunekit.yaml", tmp, Fixtures.settings(wm.baseUrl(), wm.baseUrl())))) {
        JobPlan plan = JobPlan.builder().baseModel(Fixtures.NOVA).trainingExamples(12).build();
        assertThatThrownBy(() -> p.preflight(plan)).isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e).isInstanceOf(dev.tunekit.error.TunekitException.class);
          assertThat(e.getMessage()).contains("No AWS credentials found", "nothing was sent", "tried system properties",
              "env", "profile 'default'", "EC2 metadata (disabled)", "AWS_ACCESS_KEY_ID", "aws sso login")
              .doesNotContain("\n");
          assertThat(e.retryable()).isFalse();
        });
      }
      // Through a run with a baseline: refused at preflight, before the baseline chat and the upload.
      Tunekit.Builder b = Tunekit.builder().provider("bedrock").ledger(tmp.resolve("ledger2.db"))
          .workDir(tmp.resolve("work2")).retry(3, Duration.ofMillis(1), Duration.ofMillis(10), 2.0);
      Fixtures.settings(wm.baseUrl(), wm.baseUrl()).forEach(b::setting);
      try (Tunekit tk = b.build()) {
        assertThatThrownBy(() -> tk.fineTune().model(Fixtures.NOVA).trainingData(data)
            .evaluateWith(dev.tunekit.eval.EvalSuite.of("s", dev.tunekit.eval.EvalCase.of("c1", "q1", "a1"))
                .withGrader(dev.tunekit.eval.Graders.exactMatch()))
            .baselinePrompt("Answer.").start())
            .isInstanceOfSatisfying(AuthenticationException.class, e -> assertThat(e.getMessage())
                .contains("tried system properties").doesNotContain("\n"));
      }
    });
    assertThat(wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void anUnparseableAnswerIsNotAFailureBeforeAResponseAndIsNotRetried() {
    wm.stubFor(get(urlPathMatching("/model-customization-jobs/.*")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody("<html>this is not Bedrock</html>")));
    try (BedrockProvider p = Fixtures.provider(tmp, Fixtures.settings(wm.baseUrl(), wm.baseUrl()))) {
      assertThatThrownBy(() -> p.job(Fixtures.JOB_ARN)).isInstanceOfSatisfying(ProviderException.class, e -> {
        assertThat(e.getMessage()).doesNotContain("before a response arrived").contains("could not be read");
        assertThat(e.retryable()).isFalse();
      });
    }
  }

  @Test
  void anUnparseableAnswerToACreateIsOfUnknownOutcome() {
    wm.stubFor(post(urlEqualTo("/model-customization-jobs")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody("{\"jobArn\": ")));
    try (BedrockProvider p = Fixtures.provider(tmp, Fixtures.settings(wm.baseUrl(), wm.baseUrl()))) {
      assertThatThrownBy(() -> p.createJob(Fixtures.request("run-1", Hyperparameters.builder().epochs(2).build())))
          .isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.getMessage()).doesNotContain("before a response arrived");
            assertThat(e.retryable()).isFalse();
            assertThat(e.outcomeUnknown()).isTrue(); // the job may exist: the core looks for it before anything else
          });
    }
  }
}
