package dev.tunekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.RunInfo;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;
import dev.tunekit.local.LocalServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two service instances — two JVMs — share one PostgreSQL ledger and resume the same runs at the same
 * moment: every run ends with one job, counted at the fake provider (the local server both talk to), and
 * both instances see each run end in the same model.
 */
class TwoProcessRaceTest {
  private static final int RUNS = 2;
  private static final Path TRAIN = Path.of("../../examples/data/nl2query/train.jsonl").toAbsolutePath().normalize();

  @TempDir Path dir;

  @Test
  void twoJvmsResumingTheSameRunsOnOnePostgresLedgerCreateOneJobPerRun() throws Exception {
    long began = System.nanoTime();
    String ledger = TestPostgres.freshDatabase();
    System.out.printf("server up: %.1fs%n", (System.nanoTime() - began) / 1e9);
    try (LocalServer server = LocalServer.builder().dataDir(dir.resolve("server")).stepDelay(Duration.ZERO).start()) {
      Path config = config("tunekit.yaml", server.baseUrl(), server.token().reveal(), ledger, 5);
      // Runs recorded in the shared ledger but stopped before upload: their first attempt found no server.
      Path offline = config("offline.yaml", "http://127.0.0.1:" + freePort() + "/v1", "unused", ledger, 1);
      List<String> runIds = new ArrayList<>();
      try (Tunekit tk = Tunekit.fromConfig(offline)) {
        assertThat(tk.ledgerLocation()).startsWith("jdbc:postgresql://");
        for (int i = 0; i < RUNS; i++) {
          Set<String> before = new HashSet<>(tk.runs().stream().map(RunInfo::id).toList());
          try {
            tk.fineTune().model("local-base").trainingData(dataset(i)).validationSplit(0.25, 7).suffix("pg" + i).start();
            throw new AssertionError("the offline start should have failed");
          } catch (TunekitException expected) {
            runIds.add(tk.runs().stream().map(RunInfo::id).filter(id -> !before.contains(id)).findFirst().orElseThrow());
          }
        }
      }

      System.out.printf("offline starts recorded: %.1fs%n", (System.nanoTime() - began) / 1e9);
      Path go = dir.resolve("go");
      Child a = Child.start(dir.resolve("a.log"), config, go, runIds);
      Child b = Child.start(dir.resolve("b.log"), config, go, runIds);
      a.await("READY");
      b.await("READY");
      System.out.printf("both instances ready: %.1fs%n", (System.nanoTime() - began) / 1e9);
      Files.createFile(go); // both instances resume the same runs at the same moment
      assertThat(a.process.waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(b.process.waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(a.process.exitValue()).as("instance a: %s (log %s)", a.lines, a.log).isZero();
      assertThat(b.process.exitValue()).as("instance b: %s (log %s)", b.lines, b.log).isZero();
      for (String id : runIds) {
        assertThat(a.model(id)).as("both instances see run %s end in the same model", id).isEqualTo(b.model(id))
            .contains(":pg");
      }

      List<JsonNode> jobs = jobs(server);
      long duplicates = jobs.size() - jobs.stream().map(j -> j.path("metadata").toString()).distinct().count();
      System.out.printf("two-jvm-race on PostgreSQL: runs=%d jobs=%d duplicate-jobs=%d time=%.1fs%n", RUNS,
          jobs.size(), duplicates, (System.nanoTime() - began) / 1e9);
      assertThat(jobs).as("jobs at the provider, one per run").hasSize(RUNS);
      assertThat(duplicates).isZero();
    }
  }

  private Path config(String name, String baseUrl, String token, String ledger, int maxAttempts) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("\n",
        "provider: openai-compatible",
        "ledger: " + ledger,
        "workDir: " + dir.resolve("work"),
        "providers:",
        "  openai-compatible:",
        "    baseUrl: " + baseUrl,
        "    apiKey: " + token,
        "    timeout: 2000ms",
        "resilience:",
        "  retry: { maxAttempts: " + maxAttempts + ", initialBackoff: 5ms, maxBackoff: 40ms, multiplier: 2.0 }",
        "polling: { initialInterval: 20ms, maxInterval: 150ms, multiplier: 1.5, timeout: 3m }",
        ""));
    return file;
  }

  /** 40 conversations of the shipped data, tagged with {@code n} so each run has its own content. */
  private Path dataset(int n) throws IOException {
    List<String> lines = Files.readAllLines(TRAIN);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      out.add(lines.get((n * 37 + i) % lines.size()).replaceFirst("Answer with the query only\\.",
          "Answer with the query only. (variant " + n + ")"));
    }
    Path file = dir.resolve("data-" + n + ".jsonl");
    Files.write(file, out);
    return file;
  }

  private static List<JsonNode> jobs(LocalServer server) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(server.baseUrl() + "/fine_tuning/jobs?limit=100"))
        .header("Authorization", "Bearer " + server.token().reveal()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    new ObjectMapper().readTree(r.body()).path("data").forEach(out::add);
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A {@link RaceChild} in its own JVM, its output lines collected. */
  private static final class Child {
    final Process process;
    final Path log;
    final List<String> lines = new CopyOnWriteArrayList<>();

    private Child(Process process, Path log) {
      this.process = process;
      this.log = log;
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (IOException e) {
          // the child ended
        }
      });
      t.setDaemon(true);
      t.start();
    }

    static Child start(Path log, Path config, Path go, List<String> runIds) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath(), RaceChild.class.getName(),
          config.toString(), go.toString()));
      cmd.addAll(runIds);
      return new Child(new ProcessBuilder(cmd).redirectError(log.toFile()).start(), log);
    }

    void await(String line) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!lines.contains(line)) {
        assertThat(process.isAlive()).as("child ended before %s: %s (log %s)", line, lines, log).isTrue();
        assertThat(System.nanoTime()).as("waiting for %s", line).isLessThan(deadline);
        Thread.sleep(10);
      }
    }

    String model(String runId) {
      return lines.stream().filter(l -> l.startsWith("MODEL " + runId + " ")).findFirst().orElse("(no MODEL line)");
    }

    /** The test class path, with surefire's manifest-only jar expanded. */
    static String classPath() throws IOException {
      List<String> out = new ArrayList<>();
      for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
        if (e.endsWith(".jar") && Files.isRegularFile(Path.of(e))) {
          try (JarFile jar = new JarFile(e)) {
            Manifest mf = jar.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
            if (cp != null && jar.size() <= 2) {
              for (String url : cp.trim().split("\\s+")) {
                out.add(Path.of(URI.create(url)).toString());
              }
              continue;
            }
          }
        }
        out.add(e);
      }
      return String.join(File.pathSeparator, out);
    }
  }
}
