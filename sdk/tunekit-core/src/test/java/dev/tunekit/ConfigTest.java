package dev.tunekit;

import dev.tunekit.internal.Config;
import dev.tunekit.internal.ConfigLoader;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.internal.PollingSettings;
import dev.tunekit.internal.ResilienceSettings;
import dev.tunekit.model.Secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.testing.FakeProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
  @TempDir Path dir;

  private Path yaml(String text) {
    return Fixtures.write(dir.resolve("tunekit.yaml"), text);
  }

  @Test
  void environmentReferencesAreResolvedOnlyInTheChosenProvidersSection() {
    Path file = yaml("""
        provider: openai
        providers:
          openai:
            apiKey: "${OPENAI_API_KEY}"
            baseUrl: "${OPENAI_BASE_URL:-https://api.openai.com/v1}"
            organization: org-${ORG}
          bedrock:
            roleArn: "${BEDROCK_ROLE_ARN}"
        """);
    Config c = ConfigLoader.load(file, Map.of("OPENAI_API_KEY", "sk-live-abc", "ORG", "42"));
    assertThat(c.provider()).isEqualTo("openai");
    assertThat(c.providerValues()).containsEntry("apiKey", "sk-live-abc")
        .containsEntry("baseUrl", "https://api.openai.com/v1").containsEntry("organization", "org-42");
  }

  @Test
  void evaluationLimitsComeFromTheEvaluationSectionAndApplyToTheTargetsTunekitBuilds() {
    Path file = yaml("""
        provider: local
        evaluation: { requestsPerMinute: 120, maxConcurrentCalls: 2 }
        """);
    Config c = ConfigLoader.load(file, Map.of());
    assertThat(c.evaluation()).isEqualTo(new dev.tunekit.internal.EvaluationSettings(120, 2));
    assertThat(ConfigLoader.load(yaml("provider: local\n"), Map.of()).evaluation())
        .isEqualTo(dev.tunekit.internal.EvaluationSettings.defaults());

    dev.tunekit.testing.FakeProvider p = new dev.tunekit.testing.FakeProvider();
    try (var ledger = dev.tunekit.internal.ledger.Ledger.open(dir.resolve("l.db"), java.time.Clock.systemUTC())) {
      var hook = new dev.tunekit.internal.EvalHook(ledger, p, dir, c.evaluation());
      var suite = dev.tunekit.eval.EvalSuite.of("s", dev.tunekit.eval.EvalCase.of("c", "q", "a"));
      var tuned = hook.tunedTarget(new dev.tunekit.internal.EvalHook.Plan(suite, null, null), "ft:x");
      assertThat(tuned.requestsPerMinute()).isEqualTo(120);
      assertThat(tuned.maxConcurrentCalls()).isEqualTo(2);
      assertThat(tuned.provider()).isEqualTo(p.name());
      // A custom baseline in another group keeps its limits; the tuned target keeps the config's.
      var other = dev.tunekit.eval.EvalTarget.of("judge", p, "m").withRateLimit(10);
      assertThat(hook.tunedTarget(new dev.tunekit.internal.EvalHook.Plan(suite, other, null), "ft:x")
          .requestsPerMinute()).isEqualTo(120);
    }

    assertThatThrownBy(() -> ConfigLoader.load(yaml("evaluation: { maxConcurrentCalls: 0 }\n"), Map.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("evaluation.maxConcurrentCalls must be at least 1");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("evaluation: { rpm: 5 }\n"), Map.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("rpm");
  }

  @Test
  void anUnsetVariableIsAnErrorNamingFileLineAndVariable() {
    Path file = yaml("""
        provider: openai
        providers:
          openai:
            baseUrl: https://api.openai.com/v1
            apiKey: "${OPENAI_API_KEY}"
        """);
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.location()).contains(file + ":5");
          assertThat(e.getMessage()).contains("OPENAI_API_KEY is not set").contains("providers.openai.apiKey")
              .contains("${OPENAI_API_KEY:-default}");
        });
  }

  @Test
  void environmentVariablesOverrideProviderLedgerAndWorkDir() {
    Path file = yaml("""
        provider: openai
        ledger: runs/ledger.db
        providers:
          fake: { apiKey: k }
        """);
    Config c = ConfigLoader.load(file, Map.of("TUNEKIT_PROVIDER", "fake", "TUNEKIT_LEDGER", "/tmp/x/l.db",
        "TUNEKIT_WORK_DIR", "wd"));
    assertThat(c.provider()).isEqualTo("fake");
    assertThat(c.providerLocation()).isEqualTo("TUNEKIT_PROVIDER");
    assertThat(c.ledger()).isEqualTo(Path.of("/tmp/x/l.db"));
    assertThat(c.workDir()).isEqualTo(dir.resolve("wd"));
    assertThat(c.providerValues()).containsEntry("apiKey", "k");
  }

  @Test
  void relativePathsAreRelativeToTheConfigFileAndDefaultsApply() {
    Config c = ConfigLoader.load(yaml("provider: local\n"), Map.of());
    assertThat(c.workDir()).isEqualTo(dir.resolve(".tunekit"));
    assertThat(c.ledger()).isEqualTo(dir.resolve(".tunekit/ledger.db"));
    assertThat(c.resilience()).isEqualTo(ResilienceSettings.defaults());
    assertThat(c.polling()).isEqualTo(PollingSettings.defaults());
  }

  @Test
  void resilienceAndPollingAreRead() {
    Config c = ConfigLoader.load(yaml("""
        provider: local
        resilience:
          retry: { maxAttempts: 3, initialBackoff: 200ms, maxBackoff: 10s, multiplier: 3 }
          circuitBreaker: { failureRateThreshold: 25, slidingWindowSize: 8, waitInOpenState: 1m }
        polling: { initialInterval: 2s, maxInterval: 30s, timeout: PT2H }
        """), Map.of());
    assertThat(c.resilience()).isEqualTo(new ResilienceSettings(3, Duration.ofMillis(200), Duration.ofSeconds(10), 3.0,
        25f, 8, 10, Duration.ofMinutes(1)));
    assertThat(c.polling()).isEqualTo(new PollingSettings(Duration.ofSeconds(2), Duration.ofSeconds(30), 1.5,
        Duration.ofHours(2)));
  }

  @Test
  void aBadValueNamesItsLine() {
    Path file = yaml("""
        provider: local
        polling:
          initialInterval: 5s
          timeout: forever
        """);
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.location()).contains(file + ":4");
          assertThat(e.getMessage()).contains("polling.timeout").contains("'forever'").contains("30s");
        });
  }

  @Test
  void anUnknownSettingNamesItsLineAndTheKnownOnes() {
    Path file = yaml("provider: local\nleger: x.db\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.location()).contains(file + ":2");
          assertThat(e.getMessage()).contains("unknown setting 'leger'").contains("ledger");
        });
  }

  @Test
  void aMisspeltTopLevelKeyGetsTheNearestOne() {
    Path file = yaml("provider: local\nleger: x.db\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.getMessage()).contains("did you mean ledger?"));
  }

  @Test
  void aProviderSectionAtTheTopLevelSaysWhereItBelongs() {
    // A newcomer wrote "openai:" beside "provider:"; the error listed the top-level keys only.
    Path file = yaml("provider: openai\nopenai:\n  apiKey: sk-x\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.location()).contains(file + ":2");
          assertThat(e.getMessage()).contains("go under 'providers:'").contains("indent 'openai:' below")
              .doesNotContain("\n")
              .doesNotContain("sk-x");
        });
  }

  @Test
  void invalidYamlNamesItsLine() {
    Path file = yaml("provider: local\npolling: [unclosed\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.location()).hasValueSatisfying(l -> assertThat(l).startsWith(file + ":"));
          assertThat(e.getMessage()).contains("not valid YAML");
        });
  }

  @Test
  void invalidYamlNeverEchoesTheOffendingLineSoASecretOnItDoesNotLeak() {
    String canary = "sk-CANARY-7f3a9c";
    java.util.List<String> broken = java.util.List.of(
        "provider: openai\nproviders:\n  openai:\n    apiKey: " + canary + ": oops\n",
        "provider: openai\nproviders:\n  openai:\n    apiKey: \"" + canary + "\n",
        "provider: openai\nproviders:\n  openai:\n\tapiKey: " + canary + "\n",
        "provider: openai\nproviders:\n  openai: [apiKey: " + canary + "\n",
        "provider: openai\nproviders:\n  openai:\n    apiKey: " + canary + "\n   bad: indent\n");
    for (String text : broken) {
      Path file = yaml(text);
      assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
          .isInstanceOfSatisfying(InvalidInputException.class, e -> {
            assertThat(e.getMessage()).contains("not valid YAML").contains("line").doesNotContain("CANARY");
            assertThat(e.location()).hasValueSatisfying(l -> assertThat(l).matches(".*:\\d+"));
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            assertThat(trace.toString()).as("stack trace with causes of %s", e).doesNotContain("CANARY");
          });
    }
  }

  @Test
  void anUnknownProviderListsTheProvidersOnTheClasspath() {
    Path file = yaml("workDir: w\nprovider: opneai\n");
    assertThatThrownBy(() -> Tunekit.builder().configFile(file).env(Map.of()).build())
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.location()).contains(file + ":2");
          assertThat(e.getMessage()).contains("unknown provider 'opneai'").contains("Providers on the classpath: fake");
        });
  }

  @Test
  void aProviderSectionWithATypeUsesThatKindUnderItsOwnName() {
    String id = "cfg-t-" + System.nanoTime();
    FakeProvider fake = FakeProvider.register(id, new FakeProvider());
    Path file = yaml("""
        provider: staging
        ledger: l.db
        providers:
          staging: { type: fake, apiKey: k, instance: %s }
        """.formatted(id));
    try (Tunekit tk = Tunekit.builder().configFile(file).env(Map.of()).build()) {
      assertThat(fake.settings().orElseThrow().name()).isEqualTo("staging");
    } finally {
      FakeProvider.unregister(id);
    }
  }

  @Test
  void anUnknownProviderTypeIsNamed() {
    Path file = yaml("provider: staging\nproviders:\n  staging: { type: vlm }\n");
    assertThatThrownBy(() -> Tunekit.builder().configFile(file).env(Map.of()).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown provider 'vlm'");
  }

  @Test
  void aMissingProviderSettingIsNamed() {
    assertThatThrownBy(() -> Tunekit.builder().provider("fake").ledger(dir.resolve("l.db")).env(Map.of()).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("providers.fake.apiKey");
  }

  @Test
  void secretsNeverAppearInToStringOrErrors() {
    String id = "cfg-" + System.nanoTime();
    FakeProvider fake = FakeProvider.register(id, new FakeProvider());
    Path file = yaml("""
        provider: fake
        ledger: l.db
        providers:
          fake: { apiKey: "${KEY}", instance: %s }
        """.formatted(id));
    Map<String, String> env = Map.of("KEY", "sk-very-secret-value");
    Config c = ConfigLoader.load(file, env);
    assertThat(c.toString()).doesNotContain("sk-very-secret-value").contains("apiKey");
    try (Tunekit tk = Tunekit.builder().configFile(file).env(env).build()) {
      ProviderSettings s = fake.settings().orElseThrow();
      assertThat(s.requireSecret("apiKey").reveal()).isEqualTo("sk-very-secret-value");
      assertThat(s.requireSecret("apiKey").toString()).isEqualTo("Secret[redacted]");
      assertThat(s.toString()).doesNotContain("sk-very-secret-value");
      assertThat(tk.toString()).doesNotContain("sk-very-secret-value").contains("fake");
      assertThatThrownBy(() -> s.integer("apiKey")).hasMessageNotContaining("sk-very-secret-value");
    } finally {
      FakeProvider.unregister(id);
    }
  }

  @Test
  void builderValuesMayReferenceTheEnvironmentAndOverrideTheFile() {
    String id = "cfg-b-" + System.nanoTime();
    FakeProvider fake = FakeProvider.register(id, new FakeProvider());
    Path file = yaml("provider: local\nproviders:\n  fake: { apiKey: from-file }\n");
    try (Tunekit tk = Tunekit.builder().configFile(file).provider("fake").setting("instance", id)
        .setting("apiKey", "${K}").ledger(dir.resolve("b.db")).env(Map.of("K", "from-env")).build()) {
      assertThat(tk.provider()).isEqualTo("fake");
      assertThat(tk.ledger()).isEqualTo(dir.resolve("b.db").toAbsolutePath());
      assertThat(fake.settings().orElseThrow().requireSecret("apiKey").reveal()).isEqualTo("from-env");
    } finally {
      FakeProvider.unregister(id);
    }
  }

  @Test
  void relativeWorkDirAndLedgerFromCodeOrEnvironmentBecomeAbsolute() {
    // Tunekit.local() and Tunekit.builder().workDir(Path.of("work")) give relative paths; providers
    // derive absolute ones from them (a local trainer relativized the two and failed).
    Config local = ConfigLoader.fromBuilder("local", Map.of(), null, null, ResilienceSettings.defaults(),
        PollingSettings.defaults(), Map.of());
    assertThat(local.workDir()).isAbsolute().isEqualTo(Path.of(".tunekit").toAbsolutePath());
    assertThat(local.ledger()).isAbsolute().isEqualTo(Path.of(".tunekit/ledger.db").toAbsolutePath());
    Config code = ConfigLoader.fromBuilder("local", Map.of(), Path.of("l.db"), Path.of("work/./x"),
        ResilienceSettings.defaults(), PollingSettings.defaults(), Map.of());
    assertThat(code.workDir()).isEqualTo(Path.of("work/x").toAbsolutePath());
    assertThat(code.ledger()).isEqualTo(Path.of("l.db").toAbsolutePath());
    assertThat(ProviderSettings.of("local", "test", Path.of("rel"), Map.of()).workDir())
        .isEqualTo(Path.of("rel").toAbsolutePath());
  }
}
