package dev.tunekit.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Azure OpenAI deployments through Azure Resource Manager:
 * {@code PUT|GET|DELETE {armEndpoint}/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{account}/deployments/{name}?api-version=…}
 * with {@code {"sku":{"name":…,"capacity":…},"properties":{"model":{"format":"OpenAI","name":<model>,"version":"1"},"source"?:…}}}.
 *
 * <p>The deployment name is the idempotency key. {@link #deploy} reads the name first and creates only
 * when it is absent (or failed), and a PUT of the same name and body is itself safe to repeat, so a
 * retry after a lost reply never makes a second deployment. A deployment's id is its name, and so is
 * what chat requests name as the model: Azure's v1 chat addresses deployments, not model ids.
 * {@code properties.provisioningState} maps to the neutral state (Accepted, Creating, Moving → CREATING;
 * Succeeded → ACTIVE; Failed, Canceled, Disabled → FAILED; Deleting or absent → DELETED; anything else
 * UNKNOWN); the engine polls {@link #deployment} to a terminal state with its own poll settings and
 * sleeper.
 */
final class AzureDeployments implements Deployments {
  private static final Logger LOG = LoggerFactory.getLogger(AzureDeployments.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String provider;
  private final AzureSettings settings;
  private final Supplier<ArmApi> arm;

  AzureDeployments(String provider, AzureSettings settings, Supplier<ArmApi> arm) {
    this.provider = provider;
    this.settings = settings;
    this.arm = arm;
  }

  /**
   * Deploys {@code modelId} (a tuned model or a checkpoint) as {@code name}. Options override the
   * config's {@code deploymentSku}, {@code deploymentCapacity} and {@code deploymentSource} for this call
   * ({@code sku}, {@code capacity}, {@code source}).
   */
  @Override
  public Deployment deploy(String modelId, String name, Map<String, Object> options) {
    requireArm("deploy " + modelId);
    checkName(name);
    String sku = Optional.ofNullable(options.get("sku")).map(o -> String.valueOf(o).trim().toLowerCase(Locale.ROOT))
        .orElse(settings.sku());
    if (!AzureSettings.SKUS.contains(sku)) {
      throw new InvalidInputException("deployment option sku '" + sku + "' is not one of "
          + String.join(", ", AzureSettings.SKUS) + ".");
    }
    int capacity = capacity(options.get("capacity"));
    Optional<String> source = Optional.ofNullable(options.get("source")).map(String::valueOf).or(() -> settings.source);
    Optional<JsonNode> existing = read(name);
    if (existing.isPresent()) {
      String model = existing.get().path("properties").path("model").path("name").asText("");
      if (!model.equals(modelId)) {
        throw new TunekitException("Azure OpenAI deployment '" + name + "' in account " + settings.account.orElse("?")
            + " already serves " + (model.isEmpty() ? "another model" : model) + ", not " + modelId
            + ". Undeploy it, or deploy under another name.");
      }
      Deployment d = toDeployment(name, existing.get(), modelId);
      if (d.state() != Deployment.State.FAILED && d.state() != Deployment.State.DELETED) {
        return d; // made by an earlier attempt whose reply was lost, or by a resumed run: never a second one
      }
    }
    ObjectNode body = JSON.createObjectNode();
    body.putObject("sku").put("name", sku).put("capacity", capacity);
    ObjectNode props = body.putObject("properties");
    props.putObject("model").put("format", "OpenAI").put("name", modelId).put("version", "1");
    source.ifPresent(src -> props.put("source", src));
    if (sku.equals("developertier")) {
      LOG.info("{}: deploying {} as {} ({}, capacity {}). {}", provider, modelId, name, sku, capacity, costNote(sku));
    } else { // billed by the hour: said where a quiet console shows it, as the engine does for a deployment left behind
      LOG.warn("{}: deploying {} as {} ({}, capacity {}). {}", provider, modelId, name, sku, capacity, costNote(sku));
    }
    ArmApi.Response r = arm.get().send("PUT", url(name), body.toString());
    if (r.status() == 200 || r.status() == 201) {
      return toDeployment(name, parse(r), modelId);
    }
    if (r.status() == 202) {
      // Accepted for asynchronous creation: the resource reads as Accepted or Creating until it is done.
      return Deployment.builder().id(name).modelId(modelId).inferenceModel(name).state(Deployment.State.CREATING)
          .rawState("Accepted").build();
    }
    if (r.status() == 409) {
      // Another operation on the same deployment (an earlier PUT still running): it is the one we asked for.
      Optional<JsonNode> now = read(name);
      if (now.isPresent() && modelId.equals(now.get().path("properties").path("model").path("name").asText(""))) {
        return toDeployment(name, now.get(), modelId);
      }
    }
    throw failure("deploying " + modelId + " as " + name, r, true);
  }

  @Override
  public Deployment deployment(String deploymentId) {
    requireArm("read deployment " + deploymentId);
    checkName(deploymentId);
    Optional<JsonNode> d = read(deploymentId);
    if (d.isEmpty()) {
      return Deployment.builder().id(deploymentId).modelId("").inferenceModel(deploymentId)
          .state(Deployment.State.DELETED).rawState("NotFound").build();
    }
    return toDeployment(deploymentId, d.get(), "");
  }

  /** Deletes the deployment (stops its hourly hosting charge). Deleting one that is gone is fine. */
  @Override
  public void undeploy(String deploymentId) {
    requireArm("delete deployment " + deploymentId);
    checkName(deploymentId);
    ArmApi.Response r = arm.get().send("DELETE", url(deploymentId), null);
    if (r.status() == 200 || r.status() == 202 || r.status() == 204 || r.status() == 404) {
      LOG.info("{}: deployment {} deleted ({}).", provider, deploymentId, r.status() == 404 ? "it was already gone"
          : "its hosting charge stops");
      return;
    }
    throw failure("deleting deployment " + deploymentId, r, true);
  }

  /** The names of the account's deployments (one ARM list call; its nextLink pages are followed). Read-only. */
  java.util.List<String> names() {
    requireArm("list deployments");
    java.util.List<String> out = new java.util.ArrayList<>();
    String next = settings.deploymentsUrl() + "?api-version=" + settings.armApiVersion;
    while (next != null && !next.isEmpty()) {
      ArmApi.Response r = arm.get().send("GET", next, null);
      if (r.status() != 200) {
        throw failure("listing deployments", r, false);
      }
      JsonNode page = parse(r);
      page.path("value").forEach(d -> out.add(d.path("name").asText("")));
      next = page.path("nextLink").asText(null);
      if (next != null && !next.isEmpty() && !next.startsWith(settings.armEndpoint + "/")) {
        // The ARM token goes with every request: never to a host other than the configured Resource Manager.
        throw ProviderException.builder(provider, provider + ": Azure Resource Manager's deployment list points"
            + " its next page outside " + settings.armEndpoint + "; not followed").retryable(false).build();
      }
    }
    return out;
  }

  /** What a deployment of this sku costs, for the output: said on every deploy. */
  static String costNote(String sku) {
    switch (sku) {
      case "developertier":
        return "A developer-tier deployment has no hourly hosting fee (tokens are billed) but is deleted after 24 hours.";
      case "globalstandard":
        return "A global standard deployment of a fine-tuned model is billed per hour while it exists; undeploy it when"
            + " done.";
      default:
        return "A standard deployment of a fine-tuned model is billed per hour while it exists; undeploy it when done"
            + " (Azure deletes one idle for 15 days).";
    }
  }

  // ------------------------------------------------------------ plumbing

  private Optional<JsonNode> read(String name) {
    ArmApi.Response r = arm.get().send("GET", url(name), null);
    if (r.status() == 404) {
      return Optional.empty();
    }
    if (r.status() == 200) {
      return Optional.of(parse(r));
    }
    throw failure("reading deployment " + name, r, false);
  }

  private String url(String name) {
    return settings.deploymentsUrl() + "/" + name + "?api-version=" + settings.armApiVersion;
  }

  private Deployment toDeployment(String name, JsonNode d, String modelIfMissing) {
    String raw = d.path("properties").path("provisioningState").asText("");
    String model = d.path("properties").path("model").path("name").asText(modelIfMissing);
    return Deployment.builder().id(name).modelId(model.isEmpty() ? modelIfMissing : model).inferenceModel(name)
        .state(state(raw)).rawState(raw.isEmpty() ? "unknown" : raw).build();
  }

  /** ARM's provisioning states; any other becomes UNKNOWN (the engine keeps polling it until its timeout). */
  static Deployment.State state(String provisioningState) {
    switch (provisioningState.toLowerCase(Locale.ROOT)) {
      case "accepted":
      case "creating":
      case "moving":
      case "updating":
        return Deployment.State.CREATING;
      case "succeeded":
        return Deployment.State.ACTIVE;
      case "failed":
      case "canceled":
      case "cancelled":
      case "disabled":
        return Deployment.State.FAILED;
      case "deleting":
        return Deployment.State.DELETED;
      default:
        return Deployment.State.UNKNOWN;
    }
  }

  private JsonNode parse(ArmApi.Response r) {
    try {
      JsonNode n = JSON.readTree(r.body().isEmpty() ? "{}" : r.body());
      return n == null ? JSON.createObjectNode() : n;
    } catch (IOException e) {
      throw ProviderException.builder(provider, provider + ": Azure Resource Manager answered " + r.status()
              + " with a body that is not JSON. Retry.").retryable(true).statusCode(r.status()).cause(e).build();
    }
  }

  /** An ARM error ({@code {"error":{"code","message"}}}) as a ProviderException that says whether to retry. */
  private ProviderException failure(String what, ArmApi.Response r, boolean write) {
    String code = "";
    String message = "";
    try {
      JsonNode e = JSON.readTree(r.body().isEmpty() ? "{}" : r.body()).path("error");
      code = e.path("code").asText("");
      message = e.path("message").asText("").replaceAll("\\s*\\R\\s*", " ");
    } catch (IOException ignored) {
      // not JSON: the status says enough
    }
    int s = r.status();
    boolean retryable = s == 408 || s == 429 || s >= 500;
    StringBuilder m = new StringBuilder(provider).append(": Azure Resource Manager refused ").append(what)
        .append(" (HTTP ").append(s).append(code.isEmpty() ? "" : ", " + code).append(')')
        .append(message.isEmpty() ? "" : ": " + message).append('.');
    if (s == 401 || s == 403) {
      m.append(" The identity needs Microsoft.CognitiveServices/accounts/deployments/write on account ")
          .append(settings.account.orElse("?")).append(" (role Cognitive Services OpenAI Contributor).");
    } else if (s == 404) {
      m.append(" Check subscriptionId, resourceGroup and account in the config.");
    } else if (retryable) {
      m.append(" Retry later.");
    }
    ProviderException.Builder b = ProviderException.builder(provider, m.toString()).statusCode(s)
        .retryable(retryable).outcomeUnknown(write && s >= 500);
    r.requestId().ifPresent(b::requestId);
    OpenAiErrors.retryAfter(Optional.empty(), r.retryAfter(), java.time.Instant.now()).ifPresent(b::retryAfter);
    if (s == 401 || s == 403) {
      return b.buildAuthentication();
    }
    return s == 429 ? b.buildRateLimited() : b.build();
  }


  private int capacity(Object option) {
    if (option == null) {
      return Math.max(1, settings.capacity());
    }
    try {
      int c = option instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(option).trim());
      if (c >= 1) {
        return c;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new InvalidInputException("deployment option capacity must be a whole number of 1 or more, was '"
        + option + "'.");
  }

  private static void checkName(String name) {
    if (name == null || !AzureSettings.ARM_NAME.matcher(name).matches()) {
      throw new InvalidInputException("'" + name + "' is not a valid Azure OpenAI deployment name: use 2 to 64"
          + " letters, digits, '_', '.' or '-', starting with a letter or digit.");
    }
  }

  private void requireArm(String what) {
    if (settings.subscriptionId.isEmpty() || settings.resourceGroup.isEmpty() || settings.account.isEmpty()) {
      throw new InvalidInputException("Provider " + provider + " cannot " + what + ": Azure OpenAI serves a tuned"
          + " model only through an Azure Resource Manager deployment, and providers." + provider
          + " does not say where (the subscription, resource group and account). Set subscriptionId, resourceGroup and account (and optionally deploymentSku,"
          + " deploymentCapacity) in the config; see the tunekit-openai README.", settings.location());
    }
    if (!identityAvailable()) {
      throw new InvalidInputException(missingIdentity(provider), settings.location());
    }
  }

  /** Whether azure-identity (and so azure-core) is on the class path; checked without loading {@link AzureArm}. */
  static boolean identityAvailable() {
    try {
      ClassLoader cl = AzureDeployments.class.getClassLoader();
      Class.forName("com.azure.identity.DefaultAzureCredentialBuilder", false, cl);
      Class.forName("com.azure.core.http.HttpPipelineBuilder", false, cl);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  static String missingIdentity(String provider) {
    return "Provider " + provider + " deploys through Azure Resource Manager with azure-identity, which is not on the"
        + " class path: add com.azure:azure-identity (version from com.azure:azure-sdk-bom 1.3.8) next to"
        + " tunekit-openai, or use tunekit-all.";
  }
}
