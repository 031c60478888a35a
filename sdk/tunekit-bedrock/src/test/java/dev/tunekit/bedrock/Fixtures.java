package dev.tunekit.bedrock;

import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TrainingMethod;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Shared test values: settings that point every client at loopback servers, and job requests. */
final class Fixtures {
  static final String ROLE = "arn:aws:iam::123456789012:role/TunekitBedrockTest";
  static final String NOVA = "amazon.nova-micro-v1:0:128k";
  static final String JOB_ARN = "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/amazon.nova-micro-v1:0:128k/ab12cd34ef56";
  static final String MODEL_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-micro-v1:0:128k/mdl123";
  static final String ACCESS_KEY = "AKIDTUNEKITTEST";
  static final String SECRET_KEY = "tunekit-test-secret-never-logged";

  private Fixtures() {}

  static Map<String, Object> settings(String bedrockUrl, String s3Url) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("region", "us-east-1");
    m.put("bucket", "tunekit-test");
    m.put("prefix", "runs");
    m.put("roleArn", ROLE);
    m.put("endpoint", bedrockUrl);
    m.put("runtimeEndpoint", bedrockUrl);
    m.put("s3Endpoint", s3Url);
    m.put("s3PathStyle", "true");
    // S3Proxy 3.0 fails on signed aws-chunked bodies with trailing checksums (plain-HTTP endpoints get
    // those); the SHA-256 checksum is then sent as a header.
    m.put("s3ChunkedEncoding", "false");
    return m;
  }

  static BedrockProvider provider(Path workDir, Map<String, Object> values) {
    return provider(workDir, values, ACCESS_KEY, SECRET_KEY);
  }

  static BedrockProvider provider(Path workDir, Map<String, Object> values, String accessKey, String secretKey) {
    BedrockConfig config = BedrockConfig.from(ProviderSettings.of("bedrock", "tunekit.yaml", workDir, values));
    return new BedrockProvider(config, StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
  }

  static JobRequest request(String key, Hyperparameters hp) {
    return JobRequest.builder().runId("run-42").idempotencyKey(key).baseModel(NOVA).method(TrainingMethod.SUPERVISED)
        .trainingFileId("s3://tunekit-test/runs/datasets/abc/train.jsonl")
        .validationFileId(Optional.of("s3://tunekit-test/runs/datasets/def/valid.jsonl")).hyperparameters(hp)
        .suffix(Optional.of("support-bot")).metadata(Map.of("team", "search")).build();
  }
}
