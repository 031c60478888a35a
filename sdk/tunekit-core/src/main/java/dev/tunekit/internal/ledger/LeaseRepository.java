package dev.tunekit.internal.ledger;

import dev.tunekit.RunState;
import dev.tunekit.error.TunekitException;
import dev.tunekit.internal.ledger.Ledger.Claim;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Claims on the steps that create something remotely (a run's job submission, an upload per content
 * hash): a lease held by one thread of one Tunekit instance, taken inside one write transaction so
 * two processes sharing a ledger never both do the step. On SQLite that transaction is immediate (it
 * holds the file's only write lock); on a database server the claim reads the row with the dialect's row
 * lock ({@code SELECT ... FOR UPDATE}), so a second claimer waits for the first one's commit and then
 * sees its lease, and a missing upload row is inserted with {@code ON CONFLICT DO NOTHING}, so of two
 * first claimers one inserts and the other reads the winner's row. A lease whose holder's process is gone (same
 * host) or whose time ran out is stale and can be taken over.
 */
public final class LeaseRepository {
  private final Jdbc db;
  private final Clock clock;
  private final Ledger.Owner self;

  LeaseRepository(Jdbc db, Clock clock, Ledger.Owner self) {
    this.db = db;
    this.clock = clock;
    this.self = self;
  }

  /**
   * For this package's tests: runs inside a taking claim's transaction, between its read and its write,
   * where a test holds racing claimers so that only the row lock can keep them apart.
   */
  volatile Runnable afterClaimRead = () -> {};

  private record Lease(String resultId, int attempts, String owner, String host, long pid, long until, String state) {}

  /** Claims the right to create this run's job. */
  public Claim claimSubmit(String runId, Duration lease) {
    // A plain read first: waiting processes must not queue for the write lock the holder needs to finish.
    Claim peek = db.read(c -> claimSubmitIn(c, runId, lease, false));
    if (!(peek instanceof Claim.Claimed)) {
      return peek;
    }
    return db.write(c -> claimSubmitIn(c, runId, lease, true));
  }

  private Claim claimSubmitIn(Connection c, String runId, Duration lease, boolean take) throws SQLException {
    Lease l = Jdbc.one(c, "SELECT job_id, submit_attempts, lease_owner, lease_host, lease_pid, lease_until, state"
        + " FROM runs WHERE id = ?" + (take ? db.dialect().lockRow() : ""), LeaseRepository::lease, runId).orElseThrow(() -> new Ledger.NotFoundInLedger(runId));
    if (take) {
      afterClaimRead.run();
    }
    if (l.resultId() != null) {
      return new Claim.Done(l.resultId());
    }
    if (RunState.CANCELLED.name().equals(l.state())) {
      throw new TunekitException("Run " + runId + " was cancelled; its job will not be submitted.");
    }
    if (!isStale(l)) {
      return new Claim.Busy(l.owner());
    }
    if (take) {
      Jdbc.update(c, "UPDATE runs SET lease_owner = ?, lease_host = ?, lease_pid = ?, lease_until = ? WHERE id = ?",
          holder(), self.host(), self.pid(), now() + lease.toMillis(), runId);
    }
    return new Claim.Claimed(l.attempts());
  }

  /** Extends this thread's submit claim, if it still holds it (compare-and-set on the owner). */
  public boolean renewSubmit(String runId, Duration lease) {
    return db.write(c -> Jdbc.update(c, "UPDATE runs SET lease_until = ? WHERE id = ? AND lease_owner = ?"
        + " AND job_id IS NULL", now() + lease.toMillis(), runId, holder()) == 1);
  }

  public void releaseSubmit(String runId) {
    db.write(c -> releaseSubmit(c, runId));
  }

  int releaseSubmit(Connection c, String runId) throws SQLException {
    return Jdbc.update(c, "UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
        runId, holder());
  }

  /** Claims the right to upload the file with this hash to this provider. */
  public Claim claimUpload(String provider, String sha256, String fileName, long size, Duration lease) {
    Claim peek = db.read(c -> claimUploadIn(c, provider, sha256, fileName, size, lease, false));
    if (!(peek instanceof Claim.Claimed)) {
      return peek;
    }
    return db.write(c -> claimUploadIn(c, provider, sha256, fileName, size, lease, true));
  }

  private Claim claimUploadIn(Connection c, String provider, String sha256, String fileName, long size, Duration lease,
      boolean take) throws SQLException {
    Optional<Lease> found = Jdbc.one(c, "SELECT file_id, attempts, lease_owner, lease_host, lease_pid, lease_until,"
        + " NULL FROM uploads WHERE provider = ? AND sha256 = ?" + (take ? db.dialect().lockRow() : ""),
        LeaseRepository::lease, provider, sha256);
    long until = now() + lease.toMillis();
    if (take) {
      afterClaimRead.run();
    }
    if (found.isEmpty()) {
      if (take && Jdbc.update(c, "INSERT INTO uploads (provider, sha256, file_name, size_bytes, lease_owner, lease_host,"
          + " lease_pid, lease_until, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)"
          + " ON CONFLICT (provider, sha256) DO NOTHING", provider, sha256, fileName, size, holder(), self.host(),
          self.pid(), until, now(), now()) == 0) {
        // Another process inserted it after our read (a server's transactions interleave): read its row, locked.
        return claimUploadIn(c, provider, sha256, fileName, size, lease, true);
      }
      return new Claim.Claimed(0);
    }
    Lease l = found.get();
    if (l.resultId() != null) {
      return new Claim.Done(l.resultId());
    }
    if (!isStale(l)) {
      return new Claim.Busy(l.owner());
    }
    if (take) {
      Jdbc.update(c, "UPDATE uploads SET lease_owner = ?, lease_host = ?, lease_pid = ?, lease_until = ? WHERE provider = ?"
          + " AND sha256 = ?", holder(), self.host(), self.pid(), until, provider, sha256);
    }
    return new Claim.Claimed(l.attempts());
  }

  /** As {@link #renewSubmit}, for this thread's claim on an upload. */
  public boolean renewUpload(String provider, String sha256, Duration lease) {
    return db.write(c -> Jdbc.update(c, "UPDATE uploads SET lease_until = ? WHERE provider = ? AND sha256 = ?"
        + " AND lease_owner = ? AND file_id IS NULL", now() + lease.toMillis(), provider, sha256, holder()) == 1);
  }

  public void releaseUpload(String provider, String sha256) {
    db.write(c -> Jdbc.update(c, "UPDATE uploads SET lease_owner = NULL, lease_until = NULL WHERE provider = ?"
        + " AND sha256 = ? AND lease_owner = ?", provider, sha256, holder()));
  }

  /** Releases every lease this instance holds except those of {@code stillWorking}. */
  public void releaseAllExcept(Set<Thread> stillWorking) {
    StringBuilder keep = new StringBuilder();
    List<Object> args = new ArrayList<>();
    args.add(self.id() + "/%");
    for (Thread t : stillWorking) {
      keep.append(keep.length() == 0 ? " AND lease_owner NOT IN (?" : ",?");
      args.add(holderOf(t));
    }
    String where = " WHERE lease_owner LIKE ?" + (keep.length() == 0 ? "" : keep + ")");
    db.write(c -> {
      Jdbc.update(c, "UPDATE runs SET lease_owner = NULL, lease_until = NULL" + where, args.toArray());
      return Jdbc.update(c, "UPDATE uploads SET lease_owner = NULL, lease_until = NULL" + where, args.toArray());
    });
  }

  /** The lease holder name of the calling thread: two threads of one instance never share a claim. */
  private String holder() {
    return holderOf(Thread.currentThread());
  }

  private String holderOf(Thread t) {
    return self.id() + "/" + t.getId();
  }

  private boolean isStale(Lease l) {
    if (l.owner() == null) {
      return true;
    }
    if (l.owner().equals(holder())) {
      return true; // our own earlier claim (a retry on this thread)
    }
    if (l.until() < now()) {
      return true;
    }
    // Same host, process gone: it crashed holding the lease.
    return self.host().equals(l.host()) && l.pid() != self.pid()
        && ProcessHandle.of(l.pid()).map(p -> !p.isAlive()).orElse(true);
  }

  private long now() {
    return clock.millis();
  }

  private static Lease lease(ResultSet rs) throws SQLException {
    return new Lease(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6),
        rs.getString(7));
  }
}
