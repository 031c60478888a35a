package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProviderFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code local} factory: discovery, settings, and delegation to the openai-compatible provider. */
class LocalProviderFactoryTest {
  @TempDir Path dir;

  private ProviderSettings settings(Map<String, ?> values) {
    return ProviderSettings.of("local", "tunekit.yaml", dir, values);
  }

  private static boolean openAiCompatibleAvailable() {
    return StreamSupport.stream(ServiceLoader.load(TuningProviderFactory.class).spliterator(), false)
        .anyMatch(f -> f.names().contains("openai-compatible"));
  }

  @Test
  void factoryIsFoundByServiceLoaderUnderTheNameLocal() {
    assertThat(ServiceLoader.load(TuningProviderFactory.class).stream().map(ServiceLoader.Provider::get))
        .anyMatch(f -> f instanceof LocalProviderFactory && f.names().equals(java.util.Set.of("local")));
  }

  @Test
  void unknownTrainerIsRejectedNamingTheSetting() {
    assertThatThrownBy(() -> LocalProviderFactory.trainer(settings(Map.of("trainer", "gpu"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("providers.local.trainer");
  }

  @Test
  void commandTrainerNeedsACommandAndAcceptsAListOrAShellString() {
    assertThatThrownBy(() -> LocalProviderFactory.trainer(settings(Map.of("trainer", "command"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("providers.local.command");
    assertThat(LocalProviderFactory.command(settings(Map.of("command", List.of("python", "train.py")))))
        .containsExactly("python", "train.py");
    assertThat(LocalProviderFactory.command(settings(Map.of("command", "python train.py --lora"))))
        .containsExactly("/bin/sh", "-c", "python train.py --lora");
  }

  @Test
  void serverStartsInTheWorkDirectoryUnlessDataDirIsSet() {
    try (LocalServer s = LocalProviderFactory.start(settings(Map.of("stepDelay", "0ms")))) {
      assertThat(s.dataDir()).isEqualTo(dir.resolve("local-server"));
      assertThat(s.baseUrl()).startsWith("http://127.0.0.1:");
    }
    try (LocalServer s = LocalProviderFactory.start(settings(Map.of("dataDir", dir.resolve("elsewhere").toString())))) {
      assertThat(s.dataDir()).isEqualTo(dir.resolve("elsewhere"));
    }
  }

  @Test
  void withoutTheOpenAiCompatibleProviderCreationFailsClearlyAndStartsNoServer() {
    Assumptions.assumeFalse(openAiCompatibleAvailable(), "tunekit-openai provides openai-compatible");
    assertThatThrownBy(() -> new LocalProviderFactory().create(settings(Map.of())))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("openai-compatible")
        .hasMessageContaining("tunekit-openai");
    assertThat(dir.resolve("local-server")).doesNotExist();
  }
}
