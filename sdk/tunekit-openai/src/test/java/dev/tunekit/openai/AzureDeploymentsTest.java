package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tunekit.openai.AzureArmStubs.armError;
import static dev.tunekit.openai.AzureArmStubs.deployment;
import static dev.tunekit.openai.AzureArmStubs.json;
import static dev.tunekit.openai.AzureArmStubs.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tunekit.error.AuthenticationException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.RateLimitedException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.TuningProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The azure provider's deployments against a WireMock Azure Resource Manager speaking the documented
 * shapes: the PUT's URL, api-version, bearer token and body; provisioning states; 202, 404, 409, error
 * bodies, 429 and 5xx; connection faults; and the deployment name as the idempotency key.
 */
class AzureDeploymentsTest {
  static final String MODEL = OpenAiWireMock.BASE_MODEL + ".ft-b044a9d3cf9c4228b5d393567f693b83";

  OpenAiWireMock wm;
  AzureArmStubs arm;
  TuningProvider provider;
  Deployments deployments;

  @BeforeEach
  void start() {
    wm = OpenAiWireMock.startAzure();
    arm = new AzureArmStubs(wm);
    AzureArmStubs.install();
    provider = wm.provider("azure", arm.settings());
    deployments = provider.capability(Deployments.class).orElseThrow();
  }

  @AfterEach
  void stop() {
    AzureArmStubs.uninstall();
    provider.close();
    wm.close();
  }

  private TuningProvider provider(Map<String, Object> extra) {
    Map<String, Object> s = new LinkedHashMap<>(arm.settings());
    s.putAll(extra);
    return wm.provider("azure", s);
  }

  @Test
  void deployPutsTheDocumentedBodyWithTheBearerTokenAndPollsToSucceeded() {
    arm.stubLifecycle("tk-run-1", MODEL);
    Deployment d = deployments.deploy(MODEL, "tk-run-1", Map.of());
    assertThat(d.id()).isEqualTo("tk-run-1");
    assertThat(d.inferenceModel()).as("Azure chat addresses the deployment").isEqualTo("tk-run-1");
    assertThat(d.modelId()).isEqualTo(MODEL);
    assertThat(d.state()).isEqualTo(Deployment.State.CREATING);
    assertThat(d.rawState()).isEqualTo("Creating");
    assertThat(deployments.deployment("tk-run-1").state()).isEqualTo(Deployment.State.CREATING);
    Deployment ready = deployments.deployment("tk-run-1");
    assertThat(ready.state()).isEqualTo(Deployment.State.ACTIVE);
    assertThat(ready.rawState()).isEqualTo("Succeeded");

    LoggedRequest putRequest = arm.putRequests("tk-run-1").get(0);
    assertThat(putRequest.queryParameter("api-version").firstValue()).isEqualTo("2025-06-01");
    assertThat(putRequest.getHeader("Authorization")).isEqualTo("Bearer " + AzureArmStubs.TOKEN);
    assertThat(putRequest.getHeader("api-key")).as("the data-plane key never goes to ARM").isNull();
    JsonNode body = WorkflowStubs.body(putRequest);
    assertThat(body.path("sku").path("name").asText()).isEqualTo("standard");
    assertThat(body.path("sku").path("capacity").asInt()).isEqualTo(1);
    assertThat(body.path("properties").path("model").path("format").asText()).isEqualTo("OpenAI");
    assertThat(body.path("properties").path("model").path("name").asText()).isEqualTo(MODEL);
    assertThat(body.path("properties").path("model").path("version").asText()).isEqualTo("1");
    assertThat(body.path("properties").has("source")).isFalse();
    assertThat(arm.gets("tk-run-1")).as("looked up before the PUT, then two polls").isEqualTo(3);

    deployments.undeploy("tk-run-1");
    assertThat(arm.deletes("tk-run-1")).isEqualTo(1);
    assertThat(deployments.deployment("tk-run-1").state()).isEqualTo(Deployment.State.DELETED);
    deployments.undeploy("tk-run-1"); // gone already: fine (204)
  }

