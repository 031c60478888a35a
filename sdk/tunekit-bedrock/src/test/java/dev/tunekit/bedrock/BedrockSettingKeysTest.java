package dev.tunekit.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A misspelt Bedrock setting is an error naming its line and the nearest key (issue 11.3). */
class BedrockSettingKeysTest {
  @TempDir Path dir;

  @Test
  void roleArnMisspeltIsAnError() throws Exception {
    Path f = Files.writeString(dir.resolve("tunekit.yaml"), """
        provider: bedrock
        providers:
          bedrock:
            region: us-east-1
            bucket: b
            rolearn: arn:aws:iam::123456789012:role/R
        """);
    assertThatThrownBy(() -> Tunekit.builder().configFile(f).env(Map.of()).build())
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.location()).contains(f + ":6");
          assertThat(e.getMessage()).contains("unknown setting 'rolearn'").contains("Did you mean roleArn");
        });
  }

  @Test
  void aMisspeltBuilderSettingIsAnErrorWithoutALine() {
    assertThatThrownBy(() -> Tunekit.builder().provider("bedrock").setting("regoin", "us-east-1")
        .workDir(dir).env(Map.of()).build())
        .isInstanceOfSatisfying(InvalidInputException.class, e ->
            assertThat(e.getMessage()).contains("setting(\"regoin\"").contains("Did you mean region"));
  }

  @Test
  void s3ExpectContinueIsAKnownSettingAndItsTypoIsAnError() throws Exception {
    Path ok = Files.writeString(dir.resolve("ok.yaml"), """
        provider: bedrock
        providers:
          bedrock:
            region: us-east-1
            s3ExpectContinue: false
        """);
    Tunekit.builder().configFile(ok).env(Map.of()).workDir(dir).build().close();
    Path typo = Files.writeString(dir.resolve("typo.yaml"), """
        provider: bedrock
        providers:
          bedrock:
            region: us-east-1
            s3ExpectContinu: false
        """);
    assertThatThrownBy(() -> Tunekit.builder().configFile(typo).env(Map.of()).workDir(dir).build())
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.location()).contains(typo + ":5");
          assertThat(e.getMessage()).contains("unknown setting 's3ExpectContinu'").contains("Did you mean s3ExpectContinue");
        });
  }
}
