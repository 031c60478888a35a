package dev.tunekit;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.internal.Async;
import dev.tunekit.internal.Config;
import dev.tunekit.internal.ConfigLoader;
import dev.tunekit.internal.EnvChoice;
import dev.tunekit.internal.SettingsCheck;
import dev.tunekit.internal.Durations;
import dev.tunekit.internal.EvalHook;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.internal.ledger.Ledger;
import dev.tunekit.internal.PollingSettings;
import dev.tunekit.internal.ResilienceSettings;
import dev.tunekit.internal.ResilientProvider;
import dev.tunekit.model.Secret;
import dev.tunekit.internal.Workflow;

import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.EvalTarget;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * The entry point: one provider (chosen by name), one run ledger, one retry layer.
 *
 * <pre>{@code
 * try (Tunekit tk = Tunekit.fromConfig(Path.of("tunekit.yaml"))) {
 *   Run run = tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(Path.of("train.jsonl")).start();
 *   RunResult result = run.await(RunListener.console());
 * }
 * }</pre>
 *
 * <h2>tunekit.yaml</h2>
 * <pre>{@code
 * provider: local            # overridden by TUNEKIT_PROVIDER
 * ledger: .tunekit/ledger.db # overridden by TUNEKIT_LEDGER (default: <workDir>/ledger.db)
 * workDir: .tunekit          # overridden by TUNEKIT_WORK_DIR
 * providers:                 # only the chosen provider's section is read; its keys are the provider's
 *   staging: { type: ..., apiKey: "${API_KEY}" }   # a section of another name names its provider type
 * resilience:
 *   retry: { maxAttempts: 5, initialBackoff: 500ms, maxBackoff: 30s, multiplier: 2.0 }
 *   circuitBreaker: { failureRateThreshold: 50, slidingWindowSize: 20, minimumNumberOfCalls: 10, waitInOpenState: 30s }
 * polling: { initialInterval: 5s, maxInterval: 60s, multiplier: 1.5, timeout: 24h }
 * }</pre>
 * {@code ${VAR}} is replaced by the environment variable (an unset one is an error naming the file and
 * line, unless written {@code ${VAR:-default}}). Relative paths are relative to the config file's
 * directory. Durations are {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 1d} or ISO-8601.
 * Errors are {@link InvalidInputException}s naming {@code tunekit.yaml:LINE}. Full reference:
 * docs/config.md.
 *
 * <p>Thread-safe. Close it to release the provider and the ledger.
 */
public final class Tunekit implements AutoCloseable {
  static {
    dev.tunekit.internal.Internals.install(Tunekit::workflow);
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Tunekit.class);

  private final Workflow workflow;
  private final ProviderChoice choice;

  private Tunekit(Workflow workflow, ProviderChoice choice) {
    this.workflow = workflow;
    this.choice = choice;
  }

  /** Reads a config file (see the class documentation); environment variables override it. */
  public static Tunekit fromConfig(Path file) {
    return builder().configFile(Objects.requireNonNull(file, "file")).build();
  }

  /**
   * Reads {@code $TUNEKIT_CONFIG}, else {@code ./tunekit.yaml}; with neither, uses environment variables
   * and defaults (provider {@code local}).
   */
  public static Tunekit fromConfig() {
    return builder().defaultConfigFile().build();
  }

  /**
   * Reads {@code $TUNEKIT_CONFIG} or {@code ./tunekit.yaml} if there is one (as {@link #fromConfig()});
   * with neither, chooses the provider from the variables its own SDK reads by convention
   * (declared by the provider modules on the class path, listed in docs/config.md): an explicit
   * {@code TUNEKIT_PROVIDER} wins; the one provider whose variables are set is chosen; none is
   * the default provider; two or more is an {@link InvalidInputException} listing them. Logs the choice and its
   * reason at INFO ({@link #providerChoice()}). Rules: docs/config.md.
   */
  public static Tunekit fromEnv() {
    return builder().defaultConfigFile().providerFromEnv().build();
  }

  /** The embedded offline provider {@code local} (needs tunekit-local on the classpath), ledger in {@code .tunekit/}. */
  public static Tunekit local() {
    return builder().provider("local").build();
  }

