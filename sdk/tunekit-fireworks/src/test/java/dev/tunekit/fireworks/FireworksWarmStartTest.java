package dev.tunekit.fireworks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.StartFromCheckpoint;
import dev.tunekit.spi.TrainingMethod;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm start ({@code FineTune.fromCheckpoint}) on Fireworks: the job's {@code warmStartFrom}, a model
 * ({@code accounts/<account>/models/<id>}, or the id of a model in the configured account), sent instead of
 * {@code baseModel} (Fireworks: "Only one of base-model or warm-start-from should be specified"); any other form is a
 * preflight problem, offline, naming the accepted forms.
 */
class FireworksWarmStartTest {
  @TempDir Path dir;

  private static FireworksProvider provider(Path dir) {
    return new FireworksProvider(FireworksConfig.from(dev.tunekit.spi.ProviderSettings.of("fireworks", "tunekit.yaml", dir,
        java.util.Map.of("apiKey", "k", "accountId", "acme", "baseUrl", "http://127.0.0.1:9/v1"))));
  }

  private static JobRequest.Builder request() {
    return JobRequest.builder().runId("run-1").idempotencyKey("run-1/submit").baseModel("llama-v3p1-8b-instruct")
        .method(TrainingMethod.SUPERVISED).trainingFileId("tk-ds1").hyperparameters(Hyperparameters.defaults());
  }

  @Test
  void fireworksStartsFromACheckpoint() {
    try (FireworksProvider p = provider(dir)) {
      assertThat(p.capability(StartFromCheckpoint.class)).isPresent();
    }
  }

  @Test
  void aModelName_orAnIdInTheAccount_isAccepted() {
    try (FireworksProvider p = provider(dir)) {
      assertThat(p.checkCheckpoint("accounts/acme/models/support-tk-0123456789abcdef0123")).isEmpty();
      assertThat(p.checkCheckpoint("accounts/other-team/models/sft-1")).isEmpty();
      assertThat(p.checkCheckpoint("sft-1")).isEmpty();
    }
  }

  @Test
  void otherForms_areEachAProblemNamingTheAcceptedForms() {
    try (FireworksProvider p = provider(dir)) {
      for (String bad : List.of("ft-1234abcd-5678:100", "accounts/acme/datasets/tk-ds1", "Support Bot", "acme/sft-1",
          "accounts/acme/models/", "accounts//models/x")) {
        List<PreflightProblem> ps = p.checkCheckpoint(bad);
        assertThat(ps).as(bad).singleElement().satisfies(pp -> {
          assertThat(pp.where()).isEqualTo("fromCheckpoint");
          assertThat(pp.problem()).contains("'" + bad + "'");
          assertThat(pp.fix()).contains("accounts/<account>/models/<model>");
        });
      }
    }
  }

  @Test
  void theCreate_sendsWarmStartFrom_insteadOfBaseModel() {
    try (FireworksProvider p = provider(dir)) {
      ObjectNode b = p.createBody(request().fromCheckpoint("sft-1").build(), "tk-job");
      assertThat(b.path("warmStartFrom").asText()).isEqualTo("accounts/acme/models/sft-1");
      assertThat(b.has("baseModel")).as("baseModel beside warmStartFrom").isFalse();
      ObjectNode full = p.createBody(request().fromCheckpoint("accounts/other-team/models/sft-2").build(), "tk-job");
      assertThat(full.path("warmStartFrom").asText()).isEqualTo("accounts/other-team/models/sft-2");
      assertThat(p.createBody(request().build(), "tk-job").has("warmStartFrom")).isFalse();
      assertThatThrownBy(() -> p.createBody(request().fromCheckpoint("ft-1:10").build(), "tk-job"))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("fromCheckpoint");
    }
  }

  @Test
  void aRunWithAMalformedCheckpoint_stopsInPreflight_beforeAnyRequest() throws Exception {
    Path data = dev.tunekit.testing.ChatData.write(dir.resolve("train.jsonl"), 12);
    Tunekit.Builder b = Tunekit.builder().provider("fireworks").setting("apiKey", "k").setting("accountId", "acme")
        .setting("baseUrl", "http://127.0.0.1:9/v1");
    try (Tunekit tk = b.ledger(dir.resolve("ledger.db")).workDir(dir.resolve("work")).build()) {
      PreflightException e = org.assertj.core.api.Assertions.catchThrowableOfType(() -> tk.fineTune()
          .model("llama-v3p1-8b-instruct").trainingData(data).fromCheckpoint("ft-1:10").start(), PreflightException.class);
      assertThat(e).isNotNull();
      assertThat(e.problems()).extracting(PreflightProblem::where).containsExactly("fromCheckpoint");
    }
  }
}
