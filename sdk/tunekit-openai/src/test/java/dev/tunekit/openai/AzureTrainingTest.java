package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tunekit.openai.OpenAiWireMock.BASE_MODEL;
import static dev.tunekit.openai.OpenAiWireMock.CANARY_KEY;
import static dev.tunekit.openai.OpenAiWireMock.event;
import static dev.tunekit.openai.OpenAiWireMock.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tunekit.Tunekit;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.PreflightException;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on azure: {@code trainingType} validated offline (with the file and line) and sent on job
 * create; DPO only on the models Azure offers it for; the ARM settings and credentials checked in
 * preflight before any call; Azure's {@code pending} and null fields mapped without crashing; and the
 * developer tier's note in progress output.
 */
class AzureTrainingTest {
  @TempDir Path dir;
  OpenAiWireMock wm;
  AzureArmStubs arm;

  @BeforeEach
  void start() {
    wm = OpenAiWireMock.startAzure();
    arm = new AzureArmStubs(wm);
    AzureArmStubs.install();
  }

  @AfterEach
  void stop() {
    AzureArmStubs.uninstall();
    wm.close();
  }

  private TuningProvider provider(Map<String, Object> extra) {
    return wm.provider("azure", extra);
  }

  private static JobRequest request() {
    return JobRequest.builder().baseModel(BASE_MODEL).trainingFileId("file-train").idempotencyKey("key-1")
        .runId("run-1").method(TrainingMethod.SUPERVISED).build();
  }

  @Test
  void trainingTypeIsSentAsAzureDocumentsIt() {
    wm.stubCreateJob(OpenAiWireMock.job("ftjob-dev", "pending", "key-1"));
    try (TuningProvider p = provider(Map.of("trainingType", "DeveloperTier"))) {
      RemoteJob job = p.createJob(request());
      assertThat(job.status()).isInstanceOf(JobStatus.Queued.class);
      assertThat(job.status().raw()).isEqualTo("pending");
    }
    JsonNode body = WorkflowStubs.body(wm.requests("POST", "/fine_tuning/jobs").get(0));
    assertThat(body.path("trainingType").asText()).isEqualTo("developerTier");
    assertThat(body.path("model").asText()).isEqualTo(BASE_MODEL);

    wm.server().resetRequests();
    try (TuningProvider p = provider(Map.of("trainingType", "globalstandard"))) {
      p.createJob(request());
    }
    assertThat(WorkflowStubs.body(wm.requests("POST", "/fine_tuning/jobs").get(0)).path("trainingType").asText())
        .isEqualTo("globalstandard");

    wm.server().resetRequests();
    try (TuningProvider p = provider(Map.of())) {
      p.createJob(request());
    }
    assertThat(WorkflowStubs.body(wm.requests("POST", "/fine_tuning/jobs").get(0)).has("trainingType"))
        .as("no training type set: Azure's default applies").isFalse();
  }

  @Test
  void azureStatusesAndNullFieldsMapWithoutCrashing() {
    Map<String, Object> sparse = new LinkedHashMap<>();
    sparse.put("object", "fine_tuning.job");
    sparse.put("id", "ftjob-sparse");
    sparse.put("model", BASE_MODEL);
    sparse.put("created_at", OpenAiWireMock.T0);
    sparse.put("status", "pending");
    for (String nullable : List.of("finished_at", "fine_tuned_model", "organization_id", "result_files",
        "validation_file", "hyperparameters", "trained_tokens", "seed", "error", "metadata", "estimated_finish",
        "method", "integrations", "user_provided_suffix")) {
      sparse.put(nullable, null);
    }
    wm.stubJobStates("ftjob-sparse", List.of(sparse, OpenAiWireMock.with(sparse, "status", "preempted"),
        OpenAiWireMock.with(sparse, "status", "failed", "error", Map.of())));
    try (TuningProvider p = provider(Map.of())) {
      RemoteJob pending = p.job("ftjob-sparse");
      assertThat(pending.status()).isEqualTo(new JobStatus.Queued("pending"));
      assertThat(pending.finishedAt()).isEmpty();
      assertThat(pending.trainedTokens()).isEmpty();
      assertThat(pending.metadata()).isEmpty();
      assertThat(p.job("ftjob-sparse").status()).isEqualTo(new JobStatus.Unknown("preempted"));
      JobStatus failed = p.job("ftjob-sparse").status();
      assertThat(failed).isInstanceOf(JobStatus.Failed.class);
      assertThat(((JobStatus.Failed) failed).reason()).contains("gave no reason");
    }
  }