  /** A builder for configuring Tunekit in code. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts describing a fine-tuning run. */
  public FineTune fineTune() {
    return new FineTune(workflow);
  }

  /**
   * Every run in the ledger, newest first: a {@code List<RunInfo>} whose {@code toString()} is a table
   * (id, provider, state, base model, tuned model, created, updated), so {@code tk.runs()} in JShell
   * prints one line per run.
   */
  public RunList runs() {
    return new RunList(workflow.ledger().allRuns().stream().map(Ledger.RunRow::info).collect(Collectors.toList()));
  }

  /**
   * Continues a run after the process that started it stopped (or from another process): steps the
   * ledger records as done are skipped, an upload or submission that may have reached the provider is
   * looked up before it is repeated, and nothing is uploaded or submitted twice. Returns once the run
   * waits for its job (wait with {@link Run#await(RunListener)}) or has gone as far as it can: a
   * TRAINED run is evaluated and gated here, the same steps {@code await()} and a webhook run, if this
   * Tunekit has its suite (else it stays TRAINED, and its {@link RunInfo#error()} says to resume with it).
   */
  public Run resume(String runId) {
    Objects.requireNonNull(runId, "runId");
    workflow.drive(runId);
    return new Run(workflow, runId);
  }

  /**
   * {@link #resume(String)} for a run with an eval suite that this Tunekit did not start: the suite's
   * graders are code, so the ledger keeps only its fingerprint and the run needs the suite again to
   * evaluate its baseline before uploading (if that had not happened yet) and its tuned model when
   * {@link Run#await(RunListener)} sees the job succeed. Evaluations already recorded are not repeated.
   *
   * @throws InvalidInputException if the run has no eval suite, or {@code suite} is not the one it was
   *     started with (different fingerprint)
   */
  public Run resume(String runId, EvalSuite suite) {
    Objects.requireNonNull(runId, "runId");
    workflow.drive(runId, new EvalHook.Plan(Objects.requireNonNull(suite, "suite"), null, null));
    return new Run(workflow, runId);
  }

  /**
   * {@link #resume(String, EvalSuite)} for a run started with a custom
   * {@link FineTune#baseline(dev.tunekit.eval.EvalTarget) baseline target}, which is code too.
   */
  public Run resume(String runId, EvalSuite suite, EvalTarget baseline) {
    Objects.requireNonNull(runId, "runId");
    workflow.drive(runId, new EvalHook.Plan(Objects.requireNonNull(suite, "suite"),
        Objects.requireNonNull(baseline, "baseline"), null));
    return new Run(workflow, runId);
  }

  /**
   * {@link #resume(String, EvalSuite)} for a run whose gate requires a pairwise judge
   * ({@link FineTune#pairwiseJudge}), which is code too. The judge's replies recorded in the run's evaluation cache
   * before the run stopped are not asked again, and a judge result already recorded is kept.
   */
  public Run resume(String runId, EvalSuite suite, dev.tunekit.eval.PairwiseJudge judge) {
    Objects.requireNonNull(runId, "runId");
    workflow.drive(runId, new EvalHook.Plan(Objects.requireNonNull(suite, "suite"), null, null,
        Objects.requireNonNull(judge, "judge")));
    return new Run(workflow, runId);
  }

  /**
   * {@link #resume(String)} as one task on {@code executor}, completing with the run. Cancelling the future does
   * not stop the task: an upload or job creation in flight is finished and recorded (never repeated); find the run
   * with {@link #run(String)}.
   */
  public CompletableFuture<Run> resumeAsync(String runId, Executor executor) {
    Objects.requireNonNull(runId, "runId");
    return Async.supply(() -> resume(runId), executor);
  }

  /** {@link #resume(String, EvalSuite)} as one task on {@code executor}; cancelling as {@link #resumeAsync(String, Executor)}. */
  public CompletableFuture<Run> resumeAsync(String runId, EvalSuite suite, Executor executor) {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(suite, "suite");
    return Async.supply(() -> resume(runId, suite), executor);
  }

