package dev.tunekit.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.model.Hyperparameters;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against real AWS, opt-in: runs only with AWS credentials in the environment (AWS_ACCESS_KEY_ID or
 * AWS_PROFILE) and TUNEKIT_BEDROCK_ROLE_ARN. Read-only by default; with TUNEKIT_LIVE_FINE_TUNE=1 (and
 * TUNEKIT_BEDROCK_BUCKET) it uploads a tiny dataset, starts a Nova Micro job — which is billed — finds it
 * by its key, and stops it at once.
 */
@EnabledIf("awsCredentialsPresent")
@EnabledIfEnvironmentVariable(named = "TUNEKIT_BEDROCK_ROLE_ARN", matches = "arn:.+")
class BedrockLiveTest {
  @TempDir Path tmp;

  static boolean awsCredentialsPresent() {
    return present("AWS_ACCESS_KEY_ID") || present("AWS_PROFILE");
  }

  private static boolean present(String name) {
    String v = System.getenv(name);
    return v != null && !v.isBlank();
  }

  private BedrockProvider provider() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("roleArn", System.getenv("TUNEKIT_BEDROCK_ROLE_ARN"));
    Optional.ofNullable(System.getenv("TUNEKIT_BEDROCK_BUCKET")).ifPresent(b -> s.put("bucket", b));
    Optional.ofNullable(System.getenv("AWS_REGION")).ifPresent(r -> s.put("region", r));
    s.put("prefix", "tunekit-live-test");
    return new BedrockProvider(BedrockConfig.from(ProviderSettings.of("bedrock", "environment", tmp, s)), null);
  }

  @Test
  void listingJobsByAnUnusedKeyFindsNothing() {
    try (BedrockProvider p = provider()) {
      assertThat(p.findJob("tunekit-live-" + UUID.randomUUID())).isEmpty();
    }
  }

  @Test
  void paidJobIsCreatedOnceFoundByItsKeyAndStopped() throws Exception {
    Assumptions.assumeTrue("1".equals(System.getenv("TUNEKIT_LIVE_FINE_TUNE")), "set TUNEKIT_LIVE_FINE_TUNE=1 to spend money");
    Assumptions.assumeTrue(present("TUNEKIT_BEDROCK_BUCKET"), "set TUNEKIT_BEDROCK_BUCKET");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      sb.append("{\"schemaVersion\":\"bedrock-conversation-2024\",\"system\":[{\"text\":\"Answer with the number.\"}],")
          .append("\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"What is ").append(i).append(" plus one?\"}]},")
          .append("{\"role\":\"assistant\",\"content\":[{\"text\":\"").append(i + 1).append("\"}]}]}\n");
    }
    byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
    Path file = tmp.resolve("live.jsonl");
    Files.write(file, bytes);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    try (BedrockProvider p = provider()) {
      FileUpload up = new FileUpload(file, sha.substring(0, 8) + "-live.jsonl", sha, bytes.length,
          BedrockFormats.CONVERSATION, FileUpload.Role.TRAINING);
      RemoteFile remote = p.findFile(up).orElseGet(() -> p.upload(up));
      String key = "live-" + UUID.randomUUID();
      JobRequest req = new JobRequest("live", key, "amazon.nova-micro-v1:0:128k", TrainingMethod.SUPERVISED, remote.id(),
          Optional.empty(), Hyperparameters.builder().epochs(1).build(), Optional.of("live"), Map.of());
      RemoteJob job = p.createJob(req);
      try {
        assertThat(p.findJob(key)).map(RemoteJob::id).contains(job.id());
      } finally {
        RemoteJob stopped = p.cancel(job.id());
        assertThat(stopped.status()).isInstanceOfAny(JobStatus.Cancelled.class, JobStatus.Failed.class);
      }
    }
  }
}
