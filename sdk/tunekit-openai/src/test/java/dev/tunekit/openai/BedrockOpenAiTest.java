package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tunekit.openai.OpenAiWireMock.job;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.SettingSpec;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bedrock-openai}: Amazon Bedrock's OpenAI-compatible fine-tuning API for open-weight models. Its
 * documented differences from OpenAI (AWS Bedrock user guide, "Create and manage fine-tuning jobs for
 * open-weight models using OpenAI APIs"): the base URL {@code https://bedrock-mantle.{region}.api.aws/v1},
 * a Bedrock API key as {@code Authorization: Bearer}, and no {@code suffix}.
 */
class BedrockOpenAiTest {
  static final String BEDROCK_KEY = "ABSKQmVkcm9ja0FQSUtleS1jYW5hcnk=";
  static final String MODEL = "openai.gpt-oss-20b-1:0";

  OpenAiWireMock api;

  @BeforeEach
  void start() {
    api = OpenAiWireMock.start();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private static TuningProvider provider(Map<String, Object> values) {
    return new OpenAiProviderFactory().create(
        ProviderSettings.of("bedrock-openai", "tunekit.yaml", Path.of("target", "tunekit-work"), values));
  }

  private static OpenAiConfig config(Map<String, Object> values) {
    return OpenAiConfig.from(OpenAiConfig.Flavor.BEDROCK_OPENAI,
        ProviderSettings.of("bedrock-openai", "tunekit.yaml", Path.of("target", "tunekit-work"), values));
  }

  @Test
  void theCreateCallSendsTheBedrockKeyAsBearerAndNoSuffix() throws Exception {
    api.stubCreateJob(job("ftjob-bedrock", "validating_files"));
    try (TuningProvider p = provider(Map.of("baseUrl", api.baseUrl(), "apiKey", BEDROCK_KEY, "timeout", "10s"))) {
      p.createJob(OpenAiLifecycleTest.request(TrainingMethod.SUPERVISED)); // the request carries suffix "demo"
    }
    api.server().verify(1, postRequestedFor(urlPathEqualTo("/v1/fine_tuning/jobs"))
        .withHeader("Authorization", equalTo("Bearer " + BEDROCK_KEY)));
    JsonNode body = WorkflowStubs.body(api.requests("POST", "/fine_tuning/jobs").get(0));
    assertThat(body.has("suffix")).as("suffix is not supported by Bedrock").isFalse();
    assertThat(body.path("model").asText()).isEqualTo(OpenAiWireMock.BASE_MODEL);
    assertThat(body.path("training_file").asText()).isEqualTo("file-train");
    // The same request on openai keeps its suffix: the omission is Bedrock's alone.
    assertThat(new OpenAiProviderFactory().create(api.settings("openai", Map.of())) instanceof OpenAiTuningProvider o
        && o.createParams(OpenAiLifecycleTest.request(TrainingMethod.SUPERVISED)).suffix().isPresent()).isTrue();
  }

  @Test
  void theRegionGivesTheBedrockMantleEndpoint() {
    OpenAiConfig c = config(Map.of("region", "us-west-2", "apiKey", BEDROCK_KEY));
    assertThat(c.baseUrl()).isEqualTo("https://bedrock-mantle.us-west-2.api.aws/v1");
    assertThat(c.settingProblems()).isEmpty();
    assertThat(c.toString()).doesNotContain(BEDROCK_KEY);
  }

  @Test
  void missingOrMalformedSettingsArePreflightProblemsAndNothingIsSent() {
    Map<String, Object> none = new LinkedHashMap<>();
    try (TuningProvider p = provider(none)) {
      assertThat(p.preflight(JobPlan.builder().baseModel(MODEL).suffix("x".repeat(80)).build()))
          .extracting(PreflightProblem::where)
          .containsExactly("providers.bedrock-openai.region", "providers.bedrock-openai.apiKey");
    }
    try (TuningProvider p = provider(Map.of("region", "us_west_2", "apiKey", BEDROCK_KEY))) {
      List<PreflightProblem> problems = p.preflight(JobPlan.builder().baseModel(MODEL).build());
      assertThat(problems).extracting(PreflightProblem::where).containsExactly("providers.bedrock-openai.region");
      assertThat(problems.get(0).problem()).contains("'us_west_2' is not an AWS region name");
      assertThat(problems.toString()).doesNotContain(BEDROCK_KEY);
    }
    try (TuningProvider p = provider(Map.of("region", "us-west-2", "baseUrl", api.baseUrl(), "apiKey", BEDROCK_KEY))) {
      assertThat(p.preflight(JobPlan.builder().baseModel(MODEL).build()))
          .extracting(PreflightProblem::where).containsExactly("providers.bedrock-openai.baseUrl");
    }
    try (TuningProvider p = provider(Map.of("region", "eu-central-1", "apiKey", BEDROCK_KEY))) {
      // Open-weight model ids are Bedrock's: not checked against OpenAI's catalog.
      assertThat(p.preflight(JobPlan.builder().baseModel(MODEL).build())).isEmpty();
    }
    assertThat(api.server().getAllServeEvents()).isEmpty();
  }

  @Test
  void itsSettingsAreTheBedrockOnesOnly() {
    assertThat(new OpenAiProviderFactory().names()).contains("bedrock-openai");
    assertThat(new OpenAiProviderFactory().settingKeys("bedrock-openai")).extracting(SettingSpec::key)
        .contains("region", "baseUrl", "apiKey", "timeout").doesNotContain("organization", "project", "endpoint");
    assertThat(new OpenAiProviderFactory().catalog("bedrock-openai")).isEmpty();
  }
}