  /**
   * {@link #resume(String, EvalSuite, EvalTarget)} as one task on {@code executor}; cancelling as
   * {@link #resumeAsync(String, Executor)}.
   */
  public CompletableFuture<Run> resumeAsync(String runId, EvalSuite suite, EvalTarget baseline, Executor executor) {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(baseline, "baseline");
    return Async.supply(() -> resume(runId, suite, baseline), executor);
  }

  /**
   * A handle on a run in the ledger, without continuing it or calling the provider (to inspect,
   * cancel or deploy it). Use {@link #resume(String)} to continue an interrupted run.
   */
  public Run run(String runId) {
    Objects.requireNonNull(runId, "runId");
    workflow.row(runId);
    return new Run(workflow, runId);
  }

  /**
   * A handler for the provider's fine-tuning webhooks signed with {@code secret} (the signing secret of
   * the webhook endpoint, as the provider showed it): the provider's {@code WebhookVerification}
   * capability verifies each delivery, and the run whose job ended is updated, so a service need not
   * poll. See {@link Webhooks} and docs/webhooks.md.
   *
   * @throws InvalidInputException if the secret is blank or malformed
   * @throws dev.tunekit.error.UnsupportedCapabilityException if the provider cannot verify webhooks
   */
  public Webhooks webhooks(Secret secret) {
    return Webhooks.of(workflow, Optional.of(Objects.requireNonNull(secret, "secret")));
  }

  /**
   * A handler like {@link #webhooks(Secret)}, with the signing secret from the provider's settings
   * ({@code webhookSecret: "${WEBHOOK_SECRET}"} in the provider's section).
   *
   * @throws dev.tunekit.error.UnsupportedCapabilityException if the provider cannot verify webhooks
   */
  public Webhooks webhooks() {
    return Webhooks.of(workflow, Optional.empty());
  }

  /** One chat completion from {@code model} (a base model, tuned model or deployment), through the retry layer. */
  public ChatResponse chat(String model, List<ChatMessage> messages) {
    return RoutedChatModel.of(workflow.provider(), Objects.requireNonNull(model, "model"))
        .chat(ChatRequest.of(model, messages));
  }

  /** {@link #chat(String, List)} as one task on {@code executor}; cancelling the future does not stop the call. */
  public CompletableFuture<ChatResponse> chatAsync(String model, List<ChatMessage> messages, Executor executor) {
    Objects.requireNonNull(model, "model");
    List<ChatMessage> copy = List.copyOf(messages);
    return Async.supply(() -> chat(model, copy), executor);
  }

  /** {@code modelId} on this provider as a {@link ChatModel} (for evaluation): every request goes to that model. */
  public ChatModel chatModel(String modelId) {
    return RoutedChatModel.of(workflow.provider(), Objects.requireNonNull(modelId, "modelId"));
  }

  /**
   * Checks that the servers the provider's calls go to are there, before anything is recorded or sent: for a provider
   * whose servers its users run (Ray's dashboard, the Kubernetes API server, a vLLM server; see
   * {@link dev.tunekit.spi.Endpoints}) it opens a connection to each, within 3 seconds, and closes it again. Hosted
   * providers and the embedded offline provider have nothing to check. A script calls it first, so a cluster that
   * is not there is one line instead of a run that fails at its first call.
   *
   * @throws dev.tunekit.error.ProviderException naming every server that did not answer and the setting that names it
   * @throws InvalidInputException when a server cannot be determined from the configuration (no kubeconfig, say)
   */
  public void checkReachable() {
    dev.tunekit.internal.Reachability.check(workflow.provider(), Duration.ofSeconds(3));
  }

  /** The name of the provider in use, as chosen in config. */
  public String provider() {
    return workflow.provider().name();
  }

  /** The provider in use and why it was chosen (names variables and files, never their values). */
  public ProviderChoice providerChoice() {
    return choice;
  }

  /**
   * The Resilience4j registries of this Tunekit's retry layer, circuit breaker and evaluation rate limiters,
   * for metrics and health checks (the Spring Boot starter binds them to Micrometer).
   */
  public ResilienceRegistries resilience() {
    return new ResilienceRegistries(workflow.resilient().retryRegistry(), workflow.resilient().circuitBreakerRegistry(),
        workflow.evals().rateLimiterRegistry());
  }

