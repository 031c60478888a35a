package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Checkpoints;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.spi.Resumable;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.WebhookVerification;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider contract (TCK): the rules every {@link TuningProvider} must keep for the core's
 * crash-safe, exactly-once workflow to hold on it. Extend it in your provider's tests, supply a
 * {@link ProviderFixture} that scripts your loopback server, list the capabilities your provider
 * declares, and mix in the contract of each ({@code implements ChatContract, DeploymentsContract}):
 *
 * <pre>{@code
 * class AcmeTckTest extends TuningProviderContract implements ChatContract {
 *   protected ProviderFixture createFixture(Path dir) { return new AcmeFixture(dir); }
 *   protected Set<Class<? extends Capability>> declaredCapabilities() { return Set.of(Chat.class); }
 * }
 * }</pre>
 *
 * <p>Rules are named by level: {@code required_…} always runs; {@code optional_…} belongs to a
 * capability and is skipped, naming the capability, only when the provider neither declares nor offers
 * it. A declared capability is never skipped. Each rule's Javadoc says what to check when it fails. A
 * summary (required, passed, skipped) is printed after the class. Waits are bounded by
 * {@link #timeout()} ({@code TUNEKIT_TCK_TIMEOUT}, default 30s).
 */
@ExtendWith({TckSummary.class, TckExclusions.class})
public abstract class TuningProviderContract implements CapabilityContract {

  /** The capability types the TCK knows, with the contract interface that checks each. */
  static final Map<Class<? extends Capability>, Class<?>> CONTRACTS = contracts();

  @TempDir
  Path tckDir;

  private ProviderFixture fixture;
  private TuningProvider provider;

  /** Starts this test's fixture (and its server), with a fresh directory for files. */
  protected abstract ProviderFixture createFixture(Path dir) throws Exception;

  /** The capabilities the provider declares: their contracts must pass and can never be skipped. */
  protected abstract Set<Class<? extends Capability>> declaredCapabilities();

  /** The longest wait for an eventual state (a cancel that takes effect asynchronously). */
  protected Duration timeout() {
    String env = System.getenv("TUNEKIT_TCK_TIMEOUT");
    return env == null || env.isBlank() ? Duration.ofSeconds(30) : Duration.parse("PT" + env.trim().toUpperCase());
  }

  @BeforeEach
  final void openFixture() throws Exception {
    fixture = createFixture(tckDir);
    provider = fixture.provider();
  }

  @AfterEach
  final void closeFixture() throws Exception {
    try {
      if (provider != null) {
        provider.close();
      }
    } finally {
      if (fixture != null) {
        fixture.close();
      }
    }
  }

  @Override
  public final TuningProvider provider() {
    return provider;
  }

  @Override
  public final ProviderFixture fixture() {
    return fixture;
  }

  @Override
  public final <C extends Capability> C require(Class<C> type) {
    Optional<C> c = provider.capability(type);
    if (c.isPresent()) {
      return c.get();
    }
    if (declares(type)) {
      fail("Provider " + provider.name() + " declares capability " + type.getSimpleName()
          + " but capability(" + type.getSimpleName() + ".class) is empty. Implement the interface on the provider "
          + "(or forward it from a decorator), or stop declaring it.");
    }
    Assumptions.abort("provider " + provider.name() + " does not offer capability " + type.getSimpleName());
    throw new AssertionError("unreachable");
  }

  /**
   * Whether the provider declares {@code type}, itself or through a capability that extends it (declaring
   * {@code PauseResume} declares {@code Resumable}).
   */
  private boolean declares(Class<? extends Capability> type) {
    return declaredCapabilities().stream().anyMatch(type::isAssignableFrom);
  }

  // ================================================================== files

  @Override
  public final RemoteFile uploadedChatFile(String tag) {
    return uploaded(tag);
  }

  private RemoteFile uploaded(String tag) {
    FileUpload upload = TckValues.chatUpload(provider, fixture.baseModel(), tckDir, tag);
    fixture.acceptUpload(upload);
    return provider.upload(upload);
  }

  /**
   * An upload returns the provider's id for the file. If this fails, check the upload call and that the
   * returned {@code RemoteFile} carries the id the provider reports, not the local name.
   */
  @Test
  void required_upload_returnsTheProvidersFile() {
    FileUpload upload = TckValues.chatUpload(provider, fixture.baseModel(), tckDir, "upload");
    fixture.acceptUpload(upload);
    RemoteFile f = provider.upload(upload);
    assertThat(f.id()).as("the provider's file id").isNotBlank();
    assertThat(f.sizeBytes()).as("size the provider reports (or -1)").isIn(upload.sizeBytes(), -1L);
  }

  /**
   * After an upload whose reply was lost (stored on the server, connection dropped), the failure says
   * the outcome is unknown, and {@code findFile} finds the file by name and size, so the core never
   * uploads it twice. If this fails, check the error translation of a dropped connection
   * ({@code outcomeUnknown()} must be true for writes) and that {@code findFile} lists every page and
   * compares the remote name and size.
   */
  @Test
  void required_findFile_afterUploadWithLostReply_findsIt() {
    FileUpload upload = TckValues.chatUpload(provider, fixture.baseModel(), tckDir, "lost-upload");
    fixture.nextUploadCommitsThenDropsConnection(upload);
    assertThatThrownBy(() -> provider.upload(upload)).as("upload whose reply is lost")
        .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.outcomeUnknown())
            .as("outcomeUnknown() of %s", e).isTrue());
    Optional<RemoteFile> found = provider.findFile(upload);
    assertThat(found).as("findFile after the lost reply").isPresent();
    assertThat(found.get().sizeBytes()).as("size of the file found").isIn(upload.sizeBytes(), -1L);
  }

  /** A file never uploaded is not found. If this fails, check that {@code findFile} compares name and size. */
  @Test
  void required_findFile_neverUploaded_isEmpty() {
    uploaded("someone-else");
    FileUpload never = TckValues.chatUpload(provider, fixture.baseModel(), tckDir, "never-uploaded");
    assertThat(provider.findFile(never)).as("findFile of a file never uploaded").isEmpty();
  }

  // ================================================================== jobs

  /**
   * A created job is found again by its idempotency key, as the same job. If this fails, check that
   * {@code createJob} stores {@link JobRequest#idempotencyKey()} with the job (metadata, client token)
   * and that {@code findJob} looks it up there.
   */
  @Test
  void required_createJob_thenFindJobByKey_sameJob() {
    RemoteFile file = uploaded("create");
    JobRequest request = TckValues.jobRequest(fixture.baseModel(), file.id());
    fixture.acceptJob(request);
    RemoteJob created = provider.createJob(request);
    assertThat(created.id()).as("job id").isNotBlank();
    Optional<RemoteJob> found = provider.findJob(request.idempotencyKey());
    assertThat(found).as("findJob(%s)", request.idempotencyKey()).isPresent();
    assertThat(found.get().id()).as("the job found by key").isEqualTo(created.id());
  }

  /**
   * Preflight passes a plain plan for the provider's own base model (supervised, default
   * hyperparameters, plenty of examples): the engine calls it before every run, so a provider that
   * refuses its own base model can never start one. If this fails, check the provider's model catalog
   * (ids and aliases) and the settings its preflight requires against the fixture's settings.
   */
  @Test
  void required_preflight_acceptsAPlainPlanForItsBaseModel() {
    JobPlan plan = JobPlan.builder().baseModel(fixture.baseModel()).method(TrainingMethod.SUPERVISED)
        .trainingExamples(1000).validationExamples(0).build();
    assertThat(provider.preflight(plan)).as("preflight(%s)", plan).isEmpty();
  }

  /** No job is found for a key never used. If this fails, check that {@code findJob} filters by the exact key. */
  @Test
  void required_findJob_unknownKey_isEmpty() {
    assertThat(provider.findJob("tck-never-used-" + UUID.randomUUID())).as("findJob of an unused key").isEmpty();
  }

  /**
   * After a create whose reply was lost (the job exists, the connection dropped), the failure says the
   * outcome is unknown and {@code findJob} finds the job by key, so the core never creates it twice. If
   * this fails, check the error translation of a dropped connection on a write and the key lookup.
   */
  @Test
  void required_createJob_lostReply_thenFindJobByKey_findsIt() {
    RemoteFile file = uploaded("lost-create");
    JobRequest request = TckValues.jobRequest(fixture.baseModel(), file.id());
    fixture.nextCreateCommitsThenDropsConnection(request);
    assertThatThrownBy(() -> provider.createJob(request)).as("create whose reply is lost")
        .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.outcomeUnknown())
            .as("outcomeUnknown() of %s", e).isTrue());
    assertThat(provider.findJob(request.idempotencyKey())).as("findJob after the lost reply").isPresent();
  }

  // ================================================================== statuses

  /**
   * Every raw status the server can report maps to its neutral kind, and the raw spelling is kept. If
   * this fails, check the provider's status mapping table against the fixture's list; a succeeded job
   * must name its tuned model and a failed one must give a reason.
   */
  @Test
  void required_status_everyRawStatus_mapsAsDeclared() {
    Map<String, Class<? extends JobStatus>> statuses = fixture.rawStatuses();
    assertThat(statuses.values()).as("the fixture must script at least these neutral kinds")
        .contains(JobStatus.Running.class, JobStatus.Succeeded.class, JobStatus.Failed.class,
            JobStatus.Cancelled.class);
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Class<? extends JobStatus>> e : statuses.entrySet()) {
      String id = fixture.jobReporting(e.getKey());
      JobStatus s = provider.job(id).status();
      if (!e.getValue().isInstance(s) || !s.raw().equals(e.getKey())) {
        wrong.add(e.getKey() + " -> " + s + " (expected " + e.getValue().getSimpleName() + " keeping the raw status)");
      }
      if (s instanceof JobStatus.Succeeded ok && ok.model().filter(m -> !m.isBlank()).isEmpty()) {
        wrong.add(e.getKey() + " -> " + s + " (a succeeded job must name its tuned model)");
      }
      if (s instanceof JobStatus.Failed f && (f.reason() == null || f.reason().isBlank())) {
        wrong.add(e.getKey() + " -> " + s + " (a failed job must give a reason)");
      }
    }
    assertThat(wrong).as("statuses mapped wrongly").isEmpty();
  }

  /**
   * A status the provider does not know comes back as {@link JobStatus.Unknown} with the raw spelling,
   * never an exception and never a guess. If this fails, check that the mapping has a default branch
   * and never calls an SDK's {@code known()} (or {@code valueOf}) on a wire enum.
   */
  @Test
  void required_status_unknownRawStatus_isPreservedAsUnknown() {
    String raw = fixture.unknownRawStatus();
    JobStatus s = provider.job(fixture.jobReporting(raw)).status();
    assertThat(s).as("status of a job reporting '%s'", raw).isEqualTo(new JobStatus.Unknown(raw));
  }

  // ================================================================== cancel

  private JobStatus eventually(String jobId, JobStatus first, Predicate<JobStatus> done) {
    Instant end = Instant.now().plus(timeout());
    JobStatus s = first;
    while (!done.test(s) && Instant.now().isBefore(end)) {
      sleep(50);
      s = provider.job(jobId).status();
    }
    return s;
  }

  /**
   * Cancelling a running job ends it cancelled (at once, or on a later read for providers that stop
   * asynchronously). If this fails, check the cancel call and the mapping of the provider's
   * stopping/stopped statuses.
   */
  @Test
  void required_cancel_runningJob_endsCancelled() {
    String id = fixture.runningJob();
    RemoteJob r = provider.cancel(id);
    assertThat(r.id()).as("job returned by cancel").isEqualTo(id);
    assertThat(eventually(id, r.status(), s -> s instanceof JobStatus.Cancelled)).as("status after cancel")
        .isInstanceOf(JobStatus.Cancelled.class);
  }

  /**
   * Cancelling twice is fine: the second cancel (a retry after a lost reply, a second user click) does
   * not fail and the job stays cancelled. If this fails, check what the provider does when the server
   * refuses to cancel an already cancelled job: read the job and return it.
   */
  @Test
  void required_cancel_twice_isFine() {
    String id = fixture.runningJob();
    provider.cancel(id);
    RemoteJob again = provider.cancel(id);
    assertThat(eventually(id, again.status(), s -> s instanceof JobStatus.Cancelled)).as("status after two cancels")
        .isInstanceOf(JobStatus.Cancelled.class);
  }

  /**
   * Cancelling a job that already succeeded either does nothing (returns it, still succeeded) or fails
   * with a clear, non-retryable error naming the job; it never reports the job cancelled. If this
   * fails, check the cancel path for finished jobs.
   */
  @Test
  void required_cancel_succeededJob_doesNotFailOrSaysSoClearly() {
    String id = fixture.succeededJob();
    try {
      RemoteJob r = provider.cancel(id);
      assertThat(r.status()).as("cancel of a succeeded job returns it as it is").isInstanceOf(JobStatus.Succeeded.class);
    } catch (TunekitException e) {
      assertThat(e.getMessage()).as("the error names the job").contains(id);
      if (e instanceof ProviderException p) {
        assertThat(p.retryable()).as("retrying cannot help: retryable() of %s", p).isFalse();
      }
    }
    assertThat(provider.job(id).status()).as("status after the cancel").isInstanceOf(JobStatus.Succeeded.class);
  }

  // ================================================================== cursors

  /**
   * Reading events from a returned cursor gives only what is new: nothing when there is no news, the
   * new events (never one read before) after the job moved on. If this fails, check what the cursor
   * encodes (an event id, an index) and that a read with a cursor starts strictly after it.
   */
  @Test
  void required_events_cursor_readsOnlyWhatIsNew() {
    String id = fixture.jobWithHistory();
    Page<JobEvent> first = provider.events(id, Optional.empty());
    assertThat(first.items()).as("events of a job with history").isNotEmpty();
    assertThat(first.next()).as("cursor after the first read").isPresent();
    Page<JobEvent> none = provider.events(id, first.next());
    assertThat(none.items()).as("events after the cursor, with no news").isEmpty();
    assertThat(none.next()).as("cursor after a read with no news").isPresent();
    fixture.appendHistory(id);
    Page<JobEvent> news = provider.events(id, none.next());
    assertThat(news.items()).as("events after the job moved on").isNotEmpty();
    assertThat(news.items()).as("no event read twice").doesNotContainAnyElementsOf(first.items());
    List<String> oldIds = first.items().stream().map(JobEvent::id).filter(s -> !s.isBlank()).toList();
    assertThat(news.items().stream().map(JobEvent::id).filter(s -> !s.isBlank()).toList())
        .as("no event id read twice").doesNotContainAnyElementsOf(oldIds);
    assertThat(provider.events(id, news.next()).items()).as("events after the last cursor").isEmpty();
    assertThat(all(id)).as("a read from the beginning has everything, oldest first")
        .containsSubsequence(concat(first.items(), news.items()));
  }

  private List<JobEvent> all(String id) {
    return provider.events(id, Optional.empty()).items();
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /**
   * Reading metrics from a returned cursor gives only later steps: nothing when there is no news, and
   * only steps after the last one read once the job moved on. If this fails, check that the metrics
   * cursor encodes the last step (or index) read.
   */
  @Test
  void required_metrics_cursor_readsOnlyWhatIsNew() {
    String id = fixture.jobWithHistory();
    Page<MetricPoint> first = provider.metrics(id, Optional.empty());
    assertThat(first.items()).as("metrics of a job with history").isNotEmpty();
    Page<MetricPoint> none = provider.metrics(id, first.next());
    assertThat(none.items()).as("metrics after the cursor, with no news").isEmpty();
    assertThat(none.next()).as("cursor after a read with no news").isPresent();
    fixture.appendHistory(id);
    Page<MetricPoint> news = provider.metrics(id, none.next());
    assertThat(news.items()).as("metrics after the job moved on").isNotEmpty();
    long lastOld = first.items().stream().mapToLong(MetricPoint::step).max().orElseThrow();
    assertThat(news.items()).as("only steps after step %d", lastOld).allMatch(p -> p.step() > lastOld);
    assertThat(provider.metrics(id, news.next()).items()).as("metrics after the last cursor").isEmpty();
  }

  // ================================================================== capabilities

  /**
   * Every capability the provider declares is reachable through {@code capability(type)}. If this
   * fails, implement the capability interface on the provider class (a decorator must forward it).
   */
  @Test
  void required_declaredCapabilities_areReachable() {
    List<String> missing = new ArrayList<>();
    for (Class<? extends Capability> type : declaredCapabilities()) {
      if (provider.capability(type).isEmpty()) {
        missing.add(type.getSimpleName());
      }
    }
    assertThat(missing).as("capabilities declared by %s but not offered by capability(type)", provider.name())
        .isEmpty();
  }

  /**
   * Every capability the provider offers is declared, and every declared one has its contract mixed
   * into this test class, so no capability goes unchecked. If this fails, add the capability to
   * {@link #declaredCapabilities()} and {@code implements} its contract interface.
   */
  @Test
  void required_capabilities_declaredOnesAreUnderContract() {
    Map<String, String> problems = new LinkedHashMap<>();
    for (Map.Entry<Class<? extends Capability>, Class<?>> e : CONTRACTS.entrySet()) {
      boolean offered = provider.capability(e.getKey()).isPresent();
      boolean declared = declares(e.getKey());
      if (offered && !declared) {
        problems.put(e.getKey().getSimpleName(), "offered but not declared");
      }
      if ((offered || declared) && !e.getValue().isInstance(this)) {
        problems.put(e.getKey().getSimpleName(), "test class does not implement " + e.getValue().getSimpleName());
      }
    }
    for (Class<? extends Capability> type : declaredCapabilities()) {
      if (!CONTRACTS.containsKey(type)) {
        problems.put(type.getName(), "declared, but this TCK has no contract for it");
      }
    }
    assertThat(problems).as("capabilities outside the contract").isEmpty();
  }
  /**
   * Every line of {@value TckExclusions#RESOURCE} that names this class names one of its rules. If
   * this fails, fix the rule name in the file, or remove the line of a rule that no longer exists.
   */
  @Test
  void required_exclusions_nameRealRules() {
    java.util.Set<String> rules = new java.util.TreeSet<>();
    for (Class<?> c = getClass(); c != null; c = c.getSuperclass()) {
      for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
        rules.add(m.getName());
      }
      for (Class<?> i : c.getInterfaces()) {
        for (java.lang.reflect.Method m : i.getMethods()) {
          rules.add(m.getName());
        }
      }
    }
    assertThat(TckExclusions.entriesFor(getClass())).as("exclusions naming a rule %s does not have",
        getClass().getSimpleName()).allSatisfy(e -> assertThat(rules).as(e.source()).contains(e.rule()));
  }


  private static Map<Class<? extends Capability>, Class<?>> contracts() {
    Map<Class<? extends Capability>, Class<?>> m = new LinkedHashMap<>();
    m.put(Chat.class, ChatContract.class);
    m.put(Deployments.class, DeploymentsContract.class);
    m.put(PauseResume.class, PauseResumeContract.class);
    m.put(Resumable.class, PauseResumeContract.class);
    m.put(Checkpoints.class, CheckpointsContract.class);
    m.put(WebhookVerification.class, WebhookVerificationContract.class);
    m.put(dev.tunekit.spi.PriceQuotes.class, PriceQuotesContract.class);
    m.put(dev.tunekit.spi.StartFromCheckpoint.class, StartFromCheckpointContract.class);
    m.put(dev.tunekit.spi.ModelDownloads.class, ModelDownloadsContract.class);
    return java.util.Collections.unmodifiableMap(m);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}
