package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Capability;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.testing.FakeProvider;
import dev.tunekit.testing.FakeProvider.Op;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The contract's canaries: deliberately broken providers run through it, and the rules they break must
 * fail (not pass, not skip). A TCK that cannot fail proves nothing.
 */
class TckSelfTest {

  /** What happened to each rule of one contract class: passed, failed (with message) or skipped (with reason). */
  static Map<String, String> run(Class<?> contractClass) {
    Map<String, String> outcomes = new LinkedHashMap<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(contractClass)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest()) {
              String name = id.getDisplayName().replace("()", "");
              outcomes.put(name, result.getStatus() + result.getThrowable().map(t -> ": " + t.getMessage()).orElse(""));
            }
          }

          @Override
          public void executionSkipped(TestIdentifier id, String reason) {
            outcomes.put(id.getDisplayName().replace("()", ""), "SKIPPED: " + reason);
          }
        });
    return outcomes;
  }

  @Test
  void aProviderThatIgnoresTheCursorFailsTheCursorRules() {
    Map<String, String> out = run(IgnoresCursors.class);
    assertThat(out.get("required_events_cursor_readsOnlyWhatIsNew")).startsWith("FAILED");
    assertThat(out.get("required_metrics_cursor_readsOnlyWhatIsNew")).startsWith("FAILED");
    assertThat(out.get("required_createJob_thenFindJobByKey_sameJob")).isEqualTo("SUCCESSFUL");
  }

  @Test
  void aProviderThatGuessesUnknownStatusesFailsTheUnknownStatusRule() {
    Map<String, String> out = run(GuessesStatuses.class);
    assertThat(out.get("required_status_unknownRawStatus_isPreservedAsUnknown")).startsWith("FAILED");
  }

  @Test
  void aProviderThatLosesTheOutcomeOfALostCreateFailsTheFindAfterUnknownOutcomeRule() {
    Map<String, String> out = run(ForgetsKeys.class);
    assertThat(out.get("required_createJob_lostReply_thenFindJobByKey_findsIt")).startsWith("FAILED");
    assertThat(out.get("required_createJob_thenFindJobByKey_sameJob")).startsWith("FAILED");
  }

  @Test
  void aDeclaredCapabilityIsNeverSkippedAndAnUndeclaredOneIsSkippedByName() {
    Map<String, String> declared = run(DeclaresChatWithoutOfferingIt.class);
    assertThat(declared.get("optional_chat_answersWithContentAndModel"))
        .startsWith("FAILED").contains("declares capability Chat");
    assertThat(declared.get("required_declaredCapabilities_areReachable")).startsWith("FAILED").contains("Chat");

    Map<String, String> undeclared = run(ChatNotOffered.class);
    assertThat(undeclared.get("optional_chat_answersWithContentAndModel"))
        .startsWith("ABORTED").contains("does not offer capability Chat");
  }

  @Test
  void aCapabilityOfferedButNotUnderContractFailsTheCoverageRule() {
    Map<String, String> out = run(OffersChatWithoutItsContract.class);
    assertThat(out.get("required_capabilities_declaredOnesAreUnderContract")).startsWith("FAILED")
        .contains("Chat").contains("ChatContract");
  }

  // ------------------------------------------------------------------ broken providers

  /** Everything forwarded to a {@link FakeProvider}; subclasses break one thing. */
  static class Forwarding implements TuningProvider {
    final FakeProvider fake;

    Forwarding(FakeProvider fake) {
      this.fake = fake;
    }

    @Override public String name() { return "broken"; }
    @Override public DatasetFormat trainingFormat(String m, DatasetKind k) { return fake.trainingFormat(m, k); }
    @Override public Optional<RemoteFile> findFile(FileUpload u) { return fake.findFile(u); }
    @Override public RemoteFile upload(FileUpload u) { return fake.upload(u); }
    @Override public RemoteJob createJob(JobRequest r) { return fake.createJob(r); }
    @Override public Optional<RemoteJob> findJob(String key) { return fake.findJob(key); }
    @Override public RemoteJob job(String id) { return fake.job(id); }
    // No @Override on the list reads and chat: they stay valid when SPI v2 drops them from TuningProvider.
    public List<JobEvent> events(String id) { return fake.events(id); }
    public List<MetricPoint> metrics(String id) { return fake.metrics(id); }
    @Override public RemoteJob cancel(String id) { return fake.cancel(id); }
    public ChatResponse chat(ChatRequest r) { return fake.chat(r); }
    @Override public void close() {}
  }

  /** A fixture over a fake, with a provider made from it by {@code wrap}. */
  static class Fixture implements ProviderFixture {
    final FakeProvider fake = new FakeProvider();
    final TuningProvider provider;
    final Path dir;

    Fixture(Path dir, java.util.function.Function<FakeProvider, TuningProvider> wrap) {
      this.dir = dir;
      this.provider = wrap.apply(fake);
    }

    @Override public TuningProvider provider() { return provider; }
    @Override public String baseModel() { return "base"; }
    @Override public void nextUploadCommitsThenDropsConnection(FileUpload u) {
      fake.commitThenFail(Op.UPLOAD, FakeProvider.timeoutAfterSend());
    }
    @Override public void nextCreateCommitsThenDropsConnection(JobRequest r) {
      fake.commitThenFail(Op.CREATE_JOB, FakeProvider.timeoutAfterSend());
    }
    @Override public Map<String, Class<? extends JobStatus>> rawStatuses() {
      return Map.of("running", JobStatus.Running.class, "succeeded", JobStatus.Succeeded.class,
          "failed", JobStatus.Failed.class, "cancelled", JobStatus.Cancelled.class);
    }
    @Override public String unknownRawStatus() { return "mystery"; }
    @Override public String jobReporting(String raw) {
      fake.script(switch (raw) {
        case "running" -> new JobStatus.Running(raw);
        case "succeeded" -> new JobStatus.Succeeded(raw, Optional.of("ft:x"));
        case "failed" -> new JobStatus.Failed(raw, "boom", Optional.empty());
        case "cancelled" -> new JobStatus.Cancelled(raw);
        default -> new JobStatus.Unknown(raw);
      });
      String file = fake.upload(TckValues.chatUpload(fake, "base", dir, "f" + System.nanoTime())).id();
      return fake.createJob(TckValues.jobRequest("base", file)).id();
    }
    @Override public String runningJob() { return jobReporting("running"); }
    @Override public String succeededJob() { return jobReporting("succeeded"); }
    @Override public String jobWithHistory() {
      fake.script(new JobStatus.Running("running"), new JobStatus.Running("running"), new JobStatus.Running("running"));
      String id = jobReporting("x");
      fake.script(new JobStatus.Running("running"), new JobStatus.Running("running"), new JobStatus.Running("running"));
      fake.job(id);
      fake.job(id);
      return id;
    }
    @Override public void appendHistory(String id) { fake.job(id); }
    @Override public String chatModel() { return "base"; }
  }

  abstract static class Broken extends TuningProviderContract {
    @Override protected Set<Class<? extends Capability>> declaredCapabilities() { return Set.of(); }
  }

  static class IgnoresCursors extends Broken {
    @Override protected ProviderFixture createFixture(Path dir) {
      return new Fixture(dir, f -> new Forwarding(f) {
        @Override public Page<JobEvent> events(String id, Optional<Cursor> after) {
          return new Page<>(fake.events(id), Optional.of(new Cursor("0")));
        }
        @Override public Page<MetricPoint> metrics(String id, Optional<Cursor> after) {
          return new Page<>(fake.metrics(id), Optional.of(new Cursor("0")));
        }
      });
    }
  }

  static class GuessesStatuses extends Broken {
    @Override protected ProviderFixture createFixture(Path dir) {
      return new Fixture(dir, f -> new Forwarding(f) {
        @Override public RemoteJob job(String id) {
          RemoteJob j = fake.job(id);
          return j.status() instanceof JobStatus.Unknown u
              ? new RemoteJob(j.id(), new JobStatus.Running(u.raw()), j.baseModel(), j.createdAt(), j.finishedAt(),
                  j.trainedTokens(), j.metadata())
              : j;
        }
      });
    }
  }

  static class ForgetsKeys extends Broken {
    @Override protected ProviderFixture createFixture(Path dir) {
      return new Fixture(dir, f -> new Forwarding(f) {
        @Override public Optional<RemoteJob> findJob(String key) { return Optional.empty(); }
      });
    }
  }

  static class DeclaresChatWithoutOfferingIt extends TuningProviderContract implements ChatContract {
    @Override protected ProviderFixture createFixture(Path dir) { return new Fixture(dir, Forwarding::new); }
    @Override protected Set<Class<? extends Capability>> declaredCapabilities() { return Set.of(Chat.class); }
  }

  static class ChatNotOffered extends Broken implements ChatContract {
    @Override protected ProviderFixture createFixture(Path dir) { return new Fixture(dir, Forwarding::new); }
  }

  /** Offers Chat (implements it) but neither declares it nor mixes in its contract. */
  static class OffersChatWithoutItsContract extends Broken {
    @Override protected ProviderFixture createFixture(Path dir) {
      return new Fixture(dir, ChattyForwarding::new);
    }
  }

  static final class ChattyForwarding extends Forwarding implements Chat {
    ChattyForwarding(FakeProvider fake) {
      super(fake);
    }
  }
}
