package dev.tunekit.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A Ray dashboard as far as the Jobs API and the package store go, with state that outlives the clients (it runs in
 * the test's JVM): packages held by name, jobs by {@code submission_id}, answers shaped as Ray's
 * {@code job_head.py} writes them ({@code JobDetails}, {@code {"logs"}}, errors as {@code text/plain}, 400 "Job with
 * submission_id … already exists" for a reused id). A job moves PENDING → RUNNING → SUCCEEDED as it is polled. It
 * counts every accepted submission ({@link #submissions}), so a second job for one id would show, and it can restart
 * (refuse connections for a while, then listen again on the same port) or answer 503 for chosen requests.
 */
final class RayDashboardFake implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String OUTPUT = "/mnt/shared/adapters";

  record Job(String id, JsonNode body, AtomicInteger polls) {}

  final Set<String> packages = ConcurrentHashMap.newKeySet();
  final Map<String, Job> jobs = new ConcurrentHashMap<>();
  /** Submissions accepted (a new job each). */
  final AtomicInteger submissions = new AtomicInteger();
  /** Submissions refused because the id existed (a resumed or retried client looking again: not a job). */
  final AtomicInteger alreadyExists = new AtomicInteger();
  /** Package PUTs of data packages (not the code package). */
  final AtomicInteger dataPuts = new AtomicInteger();
  /** Requests (METHOD path) answered 503 while this matches and {@link #unavailable} is positive. */
  volatile Predicate<String> unavailableFor = r -> false;
  final AtomicInteger unavailable = new AtomicInteger();
  /** When positive, a submit is stored and then its connection closed without an answer, that many times. */
  final AtomicInteger commitThenDrop = new AtomicInteger();
  /** Restart ({@link #restart}) for this many ms right after the next dropped submit / the 2nd poll of a job. */
  volatile long restartAfterDrop;
  volatile long restartAtSecondPoll;
  private final int port;
  private volatile HttpServer http;

  RayDashboardFake() throws IOException {
    this.http = listen(0);
    this.port = http.getAddress().getPort();
  }

  private HttpServer listen(int p) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 50);
    s.createContext("/", this::handle);
    s.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "ray-fake");
      t.setDaemon(true);
      return t;
    }));
    s.start();
    return s;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The dashboard restarts: it stops listening (connections are refused) and listens again after {@code millis}. */
  void restart(long millis) {
    http.stop(0);
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(millis);
        http = listen(port);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "ray-fake-restart");
    t.setDaemon(true);
    t.start();
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    byte[] raw = ex.getRequestBody().readAllBytes();
    if (unavailableFor.test(method + " " + path) && unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      text(ex, 503, "Service Unavailable: the dashboard is starting");
      return;
    }
    if (path.startsWith("/api/packages/gcs/")) {
      String name = path.substring("/api/packages/gcs/".length());
      if (method.equals("PUT")) {
        packages.add(name);
        if (raw.length > 0 && !isCode(raw)) {
          dataPuts.incrementAndGet();
        }
        send(ex, 200, null, "");
      } else if (packages.contains(name)) {
        send(ex, 200, null, "");
      } else {
        text(ex, 404, "Package gcs://" + name + " does not exist");
      }
      return;
    }
    if (method.equals("POST") && path.equals("/api/jobs/")) {
      JsonNode body = JSON.readTree(raw);
      String id = body.path("submission_id").asText();
      boolean created;
      synchronized (jobs) {
        created = !jobs.containsKey(id);
        if (created) {
          jobs.put(id, new Job(id, body, new AtomicInteger()));
          submissions.incrementAndGet();
        }
      }
      if (!created) {
        alreadyExists.incrementAndGet();
        text(ex, 400, "Job with submission_id " + id + " already exists. Please use a different submission_id.");
        return;
      }
      if (commitThenDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        ex.close(); // stored, and the connection closes without an answer
        if (restartAfterDrop > 0) {
          restart(restartAfterDrop);
          restartAfterDrop = 0;
        }
        return;
      }
      send(ex, 200, "application/json", "{\"submission_id\":\"" + id + "\"}");
      return;
    }
    if (method.equals("GET") && path.matches("/api/jobs/[^/]+")) {
      Job j = jobs.get(path.substring("/api/jobs/".length()));
      if (j == null) {
        text(ex, 404, "Job " + path.substring("/api/jobs/".length()) + " does not exist");
        return;
      }
      int polls = j.polls().incrementAndGet();
      String status = polls <= 1 ? "PENDING" : polls <= 3 ? "RUNNING" : "SUCCEEDED";
      ObjectNode d = JSON.createObjectNode().put("type", "SUBMISSION").putNull("job_id").put("submission_id", j.id())
          .put("status", status).put("entrypoint", j.body().path("entrypoint").asText())
          .put("message", "Job is currently " + status.toLowerCase(java.util.Locale.ROOT) + ".").putNull("error_type")
          .put("start_time", 1764748800000L);
      if (status.equals("SUCCEEDED")) {
        d.put("end_time", 1764748900000L);
      } else {
        d.putNull("end_time");
      }
      d.set("metadata", j.body().path("metadata"));
      d.set("runtime_env", j.body().path("runtime_env"));
      send(ex, 200, "application/json", d.toString());
      if (polls == 2 && restartAtSecondPoll > 0) {
        restart(restartAtSecondPoll);
        restartAtSecondPoll = 0;
      }
      return;
    }
    if (method.equals("GET") && path.matches("/api/jobs/[^/]+/logs")) {
      String logs = "{\"tunekit\":\"metric\",\"step\":1,\"epoch\":1.0,\"train_loss\":1.5}\n";
      send(ex, 200, "application/json", JSON.createObjectNode().put("logs", logs).toString());
      return;
    }
    text(ex, 404, "Not Found");
  }

  /** The code package is the one holding the launcher. */
  private static boolean isCode(byte[] zip) {
    return new String(zip, StandardCharsets.ISO_8859_1).contains("tunekit_ray_launch.py");
  }

  /** The output (the adapter directory) of the job with {@code id}. */
  String output(String id) {
    return jobs.get(id).body().path("metadata").path("tunekit_output").asText();
  }

  private static void text(HttpExchange ex, int status, String body) throws IOException {
    send(ex, status, "text/plain; charset=utf-8", body);
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    if (type != null) {
      ex.getResponseHeaders().set("Content-Type", type);
    }
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
