package dev.tunekit.internal.ledger;

import dev.tunekit.RunInfo;
import dev.tunekit.RunState;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.spi.Deployment;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The run ledger: a database recording every run, upload, job, state move and deployment before and
 * after each remote call, so a run can be resumed after the process died without uploading or
 * submitting again, from any process that shares the ledger. By default an SQLite file (WAL, busy
 * timeout, immediate transactions), created owner-only (rw-------); for services with several
 * instances a PostgreSQL database ({@link #open(String, Map, Clock) by URL} or {@link
 * #open(javax.sql.DataSource, Clock) through the caller's pool}), whose dialect the module {@code
 * tunekit-postgres} brings ({@link LedgerDialect}). It is a set of small repositories
 * ({@link RunRepository runs}, {@link TransitionRepository transitions}, {@link LeaseRepository leases},
 * {@link UploadRepository uploads}, {@link EvaluationRepository evaluations}, {@link WebhookRepository
 * webhooks}, {@link DeploymentRepository deployments}, {@link RunLog the log}) over one {@link Jdbc}
 * helper whose readers never wait behind a writer.
 */
public final class Ledger implements AutoCloseable {
  private final Jdbc db;
  private final Owner self;
  private final RunRepository runs;
  private final TransitionRepository transitions;
  private final LeaseRepository leases;
  private final UploadRepository uploads;
  private final EvaluationRepository evaluations;
  private final WebhookRepository webhooks;
  private final DeploymentRepository deployments;
  private final RunLog log;

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

  /** A run's full ledger row; {@code version} grows by one with every move of its state. */
  public record RunRow(
      String id,
      String provider,
      String baseModel,
      String idempotencyKey,
      String spec,
      RunState state,
      long version,
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
    record Done(String id) implements Claim {}

    /** We hold the step now; {@code previousAttempts} > 0 means an earlier attempt may have reached the provider. */
    record Claimed(int previousAttempts) implements Claim {}

    /** Another live process holds the step; wait and ask again. */
    record Busy(String owner) implements Claim {}
  }

  private Ledger(Jdbc db, Clock clock) {
    this.db = db;
    this.self = Owner.current();
    this.runs = new RunRepository(db, clock);
    this.transitions = new TransitionRepository(db, clock);
    this.leases = new LeaseRepository(db, clock, self);
    this.uploads = new UploadRepository(clock);
    this.evaluations = new EvaluationRepository(db, clock);
    this.webhooks = new WebhookRepository(db, clock);
    this.deployments = new DeploymentRepository(db, clock);
    this.log = new RunLog(db, clock);
  }

  /** Opens (creating owner-only if needed, and migrating to the current schema) the ledger at {@code file}. */
  public static Ledger open(Path file, Clock clock) {
    Path abs = file.toAbsolutePath();
    try {
      createOwnerOnly(abs);
    } catch (IOException e) {
      throw new InvalidInputException("cannot create the run ledger: " + e.getMessage()
          + "; set 'ledger:' in tunekit.yaml (or TUNEKIT_LEDGER) to a writable path", abs.toString(), e);
    }
    // Instances opening a new file at once race to switch it to WAL and to create the schema; SQLite answers some
    // of them SQLITE_BUSY at once instead of waiting (a lock upgrade its busy handler will not wait for). Those try
    // again, within the same bound as any write's busy wait.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Jdbc.BUSY_TIMEOUT_MS);
    for (int attempt = 1; ; attempt++) {
      Jdbc db = null;
      try {
        db = new Jdbc(abs);
        Schema.migrate(db);
        return new Ledger(db, clock);
      } catch (SQLException | RuntimeException e) {
        if (db != null) {
          db.close();
        }
        if (busy(e) && System.nanoTime() < deadline) {
          sleepQuietly(Math.min(200, 5L << Math.min(attempt, 5)));
          continue;
        }
        throw new TunekitException("Cannot open the run ledger " + abs + " (" + e.getMessage()
            + "). Is it an SQLite file written by Tunekit? Point 'ledger:' elsewhere to start a fresh one.", e);
      }
    }
  }

  /** Whether SQLite refused for a lock another connection holds (SQLITE_BUSY), anywhere in the cause chain. */
  private static boolean busy(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.sqlite.SQLiteException s
          && (s.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_BUSY
              || s.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_LOCKED)) {
        return true;
      }
      if (t.getMessage() != null && t.getMessage().contains("[SQLITE_BUSY")) {
        return true;
      }
    }
    return false;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TunekitException("interrupted while opening the run ledger", e);
    }
  }

  /**
   * Opens the ledger at a JDBC URL ({@code jdbc:postgresql://host/db}, or {@code jdbc:sqlite:FILE}),
   * migrating it to the current schema. The user and password come from the URL or from {@code
   * TUNEKIT_LEDGER_USER} and {@code TUNEKIT_LEDGER_PASSWORD} in {@code env}; a password is never shown:
   * messages name the URL with it redacted. {@code where} says where the URL was written, for errors.
   */
  public static Ledger open(String url, Map<String, String> env, Clock clock, String where) {
    String shown = JdbcUrls.redact(url);
    if (SqliteDialect.INSTANCE.acceptsUrl(url)) {
      return open(Path.of(url.substring("jdbc:sqlite:".length())), clock);
    }
    LedgerDialect dialect = dialects().stream().filter(d -> d.acceptsUrl(url)).findFirst()
        .orElseThrow(() -> new InvalidInputException(noDialect(shown), where));
    java.util.Properties credentials = new java.util.Properties();
    String user = env.get(ENV_USER);
    String password = env.get(ENV_PASSWORD);
    if (user != null && !user.isBlank()) {
      credentials.setProperty("user", user);
    }
    if (password != null && !password.isEmpty()) {
      credentials.setProperty("password", password);
    }
    java.sql.Driver driver = driverFor(url).orElseThrow(() -> new InvalidInputException("no JDBC driver for "
        + shown + " on the class path; the " + dialect.name() + " ledger module should bring it: check that "
        + MODULE + " is a runtime dependency", where));
    Jdbc db = new Jdbc(shown, dialect, () -> {
      java.sql.Connection c = driver.connect(url, credentials);
      if (c == null) {
        throw new SQLException("the driver " + driver.getClass().getName() + " refused the URL");
      }
      return c;
    }, true);
    return openOn(db, clock);
  }

  /**
   * Opens the ledger in the database behind {@code dataSource} (a service's pool), migrating it to the
   * current schema. Connections are borrowed for each call and given back at once.
   */
  public static Ledger open(javax.sql.DataSource dataSource, Clock clock) {
    String product;
    String shown;
    try (java.sql.Connection c = dataSource.getConnection()) {
      java.sql.DatabaseMetaData md = c.getMetaData();
      product = md.getDatabaseProductName();
      shown = JdbcUrls.redact(md.getURL());
    } catch (SQLException e) {
      throw new TunekitException("Cannot reach the run ledger through the DataSource given to Tunekit.builder()"
          + ".ledger(...) (" + JdbcUrls.redact(e.getMessage()) + "). Check that the database is up and the pool's"
          + " URL and credentials are right.", e);
    }
    if (SqliteDialect.INSTANCE.acceptsProduct(product)) {
      throw new InvalidInputException("an SQLite ledger is a file: give its path with Tunekit.builder().ledger(Path)"
          + " (Tunekit opens it in WAL mode with immediate transactions); a DataSource is for a PostgreSQL ledger",
          "Tunekit.builder().ledger(DataSource)");
    }
    LedgerDialect dialect = dialects().stream().filter(d -> d.acceptsProduct(product)).findFirst()
        .orElseThrow(() -> new InvalidInputException(noDialect(shown + " (" + product + ")"),
            "Tunekit.builder().ledger(DataSource)"));
    return openOn(new Jdbc(shown, dialect, dataSource::getConnection, false), clock);
  }

  /** The variables that hold the user and password of a ledger on a database server. */
  public static final String ENV_USER = "TUNEKIT_LEDGER_USER";
  public static final String ENV_PASSWORD = "TUNEKIT_LEDGER_PASSWORD";
  private static final String MODULE = "dev.tunekit:tunekit-postgres";

  private static String noDialect(String shown) {
    boolean postgres = shown.regionMatches(true, 0, "jdbc:postgresql:", 0, 16) || shown.contains("PostgreSQL");
    return postgres
        ? "the ledger is a PostgreSQL database (" + shown + ") but the PostgreSQL ledger module is not on the class"
            + " path; add it next to tunekit-core: <dependency><groupId>dev.tunekit</groupId><artifactId>"
            + "tunekit-postgres</artifactId></dependency> (Gradle: implementation(\"" + MODULE + "\"))"
        : "no ledger support for " + shown + "; the ledger is an SQLite file (a path) or a PostgreSQL database"
            + " (jdbc:postgresql://host/db, with the module " + MODULE + ")";
  }

  private static List<LedgerDialect> dialects() {
    List<LedgerDialect> out = new java.util.ArrayList<>();
    for (ClassLoader cl : loaders()) {
      java.util.ServiceLoader.load(LedgerDialect.class, cl).forEach(d -> {
        if (out.stream().noneMatch(o -> o.getClass().equals(d.getClass()))) {
          out.add(d);
        }
      });
    }
    return out;
  }

  private static Optional<java.sql.Driver> driverFor(String url) {
    for (ClassLoader cl : loaders()) {
      for (java.sql.Driver d : java.util.ServiceLoader.load(java.sql.Driver.class, cl)) {
        try {
          if (d.acceptsURL(url)) {
            return Optional.of(d);
          }
        } catch (SQLException e) {
          // not this one
        }
      }
    }
    return Optional.empty();
  }

  private static List<ClassLoader> loaders() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    ClassLoader own = Ledger.class.getClassLoader();
    return context == null || context == own ? List.of(own) : List.of(context, own);
  }

  private static Ledger openOn(Jdbc db, Clock clock) {
    try {
      Schema.migrate(db);
      return new Ledger(db, clock);
    } catch (RuntimeException e) {
      db.close();
      throw new TunekitException("Cannot open the run ledger " + db.location() + " (" + e.getMessage()
          + "). Check that the database is up, and the user may create tables in it (the first open creates"
          + " the ledger's tables).", e);
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

  /** The SQLite file, or null for a ledger on a database server. */
  public Path file() {
    return db.file();
  }

  /** Where the ledger is, for messages: the file, or the database's URL with any password redacted. */
  public String location() {
    return db.location();
  }

  /** The JDBC helper, for this package's tests. */
  Jdbc db() {
    return db;
  }

  public Owner self() {
    return self;
  }

  public RunRepository runs() {
    return runs;
  }

  public LeaseRepository leases() {
    return leases;
  }

  public EvaluationRepository evaluations() {
    return evaluations;
  }

  public WebhookRepository webhooks() {
    return webhooks;
  }

  public TransitionRepository transitions() {
    return transitions;
  }

  // ---------------------------------------------------------------- runs and moves

  /** Records a new run in {@code initial} state, with its first transition, in one transaction. */
  public void insertRun(String id, String provider, String baseModel, String key, String spec, RunState initial) {
    db.write(c -> {
      runs.insert(c, id, provider, baseModel, key, spec, initial);
      transitions.append(c, id, null, "START", initial, provider + " " + baseModel);
      return log.append(c, id, "run.created", provider + " " + baseModel);
    });
  }

  public Optional<RunRow> run(String id) {
    return runs.find(id);
  }

  /** Every run, newest first. */
  public List<RunRow> allRuns() {
    return runs.all();
  }

  /**
   * One move, in one transaction: a compare-and-set of the run's state and version (writing {@code sets}
   * too) plus an append to {@code run_transitions} and the log. False when another writer moved the run
   * first (0 rows updated): re-read, don't throw. The table check is {@code RunMachine}'s.
   */
  public boolean move(String runId, RunState from, long version, String event, RunState to, String cause,
      Map<String, Object> sets) {
    return db.write(c -> {
      if (!runs.compareAndSet(c, runId, from, version, to, sets)) {
        return false;
      }
      transitions.append(c, runId, from, event, to, cause);
      log.append(c, runId, "state", to + (cause == null ? "" : ": " + cause));
      return true;
    });
  }

  /** Writes columns of the run other than its state (job status, model, error, job id if absent). */
  public void setColumns(String runId, Map<String, Object> sets) {
    db.write(c -> {
      runs.set(c, runId, sets);
      return null;
    });
  }

  public void setError(String runId, String error) {
    db.write(c -> {
      runs.set(c, runId, java.util.Collections.singletonMap("error", error));
      return log.append(c, runId, "error", error);
    });
  }

  public void log(String runId, String step, String detail) {
    log.log(runId, step, detail);
  }

  /**
   * Records the hashes of the dataset files a run prepared (the validation file's, if it has one), once: a later
   * preparation of the same run (a resume converting the data again) leaves the first ones, the data it uploaded.
   */
  public void recordDatasetHashes(String runId, String trainingSha256, String validationSha256) {
    db.write(c -> Jdbc.update(c, "UPDATE runs SET training_sha256 = ?, validation_sha256 = ? WHERE id = ?"
        + " AND training_sha256 IS NULL", trainingSha256, validationSha256, runId));
  }

  /** The hashes {@link #recordDatasetHashes} recorded for the run: training, then validation if any; or none. */
  public List<String> datasetHashes(String runId) {
    return db.read(c -> Jdbc.one(c, "SELECT training_sha256, validation_sha256 FROM runs WHERE id = ?", rs -> {
      List<String> out = new java.util.ArrayList<>();
      if (rs.getString(1) != null) {
        out.add(rs.getString(1));
        if (rs.getString(2) != null) {
          out.add(rs.getString(2));
        }
      }
      return out;
    }, runId).orElse(List.of()));
  }

  /** The log lines of a run, oldest first, as {@code step detail}. */
  public List<String> logOf(String runId) {
    return log.of(runId);
  }

  /** The run's moves, oldest first, as {@code FROM -EVENT-> TO}. */
  public List<String> history(String runId) {
    return transitions.history(runId);
  }

  // ---------------------------------------------------------------- submission and uploads

  public Claim claimSubmit(String runId, Duration lease) {
    return leases.claimSubmit(runId, lease);
  }

  /** Written before each create call: after this, a crash means "the job may exist". */
  public void submitAttempt(String runId, int attempt) {
    db.write(c -> {
      Jdbc.update(c, "UPDATE runs SET submit_attempts = submit_attempts + 1 WHERE id = ?", runId);
      return log.append(c, runId, "submit.start", "attempt " + attempt);
    });
  }

  public boolean renewSubmit(String runId, Duration lease) {
    return leases.renewSubmit(runId, lease);
  }

  public void releaseSubmit(String runId) {
    leases.releaseSubmit(runId);
  }

  public Claim claimUpload(String provider, String sha256, String fileName, long size, Duration lease) {
    return leases.claimUpload(provider, sha256, fileName, size, lease);
  }

  public boolean renewUpload(String provider, String sha256, Duration lease) {
    return leases.renewUpload(provider, sha256, lease);
  }

  public void uploadAttempt(String runId, String provider, String sha256, String fileName) {
    db.write(c -> {
      uploads.attempt(c, provider, sha256);
      return log.append(c, runId, "upload.start", fileName + " sha256=" + sha256);
    });
  }

  public void uploadDone(String runId, String provider, String sha256, String fileId, String how) {
    db.write(c -> {
      uploads.done(c, provider, sha256, fileId);
      return log.append(c, runId, "upload.done", fileId + " (" + how + ")");
    });
  }

  public void releaseUpload(String provider, String sha256) {
    leases.releaseUpload(provider, sha256);
  }

  /**
   * Forgets the recorded upload {@code fileId} of this content (the provider deleted it), so the next claim
   * uploads it again; compares and sets, so an upload another process recorded meanwhile is kept.
   */
  public void uploadExpired(String runId, String provider, String sha256, String fileId) {
    db.write(c -> {
      uploads.expired(c, provider, sha256, fileId);
      return log.append(c, runId, "upload.expired", fileId + " sha256=" + sha256 + " (the provider no longer holds it)");
    });
  }

  public void releaseAllExcept(Set<Thread> stillWorking) {
    leases.releaseAllExcept(stillWorking);
  }

  // ---------------------------------------------------------------- webhooks

  public Optional<String> jobStatusOf(String runId) {
    return runs.jobStatusOf(runId);
  }

  public Optional<String> runOfJob(String jobId) {
    return runs.runOfJob(jobId);
  }

  public boolean claimWebhook(String webhookId, Instant forgetBefore) {
    return webhooks.claim(webhookId, forgetBefore);
  }

  public void forgetWebhook(String webhookId) {
    webhooks.forget(webhookId);
  }

  // ---------------------------------------------------------------- deployments and evals

  public void deployment(String runId, Deployment d) {
    db.write(c -> {
      deployments.upsert(c, runId, d);
      return log.append(c, runId, "deploy.state", d.id() + " " + d.state());
    });
  }

  public Optional<Deployment> deploymentOf(String runId) {
    return deployments.of(runId);
  }

  /**
   * Records {@code json} under {@code name} unless the run already has a result of that name (so two
   * processes evaluating one run keep the first result). Returns whether this call recorded it.
   */
  public boolean evalResultOnce(String runId, String name, String json) {
    return db.write(c -> {
      // The run's row lock serialises two processes recording at once on a server (SQLite: the write lock).
      Jdbc.one(c, "SELECT id FROM runs WHERE id = ?" + db.dialect().lockRow(), rs -> rs.getString(1), runId);
      boolean recorded = evaluations.recordOnce(c, runId, name, json);
      if (recorded) {
        log.append(c, runId, "eval", name);
      }
      return recorded;
    });
  }

  /** The first result recorded under {@code name} for the run, if any. */
  public Optional<String> evalResult(String runId, String name) {
    return evaluations.first(runId, name);
  }

  public List<String> evalResults(String runId) {
    return evaluations.all(runId);
  }

  // ---------------------------------------------------------------- plumbing

  @Override
  public void close() {
    close(Set.of());
  }

  /** Closes the ledger, releasing this instance's leases except those of {@code stillWorking}. */
  public void close(Set<Thread> stillWorking) {
    if (!db.isOpen()) {
      return;
    }
    try {
      releaseAllExcept(stillWorking);
    } finally {
      db.close();
    }
  }

  /** A run id that is not in the ledger. */
  public static final class NotFoundInLedger extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public NotFoundInLedger(String runId) {
      super("no run '" + runId + "' in this ledger; list runs with tk.runs() (is 'ledger:' pointing at the right file?)");
    }
  }
}
