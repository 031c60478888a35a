package dev.tunekit.bedrock;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.spi.ProviderSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Bedrock provider's settings, read and checked once from {@code providers.bedrock} in
 * {@code tunekit.yaml}. Every problem names the setting and the config file; nothing here makes a
 * remote call. {@code bucket} and {@code roleArn} are only required by the operations that need them
 * (upload and job creation), so a chat-only use (evaluating a base model) needs neither.
 */
record BedrockConfig(
    ProviderSettings settings,
    Optional<String> region,
    Optional<String> bucket,
    String prefix,
    Optional<String> roleArn,
    Optional<String> kmsKeyId,
    List<String> subnetIds,
    List<String> securityGroupIds,
    Map<String, String> tags,
    Optional<URI> endpoint,
    Optional<URI> runtimeEndpoint,
    Optional<URI> s3Endpoint,
    boolean s3PathStyle,
    boolean s3ChunkedEncoding,
    boolean s3ExpectContinue,
    Optional<DeploymentMode> deployment,
    int modelUnits,
    Optional<String> commitmentDuration,
    long multipartThresholdBytes,
    long multipartPartSizeBytes,
    Optional<Duration> callTimeout) {

  /** How a tuned model is made callable. */
  enum DeploymentMode {
    /** {@code CreateCustomModelDeployment}: pay per token, no hourly charge. */
    ON_DEMAND,
    /** {@code CreateProvisionedModelThroughput}: model units billed by the hour. */
    PROVISIONED;

    static DeploymentMode parse(String raw, ProviderSettings settings, String key) {
      String s = raw.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
      if (s.equals("ondemand")) {
        return ON_DEMAND;
      }
      if (s.equals("provisioned")) {
        return PROVISIONED;
      }
      throw settings.invalid(key, "must be onDemand or provisioned, was '" + raw + "'");
    }
  }

  /** S3's smallest allowed part (except the last). */
  static final long MIN_PART_SIZE = 5L * 1024 * 1024;

  static BedrockConfig from(ProviderSettings s) {
    String prefix = s.folder("prefix", "tunekit");
    Optional<String> bucket = s.bucketName("bucket", "s3://", "prefix");
    Optional<String> roleArn = s.string("roleArn").map(String::trim);
    roleArn.ifPresent(r -> {
      if (!r.startsWith("arn:") || !r.contains(":role/")) {
        throw s.invalid("roleArn", "must be an IAM role ARN such as arn:aws:iam::123456789012:role/BedrockFineTuning");
      }
    });
    Map<String, Object> vpc = s.map("vpc");
    List<String> subnets = stringList(s, "vpc.subnetIds", vpc.get("subnetIds"));
    List<String> groups = stringList(s, "vpc.securityGroupIds", vpc.get("securityGroupIds"));
    if (subnets.isEmpty() != groups.isEmpty()) {
      throw s.invalid("vpc", "needs both subnetIds and securityGroupIds (or neither)");
    }
    Map<String, String> tags = s.textMap("tags");
    int modelUnits = s.integer("modelUnits").orElse(1);
    if (modelUnits < 1) {
      throw s.invalid("modelUnits", "must be at least 1, was " + modelUnits);
    }
    Optional<String> commitment = s.string("commitmentDuration").map(c -> parseCommitment(s, "commitmentDuration", c));
    long partSize = bytes(s, "multipartPartSizeBytes", 8L * 1024 * 1024);
    if (partSize < MIN_PART_SIZE) {
      throw s.invalid("multipartPartSizeBytes", "must be at least 5 MiB (" + MIN_PART_SIZE + "), S3's minimum part size");
    }
    long threshold = bytes(s, "multipartThresholdBytes", 16L * 1024 * 1024);
    return new BedrockConfig(
        s,
        s.string("region").map(String::trim),
        bucket,
        prefix,
        roleArn,
        s.string("kmsKeyId").map(String::trim),
        subnets,
        groups,
        Map.copyOf(tags),
        uri(s, "endpoint"),
        uri(s, "runtimeEndpoint"),
        uri(s, "s3Endpoint"),
        s.bool("s3PathStyle").orElse(false),
        s.bool("s3ChunkedEncoding").orElse(true),
        s.bool("s3ExpectContinue").orElse(true),
        s.string("deployment").map(d -> DeploymentMode.parse(d, s, "deployment")),
        modelUnits,
        commitment,
        threshold,
        partSize,
        s.duration("callTimeout"));
  }

  /** The bucket, or a clear error naming the setting. */
  String requireBucket() {
    return bucket.orElseThrow(() -> settings.invalid("bucket",
        "is required to upload training data and receive job output; set it to an S3 bucket in the job's region"));
  }

  /** The role ARN, or a clear error naming the setting. */
  String requireRoleArn() {
    return roleArn.orElseThrow(() -> settings.invalid("roleArn",
        "is required to create a customization job; set it to an IAM role that trusts bedrock.amazonaws.com"
            + " and may read s3://" + bucket.orElse("<bucket>") + "/" + prefix + "/ and write its output/ folder"));
  }

  /** {@code prefix/} or the empty string. */
  String keyPrefix() {
    return prefix.isEmpty() ? "" : prefix + "/";
  }

  static String parseCommitment(ProviderSettings s, String key, String raw) {
    String c = raw.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    switch (c) {
      case "none":
      case "nocommitment":
        return "";
      case "onemonth":
      case "1month":
        return "OneMonth";
      case "sixmonths":
      case "6months":
        return "SixMonths";
      default:
        throw s.invalid(key, "must be none, OneMonth or SixMonths, was '" + raw + "'");
    }
  }

  private static long bytes(ProviderSettings s, String key, long def) {
    return s.string(key).map(v -> {
      try {
        return Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        throw s.invalid(key, "must be a whole number of bytes");
      }
    }).orElse(def);
  }

  private static Optional<URI> uri(ProviderSettings s, String key) {
    return s.string(key).map(v -> {
      try {
        URI u = new URI(v.trim());
        if (u.getScheme() == null || u.getHost() == null) {
          throw s.invalid(key, "must be an absolute URL such as http://127.0.0.1:9000");
        }
        return u;
      } catch (URISyntaxException e) {
        throw s.invalid(key, "must be an absolute URL such as http://127.0.0.1:9000");
      }
    });
  }

  private static List<String> stringList(ProviderSettings s, String key, Object v) {
    if (v == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (v instanceof Collection<?> c) {
      for (Object o : c) {
        if (o == null || o instanceof Map || o instanceof Collection || String.valueOf(o).isBlank()) {
          throw s.invalid(key, "must be a list of ids");
        }
        out.add(String.valueOf(o).trim());
      }
    } else if (v instanceof Map) {
      throw s.invalid(key, "must be a list of ids");
    } else {
      for (String part : String.valueOf(v).split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return List.copyOf(out);
  }

  /** Never prints values (the role ARN names an account; tags may be sensitive). */
  @Override
  public String toString() {
    return "BedrockConfig" + settings;
  }

  static InvalidInputException invalidOption(String key, String problem) {
    return new InvalidInputException("deployment option " + key + " " + problem);
  }
}
