package dev.tunekit.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.JobPlan;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TuningProvider;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Against a real Azure OpenAI resource and Azure Resource Manager; skipped unless
 * {@code TUNEKIT_AZURE_LIVE=1} (with {@code AZURE_OPENAI_ENDPOINT}, {@code AZURE_OPENAI_API_KEY},
 * {@code AZURE_SUBSCRIPTION_ID}, {@code AZURE_RESOURCE_GROUP}, {@code AZURE_OPENAI_ACCOUNT} and credentials
 * DefaultAzureCredential finds). Read-only: preflight (which acquires an ARM token), list the account's
 * deployments and read the first, look up a job by a fresh key, and read the job {@code TUNEKIT_AZURE_LIVE_JOB}
 * if it is set. Nothing is created, so nothing is billed.
 */
@EnabledIfEnvironmentVariable(named = "TUNEKIT_AZURE_LIVE", matches = "1")
class AzureLiveTest {
  private static TuningProvider provider() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("endpoint", System.getenv("AZURE_OPENAI_ENDPOINT"));
    s.put("apiKey", System.getenv("AZURE_OPENAI_API_KEY"));
    s.put("subscriptionId", System.getenv("AZURE_SUBSCRIPTION_ID"));
    s.put("resourceGroup", System.getenv("AZURE_RESOURCE_GROUP"));
    s.put("account", System.getenv("AZURE_OPENAI_ACCOUNT"));
    s.put("timeout", "60s");
    return new OpenAiProviderFactory().create(ProviderSettings.of("azure", "environment", Path.of("target"), s));
  }

  @Test
  void readsDeploymentsAndJobsWithoutChangingAnything() {
    try (TuningProvider p = provider()) {
      assertThat(p.preflight(JobPlan.builder().baseModel("gpt-4.1-mini").build())).isEmpty();
      AzureDeployments d = (AzureDeployments) p.capability(Deployments.class).orElseThrow();
      List<String> names = d.names();
      if (!names.isEmpty()) {
        Deployment first = d.deployment(names.get(0));
        assertThat(first.id()).isEqualTo(names.get(0));
        assertThat(first.state()).isNotEqualTo(Deployment.State.UNKNOWN);
      }
      assertThat(p.findJob("tunekit-live-" + UUID.randomUUID())).isEmpty();
      String job = System.getenv("TUNEKIT_AZURE_LIVE_JOB");
      if (job != null && !job.isBlank()) {
        assertThat(p.job(job).id()).isEqualTo(job);
      }
    }
  }
}
