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
 *   eval   CACHE_DIR BASE_URL N       evaluate an N-case suite against an OpenAI-compatible server with a
 *                                     directory cache; prints {@code CASE <id>} per finished case, then
 *                                     {@code REPORT <cases> <calls> <cacheHits> <errors>}
 * </pre>
 */
public final class ChildMain {
  private ChildMain() {}

  /** Runs one mode (see the class documentation); exits 0 when every run it waited for succeeded. */
  public static void main(String[] args) throws Exception {
    if (args[0].equals("eval")) {
      System.exit(evaluate(Path.of(args[1]), args[2], Integer.parseInt(args[3])));
    }
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

  /** The suite {@code eval} runs: case {@code c<i>} asks {@code q<i>} and expects {@code a<i>}. */
  static dev.tunekit.eval.EvalSuite evalSuite(int n) {
    List<dev.tunekit.eval.EvalCase> cases = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cases.add(dev.tunekit.eval.EvalCase.of("c" + i, "q" + i, "a" + i));
    }
    return dev.tunekit.eval.EvalSuite.of("resumable", cases).withGrader(dev.tunekit.eval.Graders.exactMatch());
  }

  private static int evaluate(Path cacheDir, String baseUrl, int n) {
    try (dev.tunekit.eval.EvalCache cache = dev.tunekit.eval.EvalCache.inDirectory(cacheDir);
        dev.tunekit.http.OpenAiChat chat = new dev.tunekit.http.OpenAiChat(
            new dev.tunekit.http.ProviderErrors("fake", "none"), "Fake", () -> baseUrl,
            () -> dev.tunekit.model.Secret.of("sk-fake"), java.time.Duration.ofSeconds(30))) {
      dev.tunekit.eval.EvalRunner runner = dev.tunekit.eval.EvalRunner.builder().cache(cache)
          .listener((target, result, done, total) -> say("CASE " + result.id())).build();
      dev.tunekit.eval.EvalReport report = runner.run(evalSuite(n),
          dev.tunekit.eval.EvalTarget.of("tuned", request -> chat.chat(request, request.model()), "ft-model"));
      say("REPORT " + report.cases().size() + " " + report.calls() + " " + report.cacheHits() + " "
          + report.errors().size() + " " + report.passRate());
      return report.errors().isEmpty() ? 0 : 1;
    }
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
