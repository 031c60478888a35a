package dev.tunekit.postgres;

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
 * One service instance of {@link TwoProcessRaceTest}, in its own JVM: {@code CONFIG GO_FILE RUN_ID...}.
 * Opens Tunekit on the config (its ledger a PostgreSQL URL), says {@code READY}, waits for GO_FILE, then
 * resumes every run at once and prints {@code MODEL <run> <model>} for each; exits 0 when all succeeded.
 */
public final class RaceChild {
  private RaceChild() {}

  public static void main(String[] args) throws Exception {
    int exit = 0;
    try (Tunekit tk = Tunekit.fromConfig(Path.of(args[0]))) {
      System.out.println("READY");
      Path go = Path.of(args[1]);
      while (!Files.exists(go)) {
        Thread.sleep(5);
      }
      System.out.println("GO");
      ExecutorService pool = Executors.newCachedThreadPool();
      List<Future<RunResult>> results = new ArrayList<>();
      for (int i = 2; i < args.length; i++) {
        String id = args[i];
        results.add(pool.submit(() -> {
          Run run = tk.resume(id);
          return run.await();
        }));
      }
      for (int i = 0; i < results.size(); i++) {
        RunResult r = results.get(i).get();
        System.out.println("MODEL " + args[i + 2] + " " + r.fineTunedModel().orElse("none") + " " + r.succeeded());
        exit |= r.succeeded() ? 0 : 1;
      }
      pool.shutdown();
    } catch (Exception e) {
      System.out.println("FAILED " + e);
      exit = 2;
    }
    System.out.flush();
    System.exit(exit);
  }
}
