package dev.tunekit;

import dev.tunekit.testing.FakeClock;
import dev.tunekit.testing.RecordingSleeper;
import dev.tunekit.testing.FakeProvider;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The common ground of workflow tests: a registered {@link FakeProvider}, a 20-example chat dataset,
 * fake time (clock and recording sleeper) and a Tunekit opened on all of them in a temp directory.
 */
abstract class FakeProviderTest {
  @TempDir Path dir;
  final String instance = getClass().getSimpleName() + "-" + UUID.randomUUID();
  final FakeClock clock = new FakeClock();
  final RecordingSleeper sleeper = new RecordingSleeper(clock);
  FakeProvider fake;
  Path train;

  @BeforeEach
  void registerFakeProviderAndDataset() {
    fake = Fixtures.register(instance);
    train = Fixtures.chatDataset(dir, "train.jsonl", 20);
  }

  @AfterEach
  void unregisterFakeProvider() {
    FakeProvider.unregister(instance);
  }

  /** A Tunekit on the fake provider, its ledger in {@link #dir}, on fake time. */
  Tunekit open() {
    return Fixtures.builder(dir, instance, clock, sleeper).build();
  }
}