  @Test
  void onTheDeveloperTierProgressOutputSaysAPreemptedJobResumesOnItsOwn() {
    wm.stubEvents("ftjob-dev", List.of(List.of(
        event("ev-3", OpenAiWireMock.T0 + 200, "info", "Job was preempted; it will be resumed"),
        event("ev-2", OpenAiWireMock.T0 + 100, "info", "Step 1/100: training loss=1.2"),
        event("ev-1", OpenAiWireMock.T0, "info", "Created fine-tuning job: ftjob-dev"))));
    try (TuningProvider dev = provider(Map.of("trainingType", "developertier"));
        TuningProvider std = provider(Map.of("trainingType", "standard"))) {
      Page<JobEvent> page = dev.events("ftjob-dev", Optional.empty());
      assertThat(page.items()).extracting(JobEvent::level).containsExactly("note", "info", "info", "note");
      assertThat(page.items().get(0).message()).isEqualTo(OpenAiTuningProvider.DEVELOPER_TIER_NOTE)
          .contains("a preempted job resumes on its own");
      assertThat(page.items().get(3).message()).contains("preempted", "the job resumes on its own");
      assertThat(page.next()).contains(new Cursor("ev-3"));
      assertThat(dev.events("ftjob-dev", page.next()).items()).as("the note is said once").isEmpty();

      assertThat(std.events("ftjob-dev", Optional.empty()).items()).extracting(JobEvent::id)
          .containsExactly("ev-1", "ev-2", "ev-3");
    }
  }

  @Test
  void aRunThatDeploysBeforeEvaluatingNeedsTheResourceManagerSettingsBeforeItTrains() {
    // It passed preflight, trained (paid), and failed at the deployment.
    JobPlan deploys = JobPlan.builder().baseModel(BASE_MODEL).deploysBeforeEvaluation(true).build();
    try (TuningProvider p = provider(Map.of())) {
      List<PreflightProblem> problems = p.preflight(deploys);
      assertThat(problems).extracting(PreflightProblem::where).containsExactly("providers.azure");
      assertThat(problems.get(0).problem()).contains("deployBeforeEvaluation", "Azure Resource Manager");
      assertThat(problems.get(0).fix()).contains("subscriptionId, resourceGroup and account");
      assertThat(p.preflight(JobPlan.builder().baseModel(BASE_MODEL).build())).as("training alone needs no ARM").isEmpty();
    }
    try (TuningProvider p = provider(arm.settings())) {
      assertThat(p.preflight(deploys)).isEmpty();
    }
  }

  @Test
  void dpoOnlyWhereAzureOffersIt() {
    try (TuningProvider p = provider(Map.of())) {
      assertThat(p.preflight(JobPlan.builder().baseModel("gpt-4.1-mini").method(TrainingMethod.DPO).build())).isEmpty();
      assertThat(p.preflight(JobPlan.builder().baseModel("gpt-4o").method(TrainingMethod.DPO).build())).isEmpty();
      List<PreflightProblem> mini = p.preflight(JobPlan.builder().baseModel("gpt-4o-mini").method(TrainingMethod.DPO)
          .build());
      assertThat(mini).extracting(PreflightProblem::where).containsExactly("method");
      assertThat(mini.get(0).problem()).contains("Azure OpenAI offers DPO", "gpt-4.1-2025-04-14", "not gpt-4o-mini");
    }
    try (TuningProvider openai = OpenAiWireMock.start().provider()) {
      assertThat(openai.preflight(JobPlan.builder().baseModel("gpt-4o-mini").method(TrainingMethod.DPO).build()))
          .as("OpenAI itself offers DPO on gpt-4o-mini").isEmpty();
    }
  }

