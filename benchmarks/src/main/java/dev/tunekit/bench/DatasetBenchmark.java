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
import java.util.Map;

/**
 * Measures dataset validation + token counting on generated 200 MB chat datasets and prints the figures
 * (wall, CPU seconds, MiB/s, peak heap, load average, examples, tokens). Each measurement runs in a fresh
 * child JVM with this JVM's options (so the first run is a cold one, JIT included): the set with one shared
 * system prompt and the set where every example has its own, side by side, then the same two with the
 * previous token counting ({@code -Dtunekit.tokens.fast=false}: plain jtokkit) as the peer. Optionally
 * compares token totals with tiktoken's (npm {@code tiktoken}) through {@code benchmarks/tiktoken/count.mjs}.
 * Not a test: run it by hand, see {@code benchmarks/README.md}.
 *
 * <p>System properties: {@code bench.systemPrompts} ({@code shared}, {@code distinct} or {@code both},
 * the default), {@code bench.peer} (default true: also measure the previous implementation),
 * {@code bench.dir} (default {@code benchmarks/target}; files {@code bench-chat-<mb>mb-<variant>.jsonl}),
 * {@code bench.file} (measure this one file instead of the generated sets),
 * {@code bench.mb} (size to generate, default 200), {@code bench.runs} (per JVM, default 2),
 * {@code bench.model} (default gpt-4o-mini-2024-07-18), {@code bench.tiktoken} (a {@code node_modules}
 * directory holding tiktoken: enables the parity check), {@code bench.parityLines} (lines of the sample
 * compared, default 20000; 0 compares the whole file).
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
    String model = System.getProperty("bench.model", "gpt-4o-mini-2024-07-18");
    int runs = Integer.getInteger("bench.runs", 2);
    if (System.getProperty("bench.child") != null) {
      measure(Path.of(System.getProperty("bench.child")), model, runs);
      return;
    }
    long mb = Long.getLong("bench.mb", 200);
    Path dir = Path.of(System.getProperty("bench.dir", "benchmarks/target"));
    String which = System.getProperty("bench.systemPrompts", "both");
    java.util.List<String> variants = which.equals("both") ? java.util.List.of("shared", "distinct") : java.util.List.of(which);
    java.util.Map<String, Path> files = new java.util.LinkedHashMap<>();
    for (String v : System.getProperty("bench.file") != null ? java.util.List.<String>of() : variants) {
      if (!v.equals("shared") && !v.equals("distinct")) {
        throw new IllegalArgumentException("bench.systemPrompts must be shared, distinct or both, not " + v);
      }
      Path file = dir.resolve("bench-chat-" + mb + "mb-" + v + ".jsonl");
      if (!Files.exists(file)) {
        long t0 = System.nanoTime();
        ChatDatasetGenerator.generate(file, mb << 20, 42, v.equals("distinct"));
        System.out.printf(Locale.ROOT, "generated %s (%,d bytes) in %.1f s%n", file, Files.size(file),
            (System.nanoTime() - t0) / 1e9);
      }
      files.put(v, file);
    }
    if (System.getProperty("bench.file") != null) { // one given file instead (generated with a shared prompt if absent)
      Path file = Path.of(System.getProperty("bench.file"));
      if (!Files.exists(file)) {
        ChatDatasetGenerator.generate(file, mb << 20, 42, false);
      }
      files.put(file.getFileName().toString(), file);
    }
    System.out.printf(Locale.ROOT, "JVM max heap %d MiB; %d CPUs; model %s; %d run(s) per JVM, each configuration in a fresh JVM%n",
        Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(), model, runs);
    java.util.List<String> table = new java.util.ArrayList<>();
    boolean peer = !"false".equals(System.getProperty("bench.peer"));
    for (boolean fast : peer ? new boolean[] {true, false} : new boolean[] {true}) {
      for (Map.Entry<String, Path> f : files.entrySet()) {
        String label = (fast ? "current" : "peer: plain jtokkit") + ", " + f.getKey()
            + (f.getKey().endsWith(".jsonl") ? "" : " system prompts");
        for (String line : child(f.getValue(), fast, label)) {
          table.add(String.format(Locale.ROOT, "| %-44s %s", label, line));
        }
      }
    }
    System.out.println();
    System.out.println("| implementation, data set                     | run | wall | MiB/s | CPU-s | MiB per CPU-s | peak heap | load avg | examples | tokens (assistant) |");
    System.out.println("|----------------------------------------------|-----|------|-------|-------|---------------|-----------|----------|----------|--------------------|");
    table.forEach(System.out::println);
    String tiktoken = System.getProperty("bench.tiktoken");
    if (tiktoken != null) {
      for (Path file : files.values()) {
        parity(file, model, tiktoken, Integer.getInteger("bench.parityLines", 20_000));
      }
    } else {
      System.out.println("tiktoken parity: skipped (set -Dbench.tiktoken=<node_modules dir with tiktoken>)");
    }
  }

  /** Runs {@link #measure} in a child JVM with this JVM's options; returns its table rows. */
  private static java.util.List<String> child(Path file, boolean fast, String label) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-Dbench.child") && !a.startsWith("-Dtunekit.tokens.fast")) {
        cmd.add(a);
      }
    }
    cmd.add("-Dtunekit.tokens.fast=" + fast);
    cmd.add("-Dbench.child=" + file);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DatasetBenchmark.class.getName());
    System.out.println("== " + label + " (" + file.getFileName() + ")");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    java.util.List<String> rows = new java.util.ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        if (l.startsWith("ROW ")) {
          rows.add(l.substring(4));
        } else {
          System.out.println(l);
        }
      }
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException("child JVM failed for " + label);
    }
    return rows;
  }

  /** Validates {@code file} {@code runs} times in this JVM and prints each run (and a ROW line per run). */
  private static void measure(Path file, String model, int runs) {
    double size;
    try {
      size = Files.size(file) / 1_048_576.0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    System.out.printf(Locale.ROOT, "file %s: %.1f MiB; JVM max heap %d MiB; tunekit.tokens.fast=%s%n", file, size,
        Runtime.getRuntime().maxMemory() >> 20, System.getProperty("tunekit.tokens.fast", "true"));
    for (int run = 1; run <= runs; run++) {
      resetPeaks();
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      DatasetReport report = Dataset.of(file).validate(new ValidationOptions("openai", model));
      double secs = (System.nanoTime() - t0) / 1e9;
      double cpu = (processCpuNanos() - cpu0) / 1e9;
      double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      TokenStats t = report.tokens();
      long findings = report.findingCounts().values().stream().mapToLong(Long::longValue).sum();
      System.out.printf(Locale.ROOT,
          "run %d%s: validate+count %.2f s wall = %.1f MiB/s; %.1f CPU-s = %.1f MiB per CPU-second; load average %.1f; "
              + "%,d examples, %,d messages, %,d tokens (%,d assistant), %,d findings; peak heap used %d MiB%n",
          run, run == 1 ? " (cold JVM)" : "", secs, size / secs, cpu, size / cpu, load, report.examples(), t.messages(),
          t.totalTokens(), t.assistantTokens(), findings, peakHeapMiB());
      System.out.printf(Locale.ROOT, "ROW | %d%s | %.2f s | %.1f | %.1f | %.1f | %d MiB | %.1f | %,d | %,d (%,d) |%n",
          run, run == 1 ? " cold" : "", secs, size / secs, cpu, size / cpu, peakHeapMiB(), load, report.examples(),
          t.totalTokens(), t.assistantTokens());
    }
  }

  private static void parity(Path file, String model, String nodeModules, int lines) throws Exception {
    Path sample = file;
    if (lines > 0) {
      sample = file.resolveSibling(file.getFileName() + ".parity-sample");
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
