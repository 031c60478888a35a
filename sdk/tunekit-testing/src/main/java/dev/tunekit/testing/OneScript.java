package dev.tunekit.testing;

import dev.tunekit.Run;
import dev.tunekit.RunResult;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.spi.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The provider switch, as a user meets it: one script body ({@link #run(Path, Path)}) and one
 * {@code tunekit.yaml} ({@link #config(Path, String, Map)}) holding a section for every provider, each
 * naming its own base model with {@code model:}. Choosing a provider changes the {@code provider:} line
 * and nothing else; each provider module's test runs the same body against its fakes.
 *
 * <pre>{@code
 * Path yaml = OneScript.config(dir, "vertex", sections);   // sections: every provider's settings
 * OneScript.Outcome o = OneScript.run(yaml, train);
 * assertThat(o.state()).isEqualTo(RunState.TRAINED);
 * }</pre>
 */
public final class OneScript {
  /** The question the script asks the tuned model once it is deployed. */
  public static final String QUESTION = "How do I reset my password?";

  private OneScript() {}

  /**
   * What the script saw.
   *
   * @param provider the provider {@code tunekit.yaml} chose
   * @param state the run's state after {@code await()}
   * @param baseModel the base model the run tuned (from the section's {@code model:})
   * @param tunedModel the tuned model, or null
   * @param deployment the deployment's state after {@code deploy()}
   * @param answer the tuned model's answer to {@link #QUESTION}
   */
  public record Outcome(String provider, RunState state, String baseModel, String tunedModel,
      Deployment.State deployment, String answer) {}

  /**
   * The script body, the same for every provider: tune the configured base model on {@code train},
   * wait, deploy, ask. Nothing in it names a provider or a model.
   */
  public static Outcome run(Path tunekitYaml, Path train) {
    try (Tunekit tk = Tunekit.fromConfig(tunekitYaml)) {
      Run run = tk.fineTune()
          .trainingData(train)
          .hyperparameters(h -> h.epochs(2))
          .suffix("one-script")
          .start();
      RunResult result = run.await();
      Deployment deployment = run.deploy();
      String answer = run.chatModel().chat(ChatRequest.of("tuned", List.of(ChatMessage.user(QUESTION)))).content();
      return new Outcome(tk.provider(), result.state(), run.info().baseModel(), result.fineTunedModel().orElse(null),
          deployment.state(), answer);
    }
  }

  /**
   * A section for each of the six providers as a user would write them, each with its {@code model:}
   * (secrets through {@code ${VAR}}, read only in the chosen section), with {@code replaced}'s sections
   * instead of the defaults of the same name: a provider's test puts its own section there, pointing
   * at its fakes.
   */
  public static Map<String, Map<String, Object>> sections(Map<String, Map<String, Object>> replaced) {
    Map<String, Map<String, Object>> all = new LinkedHashMap<>();
    all.put("local", Map.of("model", "local-base", "stepDelay", "1ms"));
    all.put("openai", Map.of("model", "gpt-4o-mini-2024-07-18", "apiKey", "${OPENAI_API_KEY}"));
    all.put("azure", Map.of("model", "gpt-4.1-mini-2025-04-14", "endpoint", "https://my-resource.openai.azure.com",
        "apiKey", "${AZURE_OPENAI_API_KEY}", "subscriptionId", "${AZURE_SUBSCRIPTION_ID}",
        "resourceGroup", "my-group", "account", "my-resource"));
    all.put("bedrock", Map.of("model", "amazon.nova-micro-v1:0:128k", "region", "us-east-1",
        "bucket", "my-tuning-bucket", "roleArn", "${BEDROCK_ROLE_ARN}"));
    all.put("vertex", Map.of("model", "gemini-2.5-flash", "project", "my-project", "location", "us-central1",
        "bucket", "my-tuning-bucket"));
    all.put("together", Map.of("model", "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", "apiKey", "${TOGETHER_API_KEY}"));
    all.putAll(replaced);
    return all;
  }

  /**
   * Writes {@code dir/tunekit.yaml}: {@code provider: <provider>}, the ledger and work directory under
   * {@code dir}, then every section of {@code sections} (name → settings, each with its {@code model:}),
   * and fast polling and retries for tests. For a given {@code sections}, files written for two providers
   * differ in their first line only.
   */
  public static Path config(Path dir, String provider, Map<String, Map<String, Object>> sections) {
    StringBuilder y = new StringBuilder("provider: ").append(provider).append('\n')
        .append("ledger: ledger.db\nworkDir: work\nproviders:\n");
    sections.forEach((name, settings) -> {
      if (!settings.containsKey("model")) {
        throw new IllegalArgumentException("section " + name + " needs a model: the script names none");
      }
      y.append("  ").append(name).append(":\n");
      settings.forEach((k, v) -> y.append("    ").append(k).append(": \"")
          .append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n"));
    });
    y.append("resilience:\n  retry: { maxAttempts: 3, initialBackoff: 1ms, maxBackoff: 10ms, multiplier: 2.0 }\n")
        .append("polling: { initialInterval: 5ms, maxInterval: 20ms, timeout: 60s }\n");
    try {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve("tunekit.yaml"), y.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
