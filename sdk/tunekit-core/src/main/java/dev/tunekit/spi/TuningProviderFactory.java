package dev.tunekit.spi;

import java.util.List;
import java.util.Set;

/**
 * Creates a {@link TuningProvider} from its settings. Found with {@link java.util.ServiceLoader};
 * chosen by name from {@code tunekit.yaml} ({@code provider: <name>}).
 */
public interface TuningProviderFactory {

  /** The provider names this factory answers to, as written after {@code provider:} or a section's {@code type:}. */
  Set<String> names();

  /**
   * Creates a provider. Fails with {@link dev.tunekit.error.InvalidInputException} naming the setting
   * (for example {@code providers.<name>.apiKey}) when a required setting is missing; makes no
   * remote call.
   */
  TuningProvider create(ProviderSettings settings);

  /**
   * The settings provider type {@code type} (one of {@link #names()}) reads. Tunekit checks every key
   * of the chosen section (and every {@code Tunekit.builder().setting}) against them before
   * {@link #create} is called: an unknown key is an {@link dev.tunekit.error.InvalidInputException}
   * naming {@code file:line} and the nearest known key. The key {@code type} is always allowed.
   *
   * <p>The default, an empty list, declares nothing and leaves every key unchecked; it exists only
   * for factories written before this method. Every provider should declare its keys.
   */
  default List<SettingSpec> settingKeys(String type) {
    return List.of();
  }

  /**
   * The conventional environment variables this factory's providers recognise (those their own SDKs read,
   * such as an API key variable), for {@code Tunekit.fromEnv()} to choose a provider without a config
   * file. Names only: Tunekit reads the environment. The default declares none.
   */
  default List<EnvConvention> envConventions() {
    return List.of();
  }
}
