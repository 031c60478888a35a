package dev.tunekit.vertex;

import java.util.Map;
import dev.tunekit.spi.EnvConvention;
import com.google.auth.oauth2.GoogleCredentials;
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
 * The Google Vertex AI provider, chosen with {@code provider: vertex}: Gemini supervised tuning.
 *
 * <p>Settings under {@code providers.vertex}: {@code project}, {@code location} (default us-central1),
 * {@code bucket} and {@code prefix} (where training data goes, as {@code gs://bucket/prefix/<sha256>.jsonl}),
 * {@code labels} (put on every tuning job), {@code callTimeout}, and for tests or private endpoints
 * {@code endpoint}. Credentials are Google's Application Default Credentials, never read from
 * {@code tunekit.yaml}.
 *
 * <p>As a {@link DatasetContributor} it contributes the Vertex catalog of tunable Gemini models (limits and
 * prices, with their sources and date) and the {@code gemini-tuning-jsonl} format with its converter.
 */
public final class VertexProviderFactory implements TuningProviderFactory, DatasetContributor {

  /** Creates the factory (called by {@link java.util.ServiceLoader}). */
  public VertexProviderFactory() {}

  /** Answers to {@code vertex}. */
  @Override
  public Set<String> names() {
    return Set.of("vertex");
  }

  /** Checks the settings' shape; makes no remote call and reads no credentials yet. */
  @Override
  public TuningProvider create(ProviderSettings settings) {
    return new VertexProvider(VertexConfig.from(settings), GoogleCredentials::getApplicationDefault, null);
  }

  /** The settings of {@code providers.vertex}; any other key is an error. */
  @Override
  public List<SettingSpec> settingKeys(String type) {
    return List.of(
        SettingSpec.of("project", "the Google Cloud project id that runs the tuning job"),
        SettingSpec.of("location", "the Vertex AI region (default us-central1)"),
        SettingSpec.of("bucket", "the Cloud Storage bucket for training data (a bare name)"),
        SettingSpec.of("prefix", "the folder in the bucket (default tunekit)"),
        SettingSpec.of("labels", "labels put on every tuning job (keys and values: a-z 0-9 _ -, at most 63)"),
        SettingSpec.of("callTimeout", "per-call timeout, such as 60s"),
        SettingSpec.of("endpoint", "the Vertex AI base URL (tests, private endpoints)"));
  }

  @Override
  public Optional<ModelCatalog> catalog(String type) {
    return names().contains(type) ? Optional.of(GeminiFormat.CATALOG) : Optional.empty();
  }

  @Override
  public List<DatasetFormat> formats() {
    return List.of(GeminiFormat.FORMAT);
  }

  @Override
  public Optional<DatasetConverter> converter(DatasetFormat format) {
    return GeminiFormat.converter(format);
  }

  /** The variables this provider's own SDK reads by convention, for {@code Tunekit.fromEnv()}. */
  @Override
  public List<EnvConvention> envConventions() {
    return List.of(EnvConvention.of("vertex", List.of("GOOGLE_CLOUD_PROJECT"),
        Map.of("project", "GOOGLE_CLOUD_PROJECT", "location", "GOOGLE_CLOUD_LOCATION"),
        "credentials from Google's application default credentials"));
  }
}
