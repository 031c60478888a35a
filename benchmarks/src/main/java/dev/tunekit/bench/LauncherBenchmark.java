package dev.tunekit.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How soon the launcher answers (issue 16, target 2): a script's first line of output, and an interactive
 * JShell ready to evaluate, each beside its peer — plain {@code jshell} given the same class path, startup and
 * script, which is how {@code jshell-scripts/tunekit} ran them before — measured in the same run.
 *
 * <ul>
 *   <li><b>script, usage</b>: {@code tunekit validate.jsh} without arguments; time to the first byte of output
 *       (its usage line) and to exit;
 *   <li><b>script, report</b>: {@code tunekit validate.jsh examples/data/nl2query/train.jsonl}; time to the first
 *       line of the report and to exit;
 *   <li><b>interactive</b>: {@code tunekit} with no script; time until a snippet typed at once
 *       ({@code System.out.println("READY" + "!")}) has printed, i.e. the prompt was ready and evaluated it.
 * </ul>
 * Each is measured {@code bench.runs} times (default 5) after one unmeasured warm-up start of each; the median
 * and the range are printed, with the load average before and after. Run from the repository root after
 * {@code jshell-scripts/tunekit} has built the SDK once.
 */
public final class LauncherBenchmark {
  private LauncherBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    Path state = root.resolve("sdk/tunekit-all/target/jshell");
    if (!Files.exists(state.resolve("classpath.txt"))) {
      System.err.println("run from the repository root, after jshell-scripts/tunekit has built the SDK once");
      System.exit(2);
    }
    int runs = Integer.getInteger("bench.runs", 5);
    String cp = Files.readString(state.resolve("classpath.txt")).strip();
    String jshell = Path.of(System.getProperty("java.home"), "bin", "jshell").toString();
    String launcher = root.resolve("jshell-scripts/tunekit").toString();
    String startup = root.resolve("jshell-scripts/startup.jsh").toString();
    String validate = root.resolve("jshell-scripts/validate.jsh").toString();
    String exit = root.resolve("jshell-scripts/exit.jsh").toString();
    String data = root.resolve("examples/data/nl2query/train.jsonl").toString();
    Path argsFile = Files.writeString(Files.createTempFile("tunekit-args", ".txt"), data + "\n");
    Path noArgs = Files.writeString(Files.createTempFile("tunekit-args", ".txt"), "");
    List<String> plainJshell = List.of(jshell, "--class-path", cp, "--startup", "DEFAULT", "--startup", startup);

    System.out.printf(Locale.ROOT, "%d CPUs; load average %s; %d runs each, median [min-max]%n",
        Runtime.getRuntime().availableProcessors(), LoadAverage.now(), runs);
    measure("script, usage: first output", runs,
        () -> firstOutput(List.of(launcher, "validate.jsh")),
        () -> firstOutput(concat(plainJshell, "-R-Dtunekit.argsFile=" + noArgs, validate, exit)));
    measure("script, report: first line", runs,
        () -> firstOutput(List.of(launcher, "validate.jsh", data)),
        () -> firstOutput(concat(plainJshell, "-R-Dtunekit.argsFile=" + argsFile, validate, exit)));
    measure("interactive: ready and evaluated a snippet", runs,
        () -> ready(List.of(launcher)),
        () -> ready(plainJshell));
    Files.deleteIfExists(argsFile);
    Files.deleteIfExists(noArgs);
  }

  @FunctionalInterface
  interface Probe {
    double seconds() throws Exception;
  }

  private static void measure(String what, int runs, Probe tunekit, Probe peer) throws Exception {
    tunekit.seconds();
    peer.seconds();
    String before = LoadAverage.now();
    double[] t = new double[runs];
    double[] p = new double[runs];
    for (int i = 0; i < runs; i++) { // interleaved, so that a change of load affects both alike
      t[i] = tunekit.seconds();
      p[i] = peer.seconds();
    }
    System.out.printf(Locale.ROOT, "%-44s tunekit %s   peer (plain jshell) %s   load %s -> %s%n", what, stats(t),
        stats(p), before, LoadAverage.now());
  }

  private static String stats(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return String.format(Locale.ROOT, "%.2f s [%.2f-%.2f]", s[s.length / 2], s[0], s[s.length - 1]);
  }

  /** Seconds from start to the first byte the command prints (stdout and stderr); waits for it to end. */
  private static double firstOutput(List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    long t0 = System.nanoTime();
    Process p = pb.start();
    InputStream in = p.getInputStream();
    int first = in.read();
    double seconds = (System.nanoTime() - t0) / 1e9;
    in.transferTo(OutputStream.nullOutputStream());
    if (!p.waitFor(2, TimeUnit.MINUTES) || first < 0) {
      p.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " printed nothing");
    }
    return seconds;
  }

  /** Seconds until an interactive session has printed what a snippet typed at start asked for. */
  private static double ready(List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    long t0 = System.nanoTime();
    Process p = pb.start();
    OutputStream stdin = p.getOutputStream();
    stdin.write("System.out.println(\"READY\" + \"!\")\n".getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    InputStream in = p.getInputStream();
    StringBuilder seen = new StringBuilder();
    byte[] buf = new byte[4096];
    double seconds = -1;
    for (int n; (n = in.read(buf)) > 0; ) {
      seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      if (seen.indexOf("READY!") >= 0) {
        seconds = (System.nanoTime() - t0) / 1e9;
        break;
      }
    }
    stdin.write("/exit\n".getBytes(StandardCharsets.UTF_8));
    stdin.close();
    in.transferTo(OutputStream.nullOutputStream());
    if (!p.waitFor(2, TimeUnit.MINUTES) || seconds < 0) {
      p.destroyForcibly();
      throw new IllegalStateException("the session did not evaluate the snippet:\n" + seen);
    }
    return seconds;
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }
}
