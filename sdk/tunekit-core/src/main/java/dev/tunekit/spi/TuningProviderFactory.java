package dev.tunekit.spi;

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
}
