package dev.tunekit.spi;

import java.util.Objects;

/**
 * One setting a provider reads from its {@code tunekit.yaml} section (or {@code Tunekit.builder().setting}),
 * declared through {@link TuningProviderFactory#settingKeys(String)} so that a misspelt key is an error
 * naming its line and the nearest known key, rather than being ignored.
 *
 * @param key the setting's name, exactly as written in the config (such as {@code apiKey})
 * @param description a short description for error messages and docs (such as "API key; use ${ENV_VAR}")
 */
public record SettingSpec(String key, String description) {
  /** Checks that both parts are present. */
  public SettingSpec {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(description, "description");
    if (key.isBlank()) {
      throw new dev.tunekit.error.InvalidInputException("a setting key must not be blank");
    }
  }

  /** Shorthand for {@code new SettingSpec(key, description)}. */
  public static SettingSpec of(String key, String description) {
    return new SettingSpec(key, description);
  }
}
