package dev.tunekit.internal;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.JobStatus;
import dev.tunekit.Run;
import dev.tunekit.RunInfo;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;

import dev.tunekit.spi.Deployment;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * The run ledger: an SQLite database (WAL, busy timeout, immediate transactions) recording every run,
 * upload, job, state change and deployment before and after each remote call, so a run can be resumed
 * after the process died without uploading or submitting again. Steps that create something remotely
 * are claimed with a lease inside an immediate transaction, so two processes sharing one ledger never
 * both do them. The file is created owner-only (rw-------).
 */
public final class Ledger implements AutoCloseable {
  private static final int SCHEMA_VERSION = 2; // 2: webhook ids (replay protection)
  private final Path file;
  private final Connection conn;
  private final Clock clock;
  private final Owner self;

  /** Who holds a lease: this Tunekit instance, in this process, on this host. */
  public record Owner(String id, String host, long pid) {
    public static Owner current() {
      return new Owner(java.util.UUID.randomUUID().toString(), hostName(), ProcessHandle.current().pid());
    }

    private static String hostName() {
      String h = System.getenv("HOSTNAME");
      if (h == null || h.isBlank()) {
        h = System.getenv("COMPUTERNAME");
      }
      if (h == null || h.isBlank()) {
        try {
          h = Files.readString(Path.of("/etc/hostname")).trim();
        } catch (IOException | RuntimeException e) {
          h = "unknown";
        }
      }
      return h;
    }
  }

  /** A run's full ledger row. */
  public record RunRow(
      String id,
      String provider,
      String baseModel,
      String idempotencyKey,
      String spec,
      RunState state,
      String jobId,
      String jobStatus,
      String fineTunedModel,
      String trainingFileId,
      String validationFileId,
      int submitAttempts,
      String error,
      Instant createdAt,
      Instant updatedAt) {

    public RunInfo info() {
      return new RunInfo(id, provider, baseModel, state, Optional.ofNullable(jobId), Optional.ofNullable(jobStatus),
          Optional.ofNullable(fineTunedModel), Optional.ofNullable(error), createdAt, updatedAt);
    }
  }

  /** The outcome of trying to claim a step. */
  public sealed interface Claim {
    /** The step was done already (by us earlier or by another process); {@code id} is its result. */
    public record Done(String id) implements Claim {}

    /** We hold the step now; {@code previousAttempts} > 0 means an earlier attempt may have reached the provider. */
    public record Claimed(int previousAttempts) implements Claim {}

    /** Another live process holds the step; wait and ask again. */
    public record Busy(String owner) implements Claim {}
  }

  private Ledger(Path file, Connection conn, Clock clock) {
    this.file = file;
    this.conn = conn;
    this.clock = clock;
    this.self = Owner.current();
  }

  /** Opens (creating owner-only if needed) the ledger at {@code file}. */
  public static Ledger open(Path file, Clock clock) {
    Path abs = file.toAbsolutePath();
    try {
      createOwnerOnly(abs);
    } catch (IOException e) {
      throw new InvalidInputException("cannot create the run ledger: " + e.getMessage()
          + "; set 'ledger:' in tunekit.yaml (or TUNEKIT_LEDGER) to a writable path", abs.toString(), e);
    }
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setBusyTimeout(15_000);
    cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    cfg.enforceForeignKeys(true);
    try {
      Connection c = cfg.createConnection("jdbc:sqlite:" + abs);
      Ledger l = new Ledger(abs, c, clock);
      l.migrate();
      return l;
    } catch (SQLException e) {
      throw new TunekitException("Cannot open the run ledger " + abs + " (" + e.getMessage()
          + "). Is it an SQLite file written by Tunekit? Point 'ledger:' elsewhere to start a fresh one.", e);
    }
  }