  /**
   * The run ledger's file.
   *
   * @throws TunekitException when the ledger is a database ({@code ledger: jdbc:postgresql://...} or {@link
   *     Builder#ledger(javax.sql.DataSource)}): it has no file; see {@link #ledgerLocation()}
   */
  public Path ledger() {
    Path file = workflow.ledger().file();
    if (file == null) {
      throw new TunekitException("The run ledger is a database, not a file: " + ledgerLocation()
          + ". Use tk.ledgerLocation() to name it.");
    }
    return file;
  }

  /** Where the run ledger is: its file, or its database's JDBC URL with any password redacted. */
  public String ledgerLocation() {
    return workflow.ledger().location();
  }

  /** Releases the provider (and any server it started), the ledger and Tunekit's threads. */
  @Override
  public void close() {
    workflow.close();
  }

  /** Names the provider and ledger only. */
  @Override
  public String toString() {
    return "Tunekit{provider=" + provider() + ", ledger=" + ledgerLocation() + "}";
  }

  Workflow workflow() {
    return workflow;
  }

  /** A ChatModel that sends every request to one model. */
  static final class RoutedChatModel implements ChatModel {
    private final String providerName;
    private final Chat chat;
    private final String model;

    private RoutedChatModel(String providerName, Chat chat, String model) {
      this.providerName = providerName;
      this.chat = chat;
      this.model = model;
    }

    /** Fails with an {@link dev.tunekit.error.UnsupportedCapabilityException} when the provider cannot chat. */
    static RoutedChatModel of(TuningProvider provider, String model) {
      return new RoutedChatModel(provider.name(), provider.require(Chat.class, "chat with model " + model), model);
    }

    @Override
    public ChatResponse chat(ChatRequest r) {
      return chat.chat(new ChatRequest(model, r.messages(), r.temperature(), r.maxTokens(), r.seed()));
    }

    @Override
    public String toString() {
      return providerName + ":" + model;
    }
  }

  /**
   * Configures Tunekit in code. Values may contain {@code ${ENV_VAR}} references. With
   * {@link #configFile(Path)}, the file is read first and what is set here overrides it.
   */
  public static final class Builder {
    private Path configFile;
    private boolean defaultConfigFile;
    private String provider;
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private Path ledger;
    private javax.sql.DataSource ledgerDataSource;
    private Path workDir;
    private ResilienceSettings resilience;
    private PollingSettings polling;
    private Map<String, String> env = System.getenv();
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Duration lease; // null: defaultLease(...)
    private Duration ledgerPoll = Duration.ofMillis(500);
    private boolean providerFromEnv;
    private ProviderChoice choice;
    private Map<String, ?> configTree;
    private String configTreePrefix;
    private String configTreeSource;
    private Map<String, String> configTreeOrigins;
    private Path configTreeBase;
    private Duration closeWait;

    private Builder() {}

    /** Reads this config file first (see {@link Tunekit}); the other builder settings override it. */
    public Builder configFile(Path file) {
      this.configFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Reads the settings of {@code tunekit.yaml} from a tree that a framework already parsed, instead of a
     * file: the same keys ({@code provider}, {@code providers.<name>.*}, {@code resilience}, ...), the same
     * validation and the same {@code ${VAR}} resolution (docs/config.md). The Spring Boot starter passes its
     * {@code tunekit.*} properties here. It takes the place of a config file ({@link #configFile(Path)} is then
     * not read); the other builder settings override it, as they do a file.
     *
     * @param tree nested maps ({@code Map<String, ?>}), lists and scalars, as the YAML file would parse
     * @param prefix how keys are named in error messages, such as {@code "tunekit."} (an error then names
     *     {@code tunekit.providers.<name>.model}); {@code ""} names them as in the file
     * @param source what the tree is, for error messages, such as {@code "Spring properties tunekit.*"}
     * @param origins where each key was written, by its dotted name without the prefix
     *     ({@code providers.<name>.model} to {@code "application.yml:4"}); may be empty
     * @param base the directory relative {@code ledger} and {@code workDir} paths are resolved against
     */
    public Builder configTree(Map<String, ?> tree, String prefix, String source, Map<String, String> origins,
        Path base) {
      this.configTree = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tree, "tree")));
      this.configTreePrefix = Objects.requireNonNull(prefix, "prefix");
      this.configTreeSource = Objects.requireNonNull(source, "source");
      this.configTreeOrigins = Map.copyOf(Objects.requireNonNull(origins, "origins"));
      this.configTreeBase = Objects.requireNonNull(base, "base").toAbsolutePath();
      return this;
    }

