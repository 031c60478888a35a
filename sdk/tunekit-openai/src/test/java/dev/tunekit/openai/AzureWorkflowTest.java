package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.tunekit.openai.AzureArmStubs.armError;
import static dev.tunekit.openai.OpenAiWireMock.BASE_MODEL;
import static dev.tunekit.openai.OpenAiWireMock.CANARY_KEY;
import static dev.tunekit.openai.OpenAiWireMock.json;
import static dev.tunekit.openai.OpenAiWireMock.ok;
import static dev.tunekit.openai.OpenAiWireMock.with;
import static dev.tunekit.openai.WorkflowStubs.JOB;
import static dev.tunekit.openai.WorkflowStubs.JOBS;
import static dev.tunekit.openai.WorkflowStubs.TUNED;
import static dev.tunekit.openai.WorkflowStubs.body;
import static dev.tunekit.openai.WorkflowStubs.chatDataset;
import static dev.tunekit.openai.WorkflowStubs.createdJob;
import static dev.tunekit.openai.WorkflowStubs.createdJobForLookup;
import static dev.tunekit.openai.WorkflowStubs.templated;
import static dev.tunekit.openai.WorkflowStubs.templatedLookup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tunekit.Run;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.Graders;
import dev.tunekit.openai.TestHooks.FakeTime;
import dev.tunekit.spi.Deployment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The azure provider through Tunekit's public workflow against one loopback WireMock serving the Azure
 * OpenAI v1 data plane and Azure Resource Manager: evaluation through a deployment
 * ({@code deployBeforeEvaluation}), the deployment removed when the gate blocks, and faults on job
 * creation and on the deployment PUT (5xx, 429, reset, commit-then-drop) that leave exactly one job and
 * one deployment. Time is fake.
 */
class AzureWorkflowTest {
  static final Duration POLL = Duration.ofSeconds(5);
  /** Any deployment the engine names ({@code tunekit-<run id>}). */
  static final String DEPLOYMENTS = "/subscriptions/" + AzureArmStubs.SUBSCRIPTION + "/resourceGroups/"
      + AzureArmStubs.RESOURCE_GROUP + "/providers/Microsoft.CognitiveServices/accounts/" + AzureArmStubs.ACCOUNT
      + "/deployments/tunekit-[A-Za-z0-9_.-]+";

  @TempDir Path dir;
  OpenAiWireMock wm;
  WorkflowStubs stubs;
  FakeTime time;
  Path train;

  @BeforeEach
  void start() throws IOException {
    wm = OpenAiWireMock.startAzure();
    stubs = new WorkflowStubs(wm);
    time = new FakeTime();
    train = chatDataset(dir.resolve("train.jsonl"), 12);
    AzureArmStubs.install();
  }

  @AfterEach
  void stop() {
    AzureArmStubs.uninstall();
    wm.close();
  }

  private Tunekit open() {
    Tunekit.Builder b = Tunekit.builder().provider("azure").setting("endpoint", wm.rootUrl())
        .setting("apiKey", CANARY_KEY).setting("timeout", "10s");
    new AzureArmStubs(wm).settings().forEach(b::setting);
    return time.install(b.ledger(dir.resolve("ledger.db")).workDir(dir.resolve("work"))
        .retry(6, Duration.ofSeconds(20), Duration.ofSeconds(60), 2.0).polling(POLL, POLL, Duration.ofHours(1)))
        .build();
  }

  private static EvalSuite suite() {
    return EvalSuite.of("sql", EvalCase.of("c1", "question 1", "SELECT 1"), EvalCase.of("c2", "question 2", "SELECT 1"))
        .withGrader(Graders.exactMatch());
  }

  /** Chat answers by the {@code model} asked: the base model's deployment and the tuned model's deployment. */
  static void stubChatByModel(OpenAiWireMock wm, String baseReply, String deployedReply) {
    wm.stubChat(BASE_MODEL, baseReply);
    ResponseDefinitionBuilder deployed = ok(with(chatBody(deployedReply), "model", TUNED));
    wm.server().stubFor(post(urlPathEqualTo(wm.path("/chat/completions")))
        .withRequestBody(matchingJsonPath("$.model", com.github.tomakehurst.wiremock.client.WireMock.matching(
            "tunekit-.+"))).willReturn(deployed));
  }

