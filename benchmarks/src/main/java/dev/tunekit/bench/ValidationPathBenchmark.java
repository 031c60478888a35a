package dev.tunekit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validation through the documented path against its peer, end to end, in one run (issue 16, target 1):
 * {@code jshell-scripts/tunekit validate.jsh FILE} — what the README tells users to run, JVM start included
 * — against OpenAI's cookbook checks in Node with the official tiktoken ({@code benchmarks/tiktoken/cookbook.mjs}),
 * on 200 MB chat sets with and without a system prompt repeated on every line.
 *
 * <p>For each file: the peer once, then the launcher {@code bench.runs} times, each with
 * {@code TUNEKIT_JAVA_OPTS=-Xmx256m} (so the heap never exceeds 256 MiB) and a GC log from which the peak heap
 * in use is read. Prints wall times, the ratio, token totals from both (they must be equal), and the load
 * average before and after each measurement. Before measuring, the launcher runs once on a small file, so that
 * its build, compiled script and class-data archive exist (a warm start, as every start after the first).
 *
 * <p>System properties: {@code bench.tiktoken} (a {@code node_modules} directory holding tiktoken; required),
 * {@code bench.files} (comma-separated; default: both variants under {@code benchmarks/target/}, generated on
 * first use), {@code bench.mb} (default 200), {@code bench.runs} (default 2). Run from the repository root.
 */
public final class ValidationPathBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ValidationPathBenchmark() {}

  public static void main(String[] args) throws Exception {
    String tiktoken = System.getProperty("bench.tiktoken");
    if (tiktoken == null || !Files.isDirectory(Path.of(tiktoken, "tiktoken"))) {
      System.err.println("set -Dbench.tiktoken=<a node_modules directory with tiktoken>: mkdir -p /tmp/tt && (cd /tmp/tt"
          + " && npm init -y >/dev/null && npm install tiktoken)");
      System.exit(2);
    }
    Path root = Path.of("").toAbsolutePath();
    Path launcher = root.resolve("jshell-scripts/tunekit");
    if (!Files.isExecutable(launcher)) {
      System.err.println("run from the repository root (no jshell-scripts/tunekit here)");
      System.exit(2);
    }
    long mb = Long.getLong("bench.mb", 200);
    int runs = Integer.getInteger("bench.runs", 2);
    List<Path> files = new ArrayList<>();
    String given = System.getProperty("bench.files", "");
    if (given.isBlank()) {
      for (String variant : List.of("shared", "distinct")) { // DatasetBenchmark's files, seed 42
        Path f = root.resolve("benchmarks/target").resolve("bench-chat-" + mb + "mb-" + variant + ".jsonl");
        if (!Files.exists(f)) {
          ChatDatasetGenerator.generate(f, mb << 20, 42, variant.equals("distinct"));
        }
        files.add(f);
      }
    } else {
      for (String f : given.split(",")) {
        files.add(Path.of(f.trim()).toAbsolutePath());
      }
    }

    System.out.printf(Locale.ROOT, "%d CPUs; load average %s%n", Runtime.getRuntime().availableProcessors(), LoadAverage.now());
    Run warm = launcher(launcher, root.resolve("examples/data/nl2query/train.jsonl"), root);
    System.out.printf(Locale.ROOT, "warm-up (build, compiled script, class-data archive): %.2f s, exit %d%n",
        warm.seconds(), warm.exit());

    for (Path file : files) {
      System.out.printf(Locale.ROOT, "%n%s: %.1f MiB%n", root.relativize(file), Files.size(file) / 1048576.0);
      String before = LoadAverage.now();
      Run peer = run(List.of("node", root.resolve("benchmarks/tiktoken/cookbook.mjs").toString(), file.toString(),
          "o200k_base"), root, "NODE_PATH", tiktoken);
      Matcher m = Pattern.compile("(?m)^TOTAL (\\d+) (\\d+) (\\d+)$").matcher(peer.out());
      if (peer.exit() != 0 || !m.find()) {
        throw new IllegalStateException("the peer failed (exit " + peer.exit() + "):\n" + peer.out());
      }
      long peerTotal = Long.parseLong(m.group(1));
      long peerAssistant = Long.parseLong(m.group(2));
      System.out.printf(Locale.ROOT, "  peer (cookbook checks, Node + tiktoken WASM): %6.2f s  %,d tokens, %,d assistant;"
          + " load %s -> %s%n", peer.seconds(), peerTotal, peerAssistant, before, LoadAverage.now());
      for (int i = 1; i <= runs; i++) {
        before = LoadAverage.now();
        Run t = launcher(launcher, file, root);
        JsonNode tokens = JSON.readTree(t.out().substring(t.out().indexOf('{'))).path("tokens");
        long total = tokens.path("total").asLong();
        long assistant = tokens.path("assistant").asLong();
        System.out.printf(Locale.ROOT, "  tunekit validate.jsh run %d:                   %6.2f s  %,d tokens, %,d assistant;"
            + " %.1fx the peer; peak heap in use %s of 256 MiB; load %s -> %s; totals %s%n", i, t.seconds(), total,
            assistant, peer.seconds() / t.seconds(), t.peakHeap(), before, LoadAverage.now(),
            total == peerTotal && assistant == peerAssistant ? "EQUAL" : "DIFFER");
      }
    }
  }

  record Run(double seconds, int exit, String out, String peakHeap) {}

  private static Run launcher(Path launcher, Path file, Path root) throws IOException, InterruptedException {
    Path gc = Files.createTempFile("tunekit-gc", ".log");
    try {
      Run r = run(List.of(launcher.toString(), "validate.jsh", file.toString(), "--json"), root,
          "TUNEKIT_JAVA_OPTS", "-Xmx256m -Xlog:gc:file=" + gc);
      return new Run(r.seconds(), r.exit(), r.out(), peakHeap(Files.readString(gc)));
    } finally {
      Files.deleteIfExists(gc);
    }
  }

  /** The largest heap in use before a collection, from a {@code -Xlog:gc} log ("... 180M->40M(256M) ..."). */
  static String peakHeap(String gcLog) {
    long peak = -1;
    for (Matcher m = Pattern.compile("(\\d+)M->(\\d+)M\\(\\d+M\\)").matcher(gcLog); m.find(); ) {
      peak = Math.max(peak, Math.max(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
    }
    return peak < 0 ? "(no GC)" : peak + " MiB";
  }

  private static Run run(List<String> command, Path dir, String envName, String envValue)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("tunekit-bench", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().put(envName, envValue);
      long t0 = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " did not finish in 30 minutes");
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      return new Run(seconds, p.exitValue(), Files.readString(out), "");
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
