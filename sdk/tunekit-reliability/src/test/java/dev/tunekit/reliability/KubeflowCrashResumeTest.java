package dev.tunekit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.RunInfo;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash and resume on {@code provider: kubeflow}, against fabric8's Kubernetes mock server in CRUD mode started in this
 * JVM (its store is the cluster state every child and this process share): a child JVM ({@link ChildMain}
 * {@code start}) is killed with SIGKILL by its {@link FaultProxy}'s tap — after the dataset ConfigMap was stored, on the
 * TrainJob create before the API server stores it, after it stored it (before the ledger records it), while polling —
 * and this process resumes the run from the child's ledger. Each run must end with exactly one TrainJob and, as its
 * model, that TrainJob's adapter directory. TrainJobs stay without a status (queued) until the children are dead; then
 * a stand-in controller completes them, as a finished training would.
 */
class KubeflowCrashResumeTest {
  static final String MODEL = "Qwen/Qwen2.5-0.5B-Instruct";
  static final String OUTPUT = "/mnt/shared/adapters";
  static final String NS = "ml-team";
  static final String TRAINJOBS = "/apis/trainer.kubeflow.org/v1alpha1/namespaces/" + NS + "/trainjobs";
  static final ResourceDefinitionContext TRAINJOB = new ResourceDefinitionContext.Builder()
      .withGroup("trainer.kubeflow.org").withVersion("v1alpha1").withKind("TrainJob").withPlural("trainjobs")
      .withNamespaced(true).build();
  /** fabric8's mock server logs every request at INFO through java.util.logging: thousands of lines in CI's output. */
  private static final java.util.logging.Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
    l.setLevel(java.util.logging.Level.WARNING);
    return l;
  }

  /** Where a child is killed: on its request matching {@code method} and {@code path}, before or after the answer. */
  enum KillPoint {
    AFTER_CONFIGMAP_UPLOAD("POST", "/api/v1/namespaces/" + NS + "/configmaps", true, 1, "2-uploading"),
    CREATE_BEFORE_THE_API_SERVER("POST", TRAINJOBS, false, 1, "4-submitting"),
    CREATE_AFTER_THE_API_SERVER_STORED_IT("POST", TRAINJOBS, true, 1, "4-submitting"),
    POLLING("GET", TRAINJOBS + "/tk-", true, 2, "5-training");

    final String method;
    final String path;
    final boolean answered;
    final int nth;
    final String phase;

    KillPoint(String method, String path, boolean answered, int nth, String phase) {
      this.method = method;
      this.path = path;
      this.answered = answered;
      this.nth = nth;
      this.phase = phase;
    }

    boolean matches(String m, String target) {
      String p = target.replaceAll("\\?.*", "");
      return m.equals(method) && (this == POLLING ? p.startsWith(path) && !p.substring(path.length()).contains("/")
          : p.equals(path));
    }
  }

  @TempDir Path dir;

  /** One kill: its own proxy (whose tap kills the child), config and ledger, so the children run side by side. */
  private record Victim(KillPoint point, FaultProxy proxy, Path config, Path ledger, Child child, AtomicBoolean fired) {}

  @Test
  void killedAtEveryStep_resumesToTheSameTrainJobAndTheSameAdapter() throws Exception {
    long began = System.nanoTime();
    FaultPlan noFaults = new FaultPlan(0);
    noFaults.enabled(false);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup("trainer.kubeflow.org")
        .withVersion("v1alpha1").withKind("TrainJob").withPlural("trainjobs").withScope("Namespaced").build());
    List<Victim> victims = new ArrayList<>();
    AtomicInteger creates = new AtomicInteger(); // TrainJob creates the API server stored (201), from any process
    try (NamespacedKubernetesClient direct = server.createClient()) {
      try {
        for (KillPoint point : KillPoint.values()) {
          int i = point.ordinal();
          FaultProxy proxy = new FaultProxy(URI.create("http://127.0.0.1:" + server.getPort()), noFaults, Duration.ZERO);
          Path ledger = dir.resolve("ledger-" + i + ".db");
          Path config = Configs.writeKubeflow(dir.resolve("c" + i), "tunekit.yaml", proxy.url(""), OUTPUT, ledger);
          Path data = Datasets.variant(dir.resolve("data"), 4000 + i, 40);
          AtomicReference<Child> victim = new AtomicReference<>();
          AtomicBoolean fired = new AtomicBoolean();
          AtomicInteger seen = new AtomicInteger();
          proxy.tap((method, target, answered, status) -> {
            if (answered && status == 201 && method.equals("POST") && target.replaceAll("\\?.*", "").equals(TRAINJOBS)) {
              creates.incrementAndGet();
            }
            if (fired.get() || answered != point.answered || !point.matches(method, target)
                || seen.incrementAndGet() < point.nth) {
              return false;
            }
            fired.set(true);
            try {
              victim.get().kill();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return true;
          });
          Child child = Child.start(dir.resolve("child-" + i + ".log"), "start", config.toString(), data.toString(),
              "k" + i, MODEL);
          victim.set(child);
          victims.add(new Victim(point, proxy, config, ledger, child, fired));
        }
        for (Victim v : victims) {
          assertThat(v.child().process().waitFor(120, TimeUnit.SECONDS)).as("child at %s ended", v.point()).isTrue();
          assertThat(v.fired().get()).as("kill point %s reached; output %s", v.point(), v.child().lines()).isTrue();
          v.child().kill();
        }
        // The children are dead: the stand-in controller finishes every stored TrainJob.
        try (AutoCloseable controller = completing(direct)) {
          Map<String, String> modelOfRun = new LinkedHashMap<>();
          List<String> phases = new ArrayList<>();
          for (Victim v : victims) {
            try (Tunekit tk = Tunekit.fromConfig(v.config())) {
              List<String> recorded = tk.runs().stream().map(RunInfo::id).toList();
              assertThat(recorded).as("the run the child at %s recorded", v.point()).hasSize(1);
              String runId = recorded.get(0);
              String phase = CrashResumeTest.phase(LedgerFile.steps(v.ledger(), runId), true);
              phases.add(v.point() + "=" + phase.substring(2));
              assertThat(phase).as("ledger after a kill at %s", v.point()).isEqualTo(v.point().phase);
              RunResult result = tk.resume(runId).await();
              assertThat(result.state()).as("%s resumed after a kill at %s", result, v.point())
                  .isEqualTo(RunState.TRAINED);
              String model = result.fineTunedModel().orElseThrow();
              String name = model.substring(model.lastIndexOf('/') + 1);
              GenericKubernetesResource job = direct.genericKubernetesResources(TRAINJOB).inNamespace(NS)
                  .withName(name).get();
              assertThat(job).as("the API server holds the TrainJob the model came from").isNotNull();
              assertThat(model).as("the adapter of that TrainJob").isEqualTo(OUTPUT + "/" + name)
                  .isEqualTo(job.getMetadata().getAnnotations().get("tunekit.dev/output"));
              modelOfRun.put(runId, model);
            }
            assertThat(LedgerFile.integrityCheck(v.ledger())).isEqualTo("ok");
          }
          List<GenericKubernetesResource> stored = direct.genericKubernetesResources(TRAINJOB).inNamespace(NS).list()
              .getItems();
          Figures.record("kubeflow-crash-resume", String.format("kills=%d killed-in{%s} trainjob-creates-stored=%d"
                  + " trainjobs=%d runs-trained=%d time=%.1fs", KillPoint.values().length, String.join(" ", phases),
              creates.get(), stored.size(), modelOfRun.size(), (System.nanoTime() - began) / 1e9));
          assertThat(creates.get()).as("one TrainJob created per run, none duplicated")
              .isEqualTo(KillPoint.values().length);
          assertThat(stored).as("exactly one TrainJob per run").hasSize(KillPoint.values().length);
          assertThat(new java.util.HashSet<>(modelOfRun.values())).hasSize(KillPoint.values().length);
        }
      } finally {
        for (Victim v : victims) {
          v.child().kill();
          v.proxy().close();
        }
        server.destroy();
      }
    }
  }

  /** Until closed, every stored TrainJob without a status gets a Complete condition, as a finished training leaves it. */
  private static AutoCloseable completing(NamespacedKubernetesClient direct) {
    AtomicBoolean runs = new AtomicBoolean(true);
    Thread t = new Thread(() -> {
      while (runs.get()) {
        try {
          for (GenericKubernetesResource r : direct.genericKubernetesResources(TRAINJOB).inNamespace(NS).list()
              .getItems()) {
            if (r.getAdditionalProperties().get("status") == null) {
              r.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Complete", "status",
                  "True", "reason", "JobsCompleted", "message", "done", "lastTransitionTime", "2026-12-03T11:00:00Z"))));
              direct.genericKubernetesResources(TRAINJOB).inNamespace(NS).resource(r).update();
            }
          }
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // a race with a client's own write: try again on the next round
        }
      }
    }, "stand-in-trainjob-controller");
    t.setDaemon(true);
    t.start();
    return () -> {
      runs.set(false);
      t.join(2_000);
    };
  }
}
