package dev.tunekit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.JobCreateParams;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tunekit.Run;
import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.Tunekit;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What waiting for OpenAI fine-tuning jobs costs in requests and bytes, against a loopback emulator of
 * the OpenAI fine-tuning API (files, jobs with metadata lookup, events paged newest first with
 * {@code after} and {@code limit} as in the OpenAPI spec, result files). Prints figures; it is not a test.
 *
 * <ol>
 *   <li><b>Long job</b>: a job that trains for {@code --seconds} (default 40) and writes one metrics event
 *   per step, {@code --events} (default 10,000) in all, then a result file with one row per step. Tunekit
 *   polls it every {@code --poll-ms} (default 100) through {@code run.await()}. Printed: requests and response
 *   bytes per poll over the first and the last tenth of the polls (a poll that re-read the whole history
 *   would grow from one to the other), and the totals.</li>
 *   <li><b>30 short runs</b>: jobs that succeed {@code --short-ms} (default 300) after their create, each
 *   run started and awaited in turn with the same poll interval, beside the plain create-and-retrieve loop of
 *   the official openai-java client (upload, create, retrieve until done) on the same emulator and interval,
 *   and the figure quoted in issue 16 for the official Node SDK's loop (124 requests for 30 runs on its
 *   emulator).</li>
 * </ol>
 *
 * <p>Run from the repository root after {@code mvn -B -o -q -pl benchmarks -am package -DskipTests}:
 * {@code java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)
 * dev.tunekit.bench.PollingCostBenchmark [--events 10000] [--seconds 10] [--poll-ms 100] [--runs 30]
 * [--short-ms 300]}.
 */
