package dev.tunekit;

import dev.tunekit.testing.FakeClock;
import dev.tunekit.testing.RecordingSleeper;
import dev.tunekit.testing.FakeProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Shared test fixtures: a settable clock, a sleeper that records and advances it, datasets, a configured builder. */
final class Fixtures {
  private Fixtures() {}

  static String chatLine(int i) {
    return "{\"messages\":[{\"role\":\"system\",\"content\":\"You write SQL.\"},{\"role\":\"user\",\"content\":\"question "
        + i + "\"},{\"role\":\"assistant\",\"content\":\"SELECT " + i + "\"}]}";
  }

  /** A valid chat dataset of {@code n} examples. */
  static Path chatDataset(Path dir, String name, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      sb.append(chatLine(i)).append('\n');
    }
    return write(dir.resolve(name), sb.toString());
  }

  static Path write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A builder on provider {@code fake} (instance {@code instanceId}) with fake time, ledger under {@code dir}. */
  static Tunekit.Builder builder(Path dir, String instanceId, FakeClock clock, Sleeper sleeper) {
    return Tunekit.builder()
        .provider("fake")
        .setting("apiKey", "sk-test-secret-123")
        .setting("instance", instanceId)
        .ledger(dir.resolve("ledger.db"))
        .workDir(dir.resolve("work"))
        .env(Map.of())
        .clock(clock)
        .sleeper(sleeper)
        .polling(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofHours(1));
  }

  static FakeProvider register(String id) {
    return FakeProvider.register(id, new FakeProvider());
  }
}
