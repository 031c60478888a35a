package com.example.acme;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The "remote" side of a third-party provider that lives only in test code: an in-memory tuning service
 * with its own raw statuses (PENDING, TRAINING, HALTED, DONE, ERROR, CANCELED), its own event sequence
 * numbers, and faults a test can script. Nothing here knows Tunekit's types: {@link AcmeProvider} maps
 * them, as a real adapter maps an HTTP API.
 */
public final class AcmeServer {
  private static final Map<String, AcmeServer> SERVERS = new ConcurrentHashMap<>();

  /** A failed call, as the service would answer it. */
  public static final class AcmeError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    AcmeError(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  /** The connection dropped after the request was sent (the service may have acted on it). */
  public static final class ConnectionLost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConnectionLost(String message) {
      super(message);
    }
  }

  /** Operations whose next call can be made to commit and then lose its reply. */
  public enum Op { UPLOAD, CREATE }

  record File(String id, String name, long size) {}

  record Event(long seq, long at, String level, String text) {}

  record Metric(long step, double loss) {}

  static final class Job {
    final String id;
    final String key;
    final String baseModel;
    String status = "PENDING";
    boolean frozen;
    final List<Event> events = new ArrayList<>();
    final List<Metric> metrics = new ArrayList<>();

    Job(String id, String key, String baseModel) {
      this.id = id;
      this.key = key;
      this.baseModel = baseModel;
    }
  }

  private final Map<String, File> files = new LinkedHashMap<>();
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final Map<String, String> deployments = new LinkedHashMap<>();
  private final Set<Op> dropNext = EnumSet.noneOf(Op.class);
  private final int stepsPerJob;
  private long seq;
  final byte[] webhookSecret = "acme-webhook-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /** A service whose jobs train {@code stepsPerJob} steps, one per status read. */
  public AcmeServer(int stepsPerJob) {
    this.stepsPerJob = stepsPerJob;
  }

  /** Makes this server the one setting {@code server: id} selects. */
  public static AcmeServer register(String id, AcmeServer server) {
    SERVERS.put(id, server);
    return server;
  }

  /** Forgets a registered server. */
  public static void unregister(String id) {
    SERVERS.remove(id);
  }

  static Optional<AcmeServer> registered(String id) {
    return Optional.ofNullable(SERVERS.get(id));
  }

  // ------------------------------------------------------------ scripting (what a test does to the "server")

  /** The next call of {@code op} takes effect, and then its reply is lost. */
  public synchronized void commitThenDropNext(Op op) {
    dropNext.add(op);
  }

  /** Creates a job directly in {@code status}, frozen there (reads do not advance it); returns its id. */
  public synchronized String jobIn(String status) {
    Job j = newJob("script-" + (seq + 1), "acme-base");
    j.status = status;
    j.frozen = true;
    event(j, "info", "Job " + j.id + " is " + status);
    return j.id;
  }

  /** Moves a job one training step on (an event and a metric), whether or not it is frozen. */
  public synchronized void step(String jobId) {
    Job j = job(jobId);
    long step = j.metrics.size() + 1;
    j.metrics.add(new Metric(step, 2.0 / (step + 1)));
    event(j, "info", "Step " + step + " done");
  }

  /** Stops a job from moving on reads. */
  public synchronized void freeze(String jobId) {
    job(jobId).frozen = true;
  }

  /** How many jobs exist. */
  public synchronized int jobCount() {
    return jobs.size();
  }

  // ------------------------------------------------------------ the service's API

  synchronized File upload(String name, long size) {
    File f = new File("acme-file-" + (++seq), name, size);
    files.put(f.id(), f);
    if (dropNext.remove(Op.UPLOAD)) {
      throw new ConnectionLost("connection reset after sending " + name);
    }
    return f;
  }

  synchronized List<File> files() {
    return List.copyOf(files.values());
  }

  synchronized Job create(String key, String baseModel, String fileId) {
    if (!files.containsKey(fileId)) {
      throw new AcmeError(400, "file " + fileId + " does not exist");
    }
    Job j = newJob(key, baseModel);
    if (dropNext.remove(Op.CREATE)) {
      throw new ConnectionLost("connection reset after creating a job");
    }
    return j;
  }

  private Job newJob(String key, String baseModel) {
    Job j = new Job("acme-job-" + (++seq), key, baseModel);
    jobs.put(j.id, j);
    event(j, "info", "Job " + j.id + " created");
    return j;
  }

  synchronized Optional<Job> byKey(String key) {
    return jobs.values().stream().filter(j -> j.key.equals(key)).findFirst();
  }

  /** Reads a job; an unfrozen job moves one step on per read, like a job training between polls. */
  synchronized Job read(String jobId) {
    Job j = job(jobId);
    if (!j.frozen && !terminal(j.status) && !j.status.equals("HALTED")) {
      if (j.status.equals("PENDING")) {
        j.status = "TRAINING";
        event(j, "info", "Training started");
      } else if (j.metrics.size() < stepsPerJob) {
        step(jobId);
      } else {
        j.status = "DONE";
        event(j, "info", "Training done");
      }
    }
    return j;
  }

  synchronized Job cancel(String jobId) {
    Job j = job(jobId);
    if (j.status.equals("CANCELED")) {
      return j;
    }
    if (terminal(j.status)) {
      throw new AcmeError(409, "job " + jobId + " already ended " + j.status + "; there is nothing to cancel");
    }
    j.status = "CANCELED";
    event(j, "info", "Job canceled");
    return j;
  }

  synchronized Job pause(String jobId) {
    Job j = job(jobId);
    if (!j.status.equals("TRAINING") && !j.status.equals("PENDING")) {
      throw new AcmeError(409, "job " + jobId + " is " + j.status + "; only a training job can be halted");
    }
    j.status = "HALTED";
    event(j, "info", "Job halted");
    return j;
  }

  synchronized Job resume(String jobId) {
    Job j = job(jobId);
    if (!j.status.equals("HALTED")) {
      throw new AcmeError(409, "job " + jobId + " is " + j.status + "; only a halted job can be resumed");
    }
    j.status = "TRAINING";
    event(j, "info", "Job resumed");
    return j;
  }

  synchronized List<Event> events(String jobId, long afterSeq) {
    return job(jobId).events.stream().filter(e -> e.seq() > afterSeq).toList();
  }

  synchronized List<Metric> metrics(String jobId, long afterStep) {
    return job(jobId).metrics.stream().filter(m -> m.step() > afterStep).toList();
  }

  synchronized String deploy(String name) {
    return deployments.computeIfAbsent(name, n -> "acme-dep-" + n);
  }

  synchronized Optional<String> deployment(String id) {
    return deployments.containsValue(id) ? Optional.of(id) : Optional.empty();
  }

  synchronized void undeploy(String id) {
    deployments.values().remove(id);
  }

  static boolean terminal(String status) {
    return status.equals("DONE") || status.equals("ERROR") || status.equals("CANCELED");
  }

  private Job job(String jobId) {
    Job j = jobs.get(jobId);
    if (j == null) {
      throw new AcmeError(404, "no job " + jobId);
    }
    return j;
  }

  private void event(Job j, String level, String text) {
    j.events.add(new Event(++seq, 1_767_225_600L + seq, level, text));
  }
}
