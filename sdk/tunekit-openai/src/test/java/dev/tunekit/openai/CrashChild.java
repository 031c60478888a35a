package dev.tunekit.openai;

import dev.tunekit.Run;
import dev.tunekit.Tunekit;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A Tunekit process for {@link OpenAiCrashRecoveryTest} to kill: runs a fine-tune against the given
 * loopback API with the given ledger, printing what it reaches. Arguments: base URL, ledger file,
 * work directory, dataset, and {@code start} (submit only) or {@code await} (submit, then wait).
 */
final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) {
    try (Tunekit tk = Tunekit.builder()
        .provider("openai")
        .setting("baseUrl", args[0])
        .setting("apiKey", OpenAiWireMock.CANARY_KEY)
        .setting("timeout", "30s")
        .ledger(Path.of(args[1]))
        .workDir(Path.of(args[2]))
        .polling(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMinutes(1))
        .build()) {
      Run run = tk.fineTune().model(OpenAiWireMock.BASE_MODEL).trainingData(Path.of(args[3])).start();
      System.out.println("submitted " + run.id() + " " + run.info().jobId().orElse("?"));
      if (args[4].equals("await")) {
        System.out.println("finished " + run.await().state());
      }
    }
  }
}
