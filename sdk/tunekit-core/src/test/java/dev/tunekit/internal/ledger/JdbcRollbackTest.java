package dev.tunekit.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write interrupted by an {@link Error} (JShell's Ctrl-C is an asynchronous {@link ThreadDeath}) is
 * rolled back, not half-committed.
 */
class JdbcRollbackTest {
  @TempDir Path dir;

  @Test
  void aWriteStoppedByAnErrorCommitsNothing() throws Exception {
    try (Jdbc jdbc = new Jdbc(dir.resolve("t.db"))) {
      jdbc.write(c -> Jdbc.update(c, "CREATE TABLE t (v INTEGER)"));

      assertThatThrownBy(() -> jdbc.write(c -> {
        Jdbc.update(c, "INSERT INTO t VALUES (1)");
        throw new ThreadDeath(); // stopped between two statements of one transaction
      })).isInstanceOf(ThreadDeath.class);

      assertThat((java.util.List<Integer>) jdbc.read(c -> Jdbc.query(c, "SELECT v FROM t", r -> r.getInt(1)))).isEmpty();
      jdbc.write(c -> Jdbc.update(c, "INSERT INTO t VALUES (2)")); // the connection is usable again
      assertThat((java.util.List<Integer>) jdbc.read(c -> Jdbc.query(c, "SELECT v FROM t", r -> r.getInt(1)))).containsExactly(2);
    }
  }
}
