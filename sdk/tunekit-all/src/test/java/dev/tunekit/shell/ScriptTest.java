package dev.tunekit.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptTest {

  @Test
  void parsesOptionsSwitchesAndPositionalArguments() {
    Script.Args args = Script.Args.parse(List.of("data set.jsonl", "--model", "gpt-4o-mini", "--json", "--epochs=3"));

    assertThat(args.positional()).containsExactly("data set.jsonl");
    assertThat(args.option("model")).contains("gpt-4o-mini");
    assertThat(args.option("epochs")).contains("3");
    assertThat(args.flag("json")).isTrue();
    assertThat(args.flag("missing")).isFalse();
  }

  @Test
  void aDeclaredSwitchNeverSwallowsTheNextPositionalArgument() {
    Script.Args args = Script.Args.parse(List.of("--no-deploy", "my.jsonl", "--model", "m"), "no-deploy");

    assertThat(args.flag("no-deploy")).isTrue();
    assertThat(args.positional()).containsExactly("my.jsonl");
    assertThat(args.option("model")).contains("m");
  }

  @Test
  void anErrorSuchAsOutOfMemoryIsOneLineWithStatusFour() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = Script.run(() -> {
      throw new OutOfMemoryError("Java heap space");
    }, new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(status).isEqualTo(4);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("OutOfMemoryError: Java heap space")
        .contains("TUNEKIT_DEBUG=1").doesNotContain("\tat ");
  }

  @Test
  void invalidInputBecomesOneLineAndStatusTwoWithoutStackTrace() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = Script.run(() -> {
      throw new InvalidInputException("examples must have an assistant message", "train.jsonl:7");
    }, new PrintStream(err, true, StandardCharsets.UTF_8));

    String out = err.toString(StandardCharsets.UTF_8);
    assertThat(status).isEqualTo(2);
    assertThat(out).isEqualTo("error: train.jsonl:7: examples must have an assistant message" + System.lineSeparator());
  }

  @Test
  void providerFailureNamesStatusAndRequestIdAndGivesStatusThree() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = Script.run(() -> {
      throw ProviderException.builder("openai", "the server failed; try again later")
          .statusCode(503).requestId("req_123").retryable(true).build();
    }, new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(status).isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("HTTP 503").contains("req_123").doesNotContain("\tat ");
  }

  @Test
  void missingPositionalArgumentIsAnInvalidInputNamingIt() {
    Script.Args args = Script.Args.parse(List.of());
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = Script.run(() -> args.positional(0, "FILE").length(), new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing argument FILE");
  }

  @Test
  void bodyStatusIsReturned() {
    assertThat(Script.run(() -> 1)).isEqualTo(1);
  }
}
