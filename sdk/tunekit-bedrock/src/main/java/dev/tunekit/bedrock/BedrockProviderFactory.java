package dev.tunekit.bedrock;

import java.util.Map;
import dev.tunekit.spi.EnvConvention;
import dev.tunekit.dataset.DatasetContributor;
import dev.tunekit.dataset.DatasetConverter;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.ModelCatalog;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.SettingSpec;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Amazon Bedrock provider, chosen with {@code provider: bedrock} in {@code tunekit.yaml}.
 *
 * <p>Settings under {@code providers.bedrock}: {@code region}; {@code bucket} and {@code prefix} (where
 * training data is uploaded and job output is written); {@code roleArn} (the IAM role Bedrock assumes;
 * it must trust {@code bedrock.amazonaws.com} and read/write the bucket); {@code kmsKeyId};
 * {@code vpc} ({@code subnetIds}, {@code securityGroupIds}); {@code tags}; {@code deployment}
 * ({@code onDemand} or {@code provisioned}; by default, from the custom model's base model: on demand for Amazon Nova, provisioned
 * otherwise), {@code modelUnits}, {@code commitmentDuration}; {@code callTimeout}; and, for tests or
 * private endpoints, {@code endpoint}, {@code runtimeEndpoint}, {@code s3Endpoint}, {@code s3PathStyle},
 * {@code s3ChunkedEncoding}, {@code s3ExpectContinue}, {@code multipartThresholdBytes},
 * {@code multipartPartSizeBytes}. Credentials always come from the AWS
 * default chain (environment, profile, SSO, container or instance role) and are never read from
 * {@code tunekit.yaml}.
 *
 * <p>As a {@link DatasetContributor} it contributes Bedrock's model catalog (limits, default epochs and
 * prices) and the formats Bedrock trains on, {@code bedrock-conversation-2024} and
 * {@code bedrock-prompt-completion}, with their converters from chat JSONL.
 */
public final class BedrockProviderFactory implements TuningProviderFactory, DatasetContributor {

  /** Creates the factory (called by {@link java.util.ServiceLoader}). */
  public BedrockProviderFactory() {}

  /** Answers to {@code bedrock}. */
  @Override
  public Set<String> names() {
    return Set.of("bedrock");
  }

  /**
   * Checks the settings and builds the AWS clients. Makes no remote call; fails with an
   * {@link dev.tunekit.error.InvalidInputException} naming the setting when one is malformed.
   */
  @Override
  public TuningProvider create(ProviderSettings settings) {
    return new BedrockProvider(BedrockConfig.from(settings), null);
  }

  /** The settings of {@code providers.bedrock} (see the class comment); any other key is an error. */
  @Override
  public List<SettingSpec> settingKeys(String type) {
    return List.of(
        SettingSpec.of("region", "the AWS region, such as us-east-1 (else the AWS default region chain)"),
        SettingSpec.of("bucket", "the S3 bucket for training data and job output"),
        SettingSpec.of("prefix", "the folder in the bucket (default tunekit)"),
        SettingSpec.of("roleArn", "the IAM role Bedrock assumes, arn:aws:iam::<account>:role/<name>"),
        SettingSpec.of("kmsKeyId", "the KMS key for the job's output"),
        SettingSpec.of("vpc", "subnetIds and securityGroupIds for the training job"),
        SettingSpec.of("tags", "tags put on the job and the custom model"),
        SettingSpec.of("deployment", "onDemand or provisioned"),
        SettingSpec.of("modelUnits", "model units of a provisioned deployment (default 1)"),
        SettingSpec.of("commitmentDuration", "commitment of a provisioned deployment"),
        SettingSpec.of("callTimeout", "per-call timeout, such as 60s"),
        SettingSpec.of("endpoint", "the Bedrock control-plane endpoint (tests, private endpoints)"),
        SettingSpec.of("runtimeEndpoint", "the Bedrock runtime endpoint (tests, private endpoints)"),
        SettingSpec.of("s3Endpoint", "the S3 endpoint (tests, S3-compatible servers)"),
        SettingSpec.of("s3PathStyle", "true for path-style S3 addressing"),
        SettingSpec.of("s3ChunkedEncoding", "false for S3-compatible servers without chunked uploads"),
        SettingSpec.of("s3ExpectContinue", "false to stop sending 'Expect: 100-continue' on uploads (default true)"),
        SettingSpec.of("multipartThresholdBytes", "file size above which uploads go in parts (default 16MB)"),
        SettingSpec.of("multipartPartSizeBytes", "size of each upload part (default 8MB, at least 5MB)"));
  }

  /** Bedrock's model catalog for {@code bedrock}. */
  @Override
  public Optional<ModelCatalog> catalog(String type) {
    return names().contains(type) ? Optional.of(BedrockFormats.CATALOG) : Optional.empty();
  }

  @Override
  public List<DatasetFormat> formats() {
    return List.of(BedrockFormats.CONVERSATION, BedrockFormats.PROMPT_COMPLETION);
  }

  @Override
  public Optional<DatasetConverter> converter(DatasetFormat format) {
    return BedrockFormats.converter(format);
  }

  /** The variables this provider's own SDK reads by convention, for {@code Tunekit.fromEnv()}. */
  @Override
  public List<EnvConvention> envConventions() {
    return List.of(EnvConvention.of("bedrock", List.of("AWS_REGION"), Map.of("region", "AWS_REGION"),
        "credentials from the AWS default chain"));
  }
}