  @Test
  void badAzureSettingsAreListedWithTheirFileAndLineBeforeAnyCall() throws IOException {
    Path yaml = Files.writeString(dir.resolve("tunekit.yaml"), String.join("\n",
        "provider: azure",
        "providers:",
        "  azure:",
        "    endpoint: " + wm.rootUrl(),
        "    apiKey: " + CANARY_KEY,
        "    trainingType: cheapest",
        "    subscriptionId: my-subscription",
        "    resourceGroup: rg.",
        "    account: x",
        "    deploymentSku: premium",
        "    deploymentCapacity: lots",
        "    deploymentSource: eastus",
        "    armEndpoint: http://management.example.com",
        ""));
    Path train = WorkflowStubs.chatDataset(dir.resolve("train.jsonl"), 20);
    try (Tunekit tk = Tunekit.builder().configFile(yaml).env(Map.of()).ledger(dir.resolve("ledger.db"))
        .workDir(dir.resolve("work")).build()) {
      PreflightException e = catchThrowableOfType(() -> tk.fineTune().model(BASE_MODEL).trainingData(train).start(),
          PreflightException.class);
      Map<String, String> where = new LinkedHashMap<>();
      e.problems().forEach(pr -> where.put(pr.where(), pr.location()));
      assertThat(where).containsOnlyKeys("providers.azure.trainingType", "providers.azure.subscriptionId",
          "providers.azure.resourceGroup", "providers.azure.account", "providers.azure.deploymentSku",
          "providers.azure.deploymentCapacity", "providers.azure.deploymentSource", "providers.azure.armEndpoint");
      assertThat(where.get("providers.azure.trainingType")).endsWith("tunekit.yaml:6");
      assertThat(where.get("providers.azure.subscriptionId")).endsWith("tunekit.yaml:7");
      assertThat(where.get("providers.azure.armEndpoint")).endsWith("tunekit.yaml:13");
      assertThat(e.getMessage()).contains("'cheapest' is not an Azure OpenAI training type",
          "'my-subscription' is not a subscription id", "'premium' is not a deployment type",
          "is not the resource id of an Azure OpenAI account").doesNotContain(CANARY_KEY);
    }
    assertThat(wm.server().getAllServeEvents()).as("nothing was sent: no baseline, upload or ARM call").isEmpty();
  }

  @Test
  void partialArmSettingsAndMissingCredentialsAreOneLineProblems() {
    try (TuningProvider p = provider(Map.of("subscriptionId", AzureArmStubs.SUBSCRIPTION))) {
      assertThat(p.preflight(JobPlan.builder().baseModel(BASE_MODEL).build())).extracting(PreflightProblem::where)
          .containsExactly("providers.azure.resourceGroup", "providers.azure.account");
    }
    AzureArmStubs.installNoCredentials();
    try (TuningProvider p = provider(arm.settings())) {
      List<PreflightProblem> problems = p.preflight(JobPlan.builder().baseModel(BASE_MODEL).build());
      assertThat(problems).hasSize(1);
      assertThat(problems.get(0).problem()).doesNotContain("\n").contains("no Azure credentials for Resource Manager");
    }
    AzureArmStubs.install();
    try (TuningProvider p = provider(arm.settings())) {
      assertThat(p.preflight(JobPlan.builder().baseModel(BASE_MODEL).build())).isEmpty();
    }
    assertThat(wm.server().getAllServeEvents()).as("credentials resolve without an ARM call").isEmpty();
  }
}
