package dev.tunekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.testing.FakeProvider;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class TunekitAutoConfigurationTest {
  private static final String KEY = "sk-starter-secret-7f3a";
  @TempDir Path dir;
  private FakeProvider fake;
  private String instance;

  @BeforeEach
  void register() {
    instance = "boot-" + System.nanoTime();
    fake = FakeProvider.register(instance, new FakeProvider());
  }

  @AfterEach
  void unregister() {
    FakeProvider.unregister(instance);
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TunekitAutoConfiguration.class))
        .withPropertyValues("tunekit.provider=fake", "tunekit.providers.fake.apiKey=" + KEY,
            "tunekit.providers.fake.instance=" + instance, "tunekit.ledger=" + dir.resolve("ledger.db"),
            "tunekit.workDir=" + dir.resolve("work"), "tunekit.resilience.retry.maxAttempts=2");
  }

  @Test
  void aTunekitBeanIsBuiltFromTheTunekitProperties(CapturedOutput output) {
    runner().run(ctx -> {
      assertThat(ctx).hasSingleBean(Tunekit.class);
      Tunekit tk = ctx.getBean(Tunekit.class);
      assertThat(tk.provider()).isEqualTo("fake");
      assertThat(tk.ledger()).isEqualTo(dir.resolve("ledger.db"));
      assertThat(fake.settings().orElseThrow().secret("apiKey").orElseThrow().reveal()).isEqualTo(KEY);
      assertThat(tk.toString()).doesNotContain(KEY);
      assertThat(ctx.getBean(TunekitHealthIndicator.class).health().getDetails().toString()).doesNotContain(KEY);
    });
    assertThat(output.getAll()).doesNotContain(KEY);
  }

  @Test
  void aBadSettingFailsStartupNamingThePropertyAndHowToFixIt(CapturedOutput output) {
    runner().withPropertyValues("tunekit.resilience.retry.maxAtempts=3").run(ctx -> {
      assertThat(ctx).hasFailed();
      Throwable root = ctx.getStartupFailure();
      while (root.getCause() != null) {
        root = root.getCause();
      }
      assertThat(root).isInstanceOf(InvalidInputException.class);
      assertThat(root.getMessage()).contains("tunekit.resilience.retry.maxAtempts: unknown setting 'maxAtempts'")
          .contains("did you mean maxAttempts?");
      FailureAnalysis a = new TunekitFailureAnalyzer().analyze(ctx.getStartupFailure());
      assertThat(a.getDescription()).contains("tunekit.resilience.retry.maxAtempts");
      assertThat(a.getAction()).contains("tunekit.yaml").contains("docs/config.md");
    });
    runner().withPropertyValues("tunekit.providers.fake.modle=x").run(ctx -> {
      Throwable root = ctx.getStartupFailure();
      while (root.getCause() != null) {
        root = root.getCause();
      }
      assertThat(root).isInstanceOfSatisfying(InvalidInputException.class, e -> {
        assertThat(e.getMessage()).contains("unknown setting 'modle'").contains("Did you mean model");
        assertThat(e.location()).hasValueSatisfying(l -> assertThat(l).contains("tunekit.providers.fake.modle"));
        assertThat(e.getMessage()).doesNotContain(KEY);
      });
    });
    assertThat(output.getAll()).doesNotContain(KEY);
  }

  @Test
  void aMissingProviderSettingIsNamedAsTheSpringPropertyToSet() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TunekitAutoConfiguration.class))
        .withPropertyValues("tunekit.provider=fake", "tunekit.ledger=" + dir.resolve("l.db")).run(ctx -> {
          Throwable root = ctx.getStartupFailure();
          while (root.getCause() != null) {
            root = root.getCause();
          }
          assertThat(root).isInstanceOf(InvalidInputException.class);
          assertThat(root.getMessage()).contains("tunekit.providers.fake.apiKey is required")
              .contains("in the tunekit.* properties").doesNotContain("tunekit.tunekit.");
        });
  }

  @Test
  void theFailureAnalyzerIsRegistered() {
    assertThat(org.springframework.core.io.support.SpringFactoriesLoader.loadFactoryNames(
        org.springframework.boot.diagnostics.FailureAnalyzer.class, getClass().getClassLoader()))
        .contains(TunekitFailureAnalyzer.class.getName());
  }

  @Test
  void anApplicationsOwnTunekitBeanWins() {
    runner().withBean("mine", Tunekit.class, () -> Tunekit.builder().provider("fake").setting("apiKey", "k")
        .setting("instance", instance).ledger(dir.resolve("mine.db")).workDir(dir.resolve("w2"))
        .env(java.util.Map.of()).build()).run(ctx -> {
          assertThat(ctx).hasSingleBean(Tunekit.class);
          assertThat(ctx.getBean(Tunekit.class).ledger()).isEqualTo(dir.resolve("mine.db"));
        });
  }

  @Test
  void worksWithNeitherActuatorNorMicrometerNorSpringMvcOnTheClassPath() {
    runner().withClassLoader(new FilteredClassLoader(HealthIndicator.class, MeterBinder.class, TaggedRetryMetrics.class,
        org.springframework.web.servlet.DispatcherServlet.class)).run(ctx -> {
          assertThat(ctx).hasNotFailed().hasSingleBean(Tunekit.class);
          assertThat(ctx).doesNotHaveBean(TunekitHealthIndicator.class).doesNotHaveBean(TunekitRunMetrics.class)
              .doesNotHaveBean(MeterBinder.class).doesNotHaveBean(TunekitWebhookController.class);
        });
  }

  @Test
  void healthIsUpWithTheBreakerStateAndDegradedWhileItIsOpen() {
    runner().run(ctx -> {
      Tunekit tk = ctx.getBean(Tunekit.class);
      Health h = ctx.getBean(TunekitHealthIndicator.class).health();
      assertThat(h.getStatus()).isEqualTo(Status.UP);
      assertThat(h.getDetails()).containsEntry("provider", "fake").containsEntry("ledger", "reachable")
          .containsEntry("circuitBreaker", "CLOSED").containsEntry("runs", 0);
      tk.resilience().circuitBreakers().circuitBreaker("fake").transitionToOpenState();
      assertThat(ctx.getBean(TunekitHealthIndicator.class).health().getStatus()).isEqualTo(TunekitHealthIndicator.DEGRADED);
    });
  }

  @Test
  void resilience4jMetersAndRunGaugesAreBound() throws Exception {
    Path train = dir.resolve("train.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      sb.append("{\"messages\":[{\"role\":\"user\",\"content\":\"q").append(i)
          .append("\"},{\"role\":\"assistant\",\"content\":\"a").append(i).append("\"}]}\n");
    }
    Files.writeString(train, sb);
    runner().withPropertyValues("tunekit.spring.metrics.runsRefresh=0s").run(ctx -> {
      MeterRegistry registry = new SimpleMeterRegistry();
      ctx.getBeansOfType(MeterBinder.class).values().forEach(b -> b.bindTo(registry));
      assertThat(registry.find("resilience4j.circuitbreaker.state").tag("name", "fake").gauges()).isNotEmpty();
      assertThat(registry.find("resilience4j.retry.calls").tag("name", "fake").meters()).isNotEmpty();
      assertThat(registry.get("tunekit.runs").tag("state", "SUBMITTED").gauge().value()).isZero();
      ctx.getBean(Tunekit.class).fineTune().model("m").trainingData(train).start();
      assertThat(registry.get("tunekit.runs").tag("state", "SUBMITTED").gauge().value()).isEqualTo(1.0);
    });
  }

  /** A close during a slow create waits for it, so the job it created is recorded in the ledger. */
  @Test
  void closingTheContextDuringASlowCreateKeepsItsLedgerRecord() throws Exception {
    Path train = dir.resolve("train.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      sb.append("{\"messages\":[{\"role\":\"user\",\"content\":\"q").append(i)
          .append("\"},{\"role\":\"assistant\",\"content\":\"a").append(i).append("\"}]}\n");
    }
    Files.writeString(train, sb);
    CountDownLatch entered = new CountDownLatch(1);
    fake.onCreateJob(() -> {
      entered.countDown();
      try {
        Thread.sleep(400);
      } catch (InterruptedException e) {
        throw new IllegalStateException("interrupted inside createJob");
      }
    });
    CompletableFuture<?>[] started = new CompletableFuture<?>[1];
    runner().withPropertyValues("tunekit.spring.shutdownWait=10s").run(ctx -> {
      started[0] = ctx.getBean(Tunekit.class).fineTune().model("m").trainingData(train).startAsync();
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    }); // the context closes here, with createJob still sleeping
    started[0].get(10, TimeUnit.SECONDS);
    try (Tunekit after = Tunekit.builder().provider("fake").setting("apiKey", "k").setting("instance", instance)
        .ledger(dir.resolve("ledger.db")).workDir(dir.resolve("work")).env(java.util.Map.of()).build()) {
      assertThat(after.runs()).hasSize(1);
      assertThat(after.runs().get(0).jobId()).contains("ftjob-1");
    }
  }

  /** The same close with no wait drops the job's record: the wait is what keeps it. */
  @Test
  void withNoShutdownWaitTheSameCloseLeavesTheJobUnrecorded() throws Exception {
    Path train = dir.resolve("train.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      sb.append("{\"messages\":[{\"role\":\"user\",\"content\":\"q").append(i)
          .append("\"},{\"role\":\"assistant\",\"content\":\"a").append(i).append("\"}]}\n");
    }
    Files.writeString(train, sb);
    CountDownLatch entered = new CountDownLatch(1);
    fake.onCreateJob(() -> {
      entered.countDown();
      try {
        Thread.sleep(400);
      } catch (InterruptedException e) {
        throw new IllegalStateException("interrupted inside createJob");
      }
    });
    CompletableFuture<?>[] started = new CompletableFuture<?>[1];
    runner().withPropertyValues("tunekit.spring.shutdownWait=0s").run(ctx -> {
      started[0] = ctx.getBean(Tunekit.class).fineTune().model("m").trainingData(train).startAsync();
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    });
    try {
      started[0].get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException expected) {
      // its ledger was closed under it
    }
    try (Tunekit after = Tunekit.builder().provider("fake").setting("apiKey", "k").setting("instance", instance)
        .ledger(dir.resolve("ledger.db")).workDir(dir.resolve("work")).env(java.util.Map.of()).build()) {
      assertThat(after.runs().get(0).jobId()).isEmpty();
    }
  }
}