  private static Map<String, Object> chatBody(String reply) {
    return Map.of("id", "chatcmpl-2", "object", "chat.completion", "created", OpenAiWireMock.T0, "model", TUNED,
        "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
            "message", Map.of("role", "assistant", "content", reply))),
        "usage", Map.of("prompt_tokens", 12, "completion_tokens", 3, "total_tokens", 15));
  }

  /** ARM: any tunekit-… deployment is absent, then Creating after the PUT, then Succeeded; DELETE removes it. */
  static void stubArmLifecycle(OpenAiWireMock wm) {
    String s = "arm";
    wm.server().stubFor(get(urlPathMatching(DEPLOYMENTS)).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willReturn(armError(404, "DeploymentNotFound", "The deployment does not exist.")));
    wm.server().stubFor(put(urlPathMatching(DEPLOYMENTS)).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("creating").willReturn(deployment(201, "Creating")));
    wm.server().stubFor(get(urlPathMatching(DEPLOYMENTS)).inScenario(s).whenScenarioStateIs("creating")
        .willSetStateTo("ready").willReturn(deployment(200, "Creating")));
    wm.server().stubFor(get(urlPathMatching(DEPLOYMENTS)).inScenario(s).whenScenarioStateIs("ready")
        .willReturn(deployment(200, "Succeeded")));
    wm.server().stubFor(delete(urlPathMatching(DEPLOYMENTS)).willReturn(aResponse().withStatus(200)));
  }

  private static ResponseDefinitionBuilder deployment(int status, String state) {
    return AzureArmStubs.json(status, AzureArmStubs.deployment("tunekit-run", TUNED, state, "standard"));
  }

  private int armPuts() {
    return wm.server().findAll(putRequestedFor(urlPathMatching(DEPLOYMENTS))).size();
  }

  private int armDeletes() {
    return wm.server().findAll(deleteRequestedFor(urlPathMatching(DEPLOYMENTS))).size();
  }

  @Test
  void theTunedModelIsEvaluatedThroughItsDeploymentAndThePassedRunKeepsIt() {
    stubs.stubSucceedingRun();
    stubArmLifecycle(wm);
    stubChatByModel(wm, "SELECT 2", "SELECT 1");
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).evaluateWith(suite())
          .baselinePrompt("Write the query.").gate(0.05).deployBeforeEvaluation(true).start();
      RunResult result = run.await();

      assertThat(result.gate()).get().satisfies(g -> assertThat(g.passed()).isTrue());
      String name = "tunekit-" + run.id();
      assertThat(result.evaluation().orElseThrow().report("tuned").model()).isEqualTo(name);
      Deployment d = run.deploy();
      assertThat(d.id()).isEqualTo(name);
      assertThat(d.state()).isEqualTo(Deployment.State.ACTIVE);
      assertThat(run.state()).isEqualTo(RunState.DEPLOYED);
    }
    assertThat(armPuts()).isEqualTo(1);
    assertThat(armDeletes()).isZero();
    assertThat(wm.requests("POST", "/chat/completions")).extracting(r -> body(r).path("model").asText())
        .contains(BASE_MODEL).anyMatch(m -> m.startsWith("tunekit-")).doesNotContain(TUNED);
  }

  @Test
  void aDeploymentMadeOnlyForEvaluationIsRemovedWhenTheGateBlocks() {
    stubs.stubSucceedingRun();
    stubArmLifecycle(wm);
    stubChatByModel(wm, "SELECT 1", "SELECT 1"); // the tuned model is no better: the gate blocks
    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).evaluateWith(suite())
          .baselinePrompt("Write the query.").gate(0.05).deployBeforeEvaluation(true).start();
      RunResult result = run.await();
      assertThat(result.gate()).get().satisfies(g -> assertThat(g.passed()).isFalse());
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class);
    }
    assertThat(armPuts()).isEqualTo(1);
    assertThat(armDeletes()).as("the evaluation deployment stops billing").isEqualTo(1);
  }

  @Test
  void faultsOnJobCreateAndOnTheDeploymentPutLeaveOneJobAndOneDeployment() {
    stubs.stubSucceedingRun();
    // Job create: 500 (not applied), 429, a reset before the server applied it, then one applied and dropped.
    String c = "create-faults";
    wm.server().stubFor(post(urlPathEqualTo(wm.path(JOBS))).inScenario(c).whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("c1").willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
            .withBody(json(OpenAiWireMock.error("The server had an error.", "server_error", null)))));
    wm.server().stubFor(post(urlPathEqualTo(wm.path(JOBS))).inScenario(c).whenScenarioStateIs("c1")
        .willSetStateTo("c2").willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
            .withHeader("retry-after-ms", "1500")
            .withBody(json(OpenAiWireMock.error("Rate limit reached", "requests", "rate_limit_exceeded")))));
    wm.server().stubFor(post(urlPathEqualTo(wm.path(JOBS))).inScenario(c).whenScenarioStateIs("c2")
        .willSetStateTo("c3").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    wm.server().stubFor(post(urlPathEqualTo(wm.path(JOBS))).inScenario(c).whenScenarioStateIs("c3")
        .willSetStateTo("committed").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    wm.server().stubFor(post(urlPathEqualTo(wm.path(JOBS))).inScenario(c).whenScenarioStateIs("committed")
        .willReturn(templated(with(createdJob(), "id", JOB + "-duplicate"))));
    wm.server().stubFor(stubs.lookup().inScenario(c).whenScenarioStateIs("committed")
        .willReturn(templatedLookup(createdJobForLookup())));
    // Deployment PUT: 503, 429, a reset before ARM applied it, then one applied and dropped; then it provisions.
    String a = "put-faults";
    wm.server().stubFor(get(urlPathMatching(DEPLOYMENTS)).inScenario(a).whenScenarioStateIs(Scenario.STARTED)
        .willReturn(armError(404, "DeploymentNotFound", "The deployment does not exist.")));
    for (String st : List.of("p1", "p2", "p3")) {
      wm.server().stubFor(get(urlPathMatching(DEPLOYMENTS)).inScenario(a).whenScenarioStateIs(st)
          .willReturn(armError(404, "DeploymentNotFound", "The deployment does not exist.")));
    }
    wm.server().stubFor(put(urlPathMatching(DEPLOYMENTS)).inScenario(a).whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("p1").willReturn(armError(503, "ServiceUnavailable", "Try again.")));
    wm.server().stubFor(put(urlPathMatching(DEPLOYMENTS)).inScenario(a).whenScenarioStateIs("p1")
        .willSetStateTo("p2").willReturn(armError(429, "TooManyRequests", "Slow down.").withHeader("Retry-After", "2")));
    wm.server().stubFor(put(urlPathMatching(DEPLOYMENTS)).inScenario(a).whenScenarioStateIs("p2")
        .willSetStateTo("p3").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    wm.server().stubFor(put(urlPathMatching(DEPLOYMENTS)).inScenario(a).whenScenarioStateIs("p3")
        .willSetStateTo("applied").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    wm.server().stubFor(put(urlPathMatching(DEPLOYMENTS)).inScenario(a).whenScenarioStateIs("applied")
        .willReturn(deployment(200, "Creating")));
    wm.server().stubFor(get(urlPathMatching(DEPLOYMENTS)).inScenario(a).whenScenarioStateIs("applied")
        .willSetStateTo("ready").willReturn(deployment(200, "Creating")));
    wm.server().stubFor(get(urlPathMatching(DEPLOYMENTS)).inScenario(a).whenScenarioStateIs("ready")
        .willReturn(deployment(200, "Succeeded")));

    try (Tunekit tk = open()) {
      Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).start();
      assertThat(run.info().jobId()).contains(JOB);
      assertThat(run.await().succeeded()).isTrue();
      Deployment d = run.deploy();
      assertThat(d.state()).isEqualTo(Deployment.State.ACTIVE);
    }
    assertThat(wm.count("POST", JOBS)).as("4 failed attempts, the last of them applied: no duplicate").isEqualTo(4);
    assertThat(armPuts()).as("4 failed PUTs, the last applied; it is found by its name, never PUT again")
        .isEqualTo(4);
    assertThat(wm.server().getAllServeEvents()).noneMatch(e -> e.getResponse().getBodyAsString().contains("-duplicate")
        && e.getRequest().getMethod().getName().equals("POST"));
  }
}
