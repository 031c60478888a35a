package dev.tunekit.local;

import dev.tunekit.dataset.DatasetContributor;
import dev.tunekit.dataset.ModelCatalog;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.SettingSpec;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Provider {@code local}: starts an embedded {@link LocalServer} on a free loopback port and talks to
 * it through the {@code openai-compatible} provider, the same code path a user takes to OpenAI.
 * Closing the provider stops the server.
 *
 * <p>Settings ({@code providers.local.*}): {@code dataDir} (default {@code <workDir>/local-server}),
 * {@code port} (default 0, a free port), {@code trainer} ({@code exemplar} or {@code command}),
 * {@code command} (for the command trainer: a list of arguments, or one string run by
 * {@code /bin/sh -c}), {@code stepDelay} (pause between training steps, default 20ms), {@code host}
 * (bind address, default 127.0.0.1), {@code vllm} (a vLLM server to deploy command-trained adapters to and
 * chat through: {@code baseUrl}, {@code apiKey}, {@code mountedDataDir}, {@code timeout}). Any other setting is passed to the {@code openai-compatible}
 * provider.
 *
 * <p>As a {@link DatasetContributor} it contributes the local catalog: any model name, no price.
 */
public final class LocalProviderFactory implements TuningProviderFactory, DatasetContributor {
  /** The settings this factory reads itself; the rest go to the openai-compatible provider. */
  static final Set<String> OWN_SETTINGS = Set.of("dataDir", "port", "trainer", "command", "stepDelay", "host",
      "vllm");

  /** Creates the factory (called by {@link ServiceLoader}). */
  public LocalProviderFactory() {}

  @Override
  public Set<String> names() {
    return Set.of("local");
  }

  /**
   * The local server's own settings plus those of the openai-compatible client it is driven through
   * (other than {@code baseUrl} and {@code apiKey}, which the embedded server supplies).
   */
  @Override
  public List<SettingSpec> settingKeys(String type) {
    List<SettingSpec> keys = new ArrayList<>(List.of(
        SettingSpec.of("dataDir", "the server's data directory (default <workDir>/local-server)"),
        SettingSpec.of("host", "the loopback address to listen on"),
        SettingSpec.of("port", "the port to listen on (default 0, a free port)"),
        SettingSpec.of("trainer", "exemplar (default) or command"),
        SettingSpec.of("command", "the training command, with trainer: command"),
        SettingSpec.of("stepDelay", "time per simulated training step (default 20ms)"),
        SettingSpec.of("vllm", "a vLLM server to serve command-trained adapters on: baseUrl, apiKey, mountedDataDir,"
            + " timeout")));
    for (SettingSpec s : openAiCompatible().settingKeys("openai-compatible")) {
      if (!s.key().equals("baseUrl") && !s.key().equals("apiKey")) {
        keys.add(s);
      }
    }
    return keys;
  }

  /** The local catalog ({@code models.json}) for {@code local}. */
  @Override
  public Optional<ModelCatalog> catalog(String type) {
    return names().contains(type) ? Optional.of(Holder.CATALOG) : Optional.empty();
  }

  private static final class Holder {
    static final ModelCatalog CATALOG = ModelCatalog.fromResource(LocalProviderFactory.class, "models.json");
  }

  @Override
  public TuningProvider create(ProviderSettings settings) {
    TuningProviderFactory delegate = openAiCompatible();
    Optional<dev.tunekit.http.VllmSettings> vllm = LocalVllm.settings(settings); // checked before the server starts
    LocalServer server = start(settings);
    try {
      Map<String, Object> values = new LinkedHashMap<>();
      settings.values().forEach((k, v) -> {
        if (!OWN_SETTINGS.contains(k)) {
          values.put(k, v);
        }
      });
      values.put("baseUrl", server.baseUrl());
      values.put("apiKey", server.token());
      ProviderSettings forDelegate = ProviderSettings.of("openai-compatible", settings.source(), settings.workDir(), values);
      return new LocalTuningProvider(settings.name(), delegate.create(forDelegate), server,
          vllm.map(v -> new LocalVllm(settings.name(), server, v)));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  static LocalServer start(ProviderSettings settings) {
    Path dataDir = settings.string("dataDir").map(Path::of).orElse(settings.workDir().resolve("local-server"));
    LocalServer.Builder b = LocalServer.builder().dataDir(dataDir).trainer(trainer(settings));
    settings.string("host").ifPresent(b::host);
    int port = settings.integer("port").orElse(0);
    if (port < 0 || port > 65535) {
      throw settings.invalid("port", "must be between 0 and 65535");
    }
    b.port(port);
    Duration delay = settings.duration("stepDelay").orElse(Duration.ofMillis(20));
    b.stepDelay(delay);
    try {
      return b.start();
    } catch (RuntimeException e) {
      throw new TunekitException("Could not start the local fine-tuning server (data directory " + dataDir
          + ", port " + port + "): " + e.getMessage(), e);
    }
  }

  static Trainer trainer(ProviderSettings settings) {
    String name = settings.string("trainer").orElse("exemplar");
    switch (name) {
      case "exemplar":
        return Trainer.exemplar();
      case "command":
        return Trainer.command(command(settings));
      default:
        throw settings.invalid("trainer", "must be exemplar or command, was " + name);
    }
  }

  static List<String> command(ProviderSettings settings) {
    Object raw = settings.values().get("command");
    if (raw instanceof Collection<?> c && !c.isEmpty()) {
      List<String> out = new ArrayList<>();
      c.forEach(x -> out.add(String.valueOf(x)));
      return out;
    }
    if (raw instanceof String s && !s.isBlank()) {
      return List.of("/bin/sh", "-c", s);
    }
    throw settings.invalid("command", "is required with trainer: command; give the training command as a list "
        + "of arguments (or one shell string), e.g. [python, train.py]");
  }

  static TuningProviderFactory openAiCompatible() {
    for (TuningProviderFactory f : ServiceLoader.load(TuningProviderFactory.class, LocalProviderFactory.class.getClassLoader())) {
      if (f.names().contains("openai-compatible")) {
        return f;
      }
    }
    throw new InvalidInputException("The local provider needs the openai-compatible provider from tunekit-openai, "
        + "which is not on the classpath; add the dev.tunekit:tunekit-openai dependency (or use tunekit-all).");
  }

}
