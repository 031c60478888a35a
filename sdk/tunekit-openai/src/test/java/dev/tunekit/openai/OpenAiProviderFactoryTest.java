package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tunekit.openai.OpenAiWireMock.CANARY_KEY;
import static dev.tunekit.openai.OpenAiWireMock.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.JobStatus;
import dev.tunekit.error.TunekitException;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class OpenAiProviderFactoryTest {

  private static ProviderSettings settings(String name, Map<String, ?> values) {
    return ProviderSettings.of(name, "tunekit.yaml", Path.of("target"), values);
  }

  @Test
  void serviceLoaderFindsTheFactoryUnderAllItsNames() {
    TuningProviderFactory found = ServiceLoader.load(TuningProviderFactory.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(f -> f.names().contains("openai"))
        .findFirst().orElseThrow();

    assertThat(found).isInstanceOf(OpenAiProviderFactory.class);
    assertThat(found.names()).containsExactlyInAnyOrder("openai", "azure", "openai-compatible", "bedrock-openai");
  }

  @Test
  void aMissingApiKeyNamesTheSettingAndTheConfigFile() {
    assertThatThrownBy(() -> new OpenAiProviderFactory().create(settings("openai", Map.of())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("providers.openai.apiKey")
        .hasMessageContaining("tunekit.yaml");
  }

  @Test
  void azureNeedsAnEndpointAndCompatibleNeedsABaseUrl() {
    assertThatThrownBy(() -> new OpenAiProviderFactory().create(settings("azure", Map.of("apiKey", CANARY_KEY))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("providers.azure.endpoint");
    assertThatThrownBy(() -> new OpenAiProviderFactory().create(settings("openai-compatible", Map.of())))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("providers.openai-compatible.baseUrl");
  }

  @Test
  void badSizesUrlsAndTimeoutsAreRejectedWithTheSettingName() {
    OpenAiProviderFactory f = new OpenAiProviderFactory();
    assertThatThrownBy(() -> f.create(settings("openai", Map.of("apiKey", "k", "uploadPartSize", "65MB"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("uploadPartSize").hasMessageContaining("64MB");
    assertThatThrownBy(() -> f.create(settings("openai", Map.of("apiKey", "k", "multipartThreshold", "lots"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("multipartThreshold");
    assertThatThrownBy(() -> f.create(settings("openai", Map.of("apiKey", "k", "baseUrl", "api.openai.com"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> f.create(settings("openai", Map.of("apiKey", "k", "timeout", "soon"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("timeout");
  }

  @Test
  void aProviderNamedInConfigChoosesItsFlavorByType() {
    OpenAiConfig c = OpenAiConfig.from(OpenAiProviderFactory.flavor(settings("vllm",
        Map.of("type", "openai-compatible"))), settings("vllm", Map.of("type", "openai-compatible",
        "baseUrl", "http://gpu-box:8000/v1/")));

    assertThat(c.flavor()).isEqualTo(OpenAiConfig.Flavor.COMPATIBLE);
    assertThat(c.baseUrl()).isEqualTo("http://gpu-box:8000/v1");
    assertThat(c.apiKey()).isEmpty();
    assertThat(c.multipartThreshold()).isEqualTo(512L * 1024 * 1024);
    assertThat(c.uploadPartSize()).isEqualTo(64L * 1024 * 1024);
  }

  @Test
  void azureEndpointsBecomeTheV1DataPlane() {
    for (String endpoint : List.of("https://res.openai.azure.com", "https://res.openai.azure.com/",
        "https://res.openai.azure.com/openai", "https://res.openai.azure.com/openai/v1/")) {
      OpenAiConfig c = OpenAiConfig.from(OpenAiConfig.Flavor.AZURE,
          settings("azure", Map.of("endpoint", endpoint, "apiKey", CANARY_KEY)));
      assertThat(c.baseUrl()).as(endpoint).isEqualTo("https://res.openai.azure.com/openai/v1");
    }
  }

  @Test
  void azureCallsTheV1PathsWithTheApiKeyHeaderAndNoDeploymentSegment() throws Exception {
    try (OpenAiWireMock api = OpenAiWireMock.startAzure();
        TuningProvider azure = api.provider("azure", Map.of())) {
      api.stubCreateJob(job("ftjob-az", "pending", "run-1:job"));

      assertThat(azure.createJob(OpenAiLifecycleTest.request(TrainingMethod.SUPERVISED)).status())
          .isEqualTo(new JobStatus.Queued("pending"));

      api.server().verify(1, postRequestedFor(urlPathEqualTo("/openai/v1/fine_tuning/jobs"))
          .withHeader("api-key", equalTo(CANARY_KEY))
          .withHeader("Authorization", absent()));
      assertThat(api.server().findAll(postRequestedFor(urlPathEqualTo("/openai/v1/fine_tuning/jobs"))).get(0)
          .getUrl()).doesNotContain("deployments");
    }
  }

  @Test
  void azureDeploymentStepsFailClearlyInsteadOfFakingSuccess() throws Exception {
    try (OpenAiWireMock api = OpenAiWireMock.startAzure();
        TuningProvider azure = api.provider("azure", Map.of())) {
      dev.tunekit.spi.Deployments deployments = azure.capability(dev.tunekit.spi.Deployments.class).orElseThrow();
      assertThatThrownBy(() -> deployments.deploy("gpt-4o-mini.ft-abc", "run-1", Map.of()))
          .isInstanceOf(TunekitException.class)
          .hasMessageContaining("Azure Resource Manager")
          .hasMessageContaining("resource group");
      assertThatThrownBy(() -> deployments.deployment("run-1")).isInstanceOf(TunekitException.class)
          .hasMessageContaining("Azure Resource Manager");
      assertThatThrownBy(() -> deployments.undeploy("run-1")).isInstanceOf(TunekitException.class)
          .hasMessageContaining("Azure Resource Manager");
      assertThat(api.server().getAllServeEvents()).isEmpty();
    }
  }

  @Test
  void openAiSendsBearerAuthOrganizationAndProjectHeaders() throws Exception {
    try (OpenAiWireMock api = OpenAiWireMock.start();
        TuningProvider p = api.provider("openai", Map.of("organization", "org-42", "project", "proj-7"))) {
      api.stubJobStates("ftjob-1", List.of(job("ftjob-1", "running")));

      p.job("ftjob-1");

      api.server().verify(1, getRequestedFor(urlPathEqualTo("/v1/fine_tuning/jobs/ftjob-1"))
          .withHeader("Authorization", equalTo("Bearer " + CANARY_KEY))
          .withHeader("OpenAI-Organization", equalTo("org-42"))
          .withHeader("OpenAI-Project", equalTo("proj-7")));
    }
  }

  @Test
  void aCompatibleServerGetsMaxTokensAndWorksWithoutAKey() throws Exception {
    try (OpenAiWireMock api = OpenAiWireMock.start()) {
      TuningProvider p = new OpenAiProviderFactory().create(settings("openai-compatible",
          Map.of("baseUrl", api.baseUrl())));
      api.stubChat("llama", "hello");

      assertThat(p.require(dev.tunekit.spi.Chat.class, "chat").chat(new ChatRequest("llama", List.of(ChatMessage.user("hi")), Optional.empty(), Optional.of(5),
          Optional.empty())).content()).isEqualTo("hello");

      var body = new ObjectMapper().readTree(api.requests("POST", "/chat/completions").get(0).getBodyAsString());
      assertThat(body.get("max_tokens").asInt()).isEqualTo(5);
      assertThat(body.has("max_completion_tokens")).isFalse();
      assertThat(p.capability(dev.tunekit.spi.Deployments.class)).isEmpty(); // served at once: no deployment step
      assertThat(p.capability(dev.tunekit.spi.WebhookVerification.class)).isEmpty(); // OpenAI's webhooks only
      p.close();
    }
  }

  @Test
  void toolMessagesAreRejectedForChatRequests() throws Exception {
    try (OpenAiWireMock api = OpenAiWireMock.start(); TuningProvider p = api.provider()) {
      assertThatThrownBy(() -> p.require(dev.tunekit.spi.Chat.class, "chat").chat(ChatRequest.of("m", List.of(new ChatMessage("tool", "x")))))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("tool");
      assertThat(api.server().getAllServeEvents()).isEmpty();
    }
  }
}