public final class PollingCostBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int NODE_SDK_REQUESTS_FOR_30_RUNS = 124;

  public static void main(String[] args) throws Exception {
    int events = intArg(args, "--events", 10_000);
    int seconds = intArg(args, "--seconds", 40);
    int pollMs = intArg(args, "--poll-ms", 100);
    int runs = intArg(args, "--runs", 30);
    int shortMs = intArg(args, "--short-ms", 300);
    System.out.printf(Locale.ROOT, "load average before: %.2f%n", load());
    Path dir = Files.createTempDirectory("tunekit-polling-bench");
    Path train = dir.resolve("train.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      lines.append("{\"messages\":[{\"role\":\"user\",\"content\":\"Question ").append(i)
          .append("?\"},{\"role\":\"assistant\",\"content\":\"Answer ").append(i).append(".\"}]}\n");
    }
    Files.writeString(train, lines);

    try (Emulator api = new Emulator(Duration.ofSeconds(seconds), events)) {
      longJob(api, dir, train, pollMs, events);
    }
    try (Emulator api = new Emulator(Duration.ofMillis(shortMs), 3)) {
      shortRuns(api, dir, train, pollMs, runs);
    }
    try (Emulator api = new Emulator(Duration.ofMillis(shortMs), 3)) {
      peerLoop(api, train, pollMs, runs);
    }
    System.out.printf(Locale.ROOT, "official Node SDK create-and-retrieve loop, %d runs (issue 16, its own emulator): %d"
        + " requests%n", 30, NODE_SDK_REQUESTS_FOR_30_RUNS);
    System.out.printf(Locale.ROOT, "load average after: %.2f%n", load());
  }

  private static Tunekit tunekit(Emulator api, Path dir, String name, int pollMs) {
    return tunekit(api, dir, name, pollMs, dev.tunekit.Sleeper.SYSTEM);
  }

  private static Tunekit tunekit(Emulator api, Path dir, String name, int pollMs, dev.tunekit.Sleeper sleeper) {
    return Tunekit.builder().sleeper(sleeper).leases(null, Duration.ofDays(1)) // no webhook checks between polls
        .provider("openai").setting("baseUrl", api.baseUrl()).setting("apiKey", "sk-bench")
        .ledger(dir.resolve(name + ".db")).workDir(dir.resolve(name))
        .polling(Duration.ofMillis(pollMs), Duration.ofMillis(pollMs), Duration.ofHours(1)).build();
  }

  private static void longJob(Emulator api, Path dir, Path train, int pollMs, int events) {
    // The waiter sleeps once between two polls (nothing fails here, so no retry waits): what the emulator
    // served up to each sleep closes one poll.
    List<long[]> perPoll = new java.util.concurrent.CopyOnWriteArrayList<>(); // {requests, bytes, events written}
    dev.tunekit.Sleeper counting = d -> {
      perPoll.add(new long[] {api.requests.get(), api.bytes.get(), api.writtenNow()});
      Thread.sleep(d.toMillis());
    };
    try (Tunekit tk = tunekit(api, dir, "long", pollMs, counting)) {
      Run run = tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(train).start();
      api.reset();
      perPoll.clear();
      perPoll.add(new long[] {0, 0, 0});
      AtomicInteger breakerCalls = new AtomicInteger();
      tk.resilience().circuitBreakers().circuitBreaker("openai").getEventPublisher()
          .onSuccess(e -> breakerCalls.incrementAndGet()).onError(e -> breakerCalls.incrementAndGet())
          .onCallNotPermitted(e -> breakerCalls.incrementAndGet());
      AtomicInteger seenEvents = new AtomicInteger();
      AtomicInteger seenMetrics = new AtomicInteger();
      long t0 = System.nanoTime();
      RunResult result = run.await(new RunListener() {
        @Override
        public void onEvent(JobEvent event) {
          seenEvents.incrementAndGet();
        }

        @Override
        public void onMetric(MetricPoint point) {
          seenMetrics.incrementAndGet();
        }
      });
      double wall = (System.nanoTime() - t0) / 1e9;
      long[] end = {api.requests.get(), api.bytes.get(), events};
      perPoll.add(end);
      int polls = perPoll.size() - 1; // poll i spans perPoll[i-1]..perPoll[i]
      System.out.printf(Locale.ROOT, "long job: %d events, %d metric rows; run %s in %.1f s; delivered %d events,"
          + " %d metric points%n", events, events, result.state(), wall, seenEvents.get(), seenMetrics.get());
      System.out.printf(Locale.ROOT, "  %d polls, %d requests (%.2f per poll), %,d response bytes, %d circuit-breaker calls"
          + " (%.2f per poll)%n", polls, end[0], end[0] / (double) polls, end[1], breakerCalls.get(),
          breakerCalls.get() / (double) polls);
      int tenth = Math.max(1, polls / 10);
      long quiet = 0;
      long quietRequests = 0;
      long quietBytes = 0;
      for (int i = 2; i < polls; i++) { // not the first poll (it reads the history) nor the last (the result file)
        if (perPoll.get(i - 1)[2] == perPoll.get(i)[2]) {
          quiet++;
          quietRequests += perPoll.get(i)[0] - perPoll.get(i - 1)[0];
          quietBytes += perPoll.get(i)[1] - perPoll.get(i - 1)[1];
        }
      }
      if (quiet > 0) {
        System.out.printf(Locale.ROOT, "  %d polls with nothing new: %.2f requests, %,.0f bytes per poll%n", quiet,
            quietRequests / (double) quiet, quietBytes / (double) quiet);
      }
      // Polls 2.. (the first reads what exists), and the last tenth but the final poll (it reads the result file).
      for (int[] range : new int[][] {{1, 1 + tenth}, {polls - 1 - tenth, polls - 1}}) {
        long[] a = perPoll.get(range[0]);
        long[] b = perPoll.get(range[1]);
        int n = range[1] - range[0];
        System.out.printf(Locale.ROOT, "  polls %d..%d (history %,d..%,d events): %.2f requests, %,.0f bytes, %.0f new"
            + " events per poll; %.0f bytes per new event%n", range[0] + 1, range[1], a[2], b[2],
            (b[0] - a[0]) / (double) n, (b[1] - a[1]) / (double) n, (b[2] - a[2]) / (double) n,
            (b[1] - a[1]) / (double) Math.max(1, b[2] - a[2]));
      }
      long[] beforeLast = perPoll.get(polls - 1);
      System.out.printf(Locale.ROOT, "  final poll (the result file, %,d rows): %d requests, %,d bytes%n", events,
          end[0] - beforeLast[0], end[1] - beforeLast[1]);
    }
  }

  private static void shortRuns(Emulator api, Path dir, Path train, int pollMs, int runs) {
    api.reset();
    AtomicInteger trained = new AtomicInteger();
    try (Tunekit tk = tunekit(api, dir, "short", pollMs)) {
      for (int i = 0; i < runs; i++) {
        RunResult r = tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(train).start().await();
        if (r.state().isTrained()) {
          trained.incrementAndGet();
        }
      }
    }
    System.out.printf(Locale.ROOT, "Tunekit, %d short runs (start + await, %d ms polls): %d trained, %d requests"
        + " (%.1f per run) %s%n", runs, pollMs, trained.get(), api.requests.get(), api.requests.get() / (double) runs,
        api.byRoute());
  }

  private static void peerLoop(Emulator api, Path train, int pollMs, int runs) throws InterruptedException {
    api.reset();
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(api.baseUrl()).apiKey("sk-bench").maxRetries(0).build();
    try {
      for (int i = 0; i < runs; i++) {
        String file = client.files().create(FileCreateParams.builder().file(train).purpose(FilePurpose.FINE_TUNE).build())
            .id();
        FineTuningJob job = client.fineTuning().jobs().create(JobCreateParams.builder()
            .model("gpt-4o-mini-2024-07-18").trainingFile(file).build());
        while (!List.of("succeeded", "failed", "cancelled").contains(job.status().asString())) {
          Thread.sleep(pollMs);
          job = client.fineTuning().jobs().retrieve(job.id());
        }
      }
    } finally {
      client.close();
    }
    System.out.printf(Locale.ROOT, "openai-java create-and-retrieve loop, %d short runs (same emulator, %d ms polls):"
        + " %d requests (%.1f per run) %s%n", runs, pollMs, api.requests.get(), api.requests.get() / (double) runs,
        api.byRoute());
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static int intArg(String[] args, String name, int def) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return def;
  }

  /**
   * A loopback OpenAI fine-tuning API. A job validates for a tenth of its duration, then trains, writing
   * its events evenly over the rest (each a {@code type: metrics} event, one step each), and succeeds with a
   * result file once its duration has passed. Counts requests and response bytes.
   */
  static final class Emulator implements AutoCloseable {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final Map<String, AtomicLong> routes = new ConcurrentHashMap<>();
    private volatile String lastJob;
    private final HttpServer server;
    private final Duration duration;
    private final int events;
    private final Map<String, ObjectNode> files = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> jobs = new ConcurrentHashMap<>();
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    Emulator(Duration duration, int events) throws IOException {
      // Without TCP_NODELAY a response of more than one segment waits for the client's delayed ACK (~40 ms).
      System.setProperty("sun.net.httpserver.nodelay", "true");
      this.duration = duration;
      this.events = events;
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.createContext("/v1/", this::handle);
      server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
      server.start();
    }

    String baseUrl() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void reset() {
      requests.set(0);
      bytes.set(0);
      routes.clear();
    }

    String byRoute() {
      return new java.util.TreeMap<>(routes).toString();
    }

    @Override
    public void close() {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange x) throws IOException {
      try (x) {
        byte[] body = x.getRequestBody().readAllBytes();
        String path = x.getRequestURI().getPath().substring("/v1".length());
        Map<String, String> q = query(x.getRequestURI().getRawQuery());
        String method = x.getRequestMethod();
        String[] p = path.split("/");
        Object out;
        String route;
        if (method.equals("POST") && path.equals("/files")) {
          route = "POST /files";
          out = upload(body);
        } else if (method.equals("GET") && path.equals("/files")) {
          route = "GET /files";
          out = list(new ArrayList<>(files.values()), false);
        } else if (method.equals("POST") && path.equals("/fine_tuning/jobs")) {
          route = "POST /jobs";
          out = create(JSON.readTree(body));
        } else if (method.equals("GET") && path.equals("/fine_tuning/jobs")) {
          route = "GET /jobs?metadata";
          out = lookup(q);
        } else if (method.equals("GET") && p.length == 4 && p[1].equals("fine_tuning")) {
          route = "GET /jobs/{id}";
          out = job(p[3]);
        } else if (method.equals("GET") && p.length == 5 && p[4].equals("events")) {
          route = "GET /jobs/{id}/events";
          out = events(p[3], q);
        } else if (method.equals("GET") && p.length == 4 && p[3].equals("content")) {
          route = "GET /files/{id}/content";
          String csv = resultFile();
          send(x, route, 200, "application/octet-stream", csv.getBytes(StandardCharsets.UTF_8));
          return;
        } else {
          route = method + " " + path;
          out = Map.of("error", Map.of("message", "not emulated: " + method + " " + path, "type",
              "invalid_request_error"));
          send(x, route, 404, "application/json", JSON.writeValueAsBytes(out));
          return;
        }
        send(x, route, 200, "application/json", JSON.writeValueAsBytes(out));
      }
    }

    private void send(HttpExchange x, String route, int status, String type, byte[] body) throws IOException {
      requests.incrementAndGet();
      bytes.addAndGet(body.length);
      routes.computeIfAbsent(route, k -> new AtomicLong()).incrementAndGet();
      x.getResponseHeaders().set("Content-Type", type);
      x.sendResponseHeaders(status, body.length);
      try (OutputStream o = x.getResponseBody()) {
        o.write(body);
      }
    }

    private ObjectNode upload(byte[] multipart) {
      String text = new String(multipart, StandardCharsets.ISO_8859_1);
      int at = text.indexOf("filename=\"");
      String name = at < 0 ? "upload.jsonl" : text.substring(at + 10, text.indexOf('"', at + 10));
      ObjectNode f = JSON.createObjectNode();
      f.put("id", "file-" + ids.incrementAndGet());
      f.put("object", "file");
      f.put("bytes", multipart.length);
      f.put("created_at", System.currentTimeMillis() / 1000);
      f.put("filename", name);
      f.put("purpose", "fine-tune");
      f.put("status", "processed");
      files.put(f.get("id").asText(), f);
      return f;
    }

    private ObjectNode create(JsonNode req) {
      ObjectNode j = JSON.createObjectNode();
      String id = "ftjob-" + ids.incrementAndGet();
      j.put("object", "fine_tuning.job");
      j.put("id", id);
      j.put("model", req.path("model").asText());
      j.put("created_at", System.currentTimeMillis() / 1000);
      j.putNull("finished_at");
      j.putNull("fine_tuned_model");
      j.put("organization_id", "org-bench");
      j.putArray("result_files");
      j.put("status", "validating_files");
      j.putNull("validation_file");
      j.put("training_file", req.path("training_file").asText());
      j.putObject("hyperparameters").put("n_epochs", "auto").put("batch_size", "auto")
          .put("learning_rate_multiplier", "auto");
      j.putNull("trained_tokens");
      j.put("seed", 42);
      j.putNull("error");
      j.putNull("estimated_finish");
      j.putArray("integrations");
      if (req.has("metadata")) {
        j.set("metadata", req.get("metadata"));
      } else {
        j.putNull("metadata");
      }
      j.putObject("method").put("type", "supervised");
      started.put(id, System.nanoTime());
      jobs.put(id, j);
      lastJob = id;
      return j;
    }

    private ObjectNode lookup(Map<String, String> q) {
      List<ObjectNode> found = new ArrayList<>();
      for (ObjectNode j : jobs.values()) {
        boolean match = true;
        for (Map.Entry<String, String> e : q.entrySet()) {
          if (e.getKey().startsWith("metadata[")) {
            String k = e.getKey().substring(9, e.getKey().length() - 1);
            match &= e.getValue().equals(j.path("metadata").path(k).asText(null));
          }
        }
        if (match) {
          found.add(job(j.get("id").asText()));
        }
      }
      return list(found, false);
    }

    /** How many events the job created last has written so far. */
    long writtenNow() {
      String id = lastJob;
      return id == null ? 0 : done(id) ? events : written(id);
    }

    /** How many events the job has written so far. */
    private int written(String id) {
      double t = (System.nanoTime() - started.get(id)) / (double) duration.toNanos();
      return t < 0.1 ? 0 : (int) Math.min(events, Math.floor((t - 0.1) / 0.9 * events));
    }

    private boolean done(String id) {
      return System.nanoTime() - started.get(id) >= duration.toNanos() && written(id) >= events;
    }

    private ObjectNode job(String id) {
      ObjectNode j = jobs.get(id).deepCopy();
      if (done(id)) {
        j.put("status", "succeeded");
        j.put("fine_tuned_model", "ft:" + j.get("model").asText() + ":org-bench::" + id);
        j.put("finished_at", System.currentTimeMillis() / 1000);
        j.put("trained_tokens", 3000);
        j.putArray("result_files").add("file-result-" + id);
      } else if (written(id) > 0 || (System.nanoTime() - started.get(id)) > duration.toNanos() / 10) {
        j.put("status", "running");
      }
      return j;
    }

    private ObjectNode events(String id, Map<String, String> q) {
      int n = done(id) ? events : written(id); // event k (1-based) is step k; newest first
      int limit = Math.max(1, Math.min(100, Integer.parseInt(q.getOrDefault("limit", "20"))));
      int top = n;
      if (q.containsKey("after")) {
        top = Integer.parseInt(q.get("after").substring("ftevent-".length())) - 1;
      }
      ArrayNode data = JSON.createArrayNode();
      for (int k = top; k > 0 && data.size() < limit; k--) {
        ObjectNode e = data.addObject();
        e.put("object", "fine_tuning.job.event");
        e.put("id", "ftevent-" + k);
        e.put("created_at", 1_700_000_000L + k);
        e.put("level", "info");
        double loss = 2.0 / (1 + k / 1000.0);
        e.put("message", String.format(Locale.ROOT, "Step %d/%d: training loss=%.4f", k, events, loss));
        e.put("type", "metrics");
        e.putObject("data").put("step", k).put("train_loss", loss).put("train_mean_token_accuracy", 0.8)
            .put("total_steps", events);
      }
      ObjectNode page = JSON.createObjectNode();
      page.put("object", "list");
      page.set("data", data);
      page.put("has_more", top - data.size() > 0);
      return page;
    }

    private String resultFile() {
      StringBuilder b = new StringBuilder("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n");
      for (int k = 1; k <= events; k++) {
        b.append(k).append(',').append(String.format(Locale.ROOT, "%.4f", 2.0 / (1 + k / 1000.0))).append(",0.8,,\n");
      }
      return b.toString();
    }

    private static ObjectNode list(List<ObjectNode> items, boolean more) {
      ObjectNode page = JSON.createObjectNode();
      page.put("object", "list");
      page.set("data", JSON.valueToTree(items));
      page.put("has_more", more);
      return page;
    }

    private static Map<String, String> query(String raw) {
      Map<String, String> q = new java.util.LinkedHashMap<>();
      if (raw != null) {
        for (String kv : raw.split("&")) {
          int eq = kv.indexOf('=');
          q.put(URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8),
              eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      return q;
    }
  }
}
