package dev.tunekit.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Azure Resource Manager's deployments API on the same loopback WireMock as the Azure OpenAI data plane
 * ({@code armEndpoint} = its root URL), in the documented shapes of "Deployments - Create Or Update / Get /
 * Delete" ({@code Microsoft.CognitiveServices/accounts/deployments}): 200/201 with
 * {@code properties.provisioningState}, 202 for asynchronous creation, 404 for a missing deployment, 409 for a
 * conflicting operation, and errors as {@code {"error":{"code","message"}}}. The credential is a test
 * {@link TokenCredential} (azure-core's own interface) installed through {@link AzureArm#credentialForTests}:
 * no test reaches Entra ID, IMDS or the Azure CLI.
 */
final class AzureArmStubs {
  static final String SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-111122223333";
  static final String RESOURCE_GROUP = "rg-tunekit";
  static final String ACCOUNT = "tk-aoai";
  static final String TOKEN = "arm-test-token-not-a-secret";
  static final String API_VERSION = AzureSettings.DEFAULT_ARM_API_VERSION;

  private final OpenAiWireMock wm;

  AzureArmStubs(OpenAiWireMock wm) {
    this.wm = wm;
  }

  /** Uses a fixed token instead of DefaultAzureCredential until {@link #uninstall()}. */
  static void install() {
    AzureArm.credentialForTests = ctx -> Mono.just(new AccessToken(TOKEN, OffsetDateTime.now().plusHours(1)));
  }

  /** A credential that has nothing, as DefaultAzureCredential on a machine without any identity. */
  static void installNoCredentials() {
    AzureArm.credentialForTests = ctx -> Mono.error(new com.azure.identity.CredentialUnavailableException(
        "EnvironmentCredential authentication unavailable.\nManagedIdentityCredential authentication unavailable."
            + "\nAzureCliCredential authentication unavailable. Azure CLI not installed."));
  }

  static void uninstall() {
    AzureArm.credentialForTests = null;
  }

  /** The ARM settings of a provider pointing at this WireMock. */
  Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("subscriptionId", SUBSCRIPTION);
    s.put("resourceGroup", RESOURCE_GROUP);
    s.put("account", ACCOUNT);
    s.put("armEndpoint", wm.rootUrl());
    return s;
  }

  /** The resource path of deployment {@code name}. */
  static String path(String name) {
    return "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + RESOURCE_GROUP
        + "/providers/Microsoft.CognitiveServices/accounts/" + ACCOUNT + "/deployments/" + name;
  }

  /** A deployment resource as ARM returns it. */
  static Map<String, Object> deployment(String name, String model, String state, String sku) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("model", Map.of("format", "OpenAI", "name", model, "version", "1"));
    props.put("provisioningState", state);
    props.put("capabilities", Map.of("chatCompletion", "true"));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("id", path(name));
    d.put("type", "Microsoft.CognitiveServices/accounts/deployments");
    d.put("name", name);
    d.put("sku", Map.of("name", sku, "capacity", 1));
    d.put("properties", props);
    d.put("systemData", Map.of("createdAt", "2026-01-01T00:00:00Z", "createdByType", "User"));
    return d;
  }

  /** An ARM error body. */
  static ResponseDefinitionBuilder armError(int status, String code, String message) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
        .withHeader("x-ms-request-id", "arm-req-" + status)
        .withBody(OpenAiWireMock.json(Map.of("error", Map.of("code", code, "message", message))));
  }

  static ResponseDefinitionBuilder json(int status, Object body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
        .withBody(OpenAiWireMock.json(body));
  }

  /**
   * The documented life of deployment {@code name}: absent (404) → PUT answers 201 Creating → the next read
   * is still Creating, then Succeeded; a repeated PUT answers 200 with the resource as it is; DELETE answers
   * 200 and the deployment is gone (404).
   */
  void stubLifecycle(String name, String model) {
    String s = "arm-" + name;
    String p = path(name);
    wm.server().stubFor(get(urlPathEqualTo(p)).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willReturn(armError(404, "DeploymentNotFound", "The specified deployment '" + name + "' does not exist.")));
    wm.server().stubFor(put(urlPathEqualTo(p)).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("creating").willReturn(json(201, deployment(name, model, "Creating", "standard"))));
    wm.server().stubFor(get(urlPathEqualTo(p)).inScenario(s).whenScenarioStateIs("creating")
        .willSetStateTo("ready").willReturn(json(200, deployment(name, model, "Creating", "standard"))));
    for (String state : List.of("creating", "ready")) {
      wm.server().stubFor(put(urlPathEqualTo(p)).inScenario(s).whenScenarioStateIs(state)
          .willReturn(json(200, deployment(name, model, state.equals("ready") ? "Succeeded" : "Creating", "standard"))));
      wm.server().stubFor(delete(urlPathEqualTo(p)).inScenario(s).whenScenarioStateIs(state)
          .willSetStateTo("deleted").willReturn(aResponse().withStatus(200)));
    }
    wm.server().stubFor(get(urlPathEqualTo(p)).inScenario(s).whenScenarioStateIs("ready")
        .willReturn(json(200, deployment(name, model, "Succeeded", "standard"))));
    wm.server().stubFor(get(urlPathEqualTo(p)).inScenario(s).whenScenarioStateIs("deleted")
        .willReturn(armError(404, "DeploymentNotFound", "The specified deployment '" + name + "' does not exist.")));
    wm.server().stubFor(delete(urlPathEqualTo(p)).inScenario(s).whenScenarioStateIs("deleted")
        .willReturn(aResponse().withStatus(204)));
  }

  int puts(String name) {
    return wm.server().findAll(putRequestedFor(urlPathEqualTo(path(name)))).size();
  }

  int gets(String name) {
    return wm.server().findAll(getRequestedFor(urlPathEqualTo(path(name)))).size();
  }

  int deletes(String name) {
    return wm.server().findAll(deleteRequestedFor(urlPathEqualTo(path(name)))).size();
  }

  List<LoggedRequest> putRequests(String name) {
    return wm.server().findAll(putRequestedFor(urlPathEqualTo(path(name))));
  }
}
