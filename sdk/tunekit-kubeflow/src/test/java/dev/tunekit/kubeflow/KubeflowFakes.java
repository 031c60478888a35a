package dev.tunekit.kubeflow;

import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.testing.FaultProxy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
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
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * fabric8's Kubernetes mock server in CRUD mode (it stores what is created, answers 409 to a second create of a name,
 * and serves reads and deletes from its store), with expectations for what CRUD does not serve (pod logs), behind a
 * {@link FaultProxy} that can lose the reply to a request the server carried out.
 */
final class KubeflowFakes implements AutoCloseable {
  static final String NS = "ml-team";
  static final String BASE_MODEL = "Qwen/Qwen2.5-0.5B-Instruct";
  static final String OUTPUT = "/mnt/shared/adapters";
  static final String TRAINJOBS = "/apis/trainer.kubeflow.org/v1alpha1/namespaces/" + NS + "/trainjobs";
  static final String CONFIGMAPS = "/api/v1/namespaces/" + NS + "/configmaps";
  static final ResourceDefinitionContext TRAINJOB = new ResourceDefinitionContext.Builder().withGroup("trainer.kubeflow.org")
      .withVersion("v1alpha1").withKind("TrainJob").withPlural("trainjobs").withNamespaced(true).build();

  final KubernetesMockServer server;
  final FaultProxy proxy;
  final NamespacedKubernetesClient direct;
  /** The trainer container's log per pod, served at {@code GET .../pods/<pod>/log}. */
  final Map<String, String> logs = new ConcurrentHashMap<>();
  /** How many times a trainer log was read. */
  final java.util.concurrent.atomic.AtomicInteger logReads = new java.util.concurrent.atomic.AtomicInteger();

  KubeflowFakes() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    expectTrainJobs();
    proxy = FaultProxy.start(server.getPort());
    direct = server.createClient();
  }

  private void expectTrainJobs() {
    server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup("trainer.kubeflow.org")
        .withVersion("v1alpha1").withKind("TrainJob").withPlural("trainjobs").withScope("Namespaced").build());
  }

  void reset() {
    server.reset();
    expectTrainJobs();
    logs.clear();
  }

  Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("masterUrl", proxy.baseUrl());
    s.put("token", "test-token-not-a-secret");
    s.put("namespace", NS);
    s.put("runtime", "torch-distributed");
    s.put("image", "ghcr.io/acme/tunekit-trl:0.1.0");
    s.put("outputDir", OUTPUT);
    s.put("gpusPerNode", "1");
    s.put("memoryPerNode", "32Gi");
    s.put("callTimeout", "5s");
    return s;
  }

  KubeflowProvider provider(Path dir) {
    return provider(dir, Map.of());
  }

  KubeflowProvider provider(Path dir, Map<String, Object> overrides) {
    Map<String, Object> s = settings();
    s.putAll(overrides);
    return new KubeflowProvider(KubeflowConfig.from(ProviderSettings.of("kubeflow", "KubeflowFakes", dir, s)));
  }

  /** The TrainJobs stored in the namespace. */
  List<GenericKubernetesResource> trainJobs() {
    return direct.genericKubernetesResources(TRAINJOB).inNamespace(NS).list().getItems();
  }

  /** Stores a TrainJob as the controller would have left it, with the given status. */
  void trainJob(String name, Map<String, Object> status, Map<String, String> annotations, boolean suspended) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion("trainer.kubeflow.org/v1alpha1");
    r.setKind("TrainJob");
    Map<String, String> a = new LinkedHashMap<>();
    a.put(TrainJobs.OUTPUT_ANNOTATION, OUTPUT + "/" + name);
    a.put(TrainJobs.BASE_MODEL_ANNOTATION, BASE_MODEL);
    a.putAll(annotations);
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withAnnotations(a)
        .withCreationTimestamp("2026-12-03T10:00:00Z").build());
    r.setAdditionalProperty("spec", new LinkedHashMap<>(Map.of("runtimeRef", Map.of("name", "torch-distributed"),
        "suspend", suspended)));
    r.setAdditionalProperty("status", status);
    direct.genericKubernetesResources(TRAINJOB).inNamespace(NS).resource(r).create();
  }

  static Map<String, Object> condition(String type, String reason, String message) {
    return Map.of("conditions", List.of(Map.of("type", type, "status", "True", "reason", reason, "message", message,
        "lastTransitionTime", "2026-12-03T11:00:00Z")));
  }

  /** Node 0's trainer pod of {@code job}, labelled as JobSet labels it, with a log served by the mock. */
  void trainerPod(String job, String pod, String log) {
    direct.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(pod).withNamespace(NS)
        .addToLabels(TrainJobs.JOBSET_LABEL, job).addToLabels("jobset.sigs.k8s.io/replicatedjob-name", "node")
        .addToLabels("batch.kubernetes.io/job-completion-index", "0").withCreationTimestamp("2026-12-03T10:01:00Z")
        .endMetadata().build()).create();
    logs.put(pod, log);
    server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + pod + "/log?container=node")
        .andReply(200, req -> {
          logReads.incrementAndGet();
          return logs.get(pod);
        }).always();
  }

  /**
   * A stand-in for the Kubeflow controller until closed: every stored TrainJob without a status gets a Complete
   * condition a few milliseconds after its create, as a finished training would leave it.
   */
  AutoCloseable completingController() {
    java.util.concurrent.atomic.AtomicBoolean runs = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread t = new Thread(() -> {
      while (runs.get()) {
        try {
          for (GenericKubernetesResource r : trainJobs()) {
            if (r.getAdditionalProperties().get("status") == null) {
              r.setAdditionalProperty("status", condition("Complete", "JobsCompleted", "done"));
              direct.genericKubernetesResources(TRAINJOB).inNamespace(NS).resource(r).update();
            }
          }
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // a race with the client's own create: try again on the next round
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

  @Override
  public void close() {
    direct.close();
    proxy.close();
    server.destroy();
  }
}