    /**
     * How long {@link Tunekit#close()} waits for uploads and job submissions in flight (calls that cost
     * money) to finish and record what they created in the ledger (default 30 s). A call still running after
     * that keeps its ledger claim, so no other process repeats it; resume its run later.
     */
    public Builder closeWait(Duration wait) {
      Objects.requireNonNull(wait, "wait");
      if (wait.isNegative()) {
        throw new InvalidInputException("closeWait must not be negative, was " + wait);
      }
      this.closeWait = wait;
      return this;
    }

    /** The provider by name: a factory's name, or a config section that names one with {@code type:}. */
    public Builder provider(String name) {
      if (name == null || name.isBlank()) {
        throw new InvalidInputException("provider name must not be blank");
      }
      this.provider = name.trim();
      return this;
    }

    /** One provider setting, such as {@code apiKey} = {@code ${MY_API_KEY}}. */
    public Builder setting(String key, Object value) {
      settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The run ledger's database file (default {@code <workDir>/ledger.db}). */
    public Builder ledger(Path file) {
      this.ledger = Objects.requireNonNull(file, "file");
      this.ledgerDataSource = null;
      return this;
    }

    /**
     * The run ledger in the database behind a service's connection pool (PostgreSQL, with the module
     * {@code tunekit-postgres}): every instance of the service that uses the same database shares its runs,
     * and any of them can resume one. Connections are borrowed for each ledger call and given back at once.
     * Overrides {@code ledger:} and {@code TUNEKIT_LEDGER}.
     */
    public Builder ledger(javax.sql.DataSource dataSource) {
      this.ledgerDataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.ledger = null;
      return this;
    }

    /** Where converted datasets and provider state go (default {@code .tunekit}). */
    public Builder workDir(Path dir) {
      this.workDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * The retry layer: total attempts per call, and the exponential backoff (with jitter) between them.
     * A provider's Retry-After is honoured instead of the backoff.
     */
    public Builder retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {
      ResilienceSettings r = resilience == null ? ResilienceSettings.defaults() : resilience;
      this.resilience = new ResilienceSettings(maxAttempts, initialBackoff, maxBackoff, multiplier,
          r.failureRateThreshold(), r.slidingWindowSize(), r.minimumNumberOfCalls(), r.waitInOpenState());
      return this;
    }

    /** How runs wait for jobs: first and longest interval between polls, and the overall timeout. */
    public Builder polling(Duration initialInterval, Duration maxInterval, Duration timeout) {
      double multiplier = polling == null ? PollingSettings.defaults().multiplier() : polling.multiplier();
      this.polling = new PollingSettings(initialInterval, maxInterval, multiplier, timeout);
      return this;
    }

    /**
     * With no config file and no {@link #provider(String)}, chooses the provider from the conventional
     * environment variables that the providers on the class path declare ({@link
     * TuningProviderFactory#envConventions()}), read from {@link #env(Map)}; see {@link Tunekit#fromEnv()}.
     * Settings set here override what the convention supplies.
     */
    public Builder providerFromEnv() {
      this.providerFromEnv = true;
      return this;
    }

    Builder defaultConfigFile() {
      this.defaultConfigFile = true;
      return this;
    }

    /**
     * The environment that {@code ${VAR}} references and {@code TUNEKIT_*} overrides are read from
     * (default: the process environment). For tests and for services that keep settings elsewhere.
     */
    public Builder env(Map<String, String> env) {
      this.env = Map.copyOf(env);
      return this;
    }

    /** The clock for leases, polling deadlines and ledger times (default: UTC system clock). For tests. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** How Tunekit waits between retries and polls (default: {@link Sleeper#SYSTEM}). For tests with fake time. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    /** The circuit breaker: failure rate (percent) that opens it, window size, minimum calls, and time open. */
    public Builder circuitBreaker(float failureRateThreshold, int slidingWindowSize, int minimumCalls, Duration open) {
      ResilienceSettings r = resilience == null ? ResilienceSettings.defaults() : resilience;
      this.resilience = new ResilienceSettings(r.maxAttempts(), r.initialBackoff(), r.maxBackoff(), r.multiplier(),
          failureRateThreshold, slidingWindowSize, minimumCalls, open);
      return this;
    }

    /**
     * How long a claim on an upload or submission lasts ({@code null}: long enough to outlast the retry
     * layer, see docs/config.md), and how often a waiter re-reads the ledger for another process's
     * progress or a webhook's news (default 500 ms).
     */
    public Builder leases(Duration lease, Duration ledgerPoll) {
      this.lease = lease;
      this.ledgerPoll = ledgerPoll;
      return this;
    }

    /** Config resolved from the file (if any), the environment and this builder. */
    Config config() {
      Path file = configFile;
      if (file == null && defaultConfigFile) {
        String fromEnv = env.get(ConfigLoader.ENV_CONFIG);
        Path candidate = fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : Path.of("tunekit.yaml");
        if (fromEnv != null && !fromEnv.isBlank() || Files.isRegularFile(candidate)) {
          file = candidate;
        }
      }
      if (file == null && configTree == null) {
        Map<String, Object> values = settings;
        String p;
        if (provider != null) {
          p = provider;
          choice = new ProviderChoice(p, "provider(\"" + p + "\") in code");
        } else if (providerFromEnv) {
          java.util.List<dev.tunekit.spi.EnvConvention> conventions = new java.util.ArrayList<>();
          factories().forEach(f -> conventions.addAll(f.envConventions()));
          EnvChoice c = EnvChoice.choose(conventions, env);
          p = c.provider();
          values = new LinkedHashMap<>(c.settings());
          values.putAll(settings);
          choice = new ProviderChoice(p, c.reason());
        } else if (!env.getOrDefault(ConfigLoader.ENV_PROVIDER, "").isBlank()) {
          p = env.get(ConfigLoader.ENV_PROVIDER).trim();
          choice = new ProviderChoice(p, ConfigLoader.ENV_PROVIDER + "=" + p);
        } else {
          p = "local";
          choice = new ProviderChoice(p, "the default (no config file, no provider set)");
        }
        Path wd = workDir != null ? workDir
            : env.getOrDefault(ConfigLoader.ENV_WORK_DIR, "").isBlank() ? null : Path.of(env.get(ConfigLoader.ENV_WORK_DIR));
        String envLedger = env.getOrDefault(ConfigLoader.ENV_LEDGER, "");
        String url = ledger == null && dev.tunekit.internal.ledger.JdbcUrls.isJdbcUrl(envLedger) ? envLedger.trim() : null;
        Path lg = ledger != null ? ledger : envLedger.isBlank() || url != null ? null : Path.of(envLedger);
        return ConfigLoader.fromBuilder(p, values, lg, wd,
            resilience == null ? ResilienceSettings.defaults() : resilience,
            polling == null ? PollingSettings.defaults() : polling, env).withLedgerUrl(url);
      }
      Map<String, String> fileEnv = env;
      if (provider != null) {
        fileEnv = new LinkedHashMap<>(env);
        fileEnv.put(ConfigLoader.ENV_PROVIDER, provider);
      }
      Config c = configTree != null ? ConfigLoader.fromTree(configTree, configTreePrefix, configTreeSource,
          configTreeOrigins, fileEnv, configTreeBase) : ConfigLoader.load(file, fileEnv);
      choice = new ProviderChoice(c.provider(), provider != null ? "provider(\"" + provider + "\") in code"
          : c.providerLocation().equals(ConfigLoader.ENV_PROVIDER) ? ConfigLoader.ENV_PROVIDER + "=" + c.provider()
          : "provider: at " + c.providerLocation());
      if (settings.isEmpty() && ledger == null && workDir == null && resilience == null && polling == null) {
        return c;
      }
      Map<String, Object> values = new LinkedHashMap<>(c.providerValues());
      values.putAll(ConfigLoader.fromBuilder(c.provider(), settings, Path.of("x"), Path.of("x"),
          ResilienceSettings.defaults(), PollingSettings.defaults(), env).providerValues());
      Path wd = workDir != null ? workDir : c.workDir();
      return new Config(c.provider(), values, ledger != null ? ledger : workDir != null ? wd.resolve("ledger.db")
          : c.ledger(), wd, resilience != null ? resilience : c.resilience(), polling != null ? polling : c.polling(),
          c.source(), c.providerLocation(), c.evaluation(), c.sections(), withoutKeys(c.locations(), c.provider(),
          settings.keySet())).withLedgerUrl(ledger != null ? null : c.ledgerUrl());
    }

    /** Locations of the file's keys, less those the builder overrides (they were not set in the file). */
    private static Map<String, String> withoutKeys(Map<String, String> locations, String provider,
        java.util.Set<String> keys) {
      Map<String, String> out = new LinkedHashMap<>(locations);
      keys.forEach(k -> out.remove("providers." + provider + "." + k));
      return out;
    }

    /**
     * Finds the provider through {@link ServiceLoader}, creates it and opens the ledger. Fails with an
     * {@link InvalidInputException} for an unknown provider (listing the known ones) or a bad setting.
     */
    public Tunekit build() {
      Config config = config();
      TuningProvider raw = createProvider(config);
      if (providerFromEnv) {
        LOG.info("Tunekit provider {}: {}", choice.provider(), choice.reason());
      }
      dev.tunekit.internal.ledger.LedgerTarget target = ledgerDataSource != null
          ? dev.tunekit.internal.ledger.LedgerTarget.dataSource(ledgerDataSource)
          : config.ledgerUrl() != null ? dev.tunekit.internal.ledger.LedgerTarget.url(config.ledgerUrl(), env,
              config.locations().getOrDefault("ledger", ConfigLoader.ENV_LEDGER))
          : dev.tunekit.internal.ledger.LedgerTarget.file(config.ledger());
      Workflow workflow = new Workflow(config, raw, clock, sleeper, lease != null ? lease
          : defaultLease(config.resilience()), ledgerPoll, target);
      if (closeWait != null) {
        workflow.closeWait(closeWait);
      }
      return new Tunekit(workflow, choice);
    }

    /**
     * How long a claim on a create step (upload, job submission) lasts: longer than the retry layer can
     * take over one call (every wait at the longest Retry-After honoured, plus time for the attempts
     * themselves), so a live holder's claim never expires while it is still retrying. Claims are also
     * renewed before each attempt.
     */
    static Duration defaultLease(ResilienceSettings resilience) {
      Duration waits = ResilientProvider.MAX_HONOURED_RETRY_AFTER.multipliedBy(Math.max(0, resilience.maxAttempts() - 1));
      Duration attempts = Duration.ofMinutes(10).multipliedBy(resilience.maxAttempts());
      return waits.plus(attempts).plus(Duration.ofMinutes(30));
    }

    private static java.util.List<TuningProviderFactory> factories() {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      if (cl == null) {
        cl = Tunekit.class.getClassLoader();
      }
      java.util.List<TuningProviderFactory> factories = new java.util.ArrayList<>();
      ServiceLoader.load(TuningProviderFactory.class, cl).forEach(factories::add);
      return factories;
    }

    private static TuningProvider createProvider(Config config) {
      java.util.List<TuningProviderFactory> factories = factories();
      // Section names, `type:` and every key are checked against what the factories declare before any is created.
      TuningProviderFactory f = SettingsCheck.check(config, factories);
      Map<String, String> lines = new LinkedHashMap<>(); // key → file:line, for providers' preflight messages
      String prefix = "providers." + config.provider() + ".";
      config.locations().forEach((k, v) -> {
        if (k.startsWith(prefix)) {
          lines.put(k.substring(prefix.length()), v);
        }
      });
      return f.create(ProviderSettings.of(config.provider(), config.source(), config.workDir(), config.providerValues(),
          lines));
    }
  }
}