  private static void createOwnerOnly(Path file) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    Path dir = file.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      if (posix) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    }
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
    if (!Files.exists(file)) {
      try {
        if (posix) {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
        } else {
          Files.createFile(file);
        }
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // another process created it first; fine
      }
    }
    if (posix && !Files.getPosixFilePermissions(file).equals(ownerOnly)) {
      Files.setPosixFilePermissions(file, ownerOnly);
    }
  }

  private void migrate() throws SQLException {
    try (Statement s = conn.createStatement()) {
      int version;
      try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version > SCHEMA_VERSION) {
        throw new SQLException("ledger schema version " + version + " is newer than this Tunekit (" + SCHEMA_VERSION
            + "); upgrade Tunekit");
      }
      if (version == SCHEMA_VERSION) {
        return;
      }
      conn.setAutoCommit(false);
      try {
        s.executeUpdate("CREATE TABLE IF NOT EXISTS runs ("
            + "id TEXT PRIMARY KEY, provider TEXT NOT NULL, base_model TEXT NOT NULL,"
            + " idempotency_key TEXT NOT NULL UNIQUE, spec TEXT NOT NULL, state TEXT NOT NULL,"
            + " job_id TEXT, job_status TEXT, fine_tuned_model TEXT, training_file_id TEXT, validation_file_id TEXT,"
            + " submit_attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_host TEXT, lease_pid INTEGER,"
            + " lease_until INTEGER, error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)");
        s.executeUpdate("CREATE TABLE IF NOT EXISTS uploads ("
            + "provider TEXT NOT NULL, sha256 TEXT NOT NULL, file_name TEXT NOT NULL, size_bytes INTEGER NOT NULL,"
            + " file_id TEXT, attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_host TEXT, lease_pid INTEGER,"
            + " lease_until INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
            + " PRIMARY KEY (provider, sha256))");
        s.executeUpdate("CREATE TABLE IF NOT EXISTS run_log ("
            + "seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES runs(id), at INTEGER NOT NULL,"
            + " step TEXT NOT NULL, detail TEXT)");
        s.executeUpdate("CREATE TABLE IF NOT EXISTS deployments ("
            + "run_id TEXT PRIMARY KEY REFERENCES runs(id), deployment_id TEXT NOT NULL, model_id TEXT NOT NULL,"
            + " inference_model TEXT NOT NULL, state TEXT NOT NULL, raw_state TEXT NOT NULL, updated_at INTEGER NOT NULL)");
        s.executeUpdate("CREATE TABLE IF NOT EXISTS eval_results ("
            + "seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES runs(id), name TEXT NOT NULL,"
            + " report TEXT NOT NULL, at INTEGER NOT NULL)");
        s.executeUpdate("CREATE INDEX IF NOT EXISTS run_log_by_run ON run_log(run_id, seq)");
        s.executeUpdate("CREATE TABLE IF NOT EXISTS webhooks (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL)");
        s.executeUpdate("CREATE INDEX IF NOT EXISTS runs_by_job ON runs(job_id)");
        s.executeUpdate("PRAGMA user_version = " + SCHEMA_VERSION);
        conn.commit();
      } catch (SQLException e) {
        conn.rollback();
        throw e;
      } finally {
        conn.setAutoCommit(true);
      }
    }
  }

  public Path file() {
    return file;
  }

  public Owner self() {
    return self;
  }

  // ---------------------------------------------------------------- runs

  public synchronized void insertRun(String id, String provider, String baseModel, String key, String spec) {
    long now = now();
    update("INSERT INTO runs (id, provider, base_model, idempotency_key, spec, state, created_at, updated_at)"
        + " VALUES (?,?,?,?,?,?,?,?)", id, provider, baseModel, key, spec, RunState.CREATED.name(), now, now);
    log(id, "run.created", provider + " " + baseModel);
  }

  public synchronized Optional<RunRow> run(String id) {
    List<RunRow> rows = queryRuns("SELECT * FROM runs WHERE id = ?", id);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  public synchronized List<RunRow> runs() {
    return queryRuns("SELECT * FROM runs ORDER BY created_at DESC, id DESC");
  }

  public synchronized void setState(String runId, RunState state, String error) {
    update("UPDATE runs SET state = ?, error = ?, updated_at = ? WHERE id = ?", state.name(), error, now(), runId);
    log(runId, "state", state + (error == null ? "" : ": " + error));
  }

  public synchronized void setError(String runId, String error) {
    update("UPDATE runs SET error = ?, updated_at = ? WHERE id = ?", error, now(), runId);
    log(runId, "error", error);
  }

  public synchronized void setFiles(String runId, String trainingFileId, String validationFileId, String spec) {
    update("UPDATE runs SET training_file_id = ?, validation_file_id = ?, spec = ?, state = CASE WHEN state = 'CREATED'"
        + " THEN 'UPLOADED' ELSE state END, error = NULL, updated_at = ? WHERE id = ?",
        trainingFileId, validationFileId, spec, now(), runId);
    log(runId, "files", trainingFileId + (validationFileId == null ? "" : " " + validationFileId));
  }

  /** Records the provider's view of the job; the run's state follows it (never leaving a terminal state). */
  public synchronized void jobStatus(String runId, JobStatus status) {
    String model = status instanceof JobStatus.Succeeded s ? s.model().orElse(null) : null;
    String error = status instanceof JobStatus.Failed f ? f.reason() : null;
    RunState state = RunState.of(status);
    // A terminal state is final, whatever a late or stale status says (enforced here, in one statement).
    String terminal = "state IN ('REJECTED','SUCCEEDED','FAILED','CANCELLED')";
    int n = update("UPDATE runs SET job_status = ?, state = CASE WHEN " + terminal + " THEN state ELSE ? END,"
        + " fine_tuned_model = COALESCE(?, fine_tuned_model), error = COALESCE(?, error), updated_at = ?"
        + " WHERE id = ? AND (job_status IS NULL OR job_status <> ? OR (NOT " + terminal + " AND state <> ?))",
        status.raw(), state.name(), model, error, now(), runId, status.raw(), state.name());
    if (n > 0) {
      log(runId, "job.status", status.raw() + (model == null ? "" : " model=" + model));
    }
  }

  public synchronized void log(String runId, String step, String detail) {
    update("INSERT INTO run_log (run_id, at, step, detail) VALUES (?,?,?,?)", runId, now(), step, detail);
  }

  /** The log lines of a run, oldest first, as {@code step detail}. */
  public synchronized List<String> logOf(String runId) {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT step, detail FROM run_log WHERE run_id = ? ORDER BY seq")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1) + (rs.getString(2) == null ? "" : " " + rs.getString(2)));
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return out;
  }

  // ---------------------------------------------------------------- submission

  /** Claims the right to create this run's job. */
  public synchronized Claim claimSubmit(String runId, Duration lease) {
    // A plain read first: waiting processes must not queue for the write lock the holder needs to finish.
    Claim peek = claimSubmitIn(runId, lease, false);
    if (!(peek instanceof Claim.Claimed)) {
      return peek;
    }
    return inTransaction(() -> claimSubmitIn(runId, lease, true));
  }

  private Claim claimSubmitIn(String runId, Duration lease, boolean take) {
    try {
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT job_id, submit_attempts, lease_owner, lease_host, lease_pid, lease_until, state FROM runs WHERE id = ?")) {
        ps.setString(1, runId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new NotFoundInLedger(runId);
          }
          if (rs.getString(1) != null) {
            return new Claim.Done(rs.getString(1));
          }
          if (RunState.CANCELLED.name().equals(rs.getString(7))) {
            throw new TunekitException("Run " + runId + " was cancelled; its job will not be submitted.");
          }
          int attempts = rs.getInt(2);
          if (!isStale(rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6))) {
            return new Claim.Busy(rs.getString(3));
          }
          if (take) {
            update("UPDATE runs SET lease_owner = ?, lease_host = ?, lease_pid = ?, lease_until = ? WHERE id = ?",
                holder(), self.host(), self.pid(), now() + lease.toMillis(), runId);
          }
          return new Claim.Claimed(attempts);
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Written before each create call: after this, a crash means "the job may exist". */
  public synchronized void submitAttempt(String runId, int attempt) {
    update("UPDATE runs SET submit_attempts = submit_attempts + 1, updated_at = ? WHERE id = ?", now(), runId);
    log(runId, "submit.start", "attempt " + attempt);
  }

  /**
   * Extends this thread's submit claim by {@code lease} from now, if it still holds it (compare-and-set on
   * the owner). Called before every create attempt; {@code false} means another process took the claim
   * over (ours had expired) or the job is recorded already, and the attempt must not be made.
   */
  public synchronized boolean renewSubmit(String runId, Duration lease) {
    return update("UPDATE runs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND job_id IS NULL",
        now() + lease.toMillis(), runId, holder()) == 1;
  }

  /**
   * Written after the create call (or after findJob found the job). Releases the lease. Returns the job
   * id the run has now: a different one than {@code jobId} means the run already had a job, recorded by
   * another process, and {@code jobId} is an extra job (logged as {@code submit.duplicate}).
   */
  public synchronized String jobCreated(String runId, String jobId, String how) {
    int n = update("UPDATE runs SET job_id = ?, state = CASE WHEN state IN ('CREATED','UPLOADED') THEN 'SUBMITTED'"
        + " ELSE state END, error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?"
        + " AND job_id IS NULL", jobId, now(), runId);
    String recorded = n > 0 ? jobId : run(runId).map(RunRow::jobId).orElse(jobId);
    if (recorded.equals(jobId)) {
      log(runId, "submit.done", jobId + " (" + how + ")");
    } else {
      releaseSubmit(runId);
      log(runId, "submit.duplicate", jobId + " (" + how + ") is a second job: the run's job is " + recorded);
    }
    return recorded;
  }

  public synchronized void releaseSubmit(String runId) {
    update("UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?", runId, holder());
  }

  // ---------------------------------------------------------------- uploads

  /** Claims the right to upload the file with this hash to this provider. */
  public synchronized Claim claimUpload(String provider, String sha256, String fileName, long size, Duration lease) {
    Claim peek = claimUploadIn(provider, sha256, fileName, size, lease, false);
    if (!(peek instanceof Claim.Claimed)) {
      return peek;
    }
    return inTransaction(() -> claimUploadIn(provider, sha256, fileName, size, lease, true));
  }

  private Claim claimUploadIn(String provider, String sha256, String fileName, long size, Duration lease,
      boolean take) {
    try {
      try (PreparedStatement ps = conn.prepareStatement("SELECT file_id, attempts, lease_owner, lease_host, lease_pid,"
          + " lease_until FROM uploads WHERE provider = ? AND sha256 = ?")) {
        ps.setString(1, provider);
        ps.setString(2, sha256);
        try (ResultSet rs = ps.executeQuery()) {
          long until = now() + lease.toMillis();
          if (!rs.next()) {
            if (!take) {
              return new Claim.Claimed(0);
            }
            update("INSERT INTO uploads (provider, sha256, file_name, size_bytes, lease_owner, lease_host, lease_pid,"
                + " lease_until, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)", provider, sha256, fileName, size,
                holder(), self.host(), self.pid(), until, now(), now());
            return new Claim.Claimed(0);
          }
          if (rs.getString(1) != null) {
            return new Claim.Done(rs.getString(1));
          }
          int attempts = rs.getInt(2);
          if (!isStale(rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6))) {
            return new Claim.Busy(rs.getString(3));
          }
          if (take) {
            update("UPDATE uploads SET lease_owner = ?, lease_host = ?, lease_pid = ?, lease_until = ? WHERE provider = ?"
                + " AND sha256 = ?", holder(), self.host(), self.pid(), until, provider, sha256);
          }
          return new Claim.Claimed(attempts);
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** As {@link #renewSubmit}, for this thread's claim on an upload. */
  public synchronized boolean renewUpload(String provider, String sha256, Duration lease) {
    return update("UPDATE uploads SET lease_until = ? WHERE provider = ? AND sha256 = ? AND lease_owner = ?"
        + " AND file_id IS NULL", now() + lease.toMillis(), provider, sha256, holder()) == 1;
  }

  public synchronized void uploadAttempt(String runId, String provider, String sha256, String fileName) {
    update("UPDATE uploads SET attempts = attempts + 1, updated_at = ? WHERE provider = ? AND sha256 = ?", now(),
        provider, sha256);
    log(runId, "upload.start", fileName + " sha256=" + sha256);
  }

  public synchronized void uploadDone(String runId, String provider, String sha256, String fileId, String how) {
    update("UPDATE uploads SET file_id = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE provider = ?"
        + " AND sha256 = ?", fileId, now(), provider, sha256);
    log(runId, "upload.done", fileId + " (" + how + ")");
  }

  public synchronized void releaseUpload(String provider, String sha256) {
    update("UPDATE uploads SET lease_owner = NULL, lease_until = NULL WHERE provider = ? AND sha256 = ? AND lease_owner = ?",
        provider, sha256, holder());
  }

  /**
   * Releases every lease this instance holds except those of {@code stillWorking} (threads that may still
   * be creating something remotely: their claims must stand until they expire or this process exits).
   */
  public synchronized void releaseAllExcept(Set<Thread> stillWorking) {
    StringBuilder keep = new StringBuilder();
    List<Object> args = new ArrayList<>();
    args.add(self.id() + "/%");
    for (Thread t : stillWorking) {
      keep.append(keep.length() == 0 ? " AND lease_owner NOT IN (?" : ",?");
      args.add(holderOf(t));
    }
    String where = " WHERE lease_owner LIKE ?" + (keep.length() == 0 ? "" : keep + ")");
    update("UPDATE runs SET lease_owner = NULL, lease_until = NULL" + where, args.toArray());
    update("UPDATE uploads SET lease_owner = NULL, lease_until = NULL" + where, args.toArray());
  }

  /** The lease holder name of the calling thread: two threads of one instance never share a claim. */
  private String holder() {
    return holderOf(Thread.currentThread());
  }

  private String holderOf(Thread t) {
    return self.id() + "/" + t.getId();
  }

  private boolean isStale(String owner, String host, long pid, long until) {
    if (owner == null) {
      return true;
    }
    if (owner.equals(holder())) {
      return true; // our own earlier claim (a retry on this thread)
    }
    if (until < now()) {
      return true;
    }
    // Same host, process gone: it crashed holding the lease.
    return self.host().equals(host) && pid != self.pid() && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
  }

  // ---------------------------------------------------------------- webhooks

  /** The job status last recorded for a run (raw spelling), if any: a cheap read for waiters between polls. */
  public synchronized Optional<String> jobStatusOf(String runId) {
    try (PreparedStatement ps = conn.prepareStatement("SELECT job_status FROM runs WHERE id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** The run whose job has this provider job id, if any. */
  public synchronized Optional<String> runOfJob(String jobId) {
    try (PreparedStatement ps = conn.prepareStatement("SELECT id FROM runs WHERE job_id = ? ORDER BY created_at LIMIT 1")) {
      ps.setString(1, jobId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Remembers a webhook id; returns false when it was already remembered (a replay or a redelivery).
   * Ids received before {@code forgetBefore} are dropped first, so the table stays small.
   */
  public synchronized boolean claimWebhook(String webhookId, Instant forgetBefore) {
    update("DELETE FROM webhooks WHERE received_at < ?", forgetBefore.toEpochMilli());
    return update("INSERT INTO webhooks (id, received_at) VALUES (?,?) ON CONFLICT(id) DO NOTHING", webhookId, now()) > 0;
  }

  /** Forgets a webhook id, so that the sender's next delivery of it is processed (after a failure to process it). */
  public synchronized void forgetWebhook(String webhookId) {
    update("DELETE FROM webhooks WHERE id = ?", webhookId);
  }

  // ---------------------------------------------------------------- deployments and evals

  public synchronized void deployment(String runId, Deployment d) {
    update("INSERT INTO deployments (run_id, deployment_id, model_id, inference_model, state, raw_state, updated_at)"
        + " VALUES (?,?,?,?,?,?,?) ON CONFLICT(run_id) DO UPDATE SET deployment_id = excluded.deployment_id,"
        + " model_id = excluded.model_id, inference_model = excluded.inference_model, state = excluded.state,"
        + " raw_state = excluded.raw_state, updated_at = excluded.updated_at",
        runId, d.id(), d.modelId(), d.inferenceModel(), d.state().name(), d.rawState(), now());
    log(runId, "deploy.state", d.id() + " " + d.state());
  }

  public synchronized Optional<Deployment> deploymentOf(String runId) {
    try (PreparedStatement ps = conn.prepareStatement("SELECT deployment_id, model_id, inference_model, state, raw_state"
        + " FROM deployments WHERE run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(Deployment.builder().id(rs.getString(1)).modelId(rs.getString(2))
            .inferenceModel(rs.getString(3)).state(Deployment.State.valueOf(rs.getString(4))).rawState(rs.getString(5))
            .build());
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  public synchronized void evalResult(String runId, String name, String reportJson) {
    update("INSERT INTO eval_results (run_id, name, report, at) VALUES (?,?,?,?)", runId, name, reportJson, now());
    log(runId, "eval", name);
  }

  /**
   * Records {@code reportJson} under {@code name} unless the run already has a result of that name (so
   * two processes evaluating one run keep the first result). Returns whether this call recorded it.
   */
  public synchronized boolean evalResultOnce(String runId, String name, String reportJson) {
    int n = update("INSERT INTO eval_results (run_id, name, report, at) SELECT ?,?,?,? WHERE NOT EXISTS"
        + " (SELECT 1 FROM eval_results WHERE run_id = ? AND name = ?)", runId, name, reportJson, now(), runId, name);
    if (n > 0) {
      log(runId, "eval", name);
    }
    return n > 0;
  }

  /** The first result recorded under {@code name} for the run, if any. */
  public synchronized Optional<String> evalResult(String runId, String name) {
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT report FROM eval_results WHERE run_id = ? AND name = ? ORDER BY seq LIMIT 1")) {
      ps.setString(1, runId);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  public synchronized List<String> evalResults(String runId) {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT report FROM eval_results WHERE run_id = ? ORDER BY seq")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return out;
  }

  // ---------------------------------------------------------------- plumbing

  @Override
  public void close() {
    close(Set.of());
  }

  /** Closes the ledger, releasing this instance's leases except those of {@code stillWorking}. */
  public synchronized void close(Set<Thread> stillWorking) {
    try {
      if (!conn.isClosed()) {
        releaseAllExcept(stillWorking);
        conn.close();
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private long now() {
    return clock.millis();
  }

  private List<RunRow> queryRuns(String sql, Object... args) {
    List<RunRow> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new RunRow(rs.getString("id"), rs.getString("provider"), rs.getString("base_model"),
              rs.getString("idempotency_key"), rs.getString("spec"), RunState.valueOf(rs.getString("state")),
              rs.getString("job_id"), rs.getString("job_status"), rs.getString("fine_tuned_model"),
              rs.getString("training_file_id"), rs.getString("validation_file_id"), rs.getInt("submit_attempts"),
              rs.getString("error"), Instant.ofEpochMilli(rs.getLong("created_at")),
              Instant.ofEpochMilli(rs.getLong("updated_at"))));
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return out;
  }

  private int update(String sql, Object... args) {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
  }

  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  private <T> T inTransaction(SqlWork<T> work) {
    try {
      conn.setAutoCommit(false); // BEGIN IMMEDIATE: takes the write lock now, so read-then-claim is atomic
      try {
        T result = work.run();
        conn.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        conn.rollback();
        throw e;
      } finally {
        conn.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private TunekitException failure(SQLException e) {
    return new TunekitException("Run ledger " + file + " failed: " + e.getMessage()
        + ". If another process holds it locked for long, retry; the ledger keeps every completed step.", e);
  }

  /** A run id that is not in the ledger. */
  public static final class NotFoundInLedger extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    NotFoundInLedger(String runId) {
      super("no run '" + runId + "' in this ledger; list runs with tk.runs() (is 'ledger:' pointing at the right file?)");
    }
  }
}
