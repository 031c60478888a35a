package dev.tunekit.openai;

import static dev.tunekit.openai.OpenAiLifecycleTest.CSV;
import static dev.tunekit.openai.OpenAiLifecycleTest.JOB;
import static dev.tunekit.openai.OpenAiLifecycleTest.KEY;
import static dev.tunekit.openai.OpenAiWireMock.T0;
import static dev.tunekit.openai.OpenAiWireMock.event;
import static dev.tunekit.openai.OpenAiWireMock.job;
import static dev.tunekit.openai.OpenAiWireMock.metricsEvent;
import static dev.tunekit.openai.OpenAiWireMock.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.TuningProvider;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events and metrics read with cursors against the list endpoint's real ordering: newest first, paged
 * toward older events with {@code after} = the last id of the previous page.
 */
class OpenAiCursorTest {
  private static final String EVENTS = "/fine_tuning/jobs/" + JOB + "/events";
  OpenAiWireMock api;
  TuningProvider provider;

  @BeforeEach
  void start() {
    api = OpenAiWireMock.start();
    provider = api.provider();
  }

  @AfterEach
  void stop() {
    provider.close();
    api.close();
  }

  private void stubFiveEventsInThreePages() {
    api.stubEvents(JOB, List.of(
        List.of(event("ev-5", T0 + 50, "info", "Step 3"), event("ev-4", T0 + 40, "info", "Step 2")),
        List.of(event("ev-3", T0 + 30, "info", "Step 1"), event("ev-2", T0 + 20, "info", "Started")),
        List.of(event("ev-1", T0 + 10, "info", "Created fine-tuning job"))));
  }

  private static String after(LoggedRequest r) {
    return r.queryParameter("after").isPresent() ? r.queryParameter("after").firstValue() : "-";
  }

  private static String limit(LoggedRequest r) {
    return r.queryParameter("limit").isPresent() ? r.queryParameter("limit").firstValue() : "-";
  }

  @Test
  void aSecondPollWithNoNewEventsMakesExactlyOneRequestAndDownloadsNoOldPage() {
    stubFiveEventsInThreePages();
    Page<JobEvent> first = provider.events(JOB, Optional.empty());
    assertThat(first.items()).extracting(JobEvent::id).containsExactly("ev-1", "ev-2", "ev-3", "ev-4", "ev-5");
    assertThat(first.next()).contains(new Cursor("ev-5")); // the newest event delivered
    assertThat(api.requests("GET", EVENTS)).extracting(OpenAiCursorTest::after).containsExactly("-", "ev-4", "ev-2");
    api.server().resetRequests();

    Page<JobEvent> second = provider.events(JOB, first.next());

    assertThat(second.items()).isEmpty();
    assertThat(second.next()).isEqualTo(first.next());
    List<LoggedRequest> requests = api.requests("GET", EVENTS);
    assertThat(requests).hasSize(1);
    assertThat(after(requests.get(0))).isEqualTo("-"); // the newest page, never a page after an older event
    assertThat(limit(requests.get(0))).isEqualTo(Long.toString(OpenAiTuningProvider.INCREMENTAL_LIMIT));
  }

  @Test
  void newEventsArePagedOnlyDownToTheLastSeenEventAndDeliveredOldestFirst() {
    stubFiveEventsInThreePages();
    Optional<Cursor> cursor = provider.events(JOB, Optional.empty()).next();
    // three more events arrive: the newest page now holds ev-8 and ev-7, the next ev-6 and ev-5
    api.stubEvents(JOB, List.of(
        List.of(event("ev-8", T0 + 80, "info", "Step 6"), event("ev-7", T0 + 70, "info", "Step 5")),
        List.of(event("ev-6", T0 + 60, "info", "Step 4"), event("ev-5", T0 + 50, "info", "Step 3")),
        List.of(event("ev-4", T0 + 40, "info", "Step 2"), event("ev-3", T0 + 30, "info", "Step 1")),
        List.of(event("ev-2", T0 + 20, "info", "Started"), event("ev-1", T0 + 10, "info", "Created"))));
    api.server().resetRequests();

    Page<JobEvent> page = provider.events(JOB, cursor);

    assertThat(page.items()).extracting(JobEvent::id).containsExactly("ev-6", "ev-7", "ev-8");
    assertThat(page.next()).contains(new Cursor("ev-8"));
    // the newest page, then the one after its last event, which holds ev-5: no request for ev-4 or older
    assertThat(api.requests("GET", EVENTS)).extracting(OpenAiCursorTest::after).containsExactly("-", "ev-7");
  }

  @Test
  void metricsComeFromNewMetricsEventsWhileRunningThenFromTheResultFileOnce() {
    api.stubJobStates(JOB, List.of(job(JOB, "running", KEY), job(JOB, "running", KEY),
        with(job(JOB, "succeeded", KEY), "fine_tuned_model", "ft:x", "result_files", List.of("file-result"))));
    api.stubEvents(JOB, List.of(List.of(
        metricsEvent("ev-4", T0 + 40, 2, 1.75, 0.55),
        event("ev-3", T0 + 30, "info", "Fine-tuning started"),
        metricsEvent("ev-2", T0 + 20, 1, 2.5, 0.40),
        event("ev-1", T0 + 10, "info", "Created fine-tuning job"))));
    api.stubFileContent("file-result", CSV);

    Page<MetricPoint> running = provider.metrics(JOB, Optional.empty());
    assertThat(running.items()).extracting(MetricPoint::step).containsExactly(1L, 2L);

    api.server().resetRequests();
    Page<MetricPoint> quiet = provider.metrics(JOB, running.next());
    assertThat(quiet.items()).isEmpty();
    assertThat(api.requests("GET", EVENTS)).hasSize(1).allSatisfy(r -> assertThat(after(r)).isEqualTo("-"));

    Page<MetricPoint> done = provider.metrics(JOB, quiet.next());
    assertThat(done.items()).extracting(MetricPoint::step).containsExactly(3L); // steps 1 and 2 are not repeated
    assertThat(done.items().get(0).trainLoss()).hasValue(1.25);
    assertThat(api.count("GET", "/files/file-result/content")).isEqualTo(1);

    api.server().resetRequests();
    Page<MetricPoint> after = provider.metrics(JOB, done.next());
    assertThat(after.items()).isEmpty();
    assertThat(api.server().getAllServeEvents()).isEmpty(); // the result file is final: nothing is read again
  }
}
