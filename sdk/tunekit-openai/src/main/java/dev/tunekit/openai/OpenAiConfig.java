package dev.tunekit.openai;

import dev.tunekit.model.Secret;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.ProviderSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The parsed, validated settings of one OpenAI-family provider. Its {@link #toString()} never shows
 * the API key.
 *
 * @param name the provider name chosen in config (used in messages and exceptions)
 * @param flavor which kind of endpoint this is
 * @param baseUrl the API base URL, ending in {@code /v1} (Azure: {@code {endpoint}/openai/v1})
 * @param apiKey the key; absent only for an OpenAI-compatible endpoint that needs none
 * @param organization OpenAI organization id, if set
 * @param project OpenAI project id, if set
 * @param timeout per-request timeout, if set (otherwise the SDK default applies)
 * @param multipartThreshold files larger than this go through the Uploads API in parts
 * @param uploadPartSize the size of each part in the Uploads API
 * @param webhookSecret the signing secret of the OpenAI webhook endpoint ({@code webhookSecret}), if set
 * @param azure the {@code azure} flavor's training type and Resource Manager settings; empty for the others
 * @param settingProblems bad or missing settings found offline, reported by preflight before anything is
 *     sent ({@code bedrock-openai}'s region, base URL and key); empty when the settings are usable
 */
record OpenAiConfig(
    String name,
    Flavor flavor,
    String baseUrl,
    Optional<Secret> apiKey,
    Optional<String> organization,
    Optional<String> project,
    Optional<Duration> timeout,
    long multipartThreshold,
    long uploadPartSize,
    Optional<Secret> webhookSecret,
    Optional<AzureSettings> azure,
    List<PreflightProblem> settingProblems) {

  /** The kinds of endpoint this module speaks to. */
  enum Flavor {
    OPENAI("openai", java.util.Set.of("exact_match")),
    AZURE("azure"),
    COMPATIBLE("openai-compatible"),
    /**
     * Amazon Bedrock's OpenAI-compatible fine-tuning API for open-weight models
     * ({@code https://bedrock-mantle.{region}.api.aws/v1}), a Bedrock API key as bearer token, no {@code suffix}.
     */
    BEDROCK_OPENAI("bedrock-openai", java.util.Set.of("lambda"));

    final String factoryName;
    /**
     * The reward-grader kinds ({@link dev.tunekit.spi.RewardGrader#kind()}) its reinforcement fine-tuning takes;
     * empty when Tunekit sends no reinforcement job to it. Bedrock's takes a Lambda function (user guide,
     * "Prepare data for open-weight models": {@code grader: {type: lambda, lambda: {function: <ARN>}}}); OpenAI's
     * takes an exact match, sent as its {@code string_check} grader (its other graders are not modelled yet).
     */
    final java.util.Set<String> graderKinds;

    Flavor(String factoryName) {
      this(factoryName, java.util.Set.of());
    }

    Flavor(String factoryName, java.util.Set<String> graderKinds) {
      this.factoryName = factoryName;
      this.graderKinds = graderKinds;
    }

    /** Whether Tunekit sends reinforcement fine-tuning jobs to this flavor. */
    boolean reinforcement() {
      return !graderKinds.isEmpty();
    }
  }

  static final String OPENAI_BASE_URL = "https://api.openai.com/v1";
  /** Amazon Bedrock's OpenAI-compatible endpoint ("bedrock-mantle") of a region. */
  static final String BEDROCK_MANTLE_URL = "https://bedrock-mantle.%s.api.aws/v1";
  /** An AWS region name such as us-west-2, eu-central-1 or us-gov-west-1. */
  private static final java.util.regex.Pattern AWS_REGION =
      java.util.regex.Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");
  /** POST /files accepts at most 512 MB. */
  static final long MAX_SINGLE_REQUEST_BYTES = 512L * 1024 * 1024;
  /** An Uploads API part is at most 64 MB. */
  static final long MAX_PART_BYTES = 64L * 1024 * 1024;

  OpenAiConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(flavor, "flavor");
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(timeout, "timeout");
    settingProblems = List.copyOf(settingProblems);
  }

  /**
   * Reads and checks the settings for {@code flavor}. Fails with an
   * {@link dev.tunekit.error.InvalidInputException} naming the setting; makes no remote call.
   */
  static OpenAiConfig from(Flavor flavor, ProviderSettings s) {
    String baseUrl;
    Optional<Secret> apiKey;
    List<PreflightProblem> problems = new ArrayList<>();
    switch (flavor) {
      case AZURE: {
        Optional<String> explicit = s.string("baseUrl");
        String endpoint = explicit.isPresent() ? explicit.get() : s.requireString("endpoint");
        baseUrl = azureBaseUrl(endpoint, explicit.isPresent() ? "baseUrl" : "endpoint", s);
        apiKey = Optional.of(s.requireSecret("apiKey"));
        break;
      }
      case COMPATIBLE:
        baseUrl = checkUrl(s.requireString("baseUrl"), "baseUrl", s);
        apiKey = s.secret("apiKey");
        break;
      case BEDROCK_OPENAI:
        baseUrl = bedrockBaseUrl(s, problems);
        apiKey = s.secret("apiKey");
        if (apiKey.isEmpty() || apiKey.get().isBlank()) {
          problems.add(new PreflightProblem(s.location("apiKey"), "providers." + s.name() + ".apiKey",
              "is not set: Bedrock's OpenAI-compatible API takes a Bedrock API key as bearer token",
              "set apiKey: \"${AWS_BEARER_TOKEN_BEDROCK}\" (a Bedrock API key, created in the Bedrock console)"));
        }
        break;
      default:
        baseUrl = checkUrl(s.string("baseUrl").orElse(OPENAI_BASE_URL), "baseUrl", s);
        apiKey = Optional.of(s.requireSecret("apiKey"));
        break;
    }
    long threshold = bytes(s, "multipartThreshold", MAX_SINGLE_REQUEST_BYTES, MAX_SINGLE_REQUEST_BYTES);
    long partSize = bytes(s, "uploadPartSize", MAX_PART_BYTES, MAX_PART_BYTES);
    Optional<Duration> timeout = s.duration("timeout");
    if (timeout.isPresent() && (timeout.get().isNegative() || timeout.get().isZero())) {
      throw s.invalid("timeout", "must be a positive duration such as 60s or 10m");
    }
    return new OpenAiConfig(s.name(), flavor, baseUrl, apiKey, s.string("organization"),
        s.string("project"), timeout, threshold, partSize, s.secret("webhookSecret"),
        flavor == Flavor.AZURE ? Optional.of(AzureSettings.from(s)) : Optional.empty(), problems);
  }

  /**
   * {@code bedrock-openai}'s base URL: {@code baseUrl} as given, or the region's bedrock-mantle endpoint.
   * A missing, doubled or malformed setting is a preflight problem (added to {@code problems}), not an
   * exception, so that preflight lists it with the others; the URL is then a placeholder nothing is sent to.
   */
  private static String bedrockBaseUrl(ProviderSettings s, List<PreflightProblem> problems) {
    String where = "providers." + s.name();
    Optional<String> explicit = s.string("baseUrl");
    Optional<String> region = s.string("region").map(String::trim);
    if (explicit.isPresent() && region.isPresent()) {
      problems.add(new PreflightProblem(s.location("baseUrl"), where + ".baseUrl",
          "is set together with region; only one of them says where Bedrock's OpenAI-compatible API is",
          "keep region (such as us-west-2), or baseUrl for another endpoint"));
    }
    if (explicit.isPresent()) {
      return checkUrl(explicit.get(), "baseUrl", s);
    }
    if (region.isEmpty()) {
      problems.add(new PreflightProblem(s.location("providers"), where + ".region",
          "is not set: Bedrock's OpenAI-compatible fine-tuning API is per region",
          "set region: us-west-2 (a region where Bedrock offers it), or baseUrl"));
      return "https://bedrock-mantle.invalid/v1";
    }
    if (!AWS_REGION.matcher(region.get()).matches()) {
      problems.add(new PreflightProblem(s.location("region"), where + ".region",
          "'" + region.get() + "' is not an AWS region name",
          "use a region name such as us-west-2 or eu-central-1"));
      return "https://bedrock-mantle.invalid/v1";
    }
    return String.format(Locale.ROOT, BEDROCK_MANTLE_URL, region.get());
  }

  /** Azure OpenAI's v1 data plane. The legacy path mode would insert deployments/{model} and break jobs.create. */
  static String azureBaseUrl(String endpoint, String key, ProviderSettings s) {
    String url = stripSlash(checkUrl(endpoint, key, s));
    if (url.endsWith("/openai/v1")) {
      return url;
    }
    if (url.endsWith("/openai")) {
      return url + "/v1";
    }
    return url + "/openai/v1";
  }

  private static String checkUrl(String url, String key, ProviderSettings s) {
    String u = url.trim();
    String lower = u.toLowerCase(Locale.ROOT);
    if (!(lower.startsWith("https://") || lower.startsWith("http://"))) {
      throw s.invalid(key, "must be an http(s) URL such as https://api.openai.com/v1");
    }
    try {
      java.net.URI.create(u).toURL();
    } catch (IllegalArgumentException | java.net.MalformedURLException e) {
      throw s.invalid(key, "is not a valid URL");
    }
    return stripSlash(u);
  }

  /** {@code u} without trailing slashes. */
  static String stripSlash(String u) {
    String r = u;
    while (r.endsWith("/")) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }

  /** A byte size setting: a whole number of bytes or a number with KB/MB/GB (binary units). */
  private static long bytes(ProviderSettings s, String key, long dflt, long max) {
    Optional<String> raw = s.string(key);
    if (raw.isEmpty()) {
      return dflt;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?")
        .matcher(raw.get().trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw s.invalid(key, "must be a size such as 1048576, 512KB or 64MB");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw s.invalid(key, "must be a size such as 1048576, 512KB or 64MB");
    }
    String unit = m.group(2) == null ? "b" : m.group(2);
    long mult = unit.startsWith("k") ? 1024L : unit.startsWith("m") ? 1024L * 1024 : unit.startsWith("g") ? 1024L * 1024 * 1024 : 1L;
    long v = n * mult;
    if (v < 1 || v > max || v / mult != n) {
      throw s.invalid(key, "must be between 1 byte and " + (max / (1024 * 1024)) + "MB (the API's limit)");
    }
    return v;
  }

  @Override
  public String toString() {
    return "OpenAiConfig{name=" + name + ", flavor=" + flavor.factoryName + ", baseUrl=" + baseUrl
        + ", apiKey=" + (apiKey.isPresent() ? "Secret[redacted]" : "none")
        + ", webhookSecret=" + (webhookSecret.isPresent() ? "Secret[redacted]" : "none") + ", organization="
        + organization.orElse("-") + ", project=" + project.orElse("-") + ", timeout="
        + timeout.map(Duration::toString).orElse("default") + ", multipartThreshold=" + multipartThreshold
        + ", uploadPartSize=" + uploadPartSize + azure.map(a -> ", azure=" + a).orElse("")
        + (settingProblems.isEmpty() ? "" : ", settingProblems=" + settingProblems.size()) + "}";
  }
}
