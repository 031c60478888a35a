package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A misspelt local setting is an error, not ignored (issue 11.3); no server is started for it. */
class LocalSettingKeysTest {
  @TempDir Path dir;

  @Test
  void stepdelayIsAnErrorNamingItsLineAndStepDelay() throws Exception {
    Path f = Files.writeString(dir.resolve("tunekit.yaml"), "provider: local\nproviders:\n  local:\n    stepdelay: 1ms\n");
    assertThatThrownBy(() -> Tunekit.builder().configFile(f).env(Map.of()).build())
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.location()).contains(f + ":4");
          assertThat(e.getMessage()).contains("unknown setting 'stepdelay'").contains("Did you mean stepDelay");
        });
    assertThat(dir.resolve(".tunekit/local-server")).doesNotExist();
  }

  @Test
  void theClientSettingsOfTheOpenAiCompatibleDelegateAreKnown() {
    assertThat(new LocalProviderFactory().settingKeys("local")).extracting(s -> s.key())
        .contains("stepDelay", "dataDir", "timeout").doesNotContain("baseUrl", "apiKey");
  }
}
