package dev.tunekit.openai;

import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.ProviderSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code azure} provider's own settings: the training type of its jobs, and where and how Azure
 * Resource Manager deploys a tuned model. Read leniently when the provider is created (no remote call,
 * no exception for a bad value) and checked, all at once, by {@link #problems()} in preflight, so that
 * every bad value is listed with the file and line it was written on before anything is uploaded.
 * Holds no secret.
 */
final class AzureSettings {
  /**
   * The Azure Resource Manager api-version of {@code Microsoft.CognitiveServices/accounts/deployments}:
   * the newest GA version in the REST reference ("Deployments - Create Or Update", 2025-06-01), which
   * has the {@code DeveloperTier} sku. Override with {@code armApiVersion}.
   */
  static final String DEFAULT_ARM_API_VERSION = "2025-06-01";
  static final String DEFAULT_ARM_ENDPOINT = "https://management.azure.com";

  /** A subscription id is a GUID. */
  static final Pattern GUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  /** Resource group names: 1-90 letters, digits, '_', '-', '.', '(' and ')', not ending in '.'. */
  static final Pattern RESOURCE_GROUP = Pattern.compile("[\\p{L}\\p{N}_\\-.()]{0,89}[\\p{L}\\p{N}_\\-()]");
  /** Cognitive Services account (and deployment) names: 2-64 of a-z A-Z 0-9 _ . -, starting with a letter or digit. */
  static final Pattern ARM_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}");
  /** {@code properties.source}: the resource id of the account that holds the tuned model (cross-region). */
  static final Pattern ACCOUNT_RESOURCE_ID = Pattern.compile("(?i)/subscriptions/" + GUID.pattern()
      + "/resourceGroups/" + RESOURCE_GROUP.pattern() + "/providers/Microsoft\\.CognitiveServices/accounts/"
      + ARM_NAME.pattern());
  static final Pattern API_VERSION = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(-preview)?");

  /** Azure OpenAI's training types, as written in config (any case) → as sent in {@code trainingType}. */
  enum TrainingType {
    STANDARD("standard", "standard"),
    GLOBAL_STANDARD("globalstandard", "globalstandard"),
    DEVELOPER_TIER("developertier", "developerTier");

    final String setting;
    final String wire;

    TrainingType(String setting, String wire) {
      this.setting = setting;
      this.wire = wire;
    }

    static Optional<TrainingType> parse(String raw) {
      String s = raw.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(" ", "");
      for (TrainingType t : values()) {
        if (t.setting.equals(s)) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }
  }

  /** Deployment skus for a fine-tuned model, as sent in {@code sku.name}. */
  static final List<String> SKUS = List.of("standard", "globalstandard", "developertier");

  private final ProviderSettings s;
  final Optional<String> trainingTypeRaw;
  final Optional<String> subscriptionId;
  final Optional<String> resourceGroup;
  final Optional<String> account;
  final Optional<String> skuRaw;
  final Optional<String> capacityRaw;
  final Optional<String> source;
  final String armEndpoint;
  final String armApiVersion;

  private AzureSettings(ProviderSettings s) {
    this.s = s;
    this.trainingTypeRaw = s.string("trainingType");
    this.subscriptionId = s.string("subscriptionId").map(String::trim);
    this.resourceGroup = s.string("resourceGroup").map(String::trim);
    this.account = s.string("account").map(String::trim);
    this.skuRaw = s.string("deploymentSku");
    this.capacityRaw = s.string("deploymentCapacity");
    this.source = s.string("deploymentSource").map(String::trim);
    this.armEndpoint = OpenAiConfig.stripSlash(s.string("armEndpoint").orElse(DEFAULT_ARM_ENDPOINT).trim());
    this.armApiVersion = s.string("armApiVersion").orElse(DEFAULT_ARM_API_VERSION).trim();
  }

  /** Reads the settings; never throws for a bad value (see {@link #problems()}). */
  static AzureSettings from(ProviderSettings s) {
    return new AzureSettings(s);
  }

  String providerName() {
    return s.name();
  }

  /** The training type, if set and valid. */
  Optional<TrainingType> trainingType() {
    return trainingTypeRaw.flatMap(TrainingType::parse);
  }

  boolean developerTier() {
    return trainingType().filter(t -> t == TrainingType.DEVELOPER_TIER).isPresent();
  }

  /** Whether any of the three settings that locate the account in Resource Manager is set. */
  boolean armConfigured() {
    return subscriptionId.isPresent() || resourceGroup.isPresent() || account.isPresent();
  }

  /** The deployment sku from config ({@code standard} by default), lower case. */
  String sku() {
    return skuRaw.map(v -> v.trim().toLowerCase(Locale.ROOT)).orElse("standard");
  }

  /** The deployment capacity from config (1 by default; 0 when it is not a whole number: preflight says so). */
  int capacity() {
    try {
      return capacityRaw.map(v -> Integer.parseInt(v.trim())).orElse(1);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** {@code https://management.azure.com/subscriptions/…/accounts/{account}/deployments}. */
  String deploymentsUrl() {
    return armEndpoint + "/subscriptions/" + subscriptionId.orElse("") + "/resourceGroups/" + resourceGroup.orElse("")
        + "/providers/Microsoft.CognitiveServices/accounts/" + account.orElse("") + "/deployments";
  }

  /** The token scope of the Resource Manager endpoint: {@code https://management.azure.com/.default}. */
  String armScope() {
    return armEndpoint + "/.default";
  }

  /** Whether the ARM endpoint is plain http on this machine (tests only; preflight refuses http elsewhere). */
  boolean loopbackArm() {
    try {
      URI u = URI.create(armEndpoint);
      String host = u.getHost() == null ? "" : u.getHost();
      return "http".equalsIgnoreCase(u.getScheme())
          && (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private String at(String key) {
    return "providers." + s.name() + "." + key;
  }

  private PreflightProblem problem(String key, String what, String fix) {
    return new PreflightProblem(s.location(key), at(key), what, fix);
  }

  /** Every bad or missing value, each with where it was written and how to fix it. Offline. */
  List<PreflightProblem> problems() {
    List<PreflightProblem> out = new ArrayList<>();
    trainingTypeRaw.ifPresent(raw -> {
      if (TrainingType.parse(raw).isEmpty()) {
        out.add(problem("trainingType", "'" + raw + "' is not an Azure OpenAI training type",
            "use standard, globalstandard or developertier"));
      }
    });
    if (armConfigured()) {
      if (subscriptionId.isEmpty()) {
        out.add(problem("subscriptionId", "is required to deploy through Azure Resource Manager (resourceGroup or"
            + " account is set)", "set it to the subscription id (a GUID) of the Azure OpenAI resource"));
      } else if (!GUID.matcher(subscriptionId.get()).matches()) {
        out.add(problem("subscriptionId", "'" + subscriptionId.get() + "' is not a subscription id",
            "write the GUID, such as 00000000-0000-0000-0000-000000000000 (az account show --query id)"));
      }
      if (resourceGroup.isEmpty()) {
        out.add(problem("resourceGroup", "is required to deploy through Azure Resource Manager",
            "set it to the resource group of the Azure OpenAI resource"));
      } else if (!RESOURCE_GROUP.matcher(resourceGroup.get()).matches()) {
        out.add(problem("resourceGroup", "'" + resourceGroup.get() + "' is not a valid resource group name",
            "use 1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'"));
      }
      if (account.isEmpty()) {
        out.add(problem("account", "is required to deploy through Azure Resource Manager",
            "set it to the Azure OpenAI resource's name (the my-resource of https://my-resource.openai.azure.com)"));
      } else if (!ARM_NAME.matcher(account.get()).matches()) {
        out.add(problem("account", "'" + account.get() + "' is not a valid Cognitive Services account name",
            "use 2 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"));
      }
    }
    skuRaw.ifPresent(raw -> {
      if (!SKUS.contains(raw.trim().toLowerCase(Locale.ROOT))) {
        out.add(problem("deploymentSku", "'" + raw + "' is not a deployment type for a fine-tuned model",
            "use standard (billed per hour), globalstandard or developertier (no hourly fee, deleted after 24 h)"));
      }
    });
    capacityRaw.ifPresent(raw -> {
      if (capacity() < 1) {
        out.add(problem("deploymentCapacity", "'" + raw + "' is not a capacity", "use a whole number of 1 or more"
            + " (capacity units; 1 is the usual value for a fine-tuned deployment)"));
      }
    });
    source.ifPresent(src -> {
      if (!ACCOUNT_RESOURCE_ID.matcher(src).matches()) {
        out.add(problem("deploymentSource", "is not the resource id of an Azure OpenAI account",
            "write /subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.CognitiveServices/accounts/<name>"
                + " of the account that trained the model (for a deployment in another region)"));
      }
    });
    String lower = armEndpoint.toLowerCase(Locale.ROOT);
    if (!(lower.startsWith("https://") && validUrl(armEndpoint)) && !loopbackArm()) {
      out.add(problem("armEndpoint", "'" + armEndpoint + "' is not an https URL",
          "leave it unset (https://management.azure.com), or use your cloud's Resource Manager URL"
              + " such as https://management.chinacloudapi.cn"));
    }
    if (!API_VERSION.matcher(armApiVersion).matches()) {
      out.add(problem("armApiVersion", "'" + armApiVersion + "' is not an api-version",
          "leave it unset (" + DEFAULT_ARM_API_VERSION + ") or write a date such as 2024-10-01"));
    }
    return out;
  }

  /** Where the three ARM settings were written (for a one-line credential problem). */
  String location() {
    return s.location("subscriptionId");
  }

  private static boolean validUrl(String u) {
    try {
      return URI.create(u).toURL() != null && URI.create(u).getHost() != null;
    } catch (IllegalArgumentException | java.net.MalformedURLException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "AzureSettings{trainingType=" + trainingTypeRaw.orElse("-") + ", subscriptionId="
        + subscriptionId.orElse("-") + ", resourceGroup=" + resourceGroup.orElse("-") + ", account="
        + account.orElse("-") + ", sku=" + sku() + ", capacity=" + capacity() + ", armEndpoint=" + armEndpoint
        + ", armApiVersion=" + armApiVersion + "}";
  }
}
