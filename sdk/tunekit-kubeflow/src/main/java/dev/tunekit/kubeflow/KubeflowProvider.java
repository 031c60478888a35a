package dev.tunekit.kubeflow;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.http.AdapterServing;
import dev.tunekit.http.ProviderErrors;
import dev.tunekit.http.TrainerLog;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.HttpFailures;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TuningProvider;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Fine-tuning through Kubeflow Trainer v2: one {@code TrainJob} per run, made and read with the fabric8 client's
 * generic resources (fabric8's retries off: the core is the one retry layer).
 *
 * <p><b>Data.</b> Each dataset file becomes a ConfigMap named after its content's SHA-256
 * ({@code tunekit-data-<32 hex>}, key {@code data.jsonl}); a second upload of the same bytes finds it (409 is
 * success). The TrainJob mounts them into the trainer container through {@code podTemplateOverrides}. A ConfigMap holds
 * at most 1 MiB: a larger file is refused by {@link #upload} before anything is sent.
 *
 * <p><b>Jobs.</b> The TrainJob's name is derived from the run's key ({@link Names#trainJob}): {@link #findJob} is one
 * GET, and a create answered 409 (an earlier attempt made it) reads the TrainJob instead of making a second. Status
 * comes from {@code status.conditions}; events and metrics from the trainer pod's log (the JobSet's pods carry
 * {@code jobset.sigs.k8s.io/jobset-name=<TrainJob>}; the trainer is node 0's {@code node} container), whose cursor is
 * {@code <pod>@<offset>}: the whole log is read and only the part after the offset is parsed.
 *
 * <p><b>Serving.</b> The adapter goes to {@code <outputDir>/<TrainJob name>}, which is the tuned model's name. With a
 * {@code vllm:} block it is loaded into vLLM from where the vLLM host sees that directory ({@code mountedDataDir}) and
 * chat goes to vLLM; with {@code servingUrl}, chat asks the adapter by its directory's name ({@link AdapterServing}).
 */
final class KubeflowProvider implements TuningProvider, Chat, dev.tunekit.spi.Endpoints {
  static final String PROVIDER = "kubeflow";
  /** ConfigMaps hold at most 1 MiB (data and metadata together); the file must leave room for the rest. */
  static final long MAX_DATA_BYTES = 1_048_576 - 16_384;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ResourceDefinitionContext TRAINJOB = new ResourceDefinitionContext.Builder()
      .withGroup(TrainJobs.GROUP).withVersion(TrainJobs.VERSION).withKind(TrainJobs.KIND).withPlural(TrainJobs.PLURAL)
      .withNamespaced(true).build();
  static final ProviderErrors ERRORS = new ProviderErrors(PROVIDER, "Check the credentials: providers.kubeflow.token"
      + " (or the kubeconfig's user) must be allowed to create and read trainjobs.trainer.kubeflow.org, configmaps and"
      + " pods/log in the namespace.");

  private final KubeflowConfig config;
  private final AdapterServing serving;
  private KubernetesClient client;

  KubeflowProvider(KubeflowConfig config) {
    this.config = config;
    this.serving = new AdapterServing(config.settings(), ERRORS, "this Kubeflow engine", config.outputDir(),
        config.servingUrl(), config.servingApiKey(), config.vllm(), config.callTimeout());
  }

  @Override
  public String name() {
    return config.settings().name();
  }

  /**
   * Chat when {@code servingUrl} or a {@code vllm:} block names the server that serves the adapters; deployments
   * (loading the adapter into vLLM) only with a {@code vllm:} block.
   */
  @Override
  public <C extends Capability> Optional<C> capability(Class<C> type) {
    return serving.capability(type, TuningProvider.super::capability);
  }

  /**
   * The Kubernetes API server (the {@code masterUrl}, else the kubeconfig's or the pod's, as fabric8 reads them) and
   * the server that serves the adapters. Without credentials it is the preflight's credential problem, in one line.
   */
  @Override
  public List<Endpoint> endpoints() {
    List<PreflightProblem> problems = KubeflowPreflight.credentials(config);
    if (!problems.isEmpty()) {
      PreflightProblem p = problems.get(0);
      throw new dev.tunekit.error.InvalidInputException(p.where() + ": " + p.problem() + "; " + p.fix(),
          p.location());
    }
    List<Endpoint> out = new java.util.ArrayList<>();
    String setting = "providers." + name() + (config.masterUrl().isPresent() ? ".masterUrl" : ".kubeconfig");
    String master = client().getConfiguration().getMasterUrl();
    out.add(new Endpoint("the Kubernetes API server",
        java.net.URI.create(master.endsWith("/") ? master.substring(0, master.length() - 1) : master), setting));
    serving.endpoint().ifPresent(out::add);
    return out;
  }

  @Override
  public List<PreflightProblem> preflight(JobPlan plan) {
    return KubeflowPreflight.check(config, plan, serving);
  }

  /** The trainer reads Tunekit's neutral JSONL as it is. */
  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    return DatasetFormat.neutral(kind);
  }

  // ---------------------------------------------------------------- the client

  /** Made on first use (so a factory never fails on a missing kubeconfig); fabric8's own retries switched off. */
  private synchronized KubernetesClient client() {
    if (client == null) {
      Config base;
      if (config.masterUrl().isPresent()) {
        ConfigBuilder b = new ConfigBuilder(Config.empty()).withMasterUrl(config.masterUrl().get());
        config.token().ifPresent(t -> b.withOauthToken(t.reveal()));
        // A plain-http API server (kubectl proxy): HTTP/1.1, no h2c upgrade attempt.
        base = b.withHttp2Disable(config.masterUrl().get().startsWith("http:")).build();
      } else if (config.kubeconfig().isPresent()) {
        base = Config.fromKubeconfig(config.context().orElse(null), new java.io.File(config.kubeconfig().get()));
      } else {
        base = Config.autoConfigure(config.context().orElse(null));
      }
      int ms = (int) Math.min(Integer.MAX_VALUE, config.callTimeout().toMillis());
      Config c = new ConfigBuilder(base).withNamespace(config.ns()).withRequestRetryBackoffLimit(0)
          .withRequestTimeout(ms).withConnectionTimeout(ms).build();
      client = new KubernetesClientBuilder().withConfig(c).build();
    }
    return client;
  }

  private MixedOperation<GenericKubernetesResource, ?, Resource<GenericKubernetesResource>> trainJobs() {
    return client().genericKubernetesResources(TRAINJOB);
  }

  /** One call, its failure translated: an HTTP status by {@link HttpFailures#status}, no answer by its network rule. */
  private <T> T call(String op, boolean write, Supplier<T> body) {
    try {
      return body.get();
    } catch (KubernetesClientException e) {
      throw translate(op, write, e);
    }
  }

  static ProviderException translate(String op, boolean write, KubernetesClientException e) {
    if (e.getCode() > 0) {
      String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
          : String.valueOf(e.getMessage());
      return HttpFailures.status(PROVIDER, op, write, e.getCode(), message.lines().findFirst().orElse(""),
          Optional.empty(), "Check the credentials: providers.kubeflow.token (or the kubeconfig's user) must be allowed"
              + " to create and read trainjobs.trainer.kubeflow.org, configmaps and pods/log in the namespace.");
    }
    return HttpFailures.network(PROVIDER, op, write, e.getCause() != null ? e.getCause() : e);
  }

  // ---------------------------------------------------------------- data

  @Override
  public Optional<RemoteFile> findFile(FileUpload upload) {
    String name = Names.dataConfigMap(upload.sha256());
    ConfigMap cm = call("GET configmap " + name, false,
        () -> client().configMaps().inNamespace(config.ns()).withName(name).get());
    return cm != null && cm.getData() != null && cm.getData().containsKey(TrainJobs.DATA_KEY)
        ? Optional.of(file(name, upload)) : Optional.empty();
  }

  /** A ConfigMap named after the file's hash; 409 (it exists, with the same bytes) is success. */
  @Override
  public RemoteFile upload(FileUpload upload) {
    String name = Names.dataConfigMap(upload.sha256());
    if (upload.sizeBytes() > MAX_DATA_BYTES) {
      throw new InvalidInputException("the dataset file " + upload.fileName() + " has " + upload.sizeBytes()
          + " bytes, and the Kubeflow engine passes data in a ConfigMap, which holds at most 1 MiB (" + MAX_DATA_BYTES
          + " bytes for the file); use fewer or shorter examples (nothing was sent to the cluster)");
    }
    String text;
    try {
      text = Files.readString(upload.path(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + upload.path() + ": " + e.getMessage());
    }
    ConfigMap cm = new ConfigMapBuilder().withMetadata(new ObjectMetaBuilder().withName(name)
        .addToLabels("app.kubernetes.io/managed-by", "tunekit").build()).addToData(TrainJobs.DATA_KEY, text).build();
    try {
      call("POST configmap " + name, true, () -> client().configMaps().inNamespace(config.ns()).resource(cm).create());
    } catch (ProviderException e) {
      if (e.statusCode().orElse(0) != 409) {
        throw e;
      }
    }
    return file(name, upload);
  }

  private static RemoteFile file(String name, FileUpload upload) {
    return RemoteFile.builder().id(name).fileName(upload.fileName()).sizeBytes(upload.sizeBytes()).build();
  }

  private static String configMapOf(String fileId) {
    if (!fileId.matches("tunekit-data-[0-9a-f]{32}")) {
      throw new InvalidInputException("'" + fileId + "' is not a dataset Tunekit uploaded to Kubernetes"
          + " (a ConfigMap named tunekit-data-<32 hex>)");
    }
    return fileId;
  }

  // ---------------------------------------------------------------- jobs

  /** Creates the TrainJob named after the run's key; a 409 means an earlier attempt made it: it is read instead. */
  @Override
  public RemoteJob createJob(JobRequest req) {
    String name = Names.trainJob(req.idempotencyKey());
    String output = config.output() + "/" + name;
    String train = configMapOf(req.trainingFileId());
    Optional<String> validation = req.validationFileId().map(KubeflowProvider::configMapOf);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(TrainJobs.KEY_ANNOTATION, req.idempotencyKey());
    annotations.put(TrainJobs.OUTPUT_ANNOTATION, output);
    annotations.put(TrainJobs.BASE_MODEL_ANNOTATION, req.baseModel());
    Map<String, String> md = new LinkedHashMap<>(req.metadata());
    md.put(JobRequest.IDEMPOTENCY_METADATA_KEY, req.idempotencyKey());
    try {
      annotations.put(TrainJobs.METADATA_ANNOTATION, JSON.writeValueAsString(md));
    } catch (IOException e) {
      throw new IllegalStateException("a map of strings is JSON", e);
    }
    GenericKubernetesResource job = new GenericKubernetesResource();
    job.setApiVersion(TrainJobs.GROUP + "/" + TrainJobs.VERSION);
    job.setKind(TrainJobs.KIND);
    job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(config.ns())
        .addToLabels("app.kubernetes.io/managed-by", "tunekit").withAnnotations(annotations).build());
    job.setAdditionalProperty("spec", TrainJobs.spec(config, req, output, train, validation));
    try {
      call("POST trainjob " + name, true, () -> trainJobs().inNamespace(config.ns()).resource(job).create());
    } catch (ProviderException e) {
      if (e.statusCode().orElse(0) != 409) {
        throw e;
      }
    }
    return job(name);
  }

  @Override
  public Optional<RemoteJob> findJob(String idempotencyKey) {
    return read(Names.trainJob(idempotencyKey)).map(this::toRemoteJob);
  }

  /** The TrainJob; a failed one's reason starts with the trainer's own error line when its pod's log still has one. */
  @Override
  public RemoteJob job(String jobId) {
    return read(checked(jobId)).map(this::toRemoteJob).map(this::withTrainerError)
        .orElseThrow(() -> (RuntimeException) HttpFailures.status(PROVIDER,
        "GET trainjob " + jobId, false, 404, "TrainJob " + jobId + " not found in namespace " + config.ns(),
        Optional.empty(), ""));
  }

  /**
   * Kubeflow's Failed condition says which job of the JobSet failed, not why; the trainer's last
   * {@code tunekit_train: error:} line does. Best effort: a pod already gone or a log that cannot be read leaves the
   * condition's message as it is.
   */
  private RemoteJob withTrainerError(RemoteJob job) {
    if (!(job.status() instanceof JobStatus.Failed f)) {
      return job;
    }
    try {
      Optional<Pod> pod = trainerPod(job.id());
      if (pod.isEmpty()) {
        return job;
      }
      String name = pod.get().getMetadata().getName();
      String log = podLog(name);
      Optional<String> error = log == null ? Optional.empty() : TrainerLog.lastError(log);
      if (error.isEmpty()) {
        return job;
      }
      return job.toBuilder().status(new JobStatus.Failed(f.raw(), error.get() + " (" + f.reason() + ")", f.code()))
          .build();
    } catch (KubernetesClientException | ProviderException e) {
      return job;
    }
  }

  /**
   * The trainer container's log, or null when the pod is gone (404). One plain GET of the pod's {@code log}
   * subresource: fabric8's {@code getLog()} first watches the pod until it is ready or terminal, which costs a watch
   * per poll and can stall on a server that is slow to close watches.
   */
  private String podLog(String pod) {
    return client().raw("/api/v1/namespaces/" + config.ns() + "/pods/" + pod + "/log?container="
        + TrainJobs.TRAINER_JOB);
  }

  private Optional<GenericKubernetesResource> read(String name) {
    return Optional.ofNullable(call("GET trainjob " + name, false,
        () -> trainJobs().inNamespace(config.ns()).withName(name).get()));
  }

  private static String checked(String id) {
    if (!Names.isLabel(id)) {
      throw new InvalidInputException("'" + id + "' is not a TrainJob name (an RFC 1035 label, such as tk-run-0123-3f2a)");
    }
    return id;
  }

  @SuppressWarnings("unchecked")
  private RemoteJob toRemoteJob(GenericKubernetesResource r) {
    ObjectMeta meta = r.getMetadata();
    Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    Map<String, Object> spec = r.getAdditionalProperties().get("spec") instanceof Map<?, ?> m
        ? (Map<String, Object>) m : Map.of();
    Map<String, Object> status = r.getAdditionalProperties().get("status") instanceof Map<?, ?> m
        ? (Map<String, Object>) m : Map.of();
    Map<String, Object> metaMap = new LinkedHashMap<>();
    metaMap.put("deletionTimestamp", meta.getDeletionTimestamp());
    JobStatus s = TrainJobs.status(metaMap, spec, status, annotations);
    Map<String, String> md = new LinkedHashMap<>();
    String stored = annotations.get(TrainJobs.METADATA_ANNOTATION);
    if (stored != null) {
      try {
        md.putAll(JSON.readValue(stored, new TypeReference<Map<String, String>>() {}));
      } catch (IOException e) {
        // someone edited the annotation: the job is still readable, without its metadata
      }
    }
    Optional.ofNullable(annotations.get(TrainJobs.OUTPUT_ANNOTATION)).ifPresent(o -> md.put("tunekit_output", o));
    RemoteJob.Builder b = RemoteJob.builder().id(meta.getName()).status(s)
        .baseModel(annotations.getOrDefault(TrainJobs.BASE_MODEL_ANNOTATION, "unknown")).metadata(md);
    time(meta.getCreationTimestamp()).ifPresent(b::createdAt);
    if (s.isTerminal() && status.get("conditions") instanceof List<?> conds) {
      for (Object c : conds) {
        if (c instanceof Map<?, ?> cm && ("Complete".equals(cm.get("type")) || "Failed".equals(cm.get("type")))
            && "True".equals(cm.get("status"))) {
          time(cm.get("lastTransitionTime") == null ? null : cm.get("lastTransitionTime").toString()).ifPresent(b::finishedAt);
        }
      }
    }
    return b.build();
  }

  private static Optional<Instant> time(String text) {
    try {
      return text == null ? Optional.empty() : Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- logs

  /** Node 0's pod of the TrainJob's JobSet, the newest if it was recreated. */
  private Optional<Pod> trainerPod(String job) {
    List<Pod> pods = call("GET pods of " + job, false, () -> client().pods().inNamespace(config.ns())
        .withLabel(TrainJobs.JOBSET_LABEL, job).list().getItems());
    return pods.stream()
        .filter(p -> {
          Map<String, String> l = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
          String index = l.get("batch.kubernetes.io/job-completion-index");
          String replicated = l.get("jobset.sigs.k8s.io/replicatedjob-name");
          return (index == null || index.equals("0")) && (replicated == null || replicated.equals(TrainJobs.TRAINER_JOB));
        })
        .max(Comparator.comparing((Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp()))
            .thenComparing(p -> p.getMetadata().getName()));
  }

  private record Read(String pod, TrainerLog.Chunk chunk) {}

  private Optional<Read> log(String jobId, Optional<Cursor> after, Instant time) {
    checked(jobId);
    String cursorPod = null;
    long from = 0;
    if (after.isPresent()) {
      String v = after.get().value();
      int at = v.lastIndexOf('@');
      try {
        cursorPod = v.substring(0, at);
        from = Long.parseLong(v.substring(at + 1));
      } catch (RuntimeException e) {
        throw new InvalidInputException("'" + v + "' is not a Kubeflow log cursor (<pod>@<offset>)");
      }
    }
    Optional<Pod> pod = trainerPod(jobId);
    if (pod.isEmpty()) {
      return Optional.empty();
    }
    String name = pod.get().getMetadata().getName();
    long start = name.equals(cursorPod) ? from : 0; // a new pod (recreated): its log starts again
    String text;
    try {
      text = call("GET log of pod " + name, false, () -> podLog(name));
    } catch (ProviderException e) {
      if (e.statusCode().orElse(0) == 400 || e.statusCode().orElse(0) == 404) {
        return Optional.empty(); // the container has not started yet, or the pod is gone
      }
      throw e;
    }
    if (text == null) {
      return Optional.empty(); // the pod is gone
    }
    return Optional.of(new Read(name, TrainerLog.read(text, start, time)));
  }

  /** The trainer's events, checkpoints, model line and error lines after the cursor, stamped with the job's start. */
  @Override
  public Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    Instant started = job(jobId).createdAt().orElse(Instant.EPOCH);
    Optional<Read> r = log(jobId, after, started);
    if (r.isEmpty()) {
      return new Page<>(List.of(), after);
    }
    List<JobEvent> events = r.get().chunk().events().stream()
        .map(e -> new JobEvent(r.get().pod() + "@" + e.id(), e.time(), e.level(), e.message())).toList();
    return new Page<>(events, Optional.of(new Cursor(r.get().pod() + "@" + r.get().chunk().end())));
  }

  /** The trainer's metric lines after the cursor. */
  @Override
  public Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    Optional<Read> r = log(jobId, after, Instant.EPOCH);
    if (r.isEmpty()) {
      return new Page<>(List.of(), after);
    }
    return new Page<>(r.get().chunk().metrics(), Optional.of(new Cursor(r.get().pod() + "@" + r.get().chunk().end())));
  }

  /**
   * One poll: the TrainJob read once, and the trainer pod's log read once for both the events and the metrics
   * (their cursors are the same log position when they come from the same polls; otherwise each is read on
   * its own). The Kubernetes log API has no byte offset, so each read still downloads the whole log (its
   * {@code sinceTime} has a resolution of seconds and would drop or repeat lines): inherent, once per poll.
   */
  @Override
  public dev.tunekit.spi.JobProgress progress(String jobId, Optional<Cursor> eventsAfter, Optional<Cursor> metricsAfter) {
    if (!eventsAfter.equals(metricsAfter)) {
      return TuningProvider.super.progress(jobId, eventsAfter, metricsAfter);
    }
    RemoteJob job = job(jobId);
    Optional<Read> r = log(jobId, eventsAfter, job.createdAt().orElse(Instant.EPOCH));
    if (r.isEmpty()) {
      return new dev.tunekit.spi.JobProgress(job, new Page<>(List.of(), eventsAfter), new Page<>(List.of(), metricsAfter));
    }
    Optional<Cursor> next = Optional.of(new Cursor(r.get().pod() + "@" + r.get().chunk().end()));
    List<JobEvent> events = r.get().chunk().events().stream()
        .map(e -> new JobEvent(r.get().pod() + "@" + e.id(), e.time(), e.level(), e.message())).toList();
    return new dev.tunekit.spi.JobProgress(job, new Page<>(events, next), new Page<>(r.get().chunk().metrics(), next));
  }

  // ---------------------------------------------------------------- cancel

  /**
   * {@code cancel: suspend} (default) sets {@code spec.suspend} and marks the TrainJob cancelled (its pods stop, it
   * stays readable: Cancelled on every later read); {@code cancel: delete} deletes it (foreground), and a TrainJob
   * already gone is reported cancelled. A finished job is returned as it is.
   */
  @Override
  public RemoteJob cancel(String jobId) {
    Optional<GenericKubernetesResource> found = read(checked(jobId));
    if (found.isEmpty()) {
      if (config.cancel().equals("delete")) {
        return RemoteJob.builder().id(jobId).status(new JobStatus.Cancelled("Deleted")).baseModel("unknown").build();
      }
      return job(jobId); // throws not found
    }
    RemoteJob before = toRemoteJob(found.get());
    if (before.status().isTerminal()) {
      return before;
    }
    if (config.cancel().equals("delete")) {
      call("DELETE trainjob " + jobId, true, () -> trainJobs().inNamespace(config.ns()).withName(jobId)
          .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete());
      return RemoteJob.builder().id(jobId).status(new JobStatus.Cancelled("Deleted")).baseModel(before.baseModel())
          .metadata(before.metadata()).build();
    }
    call("PATCH trainjob " + jobId, true, () -> trainJobs().inNamespace(config.ns()).withName(jobId).edit(r -> {
      r.getMetadata().getAnnotations().put(TrainJobs.CANCELLED_ANNOTATION, "true");
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
      spec.put("suspend", true);
      return r;
    }));
    return job(jobId);
  }

  // ---------------------------------------------------------------- chat

  /**
   * Chat on the {@code vllm:} block's server, or through {@code servingUrl} ({@link AdapterServing#chat}): a tuned
   * model (a path under {@code outputDir}) is asked by its directory's name, the name the adapter is loaded under.
   */
  @Override
  public ChatResponse chat(ChatRequest request) {
    return serving.chat(request);
  }

  @Override
  public synchronized void close() {
    serving.close();
    if (client != null) {
      client.close();
      client = null;
    }
  }

  @Override
  public String toString() {
    return "KubeflowProvider{" + config + "}";
  }
}
