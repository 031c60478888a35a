package dev.tunekit.local;

import static dev.tunekit.local.Fixtures.awaitTerminal;
import static dev.tunekit.local.Fixtures.createJob;
import static dev.tunekit.local.Fixtures.upload;

import com.openai.client.OpenAIClient;
import com.openai.models.finetuning.jobs.FineTuningJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Prints how long the quickstart's local part takes with default settings (20 ms step delay): server
 * start, upload, training on the shipped data and the held-out evaluation of base and tuned models.
 * Not a test (surefire does not run it: no test methods). Run it with the module's test classpath after
 * {@code mvn -o -q -pl sdk/tunekit-local -am test-compile}, from sdk/tunekit-local, with
 * {@code java -cp target/test-classes:target/classes:../tunekit-core/target/classes:<dependencies> dev.tunekit.local.QuickstartTimingBenchmark}.
 */
public final class QuickstartTimingBenchmark {
  private QuickstartTimingBenchmark() {}

  /** Runs the timing once and prints it. */
  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("tunekit-local-bench");
    long t0 = System.nanoTime();
    try (LocalServer server = LocalServer.builder().dataDir(dir).start()) {
      OpenAIClient c = Fixtures.client(server);
      long started = System.nanoTime();
      String train = upload(c, Fixtures.TRAIN);
      String validation = upload(c, Fixtures.VALIDATION);
      long uploaded = System.nanoTime();
      FineTuningJob job = awaitTerminal(c, createJob(c, train, validation, null).id());
      long trained = System.nanoTime();
      var cases = HeldOutAccuracyTest.heldOut();
      double base = HeldOutAccuracyTest.accuracy(c, "local-base", Files.readString(Fixtures.BASELINE_PROMPT), cases);
      double tuned = HeldOutAccuracyTest.accuracy(c, job.fineTunedModel().orElseThrow(), null, cases);
      long evaluated = System.nanoTime();
      System.out.printf("server start %d ms, upload %d ms, training (%s, 150 steps) %d ms, "
          + "held-out eval 2x%d chats %d ms, total %d ms%n", ms(started - t0), ms(uploaded - started),
          job.status().asString(), ms(trained - uploaded), cases.size(), ms(evaluated - trained), ms(evaluated - t0));
      System.out.printf("held-out exact match: base few-shot %.3f, tuned %.3f%n", base, tuned);
      c.close();
    }
  }

  private static long ms(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }
}
