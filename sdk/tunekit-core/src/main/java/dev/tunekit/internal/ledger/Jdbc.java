package dev.tunekit.internal.ledger;

import dev.tunekit.error.TunekitException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * A small JDBC helper over one SQLite file in WAL mode: one write connection, used by one thread at a
 * time (a {@link ReentrantLock}, never a monitor readers need), and a pool of read connections. In WAL
 * mode a reader sees the last committed state and never waits for a writer, so a writer stuck in
 * SQLite's busy wait (another process holds the write lock) blocks other writers only: {@code
 * run.state()}, {@code tk.runs()} and webhook lookups stay prompt. A read on the thread that is inside a
 * write goes to the write connection, so it sees that transaction's own changes.
 */
public final class Jdbc implements AutoCloseable {
  /** How long a writer waits for another process's write lock before failing. */
  static final int BUSY_TIMEOUT_MS = 15_000;
  private static final int MAX_READERS = 4;

  private final Path file;
  private final Connection writer;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final BlockingQueue<Connection> idleReaders = new LinkedBlockingQueue<>();
  private final List<Connection> allReaders = new ArrayList<>();
  private volatile boolean closed;

  /** Work on a connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Maps a result row. */
  @FunctionalInterface
  public interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  Jdbc(Path file) throws SQLException {
    this.file = file;
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
    cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    cfg.enforceForeignKeys(true);
    this.writer = cfg.createConnection("jdbc:sqlite:" + file);
  }

  private Connection newReader() throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setBusyTimeout(BUSY_TIMEOUT_MS); // only while a checkpoint or recovery runs, never for a writer
    return cfg.createConnection("jdbc:sqlite:" + file);
  }

  public Path file() {
    return file;
  }

  /**
   * Runs {@code work} in one immediate transaction on the write connection (nested calls on the same
   * thread join the outer transaction), committing at the end and rolling back on any exception or error.
   */
  public <T> T write(Work<T> work) {
    writeLock.lock();
    try {
      if (writeLock.getHoldCount() > 1) {
        return work.run(writer); // nested: the outer call commits
      }
      writer.setAutoCommit(false); // BEGIN IMMEDIATE: takes the write lock now, so read-then-write is atomic
      try {
        T result = work.run(writer);
        writer.commit();
        return result;
      } catch (Throwable e) {
        // Errors too: JShell's Ctrl-C stops a thread with an asynchronous ThreadDeath, and the
        // setAutoCommit(true) below would otherwise commit half of this transaction.
        writer.rollback();
        throw e;
      } finally {
        writer.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(e);
    } finally {
      writeLock.unlock();
    }
  }

  /** Runs {@code work} on a read connection (or, inside a write on this thread, on the write connection). */
  public <T> T read(Work<T> work) {
    if (writeLock.isHeldByCurrentThread()) {
      try {
        return work.run(writer);
      } catch (SQLException e) {
        throw failure(e);
      }
    }
    Connection c = idleReaders.poll();
    try {
      if (c == null) {
        synchronized (allReaders) { // opened under the lock: no connection (and no -wal/-shm file) after close()
          if (closed) {
            throw new TunekitException("Run ledger " + file + " is closed.");
          }
          c = newReader();
          allReaders.add(c);
        }
      }
      return work.run(c);
    } catch (SQLException e) {
      throw failure(e);
    } finally {
      if (c != null) {
        release(c);
      }
    }
  }

  private void release(Connection c) {
    synchronized (allReaders) {
      if (!closed && idleReaders.size() < MAX_READERS) {
        idleReaders.add(c);
        return;
      }
      allReaders.remove(c);
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // a read-only connection has nothing to lose
    }
  }

  // ------------------------------------------------------------------ statements

  public static <T> List<T> query(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    List<T> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row.map(rs));
        }
      }
    }
    return out;
  }

  public static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    List<T> all = query(c, sql, row, args);
    return all.isEmpty() ? Optional.empty() : Optional.ofNullable(all.get(0));
  }

  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
  }

  TunekitException failure(SQLException e) {
    return new TunekitException("Run ledger " + file + " failed: " + e.getMessage()
        + ". If another process holds it locked for long, retry; the ledger keeps every completed step.", e);
  }

  /** Whether the write connection is open. */
  boolean isOpen() {
    try {
      return !writer.isClosed();
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    writeLock.lock();
    try {
      synchronized (allReaders) {
        closed = true;
        for (Connection c : allReaders) {
          try {
            c.close();
          } catch (SQLException ignored) {
            // closing anyway
          }
        }
        allReaders.clear();
        idleReaders.clear();
      }
      writer.close();
    } catch (SQLException e) {
      throw failure(e);
    } finally {
      writeLock.unlock();
    }
  }
}
