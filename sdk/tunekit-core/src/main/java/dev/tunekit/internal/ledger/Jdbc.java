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
 * A small JDBC helper over the ledger's database: one write connection, used by one thread at a time (a
 * {@link ReentrantLock}, never a monitor readers need), and a pool of read connections. A read on the
 * thread that is inside a write goes to the write connection, so it sees that transaction's own changes.
 *
 * <p>On SQLite (one file in WAL mode) a reader sees the last committed state and never waits for a
 * writer, so a writer stuck in SQLite's busy wait (another process holds the write lock) blocks other
 * writers only: {@code run.state()}, {@code tk.runs()} and webhook lookups stay prompt. On a database
 * server (through a {@link LedgerDialect} another module brings) the same holds by the server's MVCC;
 * connections are kept between calls when Tunekit opened them from a URL (and reopened when one broke),
 * or borrowed for each call from the caller's pool.
 */
public final class Jdbc implements AutoCloseable {
  /** How long a writer waits for another process's write lock before failing. */
  static final int BUSY_TIMEOUT_MS = 15_000;
  private static final int MAX_READERS = 4;

  /** Opens a connection to the ledger's database. */
  @FunctionalInterface
  public interface Opener {
    Connection open() throws SQLException;
  }

  private final String location;
  private final Path file;
  private final LedgerDialect dialect;
  private final Opener writerOpener;
  private final Opener readerOpener;
  /** Keep connections open between calls (false: they come from the caller's pool, returned after each call). */
  private final boolean keep;
  private Connection writer; // guarded by writeLock; null until the first write, after a break, or between borrowed calls
  private final ReentrantLock writeLock = new ReentrantLock();
  private final BlockingQueue<Connection> idleReaders = new LinkedBlockingQueue<>();
  private final List<Connection> allReaders = new ArrayList<>();
  private volatile boolean closed;
  /** How long a write waits for another process's lock (SQLite's busy timeout; a server's lock timeout). */
  volatile int lockTimeoutMs = BUSY_TIMEOUT_MS;

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

  /** The SQLite ledger in {@code file}. */
  Jdbc(Path file) throws SQLException {
    this(file.toString(), file, SqliteDialect.INSTANCE, () -> sqliteWriter(file), () -> sqliteReader(file), true);
    this.writer = writerOpener.open(); // at once: a file that is no SQLite database fails here
  }

  /**
   * A ledger on a database server: {@code location} names it in messages (a URL with its password
   * redacted), {@code opener} opens connections, and {@code keep} says whether to keep them between calls.
   */
  Jdbc(String location, LedgerDialect dialect, Opener opener, boolean keep) {
    this(location, null, dialect, opener, opener, keep);
  }

  private Jdbc(String location, Path file, LedgerDialect dialect, Opener writerOpener, Opener readerOpener,
      boolean keep) {
    this.location = location;
    this.file = file;
    this.dialect = dialect;
    this.writerOpener = writerOpener;
    this.readerOpener = readerOpener;
    this.keep = keep;
  }

  private static Connection sqliteWriter(Path file) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
    cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    cfg.enforceForeignKeys(true);
    return cfg.createConnection("jdbc:sqlite:" + file);
  }

  private static Connection sqliteReader(Path file) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setBusyTimeout(BUSY_TIMEOUT_MS); // only while a checkpoint or recovery runs, never for a writer
    return cfg.createConnection("jdbc:sqlite:" + file);
  }

  /** The SQLite file, or null for a ledger on a database server. */
  public Path file() {
    return file;
  }

  /** Where the ledger is, for messages: the file, or the URL with any password redacted. */
  public String location() {
    return location;
  }

  public LedgerDialect dialect() {
    return dialect;
  }

  /**
   * Runs {@code work} in one transaction on the write connection (nested calls on the same thread join the
   * outer transaction), committing at the end and rolling back on any exception or error. On SQLite the
   * transaction is immediate (it holds the file's write lock from the start); on a server, what a step
   * reads and then updates is locked by the dialect's {@link LedgerDialect#lockRow() row lock}.
   */
  public <T> T write(Work<T> work) {
    writeLock.lock();
    try {
      if (writeLock.getHoldCount() > 1) {
        return work.run(writer); // nested: the outer call commits
      }
      if (closed) {
        throw new TunekitException("Run ledger " + location + " is closed.");
      }
      if (writer == null) {
        writer = writerOpener.open();
      }
      Connection c = writer;
      try {
        c.setAutoCommit(false); // SQLite: BEGIN IMMEDIATE takes the write lock now, so read-then-write is atomic
        try {
          dialect.beginWrite(c, lockTimeoutMs);
          T result = work.run(c);
          c.commit();
          return result;
        } catch (Throwable e) {
          // Errors too: JShell's Ctrl-C stops a thread with an asynchronous ThreadDeath, and the
          // setAutoCommit(true) below would otherwise commit half of this transaction.
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      } catch (SQLException e) {
        dropIfBroken(c);
        throw e;
      } finally {
        if (!keep) {
          writer = null;
          closeQuietly(c); // back to the caller's pool
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    } finally {
      writeLock.unlock();
    }
  }

  /** A server connection that failed and no longer answers is closed and reopened on the next call. */
  private void dropIfBroken(Connection c) {
    if (file == null && keep && c == writer && !isValid(c)) {
      writer = null;
      closeQuietly(c);
    }
  }

  private static boolean isValid(Connection c) {
    try {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing anyway
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
    boolean broken = false;
    try {
      if (c == null) {
        synchronized (allReaders) { // opened under the lock: no connection (and no -wal/-shm file) after close()
          if (closed) {
            throw new TunekitException("Run ledger " + location + " is closed.");
          }
          c = readerOpener.open();
          allReaders.add(c);
        }
      }
      return work.run(c);
    } catch (SQLException e) {
      broken = file == null && c != null && !isValid(c);
      throw failure(e);
    } finally {
      if (c != null) {
        release(c, broken);
      }
    }
  }

  private void release(Connection c, boolean broken) {
    synchronized (allReaders) {
      if (keep && !broken && !closed && idleReaders.size() < MAX_READERS) {
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
    return new TunekitException("Run ledger " + location + " failed: " + JdbcUrls.redact(e.getMessage())
        + ". If another process holds it locked for long, retry; the ledger keeps every completed step.", e);
  }

  /** Whether the ledger is open (not yet closed). */
  boolean isOpen() {
    return !closed;
  }

  @Override
  public void close() {
    writeLock.lock();
    try {
      synchronized (allReaders) {
        closed = true;
        for (Connection c : allReaders) {
          closeQuietly(c);
        }
        allReaders.clear();
        idleReaders.clear();
      }
      if (writer != null) {
        writer.close();
        writer = null;
      }
    } catch (SQLException e) {
      throw failure(e);
    } finally {
      writeLock.unlock();
    }
  }
}
