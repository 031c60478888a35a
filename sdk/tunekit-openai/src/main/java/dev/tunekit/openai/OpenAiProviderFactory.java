package dev.tunekit.openai;

import java.util.Map;
import dev.tunekit.spi.EnvConvention;
import com.openai.azure.AzureUrlPathMode;
import com.openai.azure.credential.AzureApiKeyCredential;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.tunekit.dataset.DatasetContributor;
import dev.tunekit.dataset.ModelCatalog;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.SettingSpec;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Creates the OpenAI-family providers, on the official openai-java SDK:
 *
 * <ul>
 *   <li>{@code openai} — api.openai.com. Settings: {@code apiKey} (required), {@code baseUrl},
 *       {@code organization}, {@code project}, {@code timeout}, {@code multipartThreshold},
 *       {@code uploadPartSize}.
 *   <li>{@code azure} — Azure OpenAI's {@code /openai/v1} data plane with {@code api-key} auth.
 *       Settings: {@code endpoint} (such as {@code https://my-resource.openai.azure.com}) and
 *       {@code apiKey} (required), plus {@code timeout}; {@code trainingType}; and, to deploy a tuned model
 *       through Azure Resource Manager, {@code subscriptionId}, {@code resourceGroup}, {@code account},
 *       {@code deploymentSku}, {@code deploymentCapacity}, {@code deploymentSource}, {@code armEndpoint},
 *       {@code armApiVersion} (see the module README).
 *   <li>{@code openai-compatible} — any server that speaks OpenAI's fine-tuning API (self-hosted).
 *       Settings: {@code baseUrl} (required, such as {@code http://localhost:8000/v1}), {@code apiKey}
 *       (optional) and the {@code openai} settings above.
 *   <li>{@code bedrock-openai} — Amazon Bedrock's OpenAI-compatible fine-tuning API for open-weight
 *       models, {@code https://bedrock-mantle.{region}.api.aws/v1}, with a Bedrock API key as bearer token.
 *       Settings: {@code region} (such as {@code us-west-2}) or {@code baseUrl}, {@code apiKey}, plus
 *       {@code timeout}, {@code multipartThreshold}, {@code uploadPartSize}. Bedrock does not take
 *       {@code suffix}: a run's suffix is not sent. Missing or malformed settings are preflight problems.
 * </ul>
 *
 * <p>{@code multipartThreshold} (default 512MB, the {@code POST /files} limit) is the size above
 * which files go through the Uploads API in parts of {@code uploadPartSize} (default and maximum
 * 64MB). Sizes are bytes or a number with KB/MB/GB. {@code timeout} is a per-request timeout such as
 * {@code 60s} or {@code 10m}.
 *
 * <p>The SDK's own retries are turned off: the core's resilience layer is the one retry layer, and
 * failures surface as {@link dev.tunekit.error.ProviderException}s that say whether a retry is safe.
 *
 * <p>As a {@link DatasetContributor} it contributes OpenAI's model catalog ({@code models.json}: limits,
 * tokenizers, list prices) for {@code openai} and {@code azure}; {@code openai-compatible} servers host
 * models of their own, so they get none. These providers train on Tunekit's neutral chat and preference
 * JSONL as they are, so no converter is contributed.
 */
public final class OpenAiProviderFactory implements TuningProviderFactory, DatasetContributor {
  static final class Catalog {
    static final ModelCatalog OPENAI = ModelCatalog.fromResource(OpenAiProviderFactory.class, "models.json");
  }

  /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
  public OpenAiProviderFactory() {}

  /** {@code openai}, {@code azure}, {@code openai-compatible} and {@code bedrock-openai}. */
  @Override
  public Set<String> names() {
    return Set.of("openai", "azure", "openai-compatible", "bedrock-openai");
  }

  /**
   * Creates the provider named by {@code settings.name()}, or by its {@code type} setting when the
   * config gives the provider another name. Makes no remote call.
   */
  @Override
  public TuningProvider create(ProviderSettings settings) {
    OpenAiConfig config = OpenAiConfig.from(flavor(settings), settings);
    return new OpenAiTuningProvider(config, client(config), new OpenAiErrors(config, Clock.systemUTC()));
  }

  /** The settings each flavor reads (see the class comment); any other key is an error. */
  @Override
  public List<SettingSpec> settingKeys(String type) {
    List<SettingSpec> keys = new ArrayList<>();
    switch (type) {
      case "azure":
        keys.add(SettingSpec.of("endpoint", "the resource endpoint, such as https://my-resource.openai.azure.com"));
        keys.add(SettingSpec.of("apiKey", "the resource's API key (required); use ${ENV_VAR}"));
        keys.add(SettingSpec.of("baseUrl", "the full data-plane URL, instead of endpoint"));
        keys.add(SettingSpec.of("trainingType", "standard, globalstandard or developertier (cheap, preemptible)"));
        keys.add(SettingSpec.of("subscriptionId", "the Azure subscription id (a GUID), to deploy through Resource Manager"));
        keys.add(SettingSpec.of("resourceGroup", "the resource group of the Azure OpenAI resource"));
        keys.add(SettingSpec.of("account", "the Azure OpenAI resource's name"));
        keys.add(SettingSpec.of("deploymentSku", "standard (default), globalstandard or developertier"));
        keys.add(SettingSpec.of("deploymentCapacity", "the deployment's capacity (default 1)"));
        keys.add(SettingSpec.of("deploymentSource", "the resource id of the account that trained the model (cross-region)"));
        keys.add(SettingSpec.of("armEndpoint", "the Resource Manager URL (default https://management.azure.com)"));
        keys.add(SettingSpec.of("armApiVersion", "the deployments api-version (default "
            + AzureSettings.DEFAULT_ARM_API_VERSION + ")"));
        break;
      case "openai-compatible":
        keys.add(SettingSpec.of("baseUrl", "the server's URL (required), such as http://localhost:8000/v1"));
        keys.add(SettingSpec.of("apiKey", "the server's API key, if it needs one; use ${ENV_VAR}"));
        break;
      case "bedrock-openai":
        keys.add(SettingSpec.of("region", "the AWS region of Bedrock's OpenAI-compatible API, such as us-west-2"));
        keys.add(SettingSpec.of("baseUrl", "the full URL instead of region, such as https://bedrock-mantle.us-west-2.api.aws/v1"));
        keys.add(SettingSpec.of("apiKey", "a Bedrock API key (required), sent as bearer token; use ${AWS_BEARER_TOKEN_BEDROCK}"));
        keys.add(SettingSpec.of("timeout", "per-request timeout, such as 60s or 10m"));
        keys.add(SettingSpec.of("multipartThreshold", "file size above which uploads go in parts (default 512MB)"));
        keys.add(SettingSpec.of("uploadPartSize", "size of each upload part (default and maximum 64MB)"));
        return keys;
      default:
        keys.add(SettingSpec.of("apiKey", "the OpenAI API key (required); use ${OPENAI_API_KEY}"));
        keys.add(SettingSpec.of("baseUrl", "the API's URL (default https://api.openai.com/v1)"));
        break;
    }
    keys.add(SettingSpec.of("organization", "the OpenAI organization id"));
    keys.add(SettingSpec.of("project", "the OpenAI project id"));
    keys.add(SettingSpec.of("timeout", "per-request timeout, such as 60s or 10m"));
    keys.add(SettingSpec.of("multipartThreshold", "file size above which uploads go in parts (default 512MB)"));
    keys.add(SettingSpec.of("uploadPartSize", "size of each upload part (default and maximum 64MB)"));
    keys.add(SettingSpec.of("webhookSecret", "the webhook signing secret, for tk.webhooks(); use ${ENV_VAR}"));
    return keys;
  }

  /** OpenAI's catalog for {@code openai} and {@code azure} (Azure bills OpenAI's models); none otherwise. */
  @Override
  public Optional<ModelCatalog> catalog(String type) {
    return type.equals("openai") || type.equals("azure") ? Optional.of(Catalog.OPENAI) : Optional.empty();
  }

  static OpenAiConfig.Flavor flavor(ProviderSettings settings) {
    String n = settings.string("type").orElse(settings.name()).trim().toLowerCase(Locale.ROOT);
    for (OpenAiConfig.Flavor f : OpenAiConfig.Flavor.values()) {
      if (f.factoryName.equals(n)) {
        return f;
      }
    }
    throw settings.invalid("type", "must be one of openai, azure, openai-compatible or bedrock-openai (was '" + n + "')");
  }

  /** Builds the SDK client. The key is revealed here and nowhere else. */
  static OpenAIClient client(OpenAiConfig config) {
    OpenAIOkHttpClient.Builder b = OpenAIOkHttpClient.builder()
        .baseUrl(config.baseUrl())
        // One retry layer: the core's Resilience4j decorator retries (honouring Retry-After and
        // checking for a duplicate job before re-creating one); the SDK must not retry underneath it.
        .maxRetries(0);
    if (config.flavor() == OpenAiConfig.Flavor.AZURE) {
      b.credential(AzureApiKeyCredential.create(config.apiKey().orElseThrow().reveal()))
          // UNIFIED: /openai/v1 paths as given. LEGACY would insert deployments/{model} into any call
          // whose params have a model, which breaks fine_tuning/jobs.create.
          .azureUrlPathMode(AzureUrlPathMode.UNIFIED);
    } else {
      // A self-hosted server without auth ignores the header; the SDK requires some credential.
      b.apiKey(config.apiKey().map(s -> s.reveal()).orElse("no-key"));
    }
    config.organization().ifPresent(b::organization);
    config.project().ifPresent(b::project);
    config.timeout().ifPresent(b::timeout);
    return b.build();
  }

  /** The variables this provider's own SDK reads by convention, for {@code Tunekit.fromEnv()}. */
  @Override
  public List<EnvConvention> envConventions() {
    return List.of(
        EnvConvention.of("openai", List.of("OPENAI_API_KEY"), Map.of("apiKey", "OPENAI_API_KEY",
            "baseUrl", "OPENAI_BASE_URL", "organization", "OPENAI_ORG_ID", "project", "OPENAI_PROJECT_ID"), ""),
        EnvConvention.of("azure", List.of("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT"),
            Map.of("apiKey", "AZURE_OPENAI_API_KEY", "endpoint", "AZURE_OPENAI_ENDPOINT"), ""));
  }
}
