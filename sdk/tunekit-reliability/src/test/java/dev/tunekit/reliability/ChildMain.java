package dev.tunekit.reliability;

import dev.tunekit.Run;
import dev.tunekit.RunResult;
import dev.tunekit.Tunekit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The program the crash and two-process suites run in child JVMs: Tunekit on a shared ledger, talking
 * to a local server that the test runs (so the server's state outlives the child). It prints what it
 * reached on standard output, one line each: {@code READY}, {@code GO} (race: the go file appeared),
 * {@code RUN <id>}, {@code MODEL <id> <model>}.
 *
 * <pre>
 *   start  CONFIG DATASET SUFFIX [MODEL]  start a run (on local-base, or MODEL) and wait for it
 *   race   CONFIG RUN_ID GO_FILE      wait until GO_FILE exists, then resume the run and wait for it
 *   many   CONFIG DATA_DIR FIRST N    start N runs at once (variants FIRST..FIRST+N-1) and wait for all
 * </pre>
 */
public final class ChildMain {
  private ChildMain() {}

  /** Runs one mode (see the class documentation); exits 0 when every run it waited for succeeded. */
  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[1]);
    int exit = 0;
    try (Tunekit tk = Tunekit.fromConfig(config)) {
      say("READY");
      switch (args[0]) {
        case "start": {
          Run run = tk.fineTune().model(args.length > 4 ? args[4] : "local-base").trainingData(Path.of(args[2]))
              .validationSplit(0.25, 7)
              .suffix(args[3]).metadata("suffix", args[3]).start();
          say("RUN " + run.id());
          exit = report(run.await());
          break;
        }
        case "race": {
          Path go = Path.of(args[3]);
          while (!Files.exists(go)) {
            Thread.sleep(5);
          }
          say("GO");
          Run run = tk.resume(args[2]);
          say("RUN " + run.id());
          exit = report(run.await());
          break;
        }
        case "many": {
          Path dataDir = Path.of(args[2]);
          int first = Integer.parseInt(args[3]);
          int n = Integer.parseInt(args[4]);
          ExecutorService pool = Executors.newFixedThreadPool(n);
          List<Future<RunResult>> results = new ArrayList<>();
          for (int i = first; i < first + n; i++) {
            Path data = Datasets.variant(dataDir, i, 40);
            String suffix = "m" + i + "p" + ProcessHandle.current().pid();
            results.add(pool.submit(() -> tk.fineTune().model("local-base").trainingData(data).validationSplit(0.25, 7)
                .suffix(suffix).metadata("suffix", suffix).start().await()));
          }
          for (Future<RunResult> f : results) {
            exit |= report(f.get());
          }
          pool.shutdown();
          break;
        }
        default:
          throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    }
    System.exit(exit);
  }

  private static int report(RunResult r) {
    say("MODEL " + r.runId() + " " + r.fineTunedModel().orElse("-") + " " + r.state());
    return r.succeeded() ? 0 : 1;
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
