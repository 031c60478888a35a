package dev.tunekit.internal.ledger;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;

/** The ledger contract on SQLite: each store a new file. */
class SqliteLedgerTest extends LedgerContract {
  @TempDir Path dir;
  private final AtomicInteger n = new AtomicInteger();

  @Override
  protected Function<Clock, Ledger> freshStore() {
    Path file = dir.resolve("ledger-" + n.incrementAndGet() + ".db");
    return clock -> Ledger.open(file, clock);
  }

  @Override
  protected Jdbc freshJdbc() throws Exception {
    return new Jdbc(dir.resolve("t-" + n.incrementAndGet() + ".db"));
  }
}