  @Test
  void theNameIsTheIdempotencyKey_aSecondDeployFindsTheFirstAndPutsNothing() {
    arm.stubLifecycle("tk-twice", MODEL);
    Deployment first = deployments.deploy(MODEL, "tk-twice", Map.of());
    Deployment second = deployments.deploy(MODEL, "tk-twice", Map.of());
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(arm.puts("tk-twice")).isEqualTo(1);
  }

  @Test
  void skuCapacityAndCrossRegionSourceComeFromConfigAndOptionsOverrideThem() {
    String source = "/subscriptions/" + AzureArmStubs.SUBSCRIPTION
        + "/resourceGroups/rg-train/providers/Microsoft.CognitiveServices/accounts/aoai-northcentralus";
    try (TuningProvider p = provider(Map.of("deploymentSku", "DeveloperTier", "deploymentCapacity", "2",
        "deploymentSource", source))) {
      Deployments d = p.capability(Deployments.class).orElseThrow();
      arm.stubLifecycle("tk-dev", MODEL);
      d.deploy(MODEL, "tk-dev", Map.of());
      JsonNode body = WorkflowStubs.body(arm.putRequests("tk-dev").get(0));
      assertThat(body.path("sku").path("name").asText()).isEqualTo("developertier");
      assertThat(body.path("sku").path("capacity").asInt()).isEqualTo(2);
      assertThat(body.path("properties").path("source").asText()).isEqualTo(source);

      arm.stubLifecycle("tk-std", MODEL);
      d.deploy(MODEL, "tk-std", Map.of("sku", "globalstandard", "capacity", 5));
      JsonNode body2 = WorkflowStubs.body(arm.putRequests("tk-std").get(0));
      assertThat(body2.path("sku").path("name").asText()).isEqualTo("globalstandard");
      assertThat(body2.path("sku").path("capacity").asInt()).isEqualTo(5);
    }
  }

  @Test
  void aCheckpointDeploysByItsModelName() {
    String checkpoint = MODEL + ":ckpt-step-10";
    arm.stubLifecycle("tk-ckpt", checkpoint);
    assertThat(deployments.deploy(checkpoint, "tk-ckpt", Map.of()).modelId()).isEqualTo(checkpoint);
    assertThat(WorkflowStubs.body(arm.putRequests("tk-ckpt").get(0)).path("properties").path("model").path("name")
        .asText()).isEqualTo(checkpoint);
  }

  @Test
  void accepted202IsCreatingAndEveryProvisioningStateMaps() {
    wm.server().stubFor(get(urlPathEqualTo(path("tk-async"))).willReturn(armError(404, "DeploymentNotFound", "no")));
    wm.server().stubFor(put(urlPathEqualTo(path("tk-async"))).willReturn(aResponse().withStatus(202)
        .withHeader("Azure-AsyncOperation", wm.rootUrl() + "/operations/1")));
    Deployment d = deployments.deploy(MODEL, "tk-async", Map.of());
    assertThat(d.state()).isEqualTo(Deployment.State.CREATING);
    assertThat(d.rawState()).isEqualTo("Accepted");

    Map<String, Deployment.State> expected = new LinkedHashMap<>();
    expected.put("Accepted", Deployment.State.CREATING);
    expected.put("Creating", Deployment.State.CREATING);
    expected.put("Moving", Deployment.State.CREATING);
    expected.put("Succeeded", Deployment.State.ACTIVE);
    expected.put("Failed", Deployment.State.FAILED);
    expected.put("Canceled", Deployment.State.FAILED);
    expected.put("Disabled", Deployment.State.FAILED);
    expected.put("Deleting", Deployment.State.DELETED);
    expected.put("Reticulating", Deployment.State.UNKNOWN);
    expected.forEach((raw, state) -> {
      wm.server().stubFor(get(urlPathEqualTo(path("tk-states"))).willReturn(json(200,
          deployment("tk-states", MODEL, raw, "standard"))));
      Deployment read = deployments.deployment("tk-states");
      assertThat(read.state()).as(raw).isEqualTo(state);
      assertThat(read.rawState()).isEqualTo(raw);
    });
  }

