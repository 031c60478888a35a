package dev.tunekit.bench;

import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.dataset.TokenStats;
import dev.tunekit.dataset.ValidationOptions;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Measures dataset validation + token counting on a generated 200 MB chat dataset and prints the
 * figures (throughput, examples, tokens, heap). Optionally compares token totals with tiktoken's (npm
 * {@code tiktoken}) through {@code benchmarks/tiktoken/count.mjs}. Not a test: run it by hand, see
 * {@code benchmarks/README.md}.
 *
 * <p>System properties: {@code bench.file} (default {@code benchmarks/target/bench-chat-200mb.jsonl}),
 * {@code bench.mb} (size to generate, default 200), {@code bench.runs} (default 2), {@code bench.model}
 * (default gpt-4o-mini-2024-07-18), {@code bench.tiktoken} (a {@code node_modules} directory holding
 * tiktoken: enables the parity check), {@code bench.parityLines} (lines of the sample compared, default
 * 20000; 0 compares the whole file).
 */
public final class DatasetBenchmark {
  private DatasetBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args unused; configure with system properties
   * @throws Exception if the file cannot be generated or read
   */
  public static void main(String[] args) throws Exception {
    Path file = Path.of(System.getProperty("bench.file", "benchmarks/target/bench-chat-200mb.jsonl"));
    long mb = Long.getLong("bench.mb", 200);
    int runs = Integer.getInteger("bench.runs", 2);
    String model = System.getProperty("bench.model", "gpt-4o-mini-2024-07-18");
    if (!Files.exists(file)) {
      long t0 = System.nanoTime();
      ChatDatasetGenerator.generate(file, mb << 20, 42);
      System.out.printf(Locale.ROOT, "generated %s (%,d bytes) in %.1f s%n", file, Files.size(file),
          (System.nanoTime() - t0) / 1e9);
    }
    double size = Files.size(file) / 1_048_576.0;
    System.out.printf(Locale.ROOT, "file %s: %.1f MiB; JVM max heap %d MiB; %d CPUs; model %s%n", file, size,
        Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(), model);
    DatasetReport report = null;
    for (int run = 1; run <= runs; run++) {
      resetPeaks();
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      report = Dataset.of(file).validate(new ValidationOptions("openai", model));
      double secs = (System.nanoTime() - t0) / 1e9;
      double cpu = (processCpuNanos() - cpu0) / 1e9;
      TokenStats t = report.tokens();
      System.out.printf(Locale.ROOT,
          "run %d: validate+count %.2f s wall = %.1f MiB/s; %.1f CPU-s = %.1f MiB per CPU-second; load average %.1f; "
              + "%,d examples, %,d messages, %,d tokens (%,d assistant), %,d findings; peak heap used %d MiB%n",
          run, secs, size / secs, cpu, size / cpu, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), report.examples(), t.messages(), t.totalTokens(), t.assistantTokens(),
          report.findingCounts().values().stream().mapToLong(Long::longValue).sum(), peakHeapMiB());
    }
    report.print();
    String tiktoken = System.getProperty("bench.tiktoken");
    if (tiktoken != null) {
      parity(file, model, tiktoken, Integer.getInteger("bench.parityLines", 20_000));
    } else {
      System.out.println("tiktoken parity: skipped (set -Dbench.tiktoken=<node_modules dir with tiktoken>)");
    }
  }

  private static void parity(Path file, String model, String nodeModules, int lines) throws Exception {
    Path sample = file;
    if (lines > 0) {
      sample = file.resolveSibling("parity-sample.jsonl");
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
          BufferedWriter w = Files.newBufferedWriter(sample, StandardCharsets.UTF_8)) {
        String l;
        for (int i = 0; i < lines && (l = r.readLine()) != null; i++) {
          w.write(l);
          w.write('\n');
        }
      }
    }
    DatasetReport java = Dataset.of(sample).validate(new ValidationOptions("openai", model));
    String encoding = java.tokens().encoding();
    Path script = Path.of("benchmarks/tiktoken/count.mjs");
    ProcessBuilder pb = new ProcessBuilder("node", script.toString(), sample.toString(), encoding);
    pb.environment().put("NODE_PATH", nodeModules);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    long t0 = System.nanoTime();
    Process p = pb.start();
    String out;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      out = r.readLine();
    }
    if (p.waitFor() != 0 || out == null) {
      System.out.println("tiktoken parity: node failed");
      return;
    }
    String[] f = out.trim().split(" ");
    long total = Long.parseLong(f[0]);
    long assistant = Long.parseLong(f[1]);
    System.out.printf(Locale.ROOT, "tiktoken parity on %s (%,d examples, %s): tunekit %,d total / %,d assistant; "
            + "tiktoken %,d total / %,d assistant (%.1f s) -> %s%n", sample.getFileName(), java.examples(), encoding,
        java.tokens().totalTokens(), java.tokens().assistantTokens(), total, assistant, (System.nanoTime() - t0) / 1e9,
        total == java.tokens().totalTokens() && assistant == java.tokens().assistantTokens() ? "EQUAL" : "DIFFERENT");
  }

  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean
        ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : 0;
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  private static long peakHeapMiB() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum >> 20;
  }

}
