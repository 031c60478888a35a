package dev.tunekit.openai;

import static dev.tunekit.openai.OpenAiWireMock.BASE_MODEL;
import static dev.tunekit.openai.OpenAiWireMock.CANARY_KEY;
import static dev.tunekit.openai.OpenAiWireMock.T0;
import static dev.tunekit.openai.OpenAiWireMock.event;
import static dev.tunekit.openai.OpenAiWireMock.job;
import static dev.tunekit.openai.OpenAiWireMock.metricsEvent;
import static dev.tunekit.openai.OpenAiWireMock.with;
import static dev.tunekit.openai.WorkflowStubs.JOB;
import static dev.tunekit.openai.WorkflowStubs.JOBS;
import static dev.tunekit.openai.WorkflowStubs.TUNED;
import static dev.tunekit.openai.WorkflowStubs.chatDataset;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tunekit.Run;
import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.openai.TestHooks.FakeTime;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What waiting for a long OpenAI job costs per poll, counted on a loopback WireMock: a job with a long
 * event history (1,000 events, 500 of them metrics events, in ten pages of 100) that keeps running for
 * 30 polls. The history is downloaded once; after that a poll is one job read and one small events read,
 * through one circuit-breaker call, however long the history is.
 */
class OpenAiPollingCostTest {
  static final int HISTORY = 1_000;
  static final int RUNNING_POLLS = 30;
  static final String EVENTS = JOBS + "/" + JOB + "/events";

  @TempDir Path dir;
  OpenAiWireMock api;
  FakeTime time;

  @BeforeEach
  void start() {
    api = OpenAiWireMock.start();
    time = new FakeTime();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void eachPollOfALongJobIsOneJobReadAndOneSmallEventsReadThroughOneBreakerCall() throws Exception {
    new WorkflowStubs(api).stubSucceedingRun();
    List<Map<String, Object>> states = new ArrayList<>();
    for (int i = 0; i < RUNNING_POLLS; i++) {
      states.add(with(job(JOB, "running"), "trained_tokens", 1000));
    }
    states.add(with(job(JOB, "succeeded"), "fine_tuned_model", TUNED, "finished_at", T0 + 600, "trained_tokens", 3000,
        "result_files", List.of("file-result")));
    api.stubJobStates(JOB, states);
    // Newest first in pages of 100, as the API lists them: odd events are metrics events (step = id / 2).
    List<List<Map<String, Object>>> pages = new ArrayList<>();
    for (int top = HISTORY; top > 0; top -= 100) {
      List<Map<String, Object>> page = new ArrayList<>();
      for (int id = top; id > top - 100; id--) {
        page.add(id % 2 == 0 ? metricsEvent("ev-" + id, T0 + id, id / 2, 2.0 - id / 1000.0, 0.5)
            : event("ev-" + id, T0 + id, "info", "Step " + id));
      }
      pages.add(page);
    }
    api.stubEvents(JOB, pages);
    api.stubFileContent("file-result", "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n"
        + (HISTORY / 2 + 1) + ",0.5,0.9,,\n");

    List<JobEvent> events = new ArrayList<>();
    List<MetricPoint> metrics = new ArrayList<>();
    try (Tunekit tk = time.install(Tunekit.builder().provider("openai").setting("baseUrl", api.baseUrl())
            .setting("apiKey", CANARY_KEY).ledger(dir.resolve("ledger.db")).workDir(dir.resolve("work"))
            .polling(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofHours(1)))
        .build()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(chatDataset(dir.resolve("train.jsonl"), 12)).start();
      CircuitBreaker breaker = tk.resilience().circuitBreakers().circuitBreaker("openai");
      java.util.concurrent.atomic.AtomicInteger breakerCalls = new java.util.concurrent.atomic.AtomicInteger();
      breaker.getEventPublisher().onSuccess(e -> breakerCalls.incrementAndGet())
          .onError(e -> breakerCalls.incrementAndGet()).onCallNotPermitted(e -> breakerCalls.incrementAndGet());
      api.server().resetRequests();
      time.clearSleeps();

      RunResult result = run.await(new RunListener() {
        @Override
        public void onEvent(JobEvent event) {
          events.add(event);
        }

        @Override
        public void onMetric(MetricPoint point) {
          metrics.add(point);
        }
      });

      assertThat(result.state()).isEqualTo(RunState.TRAINED);
      assertThat(events).hasSize(HISTORY);
      assertThat(metrics).extracting(MetricPoint::step).startsWith(1L, 2L).endsWith((long) HISTORY / 2, HISTORY / 2 + 1L)
          .hasSize(HISTORY / 2 + 1);
      int polls = time.sleeps().size() + 1;
      assertThat(polls).isEqualTo(RUNNING_POLLS + 1); // each poll reads the job once: one snapshot per poll
      assertThat(api.count("GET", JOBS + "/" + JOB)).isEqualTo(polls);
      List<LoggedRequest> eventReads = api.requests("GET", EVENTS);
      // The history once (ten pages), then one 10-event page per poll, never an older page again.
      assertThat(eventReads).hasSize(10 + polls - 1);
      assertThat(eventReads.subList(10, eventReads.size()))
          .allSatisfy(r -> assertThat(r.queryParameter("after").isPresent()).isFalse())
          .allSatisfy(r -> assertThat(r.queryParameter("limit").firstValue())
              .isEqualTo(Long.toString(OpenAiTuningProvider.INCREMENTAL_LIMIT)));
      assertThat(api.count("GET", "/files/file-result/content")).isEqualTo(1);
      assertThat(api.server().getAllServeEvents()).hasSize(polls + 10 + polls - 1 + 1);
      assertThat(breakerCalls.get()).isEqualTo(polls);
    }
  }
}