  @Test
  void aConflictWhileAnEarlierPutRunsReturnsThatDeployment() {
    String s = "conflict";
    wm.server().stubFor(get(urlPathEqualTo(path("tk-409"))).inScenario(s)
        .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED).willSetStateTo("seen")
        .willReturn(armError(404, "DeploymentNotFound", "no")));
    wm.server().stubFor(put(urlPathEqualTo(path("tk-409"))).willReturn(armError(409, "RequestConflict",
        "Another operation is being performed on the deployment.")));
    wm.server().stubFor(get(urlPathEqualTo(path("tk-409"))).inScenario(s).whenScenarioStateIs("seen")
        .willReturn(json(200, deployment("tk-409", MODEL, "Creating", "standard"))));
    Deployment d = deployments.deploy(MODEL, "tk-409", Map.of());
    assertThat(d.state()).isEqualTo(Deployment.State.CREATING);
    assertThat(arm.puts("tk-409")).isEqualTo(1);
  }

  @Test
  void aNameServingAnotherModelIsRefusedWithoutAPut() {
    wm.server().stubFor(get(urlPathEqualTo(path("tk-taken"))).willReturn(json(200,
        deployment("tk-taken", "gpt-4o-mini-2024-07-18", "Succeeded", "standard"))));
    TunekitException e = catchThrowableOfType(() -> deployments.deploy(MODEL, "tk-taken", Map.of()),
        TunekitException.class);
    assertThat(e.getMessage()).contains("already serves gpt-4o-mini-2024-07-18", "Undeploy it, or deploy under another name");
    assertThat(arm.puts("tk-taken")).isZero();
  }

  @Test
  void armErrorsSayCodeMessageAndWhetherToRetry() {
    wm.server().stubFor(get(urlPathEqualTo(path("tk-err"))).willReturn(armError(404, "DeploymentNotFound", "no")));
    wm.server().stubFor(put(urlPathEqualTo(path("tk-err"))).willReturn(armError(400, "InvalidResourceProperties",
        "The specified SKU 'standard' for model 'x' is not supported in this region.")));
    ProviderException bad = catchThrowableOfType(() -> deployments.deploy(MODEL, "tk-err", Map.of()),
        ProviderException.class);
    assertThat(bad.getMessage()).contains("HTTP 400, InvalidResourceProperties", "is not supported in this region");
    assertThat(bad.retryable()).isFalse();
    assertThat(bad.statusCode()).contains(400);
    assertThat(bad.requestId()).contains("arm-req-400");

    wm.server().stubFor(put(urlPathEqualTo(path("tk-err"))).willReturn(armError(429, "TooManyRequests", "slow down")
        .withHeader("Retry-After", "7")));
    RateLimitedException limited = catchThrowableOfType(() -> deployments.deploy(MODEL, "tk-err", Map.of()),
        RateLimitedException.class);
    assertThat(limited.retryable()).isTrue();
    assertThat(limited.retryAfter()).contains(Duration.ofSeconds(7));
    // Retry-After may be an HTTP date (RFC 9110); it was ignored here, so the core's backoff applied instead.
    String inAMinute = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(60));
    wm.server().stubFor(put(urlPathEqualTo(path("tk-err"))).willReturn(armError(429, "TooManyRequests", "slow down")
        .withHeader("Retry-After", inAMinute)));
    RateLimitedException dated = catchThrowableOfType(() -> deployments.deploy(MODEL, "tk-err", Map.of()),
        RateLimitedException.class);
    assertThat(dated.retryAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(50),
        Duration.ofSeconds(61)));

    wm.server().stubFor(put(urlPathEqualTo(path("tk-err"))).willReturn(armError(503, "ServiceUnavailable", "busy")));
    ProviderException unavailable = catchThrowableOfType(() -> deployments.deploy(MODEL, "tk-err", Map.of()),
        ProviderException.class);
    assertThat(unavailable.retryable()).isTrue();
    assertThat(unavailable.outcomeUnknown()).as("a PUT that failed with 5xx may have been applied").isTrue();

    wm.server().stubFor(put(urlPathEqualTo(path("tk-err"))).willReturn(armError(403, "AuthorizationFailed",
        "The client does not have authorization to perform action.")));
    AuthenticationException denied = catchThrowableOfType(() -> deployments.deploy(MODEL, "tk-err", Map.of()),
        AuthenticationException.class);
    assertThat(denied.getMessage()).contains("AuthorizationFailed", "Microsoft.CognitiveServices/accounts/deployments/write");

    wm.server().stubFor(put(urlPathEqualTo(path("tk-err"))).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    ProviderException reset = catchThrowableOfType(() -> deployments.deploy(MODEL, "tk-err", Map.of()),
        ProviderException.class);
    assertThat(reset.retryable()).isTrue();
    assertThat(reset.outcomeUnknown()).isTrue();
    assertThat(reset.getMessage()).contains("connection to Azure Resource Manager failed", "PUT")
        .doesNotContain(AzureArmStubs.TOKEN).doesNotContain(OpenAiWireMock.CANARY_KEY);
  }

  @Test
  void listingDeploymentsFollowsNextLink() {
    String list = path("").substring(0, path("").length() - 1);
    wm.server().stubFor(get(urlPathEqualTo(list)).withQueryParam("page", com.github.tomakehurst.wiremock.client.WireMock.absent())
        .willReturn(json(200, Map.of("value", java.util.List.of(deployment("a", MODEL, "Succeeded", "standard")),
            "nextLink", wm.rootUrl() + list + "?api-version=" + AzureArmStubs.API_VERSION + "&page=2"))));
    wm.server().stubFor(get(urlPathEqualTo(list)).withQueryParam("page", com.github.tomakehurst.wiremock.client.WireMock.equalTo("2"))
        .willReturn(json(200, Map.of("value", java.util.List.of(deployment("b", MODEL, "Creating", "standard"))))));
    assertThat(((AzureDeployments) deployments).names()).containsExactly("a", "b");
  }

  @Test
  void aNextLinkToAnotherHostIsNotFollowed_theTokenStaysWithResourceManager() {
    String list = path("").substring(0, path("").length() - 1);
    wm.server().stubFor(get(urlPathEqualTo(list)).willReturn(json(200, Map.of("value",
        java.util.List.of(deployment("a", MODEL, "Succeeded", "standard")), "nextLink", "https://attacker.example/next"))));
    assertThatThrownBy(() -> ((AzureDeployments) deployments).names()).isInstanceOf(ProviderException.class)
        .hasMessageContaining("not followed");
  }

  @Test
  void withoutCredentialsTheErrorIsOneLine() {
    AzureArmStubs.installNoCredentials();
    try (TuningProvider p = provider(Map.of())) {
      AuthenticationException e = catchThrowableOfType(() -> p.capability(Deployments.class).orElseThrow()
          .deploy(MODEL, "tk-nocred", Map.of()), AuthenticationException.class);
      assertThat(e.getMessage()).doesNotContain("\n")
          .contains("no Azure credentials for Resource Manager", "AZURE_CLIENT_ID", "az login");
    }
    assertThat(arm.gets("tk-nocred")).as("nothing reaches ARM without a token").isZero();
  }

  @Test
  void withoutArmSettingsDeploySaysWhichSettingsToAdd() {
    try (TuningProvider p = wm.provider("azure", Map.of())) {
      TunekitException e = catchThrowableOfType(() -> p.capability(Deployments.class).orElseThrow()
          .deploy(MODEL, "tk-x", Map.of()), TunekitException.class);
      assertThat(e.getMessage()).contains("Set subscriptionId, resourceGroup and account");
    }
  }
}
