package dev.tunekit.fireworks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.Run;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.ProviderException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.testing.SharedServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming a job Fireworks paused: {@code POST …/supervisedFineTuningJobs/{id}:resume} with {@code {}}, through
 * {@code run.resumeJob()} (the {@code Resumable} capability; Fireworks has no pause), and the pause event naming that
 * exact call for the run that created the job.
 */
class FireworksResumeTest {
  @RegisterExtension
  static final SharedServer<FireworksFakes> SERVER = new SharedServer<>(FireworksFakes::new, f -> f.wm.resetAll());
  static final String JOBS = FireworksFakes.API + "/supervisedFineTuningJobs";
  FireworksFakes fakes;
  @TempDir Path tmp;

  @BeforeEach
  void reset() {
    fakes = SERVER.get();
  }

  private static String job(String id, String state, String displayName) {
    return FireworksFakes.job(id, state, ",\"displayName\":\"" + displayName + "\"");
  }

  @Test
  void aPausedRun_isResumedWithTheCallItsWarningNames_andThenTrains() throws Exception {
    fakes.wm.stubFor(post(urlPathEqualTo(FireworksFakes.API + "/datasets")).willReturn(okJson(FireworksFakes.dataset("tk-ds", "UPLOADING"))));
    fakes.wm.stubFor(post(urlPathMatching(FireworksFakes.API + "/datasets/[a-z0-9-]+:upload")).willReturn(okJson(FireworksFakes.uploaded("train.jsonl"))));
    fakes.wm.stubFor(get(urlPathMatching(FireworksFakes.API + "/datasets/[a-z0-9-]+")).willReturn(okJson(FireworksFakes.dataset("tk-ds", "READY"))));
    fakes.wm.stubFor(post(urlPathEqualTo(JOBS)).willReturn(okJson(FireworksFakes.job("{{request.query.supervisedFineTuningJobId}}",
        "JOB_STATE_CREATING", "")).withTransformers("response-template")));
    Path data = dev.tunekit.testing.ChatData.write(tmp.resolve("train.jsonl"), 12);
    Tunekit.Builder b = Tunekit.builder().provider("fireworks");
    fakes.settings().forEach(b::setting);
    try (Tunekit tk = b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(2, Duration.ofMillis(1), Duration.ofMillis(5), 2.0)
        .polling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(20)).build()) {
      Run run = tk.fineTune().model(FireworksFakes.BASE_MODEL).trainingData(data).start();
      String id = run.info().jobId().orElseThrow();
      String name = "tunekit " + run.id();
      fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/" + id)).inScenario("p").whenScenarioStateIs(Scenario.STARTED)
          .willReturn(okJson(job(id, "JOB_STATE_PAUSED", name))));
      fakes.wm.stubFor(post(urlPathEqualTo(JOBS + "/" + id + ":resume")).withRequestBody(equalToJson("{}"))
          .inScenario("p").willSetStateTo("resumed").willReturn(okJson(job(id, "JOB_STATE_RUNNING", name))));
      fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/" + id)).inScenario("p").whenScenarioStateIs("resumed")
          .willReturn(okJson(FireworksFakes.completed(id))));

      assertThat(run.events()).filteredOn(e -> e.level().equals("warning")).singleElement().extracting(JobEvent::message)
          .asString().contains("resume it with tk.run(\"" + run.id() + "\").resumeJob()");
      assertThat(run.resumeJob().status()).isEqualTo(new JobStatus.Running("JOB_STATE_RUNNING"));
      fakes.wm.verify(1, postRequestedFor(urlPathEqualTo(JOBS + "/" + id + ":resume")));
      RunResult result = run.await();
      assertThat(result.state()).as("%s", result).isEqualTo(RunState.TRAINED);
    }
  }

  @Test
  void aResumeRefusedBecauseTheJobRunsAgain_returnsTheJob_butAStillPausedJobFails() {
    fakes.wm.stubFor(post(urlPathMatching(JOBS + "/tk-[a-z]+:resume")).willReturn(aResponse().withStatus(400)
        .withHeader("Content-Type", "application/json").withBody(FireworksFakes.error(9, "job is not paused"))));
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/tk-run")).willReturn(okJson(FireworksFakes.job("tk-run", "JOB_STATE_RUNNING", ""))));
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/tk-held")).willReturn(okJson(FireworksFakes.job("tk-held", "JOB_STATE_PAUSED", ""))));
    try (FireworksProvider p = fakes.provider(tmp)) {
      assertThat(p.resume("tk-run").status()).isEqualTo(new JobStatus.Running("JOB_STATE_RUNNING"));
      assertThatThrownBy(() -> p.resume("tk-held")).isInstanceOf(ProviderException.class).hasMessageContaining("job is not paused");
    }
  }

  @Test
  void aPauseOfAJobTunekitDidNotName_pointsAtRunResumeJobAndFirectl() {
    fakes.wm.stubFor(get(urlPathEqualTo(JOBS + "/tk-p")).willReturn(okJson(job("tk-p", "JOB_STATE_PAUSED", "by hand"))));
    try (FireworksProvider p = fakes.provider(tmp)) {
      assertThat(p.events("tk-p", Optional.empty()).items()).filteredOn(e -> e.id().startsWith("paused-")).singleElement()
          .extracting(JobEvent::message).asString().contains("run.resumeJob()", "firectl supervised-fine-tuning-job resume tk-p");
    }
  }
}
