package dev.tunekit.ray;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.testing.SharedServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ray deletes an uploaded package that no job refers to after about ten minutes, while Tunekit reuses an upload by
 * content hash across runs: a second run on the same data, after Ray dropped the package, must upload it again (the
 * provider declares {@code ExpiringFiles}) instead of stopping at the submit with "no longer holds".
 */
class ExpiredPackageTest {
  @RegisterExtension
  static final SharedServer<RayFakes> SERVER = new SharedServer<>(RayFakes::new, f -> f.wm.resetAll());
  @TempDir Path tmp;

  @Test
  void aSecondRunOnTheSameData_uploadsThePackageAgain_whenRayDroppedIt() throws Exception {
    RayFakes fakes = SERVER.get();
    String pkg = RayFakes.PACKAGES + "_ray_pkg_.*";
    // The code package (trainer and launcher) stays held throughout; only the data package expires.
    String code = RayFakes.PACKAGES + Packages.codeName(Packages.code());
    fakes.wm.stubFor(get(urlPathEqualTo(code)).atPriority(1).willReturn(aResponse().withStatus(200)));
    // The package store: nothing at first; held once put; dropped again before the second run ("expire" below).
    fakes.wm.stubFor(get(urlPathMatching(pkg)).inScenario("store").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(RayFakes.text(404, "not found")));
    fakes.wm.stubFor(put(urlPathMatching(pkg)).inScenario("store").willSetStateTo("held")
        .willReturn(aResponse().withStatus(200)));
    fakes.wm.stubFor(get(urlPathMatching(pkg)).inScenario("store").whenScenarioStateIs("held")
        .willReturn(aResponse().withStatus(200)));
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS))
        .willReturn(okJson("{\"submission_id\":\"{{jsonPath request.body '$.submission_id'}}\"}").withTransformers("response-template")));
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.JOBS + "[^/]+"))
        .willReturn(okJson(RayFakes.job("{{request.pathSegments.[2]}}", "SUCCEEDED", "")).withTransformers("response-template")));
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.JOBS + "[^/]+/logs")).willReturn(okJson(RayFakes.logs(
        "{\"tunekit\":\"metric\",\"step\":1,\"epoch\":1.0,\"train_loss\":1.5}"))));

    Path data = dev.tunekit.testing.ChatData.write(tmp.resolve("train.jsonl"), 12);
    Tunekit.Builder b = Tunekit.builder().provider("ray");
    fakes.settings().forEach(b::setting);
    try (Tunekit tk = b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(2, Duration.ofMillis(1), Duration.ofMillis(2), 2.0)
        .polling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(20)).build()) {
      RunResult first = tk.fineTune().model(RayFakes.BASE_MODEL).trainingData(data).start().await();
      assertThat(first.state()).as("%s", first).isEqualTo(RunState.TRAINED);
      int putsAfterFirst = fakes.wm.findAll(putRequestedFor(urlPathMatching(pkg))).size();

      fakes.wm.setScenarioState("store", Scenario.STARTED); // Ray dropped every package no job uses

      RunResult second = tk.fineTune().model(RayFakes.BASE_MODEL).trainingData(data).start().await();
      assertThat(second.state()).as("%s", second).isEqualTo(RunState.TRAINED);
      assertThat(fakes.wm.findAll(putRequestedFor(urlPathMatching(pkg))).size())
          .as("the dropped data package is put again").isEqualTo(putsAfterFirst + 1);
    }
    fakes.wm.verify(2, postRequestedFor(urlPathEqualTo(RayFakes.JOBS)));
  }

  /**
   * Within one run: the packages are put, the submit fails (the dashboard answers 503 until the retries run out), and
   * the run is resumed after Ray dropped them (a long pause between the put and the submit). The resume puts them
   * again from the run's dataset and submits, instead of failing with "no longer holds".
   */
  @ParameterizedTest(name = "prepare log line reworded: {0}")
  @ValueSource(booleans = {false, true})
  void aRunResumedAfterRayDroppedItsPackages_putsThemAgainAndSubmits(boolean rewordedLog) throws Exception {
    RayFakes fakes = SERVER.get();
    String pkg = RayFakes.PACKAGES + "_ray_pkg_.*";
    String code = RayFakes.PACKAGES + Packages.codeName(Packages.code()); // the code package stays held
    fakes.wm.stubFor(get(urlPathEqualTo(code)).atPriority(1).willReturn(aResponse().withStatus(200)));
    fakes.wm.stubFor(get(urlPathMatching(pkg)).inScenario("store").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(RayFakes.text(404, "not found")));
    fakes.wm.stubFor(put(urlPathMatching(pkg)).inScenario("store").willSetStateTo("held")
        .willReturn(aResponse().withStatus(200)));
    fakes.wm.stubFor(get(urlPathMatching(pkg)).inScenario("store").whenScenarioStateIs("held")
        .willReturn(aResponse().withStatus(200)));
    var down = fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).atPriority(1)
        .willReturn(RayFakes.text(503, "Service Unavailable")));
    fakes.wm.stubFor(post(urlPathEqualTo(RayFakes.JOBS)).atPriority(5).inScenario("jobs").willSetStateTo("submitted")
        .willReturn(okJson("{\"submission_id\":\"{{jsonPath request.body '$.submission_id'}}\"}").withTransformers("response-template")));
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.JOBS + "[^/]+")).atPriority(5).inScenario("jobs")
        .whenScenarioStateIs("submitted").willReturn(okJson(RayFakes.job("{{request.pathSegments.[2]}}", "SUCCEEDED", "")).withTransformers("response-template")));
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.JOBS + "[^/]+/logs")).willReturn(okJson(RayFakes.logs(
        "{\"tunekit\":\"metric\",\"step\":1,\"epoch\":1.0,\"train_loss\":1.5}"))));
    fakes.wm.stubFor(get(urlPathMatching(RayFakes.JOBS + "tunekit-[^/]+")).atPriority(5).inScenario("jobs")
        .whenScenarioStateIs(Scenario.STARTED)
        .willReturn(RayFakes.text(404, "Job does not exist")));

    Path data = dev.tunekit.testing.ChatData.write(tmp.resolve("train.jsonl"), 12);
    Tunekit.Builder b = Tunekit.builder().provider("ray");
    fakes.settings().forEach(b::setting);
    try (Tunekit tk = b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(2, Duration.ofMillis(1), Duration.ofMillis(2), 2.0)
        .polling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(20)).build()) {
      Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> tk.fineTune().model(RayFakes.BASE_MODEL)
          .trainingData(data).start());
      assertThat(failed).as("the submit fails while the dashboard is unavailable").hasMessageContaining("tk.resume(");
      String runId = tk.runs().get(0).id();
      assertThat(tk.runs().get(0).state()).isEqualTo(RunState.UPLOADED);
      int putsBefore = fakes.wm.findAll(putRequestedFor(urlPathMatching(pkg))).size();
      int postsBefore = fakes.wm.findAll(postRequestedFor(urlPathEqualTo(RayFakes.JOBS))).size();

      fakes.wm.setScenarioState("store", Scenario.STARTED); // a long pause: Ray dropped the unused packages
      fakes.wm.removeStub(down);

      if (rewordedLog) {
        // The run log is for people: its wording is no contract (the hashes the check needs are in the ledger's
        // columns). A reworded prepare line must not switch the check off.
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("ledger.db"));
            java.sql.Statement s = c.createStatement()) {
          s.executeUpdate("UPDATE run_log SET detail = 'converted (hashes elsewhere)' WHERE step = 'prepare'");
        }
      }
      // the data changed meanwhile: the run cannot put back what it was started with, and says so
      java.nio.file.Files.writeString(data, java.nio.file.Files.readString(data).replace("\"user\"", "\"user\" "));
      Throwable changed = org.assertj.core.api.Assertions.catchThrowable(() -> tk.resume(runId).await());
      assertThat(changed).hasMessageContaining("changed after the run uploaded it").hasMessageContaining("new run");
      dev.tunekit.testing.ChatData.write(data, 12); // the same content again

      RunResult resumed = tk.resume(runId).await();
      assertThat(resumed.state()).as("%s", resumed).isEqualTo(RunState.TRAINED);
      assertThat(fakes.wm.findAll(putRequestedFor(urlPathMatching(pkg))).size())
          .as("the dropped data package is put again").isGreaterThan(putsBefore);
      assertThat(fakes.wm.findAll(postRequestedFor(urlPathEqualTo(RayFakes.JOBS))).size())
          .as("one submit after the resume").isEqualTo(postsBefore + 1);
    }
  }
}
