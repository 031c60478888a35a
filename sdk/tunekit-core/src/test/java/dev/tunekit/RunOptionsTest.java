package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.UnsupportedCapabilityException;
import dev.tunekit.spi.ModelDownloads;
import dev.tunekit.spi.PreflightException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The neutral run options the engine checks itself: {@code maxPrice} fails closed when no price is known, and
 * {@code fromCheckpoint} is refused in preflight by a provider without the StartFromCheckpoint capability; both
 * before any upload, baseline call or paid call.
 */
class RunOptionsTest extends FakeProviderTest {

  @Test
  void maxPrice_withoutAKnownPrice_rejectsTheRunBeforeAnythingIsSent() {
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("m").trainingData(train)
          .maxPrice(new BigDecimal("5.00")).start(), PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("maxPrice: no training price is known for model m on provider fake",
          "cap of 5.00 USD cannot be checked").doesNotContain("resume");
      assertThat(e.resumeRunId()).isEmpty();
      assertThat(fake.callLog()).isEmpty();
      assertThat(tk.run(e.runId().orElseThrow()).state()).isEqualTo(RunState.REJECTED);
    }
  }

  @Test
  void maxPrice_fromTheConfigSection_isTheCapToo_andABadValueNamesItsLine() throws Exception {
    try (Tunekit tk = Fixtures.builder(dir, instance, clock, sleeper).setting("maxPrice", "5").build()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("m").trainingData(train).start(),
          PreflightException.class);
      assertThat(e.getMessage()).contains("cap of 5 USD cannot be checked");
      assertThat(fake.callLog()).isEmpty();
    }
    Path yaml = dir.resolve("tunekit.yaml");
    Files.writeString(yaml, "provider: fake\nproviders:\n  fake:\n    apiKey: k\n    instance: " + instance
        + "\n    maxPrice: $5\n");
    try (Tunekit tk = Tunekit.builder().configFile(yaml).ledger(dir.resolve("l2.db")).workDir(dir.resolve("w2"))
        .env(java.util.Map.of()).build()) {
      assertThatThrownBy(() -> tk.fineTune().model("m").trainingData(train).start())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("providers.fake.maxPrice: maxPrice must be a positive amount in USD")
          .hasMessageContaining("tunekit.yaml:6");
    }
  }

  @Test
  void maxPrice_mustBePositive() {
    try (Tunekit tk = open()) {
      assertThatThrownBy(() -> tk.fineTune().maxPrice(BigDecimal.ZERO)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("maxPrice must be a positive amount in USD");
    }
  }

  @Test
  void fromCheckpoint_onAProviderWithoutTheCapability_isAPreflightProblem() {
    try (Tunekit tk = open()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model("m").trainingData(train)
          .fromCheckpoint("ft-1:10").start(), PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("fromCheckpoint: provider fake cannot start a job from a checkpoint");
      assertThat(fake.callLog()).isEmpty();
    }
  }

  @Test
  void downloadModel_beforeTraining_orWithoutTheCapability_saysWhy() {
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model("m").trainingData(train).start();
      assertThatThrownBy(() -> run.downloadModel(ModelDownloads.Artifact.ADAPTER, dir.resolve("out")))
          .hasMessageContaining("has no trained model to download yet");
      run.await();
      assertThatThrownBy(() -> run.downloadModel(ModelDownloads.Artifact.ADAPTER, dir.resolve("out")))
          .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("ModelDownloads");
      assertThat(run.priceQuote()).isEmpty();
    }
  }
}
