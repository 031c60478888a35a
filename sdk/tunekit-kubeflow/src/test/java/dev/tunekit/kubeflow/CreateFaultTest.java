package dev.tunekit.kubeflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.testing.SharedServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fault suite on the TrainJob create, through the engine ({@code Tunekit.builder()}, the retry layer and the
 * ledger), against the CRUD mock API server: the first {@code POST .../trainjobs} answers 500, 503 or 429 without
 * storing anything (an expectation the mock serves before its CRUD store), or its connection is reset before the API
 * server sees it (nothing stored, the outcome unknown to the client), or it is stored and then its reply is lost to a
 * connection reset ({@link dev.tunekit.testing.FaultProxy}: commit, then drop). A stand-in controller marks each
 * stored TrainJob Complete. Every run ends trained, and the namespace holds exactly one TrainJob, named after the
 * run's key.
 */
class CreateFaultTest {
  @RegisterExtension
  static final SharedServer<KubeflowFakes> SERVER = new SharedServer<>(KubeflowFakes::new, KubeflowFakes::reset);
  KubeflowFakes fakes;
  @TempDir Path tmp;
  private AutoCloseable controller;

  @BeforeEach
  void start() {
    fakes = SERVER.get();
    controller = fakes.completingController();
  }

  @AfterEach
  void stop() throws Exception {
    controller.close();
  }

  private static String status(int code) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"injected " + code
        + "\",\"reason\":\"InternalError\",\"code\":" + code + "}";
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"500", "503", "429", "reset-before-stored", "commit-then-reset"})
  void aFailedCreate_isRetriedAfterALookup_andMakesExactlyOneTrainJob(String kind) throws Exception {
    if (kind.equals("commit-then-reset")) {
      fakes.proxy.dropReplyToNext("POST", KubeflowFakes.TRAINJOBS);
    } else if (kind.equals("reset-before-stored")) {
      fakes.proxy.resetNext("POST", KubeflowFakes.TRAINJOBS);
    } else {
      int code = Integer.parseInt(kind);
      fakes.server.expect().post().withPath(KubeflowFakes.TRAINJOBS).andReturn(code, status(code)).once();
    }
    Path data = dev.tunekit.testing.ChatData.write(tmp.resolve("train.jsonl"), 12);
    Tunekit.Builder b = Tunekit.builder().provider("kubeflow");
    fakes.settings().forEach(b::setting);
    RunResult result;
    try (Tunekit tk = b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work"))
        .retry(4, Duration.ofMillis(1), Duration.ofMillis(5), 2.0)
        .polling(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(20)).build()) {
      result = tk.fineTune().model(KubeflowFakes.BASE_MODEL).trainingData(data).hyperparameters(h -> h.epochs(2))
          .start().await();
    }
    assertThat(result.state()).as("%s", result).isEqualTo(RunState.TRAINED);
    assertThat(fakes.proxy.idle()).as("the armed fault was injected").isTrue();
    List<GenericKubernetesResource> jobs = fakes.trainJobs();
    assertThat(jobs).as("TrainJobs in the namespace: a lost create is found by GET, never made twice").hasSize(1);
    String name = jobs.get(0).getMetadata().getName();
    assertThat(Names.isLabel(name)).as("%s is an RFC 1035 label", name).isTrue();
    assertThat(result.job().orElseThrow().id()).isEqualTo(name);
    assertThat(name).isEqualTo(Names.trainJob(jobs.get(0).getMetadata().getAnnotations().get(TrainJobs.KEY_ANNOTATION)));
    assertThat(result.fineTunedModel()).contains(KubeflowFakes.OUTPUT + "/" + name);
    assertThat(fakes.direct.configMaps().inNamespace(KubeflowFakes.NS).list().getItems()).as("dataset ConfigMaps")
        .hasSize(1).allSatisfy(cm -> assertThat(cm.getData()).containsKey("data.jsonl"));
  }
}
