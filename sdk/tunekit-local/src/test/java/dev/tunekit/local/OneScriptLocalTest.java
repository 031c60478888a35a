package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunState;
import dev.tunekit.spi.Deployment;
import dev.tunekit.testing.OneScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider switch on {@code local}: the test kit's one script, on the {@code tunekit.yaml} with a
 * section for every provider (the user's file, untouched but for {@code provider:}), trains, deploys
 * and answers on the embedded server.
 */
class OneScriptLocalTest {
  @TempDir Path dir;

  @Test
  void theOneScriptRunsOnLocal() throws Exception {
    Path yaml = OneScript.config(dir, "local", OneScript.sections(Map.of()));
    Path train = Files.write(dir.resolve("train.jsonl"), Files.readAllLines(Fixtures.TRAIN).subList(0, 30));

    OneScript.Outcome o = OneScript.run(yaml, train);

    assertThat(o.provider()).isEqualTo("local");
    assertThat(o.state()).isEqualTo(RunState.TRAINED);
    assertThat(o.baseModel()).isEqualTo("local-base");
    assertThat(o.tunedModel()).startsWith("ft:local-base:");
    assertThat(o.deployment()).isEqualTo(Deployment.State.ACTIVE);
    assertThat(o.answer()).isNotBlank();
  }
}
