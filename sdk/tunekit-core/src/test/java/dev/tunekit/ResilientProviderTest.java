package dev.tunekit;

import dev.tunekit.testing.FakeClock;
import dev.tunekit.testing.RecordingSleeper;
import dev.tunekit.error.CircuitOpenException;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.internal.ResilienceSettings;
import dev.tunekit.internal.ResilientProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.error.UnsupportedCapabilityException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.testing.FakeProvider;
import dev.tunekit.testing.FakeProvider.Op;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResilientProviderTest {
  private final FakeClock clock = new FakeClock();
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);
  private final FakeProvider fake = new FakeProvider();
  private final ResilienceSettings settings = new ResilienceSettings(5, Duration.ofMillis(500), Duration.ofSeconds(30),
      2.0, 50f, 20, 10, Duration.ofSeconds(30));
  private final ResilientProvider provider = new ResilientProvider(fake, settings, clock, sleeper);

  private String aJob() {
    RemoteFile f = fake.upload(FileUpload.builder().path(Path.of("t.jsonl")).fileName("t.jsonl").sha256("abc" + "0".repeat(61))
        .sizeBytes(10).format(DatasetFormat.CHAT_JSONL).role(FileUpload.Role.TRAINING).build());
    return fake.createJob(request("key-1", f.id())).id();
  }

  private static JobRequest request(String key, String fileId) {
    return JobRequest.builder().runId("run-1").idempotencyKey(key).baseModel("m").method(TrainingMethod.SUPERVISED)
        .trainingFileId(fileId).validationFileId(Optional.empty()).hyperparameters(Hyperparameters.defaults())
        .suffix(Optional.empty()).metadata(Map.of()).build();
  }

  @Test
  void rateLimitWithRetryAfterIsWaitedExactly() {
    String job = aJob();
    fake.failNext(Op.JOB, FakeProvider.rateLimited(Duration.ofSeconds(7)));
    assertThat(provider.job(job).id()).isEqualTo(job);
    assertThat(sleeper.sleeps).containsExactly(Duration.ofSeconds(7));
    assertThat(fake.calls(Op.JOB)).isEqualTo(2);
  }

  @Test
  void aShortRetryAfterOnA429IsAFloorWithGrowingJitterOnTop() {
    String job = aJob();
    fake.failNext(Op.JOB, 12, () -> FakeProvider.rateLimited(Duration.ofMillis(40)));
    ResilienceSettings many = new ResilienceSettings(13, Duration.ofMillis(500), Duration.ofSeconds(30), 2.0, 50f,
        20, 10, Duration.ofSeconds(30));
    ResilientProvider p = new ResilientProvider(fake, many, clock, sleeper);
    assertThat(p.job(job).id()).isEqualTo(job);
    // Callers told 40 ms do not all come back together 40 ms later: 40 ms + up to 50, 100, 200, 400 ms..., the
    // spread doubling per attempt (and capped by the backoff's nominal 500 ms x 2^n, at most 30 s).
    assertThat(sleeper.sleeps).hasSize(12);
    for (int i = 0; i < 12; i++) {
      long spread = Math.min(50L << i, Math.min(500L << i, 30_000L));
      assertThat(sleeper.sleeps.get(i).toMillis()).as("wait %d", i + 1).isBetween(40L, 40L + spread);
    }
    assertThat(sleeper.sleeps.stream().distinct().count()).as("jittered").isGreaterThan(6);
  }

  @Test
  void serverErrorsAreRetriedWithExponentialBackoffAndJitter() {
    String job = aJob();
    fake.failNext(Op.JOB, FakeProvider.http(500));
    fake.failNext(Op.JOB, FakeProvider.http(503));
    fake.failNext(Op.JOB, FakeProvider.http(502));
    assertThat(provider.job(job).id()).isEqualTo(job);
    assertThat(fake.calls(Op.JOB)).isEqualTo(4);
    assertThat(sleeper.sleeps).hasSize(3);
    // 500ms, 1s, 2s, each ±50% jitter
    assertThat(sleeper.sleeps.get(0).toMillis()).isBetween(250L, 750L);
    assertThat(sleeper.sleeps.get(1).toMillis()).isBetween(500L, 1500L);
    assertThat(sleeper.sleeps.get(2).toMillis()).isBetween(1000L, 3000L);
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 422})
  void clientErrorsPropagateAtOnce(int status) {
    String job = aJob();
    ProviderException failure = FakeProvider.http(status);
    fake.failNext(Op.JOB, failure);
    assertThatThrownBy(() -> provider.job(job)).isSameAs(failure);
    assertThat(fake.calls(Op.JOB)).isEqualTo(1);
    assertThat(sleeper.sleeps).isEmpty();
  }

  @Test
  void retriesStopAfterMaxAttemptsWithTheLastFailure() {
    String job = aJob();
    fake.failNext(Op.EVENTS, 10, () -> FakeProvider.http(503));
    assertThatThrownBy(() -> provider.events(job, Optional.empty())).isInstanceOf(ProviderException.class)
        .hasMessageContaining("503");
    assertThat(fake.calls(Op.EVENTS)).isEqualTo(5);
    assertThat(sleeper.sleeps).hasSize(4);
  }

  @Test
  void aRetryAfterLongerThanTenMinutesIsNotWaitedFor() {
    String job = aJob();
    fake.failNext(Op.JOB, FakeProvider.rateLimited(Duration.ofHours(1)));
    assertThatThrownBy(() -> provider.job(job)).isInstanceOf(RateLimitedException.class);
    assertThat(sleeper.sleeps).isEmpty();
  }

  @Test
  void createWithUnknownOutcomeThatTookEffectIsNotRepeated() {
    RemoteFile f = fake.upload(FileUpload.builder().path(Path.of("t.jsonl")).fileName("t.jsonl").sha256("abc" + "0".repeat(61))
        .sizeBytes(10).format(DatasetFormat.CHAT_JSONL).role(FileUpload.Role.TRAINING).build());
    fake.commitThenFail(Op.CREATE_JOB, FakeProvider.http(504));
    assertThat(provider.createJob(request("key-9", f.id())).id()).isEqualTo("ftjob-1");
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
    assertThat(fake.calls(Op.FIND_JOB)).isEqualTo(1);
    assertThat(fake.jobCount()).isEqualTo(1);
    assertThat(sleeper.sleeps).isEmpty();
  }

  @Test
  void createIsNotRepeatedWhenItCannotBeCheckedWhetherItTookEffect() {
    RemoteFile f = fake.upload(FileUpload.builder().path(Path.of("t.jsonl")).fileName("t.jsonl").sha256("abc" + "0".repeat(61))
        .sizeBytes(10).format(DatasetFormat.CHAT_JSONL).role(FileUpload.Role.TRAINING).build());
    fake.failNext(Op.CREATE_JOB, FakeProvider.timeoutAfterSend());
    fake.failNext(Op.FIND_JOB, 10, () -> FakeProvider.http(503));
    assertThatThrownBy(() -> provider.createJob(request("key-2", f.id())))
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.outcomeUnknown()).isTrue();
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("Nothing was repeated");
        });
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(1);
  }

  @Test
  void circuitBreakerOpensAfterRepeatedServerFailuresAndFailsFast() {
    ResilienceSettings tight = new ResilienceSettings(1, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 50f, 4, 4,
        Duration.ofSeconds(30));
    ResilientProvider p = new ResilientProvider(fake, tight, clock, sleeper);
    String job = aJob();
    fake.failNext(Op.JOB, 4, () -> FakeProvider.http(503));
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> p.job(job)).hasMessageContaining("503");
    }
    assertThat(p.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThatThrownBy(() -> p.job(job)).isInstanceOfSatisfying(CircuitOpenException.class, e -> {
      assertThat(e.getMessage()).contains("100% of its last 4 calls failed");
      assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
    });
    assertThat(fake.calls(Op.JOB)).isEqualTo(4);

    clock.advance(Duration.ofSeconds(31));
    assertThat(p.job(job).id()).isEqualTo(job); // half-open trial call succeeds
    assertThat(p.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void aPatientCallWaitsOutAnOpenBreakerAndSaysUntilWhenWhileADirectCallFailsFast() {
    ResilienceSettings tight = new ResilienceSettings(1, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 50f, 4, 4,
        Duration.ofSeconds(30));
    ResilientProvider p = new ResilientProvider(fake, tight, clock, sleeper);
    String job = aJob();
    fake.failNext(Op.JOB, 4, () -> FakeProvider.http(503));
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> p.job(job)).hasMessageContaining("503");
    }
    assertThat(p.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
    java.time.Instant openedAt = clock.instant();
    assertThatThrownBy(() -> p.job(job)).isInstanceOf(CircuitOpenException.class); // a direct call: fast

    List<java.time.Instant> told = new java.util.ArrayList<>();
    int sleepsBefore = sleeper.sleeps.size();
    assertThat(p.patiently(told::add, () -> p.job(job)).id()).isEqualTo(job);
    assertThat(told).containsExactly(openedAt.plusSeconds(30));
    assertThat(sleeper.sleeps.subList(sleepsBefore, sleeper.sleeps.size())).containsExactly(Duration.ofSeconds(30).plusMillis(1));
    assertThat(p.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(fake.calls(Op.JOB)).isEqualTo(5);
  }

  @Test
  void clientErrorsAndRateLimitsDoNotOpenTheBreaker() {
    ResilienceSettings tight = new ResilienceSettings(1, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 50f, 4, 4,
        Duration.ofSeconds(30));
    ResilientProvider p = new ResilientProvider(fake, tight, clock, sleeper);
    String job = aJob();
    fake.failNext(Op.JOB, 3, () -> FakeProvider.http(400));
    fake.failNext(Op.JOB, 3, () -> FakeProvider.http(429));
    for (int i = 0; i < 6; i++) {
      assertThatThrownBy(() -> p.job(job)).isInstanceOf(ProviderException.class);
    }
    assertThat(p.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void aCapabilityCallThroughTheDecoratorIsRetriedLikeTheBaseOperations() {
    fake.failNext(Op.CHAT, FakeProvider.http(503));
    fake.failNext(Op.DEPLOY, FakeProvider.http(502));
    Chat chat = provider.capability(Chat.class).orElseThrow();
    assertThat(chat).isNotSameAs(fake); // wrapped, not the raw delegate
    assertThat(chat.chat(ChatRequest.of("m", List.of(ChatMessage.user("hi")))).content()).isEqualTo("m says: hi");
    assertThat(fake.calls(Op.CHAT)).isEqualTo(2);
    Deployment d = provider.capability(Deployments.class).orElseThrow().deploy("ft:m", "tunekit-run-1", Map.of());
    assertThat(d.state()).isEqualTo(Deployment.State.ACTIVE);
    assertThat(fake.calls(Op.DEPLOY)).isEqualTo(2);
    assertThat(sleeper.sleeps).hasSize(2);
  }

  @Test
  void aCapabilityCallCountsAgainstTheProvidersCircuitBreaker() {
    fake.failNext(Op.CHAT, 100, () -> FakeProvider.http(503));
    Chat chat = provider.capability(Chat.class).orElseThrow();
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> chat.chat(ChatRequest.of("m", List.of(ChatMessage.user("hi")))))
          .isInstanceOf(ProviderException.class);
    }
    assertThat(provider.breakerState()).isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
    assertThatThrownBy(() -> provider.job("any")).isInstanceOf(dev.tunekit.error.CircuitOpenException.class);
  }

  @Test
  void aMissingCapabilityIsEmptyThroughTheDecoratorAndRequireNamesProviderAndCapability() {
    fake.without(Deployments.class, Chat.class);
    assertThat(provider.capability(Deployments.class)).isEmpty();
    assertThat(provider.capability(PauseResume.class)).isEmpty();
    assertThatThrownBy(() -> provider.require(Chat.class, "chat with model m"))
        .isInstanceOf(UnsupportedCapabilityException.class)
        .hasMessage("Provider fake does not support Chat: cannot chat with model m. Choose a provider that supports"
            + " Chat, or leave out the step that needs it.")
        .satisfies(e -> {
          assertThat(((UnsupportedCapabilityException) e).provider()).isEqualTo("fake");
          assertThat(((UnsupportedCapabilityException) e).capability()).isEqualTo("Chat");
          assertThat(e).isInstanceOf(dev.tunekit.error.TunekitException.class);
        });
    assertThat(fake.calls(Op.CHAT)).isZero();
  }
}
